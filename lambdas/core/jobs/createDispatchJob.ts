import type { CoreDeps } from '../deps';
import { ConflictError, ErrorCodes, ValidationError } from '../errors';
import type { Job, JobKey } from '../model';
import { isTerminal } from '../model';
import type { ExecutionRequest } from '../ports';
import type { Servers } from '../servers/createServers';
import type { Variables } from '../variables/createVariables';
import type { Lifecycle } from './createLifecycle';
import { bareRequest, createPrepareExecution } from './prepareExecution';
import { createSlotTaking } from './slotTaking';
import { dueDelaySeconds, MAX_QUEUE_DELAY_SECONDS } from './retryPolicy';

/** `retrying`: the launch was refused for now (capacity, throttling) and the job will be offered again after a delay. */
export type DispatchOutcome = 'launched' | 'waiting' | 'retrying' | 'skipped';

const describe = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** A launcher error that says the same request may succeed later (EcsLaunchError's `retryable`). */
const isRetryable = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && (err as { retryable?: unknown }).retryable === true;

/** Launches refused as retryable before the job fails `launch_failed`; the waits add up to about 10 minutes. */
export const MAX_LAUNCH_ATTEMPTS = 8;
const FIRST_RETRY_SECONDS = 5;
/** SQS delays a message at most 15 minutes. */
const MAX_RETRY_SECONDS = 300;

/**
 * The longest a dispatch holds a job delivered before its planned time (`scheduledAt`). A schedule
 * hands its fire to the queue with the delay rounded down to whole seconds (the queue's unit), so the
 * message comes up to a second early and the dispatch waits out the rest: the job leaves `queued` at
 * its time, never before. A job delivered earlier than this goes back to the queue instead.
 */
export const MAX_EARLY_HOLD_MS = 1000;

/** Slots a dispatch has taken for its job. */
interface HeldSlots {
  slot: number;
  eventSlot: number | undefined;
  eventId: string | undefined;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Seconds before the `attempt`th retried launch (1-based): doubling from 5 s, at most 5 minutes. */
export const launchRetryDelaySeconds = (attempt: number): number =>
  Math.min(MAX_RETRY_SECONDS, FIRST_RETRY_SECONDS * 2 ** Math.max(0, attempt - 1));

/**
 * Takes a concurrency slot for a queued job, claims it and launches it. The job comes from its
 * message when the message carries it (no read); the claim, conditional on the job's status and
 * version, finds a copy that is no longer current, and the dispatch then goes round once more from
 * the job as stored.
 * A job that finds every slot taken stays `queued`, marked as waiting (`waitingSince`), and its
 * message is acknowledged: it waits in the store, with no message, invocation or read, until a job
 * end offers it (Lifecycle.offerWaiting). Waiting so never uses up the receive count that leads to
 * the dead-letter queue.
 * Slots are taken per job (taking one twice for the same job yields the same slot), so a message
 * delivered twice takes one slot, and the claim, a conditional write, lets it launch once.
 * A launch the launcher refuses as retryable (capacity, throttling) frees the slot and offers the
 * job again after a growing delay (launchRetryDelaySeconds), up to MAX_LAUNCH_ATTEMPTS.
 * @throws on store or queue faults, so the message is retried.
 */
export const createDispatchJob = (
  { store, queue, launcher, clock, config, logger }: Pick<CoreDeps, 'store' | 'queue' | 'launcher' | 'clock' | 'config' | 'logger'>,
  lifecycle: Lifecycle,
  variables: Variables,
  servers: Servers,
  /** Waits `ms` (injected so tests move their clock instead). */
  wait: (ms: number) => Promise<void> = sleep,
) => {
  const prepareExecution = createPrepareExecution(variables, servers);
  const slots = createSlotTaking({ store, config });

  /**
   * Marks the job as waiting, then looks at the slots once more: a slot freed between the first look
   * and the mark offered no one (its releaser did not see the mark yet), so this second look takes it.
   * `forEvent`: it waits for a slot of its event's own limit (offered when a run of that event ends).
   * @returns the slot, or undefined when the job now waits (or changed meanwhile).
   */
  const waitForSlot = async (
    queued: Job,
    look: () => Promise<number | undefined>,
    mark: Pick<Job, 'waitingForEvent' | 'eventSlot'> = {},
  ): Promise<{ job: Job; slot: number } | undefined> => {
    let waiting: Job;
    try {
      waiting = await store.jobs.transition(queued, 'queued', {
        waitingSince: queued.waitingSince ?? new Date(clock.now()).toISOString(),
        waitingForEvent: mark.waitingForEvent,
        ...(mark.eventSlot !== undefined ? { eventSlot: mark.eventSlot } : {}),
      });
    } catch (err) {
      if (err instanceof ConflictError) return undefined;
      throw err;
    }
    const slot = await look();
    return slot === undefined ? undefined : { job: waiting, slot };
  };

  /**
   * Takes a slot of the job's event's own limit (docs/lifecycle.md, Limits), the same way as a global
   * slot: the conditional put on a free slot is what holds the limit when dispatchers race.
   * @returns the slot (undefined for a job without a limit), or 'waiting' / 'skipped' when it may not run now.
   */
  const takeEventSlot = async (queued: Job): Promise<{ job: Job; eventSlot?: number } | 'waiting' | 'skipped'> => {
    const limit = queued.concurrency;
    if (!limit || queued.eventId === undefined) return { job: queued };
    const key = { tenant: queued.tenant, jobId: queued.id };
    const pool = { tenant: queued.tenant, eventId: queued.eventId };
    const look = () => slots.lookInPool(key, limit.max, pool);
    const eventSlot = await look();
    if (eventSlot !== undefined) return { job: queued, eventSlot };
    if (limit.onLimit === 'skip') {
      await lifecycle.end(key, {
        status: 'cancelled',
        error: {
          code: ErrorCodes.concurrencyLimit,
          message: `event ${queued.eventId} already runs ${limit.max} at once and its concurrency.onLimit is skip`,
        },
        onlyFrom: ['queued'],
      });
      return 'skipped';
    }
    const won = await waitForSlot(queued, look, { waitingForEvent: true });
    return won ? { job: won.job, eventSlot: won.slot } : 'waiting';
  };

  const tryAdvance = async (...args: Parameters<Lifecycle['advance']>): Promise<Job | undefined> => {
    try {
      return await lifecycle.advance(...args);
    } catch (err) {
      if (err instanceof ConflictError) return undefined;
      throw err;
    }
  };

  const endLaunchFailed = async (key: JobKey, slot: number, err: unknown) => {
    logger.warn({ err, jobId: key.jobId }, 'launch failed');
    const code = err instanceof ValidationError ? ErrorCodes.invalidInput : ErrorCodes.launchFailed;
    await lifecycle.end(key, { status: 'failed', error: { code, message: describe(err) } });
    await lifecycle.releaseSlot(slot, key);
  };

  /**
   * Resolves the job's variables into its environment and workspace (not for a job the launcher hands over). A reference to a missing
   * variable ends the job; a store or cipher fault puts it back in the queue and is rethrown, so the
   * message is retried instead of leaving the job claimed.
   */
  const prepare = async (claimed: Job, slot: number): Promise<ExecutionRequest | undefined> => {
    const key = { tenant: claimed.tenant, jobId: claimed.id };
    // A handed-over job's request is rebuilt where it runs (the runner validates and ends it there):
    // secrets and server keys decrypted here would only be dropped.
    if (launcher.handsOver?.(claimed)) return bareRequest(claimed);
    try {
      return await prepareExecution(claimed);
    } catch (err) {
      if (err instanceof ValidationError) {
        await endLaunchFailed(key, slot, err);
        return undefined;
      }
      await tryAdvance(claimed, 'queued', { claimedAt: undefined });
      await lifecycle.releaseSlot(slot, key);
      throw err;
    }
  };

  /** Frees the slots a dispatch took for a job it is not launching. */
  const releaseHeld = async (key: JobKey, held: HeldSlots, job: Job | undefined) => {
    await lifecycle.releaseSlot(held.slot, key);
    if (held.eventSlot !== undefined && held.eventId !== undefined) {
      await lifecycle.releaseEventSlot({
        ...(job ?? { tenant: key.tenant, id: key.jobId }),
        eventSlot: held.eventSlot,
        eventId: held.eventId,
      } as Job);
    }
  };

  /** A lost claim: the winner (a duplicate delivery) owns the shared slots, unless the job ended meanwhile. */
  const afterLostClaim = async (key: JobKey, held: HeldSlots, now: Job | undefined) => {
    if (now && !isTerminal(now.status)) return;
    await releaseHeld(key, held, now);
  };

  /** Puts a job whose launch was refused for now back in the queue, delayed, or fails it past the last attempt. */
  const retryLater = async (claimed: Job, slot: number, err: unknown): Promise<DispatchOutcome> => {
    const key = { tenant: claimed.tenant, jobId: claimed.id };
    const attempts = (claimed.launchAttempts ?? 0) + 1;
    if (attempts >= MAX_LAUNCH_ATTEMPTS) {
      await endLaunchFailed(key, slot, err);
      return 'skipped';
    }
    const delaySeconds = launchRetryDelaySeconds(attempts);
    logger.warn({ err, jobId: key.jobId, attempts, delaySeconds }, 'launch refused for now; retrying later');
    const back = await tryAdvance(claimed, 'queued', {
      claimedAt: undefined,
      launchAttempts: attempts,
      offeredAt: new Date(clock.now() + delaySeconds * 1000).toISOString(),
    });
    await lifecycle.releaseSlot(slot, key);
    if (back) await queue.enqueue(key, { delaySeconds });
    return 'retrying';
  };

  /**
   * Holds a job delivered before its planned time (`scheduledAt`) until that time, then reads it
   * again (it may have been cancelled meanwhile). The wait is bounded: a job more than
   * MAX_EARLY_HOLD_MS early (a message delivered again, or re-offered) goes back to the queue for the
   * whole seconds left, rounded down, and is held here for the rest when it comes back.
   * @returns the job as it is now, or 'requeued'.
   */
  const holdUntilPlanned = async (key: JobKey, job: Job): Promise<Job | undefined | 'requeued'> => {
    const at = Date.parse(job.scheduledAt ?? '');
    if (!(at > clock.now())) return job;
    if (at - clock.now() > MAX_EARLY_HOLD_MS) {
      const delaySeconds = Math.min(MAX_QUEUE_DELAY_SECONDS, Math.floor((at - clock.now()) / 1000));
      await queue.enqueue(key, { delaySeconds });
      return 'requeued';
    }
    // Again until the clock says so: a timer may fire a little before the clock reaches the time.
    for (let left = at - clock.now(); left > 0; left = at - clock.now()) await wait(left);
    return store.jobs.get(key);
  };

  /**
   * `known`: the job as its message carried it, or as just read; `held`: slots this dispatch took
   * already (its second round, below), used again instead of taking new ones and freed if the job
   * does not launch.
   */
  const dispatch = async (key: JobKey, known?: Job, held?: HeldSlots): Promise<DispatchOutcome> => {
    const notLaunched = async (outcome: DispatchOutcome, job: Job | undefined): Promise<DispatchOutcome> => {
      if (held) await releaseHeld(key, held, job);
      return outcome;
    };
    let found = known ?? (await store.jobs.get(key));
    if (found?.status !== 'queued') return notLaunched('skipped', found);
    // A retry not yet due (its backoff is longer than the queue can hold a message): send the next leg.
    const due = dueDelaySeconds(found.retryAt, clock.now());
    if (due > 0) {
      await queue.enqueue(key, { delaySeconds: due, job: found });
      return notLaunched('retrying', found);
    }
    const heldBack = await holdUntilPlanned(key, found);
    if (heldBack === 'requeued') return notLaunched('retrying', found);
    found = heldBack;
    if (found?.status !== 'queued') return notLaunched('skipped', found);

    const event = held ? { job: found, eventSlot: held.eventSlot } : await takeEventSlot(found);
    if (event === 'waiting' || event === 'skipped') return event;
    let queued = event.job;
    const { eventSlot } = event;

    // A job put in the queue again (offered after it waited, retried, delayed) marks its slot: jobs
    // may wait behind it. A job that never left the queue marks none, so its end reads no waiting index.
    let slot = held?.slot ?? (await slots.acquire(key, found.offeredAt !== undefined));
    if (slot === undefined) {
      // It keeps its event's slot while it waits: it is that event's next run. The look made after
      // the waiting mark reads the slots (a slot freed since is taken) and marks them `waiters`.
      const won = await waitForSlot(queued, () => slots.lookAndMarkWaiters(key), { eventSlot });
      if (!won) return 'waiting';
      ({ job: queued, slot } = won);
    }

    const claimed = await tryAdvance(queued, 'claimed', {
      claimedAt: new Date(clock.now()).toISOString(),
      waitingSince: undefined,
      waitingForEvent: undefined,
      ...(eventSlot !== undefined ? { eventSlot } : {}),
    });
    if (!claimed) {
      const taken = { slot, eventSlot, eventId: queued.eventId };
      const now = await store.jobs.get(key);
      // The message's copy was not current (the job was offered, retried or marked waiting since):
      // one more round from the job as it is, in the slots taken already.
      if (known && !held && now?.status === 'queued') return dispatch(key, now, taken);
      await afterLostClaim(key, taken, now);
      return 'skipped';
    }

    const request = await prepare(claimed, slot);
    if (!request) return 'skipped';

    let ref: string;
    try {
      ref = await launcher.create(request);
    } catch (err) {
      if (isRetryable(err)) return retryLater(claimed, slot, err);
      await endLaunchFailed(key, slot, err);
      return 'skipped';
    }

    const now = clock.now();
    const running = await tryAdvance(claimed, 'running', {
      startedAt: new Date(now).toISOString(),
      deadlineAt: now + claimed.timeoutSeconds * 1000,
      executionRef: ref,
      slot,
    });
    if (!running) {
      // Cancelled while the container was being created.
      await launcher.stop(ref);
      await lifecycle.releaseSlot(slot, key);
      return 'skipped';
    }

    try {
      await launcher.start(ref, running);
    } catch (err) {
      await launcher.stop(ref).catch(() => undefined);
      await endLaunchFailed(key, slot, err);
      return 'skipped';
    }
    return 'launched';
  };

  return dispatch;
};
