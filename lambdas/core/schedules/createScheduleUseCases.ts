import type { CoreDeps } from '../deps';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import type { Caller } from '../model';
import type { NotifyRule } from '../notifications/notificationModel';
import type { Page } from '../ports';
import { nextFires } from './fireTimes';
import {
  CatchUpPolicies,
  DstPolicies,
  OverlapPolicies,
  type CatchUpPolicy,
  type DstPolicy,
  type OverlapPolicy,
  type Schedule,
  type ScheduleFire,
  type ScheduleTarget,
} from './scheduleModel';
import { firstFireAfter, planOf } from './schedulePlan';
import { parseInstant } from './scheduleTiming';
import { checkTimeZone, localIso } from './zoneClock';

/** What a caller sends to create a schedule. */
export interface ScheduleRequest {
  name: string;
  target: { eventId?: string; workflowId?: string };
  cron?: string;
  at?: string;
  rate?: string;
  /** @default 'UTC' */
  timezone?: string;
  /** @default true */
  enabled?: boolean;
  input?: unknown;
  notify?: NotifyRule[];
  catchUp?: CatchUpPolicy;
  overlap?: OverlapPolicy;
  dst?: DstPolicy;
  startAt?: string;
  endAt?: string;
}

/** A change: given fields replace, `null` clears an optional one; any of cron, at, rate replaces the timing. */
export type SchedulePatch = {
  [K in keyof ScheduleRequest]?: undefined extends ScheduleRequest[K] ? ScheduleRequest[K] | null : ScheduleRequest[K];
};

/** The timing fields of a schedule, which `preview` computes fires from without saving. */
export type SchedulePreviewRequest = Pick<ScheduleRequest, 'cron' | 'at' | 'rate' | 'timezone' | 'dst' | 'startAt' | 'endAt'>;

/** A fire time in UTC and in the schedule's zone. */
export interface FireTime {
  utc: string;
  local: string;
}

/** A schedule as `GET /schedules/{id}` shows it. */
export interface ScheduleDetails {
  schedule: Schedule;
  nextFires: FireTime[];
  lastFires: ScheduleFire[];
}

const NEXT_SHOWN = 5;
const LAST_SHOWN = 10;
/** Tries of a change that lost a race with a tick advancing the same schedule. */
const UPDATE_TRIES = 5;

const oneOf = <T extends string>(field: string, allowed: readonly T[], v: unknown, fallback: T): T => {
  if (v === undefined || v === null) return fallback;
  if (!(allowed as readonly unknown[]).includes(v)) throw new ValidationError(field, `must be one of ${allowed.join(', ')}`);
  return v as T;
};

