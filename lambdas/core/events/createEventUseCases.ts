import type { CoreDeps } from '../deps';
import { NotFoundError, ValidationError } from '../errors';
import type { Caller, ConcurrencyLimit, EventDef, Job } from '../model';
import type { NotifyRule } from '../notifications/notificationModel';
import type { Page } from '../ports';
import type { JobSpecRequest, RetryRequest } from '../jobs/resolveJobSpec';
import { resolveJobSpec } from '../jobs/resolveJobSpec';
import type { createSubmitJob, SubmitOptions } from '../jobs/submitJob';

export interface EventRequest extends JobSpecRequest {
  name: string;
  concurrency?: ConcurrencyLimit;
}

/** Most runs of one event at once an event's own limit may allow. */
export const MAX_EVENT_CONCURRENCY = 1000;

/** @throws ValidationError naming `concurrency.max`. */
const concurrencyOf = (request: EventRequest): Pick<EventDef, 'concurrency'> => {
  const limit = request.concurrency;
  if (!limit) return {};
  if (!Number.isInteger(limit.max) || limit.max < 1 || limit.max > MAX_EVENT_CONCURRENCY) {
    throw new ValidationError('concurrency.max', `must be a whole number from 1 to ${MAX_EVENT_CONCURRENCY}, got ${limit.max}`);
  }
  return { concurrency: { max: limit.max, onLimit: limit.onLimit } };
};

/** CRUD on saved job definitions, and starting a run of one. Every call is scoped to the caller's tenant. */
export const createEventUseCases = (
  { store, clock, ids, config }: Pick<CoreDeps, 'store' | 'clock' | 'ids' | 'config'>,
  submitJob: ReturnType<typeof createSubmitJob>,
) => {
  /** @throws NotFoundError */
  const get = async (caller: Caller, id: string): Promise<EventDef> => {
    const event = await store.events.get(caller.tenant, id);
    if (!event) throw new NotFoundError('event', id);
    return event;
  };

  return {
    get,

    /** @throws ValidationError when a limit is exceeded. */
    async create(caller: Caller, request: EventRequest): Promise<EventDef> {
      const now = new Date(clock.now()).toISOString();
      const event: EventDef = {
        ...resolveJobSpec(request, config),
        ...concurrencyOf(request),
        tenant: caller.tenant,
        id: ids.next(),
        name: request.name,
        createdAt: now,
        updatedAt: now,
      };
      await store.events.put(event);
      return event;
    },

    /** Replaces an event's definition. @throws NotFoundError, ValidationError */
    async update(caller: Caller, id: string, request: EventRequest): Promise<EventDef> {
      const existing = await get(caller, id);
      const event: EventDef = {
        ...resolveJobSpec(request, config),
        ...concurrencyOf(request),
        tenant: caller.tenant,
        id,
        name: request.name,
        createdAt: existing.createdAt,
        updatedAt: new Date(clock.now()).toISOString(),
      };
      await store.events.put(event);
      return event;
    },

    list: (caller: Caller, query: { limit: number; cursor?: string }): Promise<Page<EventDef>> => store.events.list(caller.tenant, query),

    /** @throws NotFoundError */
    async remove(caller: Caller, id: string): Promise<void> {
      if (!(await store.events.delete(caller.tenant, id))) throw new NotFoundError('event', id);
    },

    /**
     * Starts a job from the event's current definition, checked against today's limits
     * (the operator may have lowered them since it was saved). @throws NotFoundError, ValidationError
     */
    async run(
      caller: Caller,
      id: string,
      {
        retries: retriesOverride,
        notify: extraRules,
        ...opts
      }: Omit<SubmitOptions, 'eventId' | 'eventName'> & { retries?: RetryRequest; notify?: NotifyRule[] } = {},
    ): Promise<Job> {
      const { runtime, script, http, tool, notify, env, timeoutSeconds, resources, target, name, retries, priority, concurrency } =
        await get(caller, id);
      // A schedule's rules come after the event's, so each rule keeps its index (and its notifications' ids).
      const rules = [...(notify ?? []), ...(extraRules ?? [])];
      const spec = resolveJobSpec(
        {
          runtime,
          script,
          http,
          tool,
          notify: rules,
          env,
          timeoutSeconds,
          resources,
          target,
          retries: retriesOverride ?? retries,
          priority,
        },
        config,
      );
      return submitJob(caller, concurrency ? { ...spec, concurrency } : spec, { ...opts, eventId: id, eventName: name });
    },
  };
};

export type EventUseCases = ReturnType<typeof createEventUseCases>;