/** CRUD on schedules, scoped to the caller's tenant. */
export const createScheduleUseCases = ({ store, clock, ids, cron }: Pick<CoreDeps, 'store' | 'clock' | 'ids' | 'cron'>) => {
  /** An event or a workflow of the caller's, exactly one. */
  const targetOf = async (caller: Caller, t: ScheduleRequest['target'] | undefined): Promise<ScheduleTarget> => {
    const { eventId, workflowId } = t ?? {};
    if (eventId !== undefined && workflowId !== undefined) throw new ValidationError('target', 'give eventId or workflowId, not both');
    if (workflowId !== undefined) {
      if (typeof workflowId !== 'string' || workflowId === '') throw new ValidationError('target.workflowId', 'must be a workflow id');
      if (!(await store.workflows.get(caller.tenant, workflowId)))
        throw new ValidationError('target.workflowId', `workflow ${workflowId} not found`);
      return { workflowId };
    }
    if (typeof eventId !== 'string' || eventId === '') throw new ValidationError('target.eventId', 'is required (or target.workflowId)');
    if (!(await store.events.get(caller.tenant, eventId))) throw new ValidationError('target.eventId', `event ${eventId} not found`);
    return { eventId };
  };

  /** Checks the timing fields: zone, DST policy, window, and one of cron, at, rate (trimmed). */
  const timingOf = (r: SchedulePreviewRequest) => {
    const timezone = checkTimeZone(r.timezone ?? 'UTC');
    const dst = oneOf('dst', DstPolicies, r.dst, 'skip');
    const instant = (field: 'startAt' | 'endAt') => {
      const v = r[field];
      return v === undefined || v === null ? undefined : new Date(parseInstant(field, v, timezone, 'shift')).toISOString();
    };
    const startAt = instant('startAt');
    const endAt = instant('endAt');
    if (startAt && endAt && endAt <= startAt) throw new ValidationError('endAt', 'must be after startAt');
    return {
      ...(r.cron !== undefined && r.cron !== null ? { cron: r.cron.trim() } : {}),
      ...(r.at !== undefined && r.at !== null ? { at: r.at.trim() } : {}),
      ...(r.rate !== undefined && r.rate !== null ? { rate: r.rate.trim() } : {}),
      timezone,
      dst,
      ...(startAt ? { startAt } : {}),
      ...(endAt ? { endAt } : {}),
    };
  };

  /** Checks a whole request and builds the stored schedule (without its next fire). */
  const build = async (caller: Caller, r: ScheduleRequest, base: Pick<Schedule, 'id' | 'createdAt' | 'version'>): Promise<Schedule> => {
    if (typeof r.name !== 'string' || r.name.trim() === '' || r.name.length > 200)
      throw new ValidationError('name', 'must be 1-200 characters');
    const target = await targetOf(caller, r.target);
    const timing = timingOf(r);
    const schedule: Schedule = {
      tenant: caller.tenant,
      ...base,
      name: r.name.trim(),
      target,
      ...timing,
      enabled: r.enabled ?? true,
      ...(r.input !== undefined && r.input !== null ? { input: r.input } : {}),
      ...(r.notify?.length ? { notify: structuredClone(r.notify) } : {}),
      catchUp: oneOf('catchUp', CatchUpPolicies, r.catchUp, 'none'),
      overlap: oneOf('overlap', OverlapPolicies, r.overlap, 'allow'),
      updatedAt: new Date(clock.now()).toISOString(),
    };
    planOf(schedule); // names the field of a timing that does not parse
    return schedule;
  };

  /** @throws NotFoundError (also for another tenant's schedule) */
  const find = async (caller: Caller, id: string): Promise<Schedule> => {
    const s = await store.schedules.get(caller.tenant, id);
    if (!s) throw new NotFoundError('schedule', id);
    return s;
  };

  const withNextFire = (s: Schedule, now: number): Schedule => {
    const { nextFireAt: _n, heldFireAt: _h, ...rest } = s;
    const nextFireAt = firstFireAfter(cron, s, now);
    return nextFireAt ? { ...rest, nextFireAt } : rest;
  };

  /** The first fire and the ones after it, up to NEXT_SHOWN, in UTC and in the schedule's zone. */
  const upcomingFrom = (schedule: Schedule, nextFireAt: string): FireTime[] => {
    const first = Date.parse(nextFireAt);
    const later = nextFires(cron, planOf(schedule), first, NEXT_SHOWN - 1);
    return [first, ...later].map((t) => ({ utc: new Date(t).toISOString(), local: localIso(schedule.timezone, t) }));
  };

  return {
    /** @throws ValidationError naming the field */
    async create(caller: Caller, request: ScheduleRequest): Promise<Schedule> {
      const now = clock.now();
      const built = await build(caller, request, { id: ids.next(), createdAt: new Date(now).toISOString(), version: 1 });
      const schedule = withNextFire(built, now);
      await store.schedules.create(schedule);
      return schedule;
    },

    /** The schedule with its next fires (from now) and its latest fires. @throws NotFoundError */
    async get(caller: Caller, id: string): Promise<ScheduleDetails> {
      const schedule = await find(caller, id);
      const upcoming = schedule.nextFireAt ? upcomingFrom(schedule, schedule.nextFireAt) : [];
      const lastFires = await store.schedules.listFires(caller.tenant, id, { limit: LAST_SHOWN, order: 'newest' });
      return { schedule, nextFires: upcoming, lastFires };
    },

    /**
     * The next fires a schedule with this timing would have if it were created now, through the same
     * checks and plan as `create` (a rate counts from startAt, else now). Saves nothing.
     * @throws ValidationError naming the field, as `create` does
     */
    preview(request: SchedulePreviewRequest): FireTime[] {
      const now = clock.now();
      const createdAt = new Date(now).toISOString();
      const draft: Schedule = {
        ...timingOf(request),
        tenant: '',
        id: '',
        name: 'preview',
        target: { eventId: '' },
        enabled: true,
        catchUp: 'none',
        overlap: 'allow',
        version: 0,
        createdAt,
        updatedAt: createdAt,
      };
      const first = firstFireAfter(cron, draft, now);
      return first ? upcomingFrom(draft, first) : [];
    },

    list: (caller: Caller, query: { limit: number; cursor?: string }): Promise<Page<Schedule>> =>
      store.schedules.list(caller.tenant, query),

    /**
     * Applies a change (enable and disable too). A change to the timing, zone, window or `enabled`
     * plans the next fire from now; fires already handed to the queue still run.
     * @throws NotFoundError, ValidationError
     */
    async update(caller: Caller, id: string, patch: SchedulePatch): Promise<Schedule> {
      for (let attempt = 1; ; attempt++) {
        const current = await find(caller, id);
        const timingGiven = patch.cron != null || patch.at != null || patch.rate != null;
        const request: ScheduleRequest = {
          name: patch.name ?? current.name,
          target: patch.target ?? current.target,
          ...(timingGiven ? {} : { cron: current.cron, at: current.at, rate: current.rate }),
          ...(patch.cron != null ? { cron: patch.cron } : {}),
          ...(patch.at != null ? { at: patch.at } : {}),
          ...(patch.rate != null ? { rate: patch.rate } : {}),
          timezone: patch.timezone ?? current.timezone,
          enabled: patch.enabled ?? current.enabled,
          input: patch.input === null ? undefined : (patch.input ?? current.input),
          notify: patch.notify === null ? undefined : (patch.notify ?? current.notify),
          catchUp: patch.catchUp ?? current.catchUp,
          overlap: patch.overlap ?? current.overlap,
          dst: patch.dst ?? current.dst,
          startAt: patch.startAt === null ? undefined : (patch.startAt ?? current.startAt),
          endAt: patch.endAt === null ? undefined : (patch.endAt ?? current.endAt),
        };
        const built = await build(caller, request, { id, createdAt: current.createdAt, version: current.version + 1 });
        const replan =
          (['cron', 'at', 'rate', 'timezone', 'dst', 'startAt', 'endAt'] as const).some((k) => built[k] !== current[k]) ||
          built.enabled !== current.enabled;
        const lastJob = current.lastJobId ? { lastJobId: current.lastJobId } : {};
        const kept = {
          ...lastJob,
          ...(current.nextFireAt ? { nextFireAt: current.nextFireAt } : {}),
          ...(current.heldFireAt ? { heldFireAt: current.heldFireAt } : {}),
        };
        const next: Schedule = replan ? { ...withNextFire(built, clock.now()), ...lastJob } : { ...built, ...kept };
        try {
          await store.schedules.update(next);
          return next;
        } catch (err) {
          if (!(err instanceof ConflictError) || attempt >= UPDATE_TRIES) throw err;
        }
      }
    },

    /** @throws NotFoundError */
    async remove(caller: Caller, id: string): Promise<void> {
      if (!(await store.schedules.delete(caller.tenant, id))) throw new NotFoundError('schedule', id);
    },
  };
};

export type ScheduleUseCases = ReturnType<typeof createScheduleUseCases>;
