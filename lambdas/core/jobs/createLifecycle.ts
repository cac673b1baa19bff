import type { CoreDeps } from '../deps';
import { ConflictError } from '../errors';
import type { Job, JobKey, JobStatus } from '../model';
import type { SlotPool } from '../ports';
import { isTerminal } from '../model';
import type { LiveFeed } from '../live/createLiveFeed';
import { noHooks, type JobHooks } from './jobHook';
import type { Ending } from './ending';
import { createRetryScheduler } from './scheduleRetry';

/** Candidates read per offered job: the index may still list a job another process just offered. */
const OFFER_SLACK = 2;

/** The transitions every path shares: moving a job on, ending it, and handing its slot to a waiting job. */
export interface Lifecycle {
  /**
   * Moves a job on and tells its subscribers.
   * @throws ConflictError when the job changed since it was read.
   */
  advance(job: Job, to: JobStatus, patch?: Partial<Job>, known?: { lastSeq?: number }): Promise<Job>;
  /**
   * Ends a job unless it already ended; frees its slot and tells subscribers.
   * A late or duplicate ending is not an error: it returns the job as stored.
   * `known` saves reads: the job as the caller just read it (used for the first try), and the seq of
   * its last stored line (the final status's `lastSeq`).
   */
  end(key: JobKey, ending: Ending, known?: { job?: Job | undefined; lastSeq?: number }): Promise<Job | undefined>;
  /**
   * Frees a slot and, when it was marked `waiters` (SlotStore), offers it to the job that has waited
   * longest: an end that nobody can be waiting for reads no waiting index.
   */
  releaseSlot(slot: number, holder: JobKey): Promise<void>;
  /**
   * Offers up to `count` of the jobs waiting for a slot, highest priority then longest waiting
   * first: each is unmarked (one conditional write, so two offerers never both offer it) and gets a
   * queue message. With `pool`, the jobs waiting for a slot of that event's own limit.
   * @returns how many were offered.
   */
  offerWaiting(count: number, pool?: SlotPool): Promise<number>;
  /** Frees the slot a job holds under its event's limit, if any, and offers it to that event's next waiting run. */
  releaseEventSlot(job: Job): Promise<void>;
}

export const createLifecycle = (
  deps: Pick<CoreDeps, 'store' | 'queue' | 'clock' | 'logger'>,
  live: LiveFeed,
  hooks: JobHooks = noHooks,
): Lifecycle => {
  const { store, queue, clock, logger } = deps;

  /** Unmarks one waiting job and sends its message. @returns false when someone else offered it first. */
  const offer = async (candidate: Job): Promise<boolean> => {
    const key = { tenant: candidate.tenant, jobId: candidate.id };
    // The index is eventually consistent: its copy may be a version behind, so a conflict reads the item once.
    for (let job: Job | undefined = candidate, attempt = 0; attempt < 2; attempt++) {
      if (job?.status !== 'queued' || job.waitingSince === undefined) return false;
      let offered: Job;
      try {
        offered = await store.jobs.transition(job, 'queued', {
          waitingSince: undefined,
          waitingForEvent: undefined,
          offeredAt: new Date(clock.now()).toISOString(),
        });
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
        job = await store.jobs.get(key);
        continue;
      }
      // A failed send leaves the job queued and unmarked: the tick offers it again (a lost message).
      await queue.enqueue(key, { job: offered });
      return true;
    }
    return false;
  };

  const offerWaiting = async (count: number, pool?: SlotPool): Promise<number> => {
    if (count < 1) return 0;
    let offered = 0;
    for (const candidate of await store.jobs.nextWaiting(count + OFFER_SLACK, pool)) {
      if (offered >= count) break;
      if (await offer(candidate)) offered++;
    }
    return offered;
  };

  const releaseSlot = async (slot: number, holder: JobKey) => {
    if (!(await store.slots.release(slot, holder))) return;
    await offerWaiting(1).catch((err: unknown) => logger.warn({ err }, 'could not offer a waiting job'));
  };

  const releaseEventSlot = async (job: Job) => {
    if (job.eventSlot === undefined || job.eventId === undefined) return;
    const pool = { tenant: job.tenant, eventId: job.eventId };
    await store.slots.release(job.eventSlot, { tenant: job.tenant, jobId: job.id }, pool);
    await offerWaiting(1, pool).catch((err: unknown) => logger.warn({ err }, 'could not offer a waiting run of the event'));
  };

  const advance = async (job: Job, to: JobStatus, patch: Partial<Job> = {}, known: { lastSeq?: number } = {}) => {
    const next = await store.jobs.transition(job, to, patch);
    const lastSeq = !isTerminal(to) ? undefined : (known.lastSeq ?? (await store.logs.tail({ tenant: job.tenant, jobId: job.id })).lastSeq);
    await live.notifyStatus(next, lastSeq);
    await hooks(next, job.status);
    return next;
  };

  const retries = createRetryScheduler(deps, live, { advance, releaseSlot, releaseEventSlot });

  const end = async (key: JobKey, ending: Ending, known: { job?: Job | undefined; lastSeq?: number } = {}): Promise<Job | undefined> => {
    // Retried because a concurrent non-terminal change (e.g. claimed → running) may win the race.
    for (let attempt = 0; attempt < 5; attempt++) {
      const job = attempt === 0 && 'job' in known ? known.job : await store.jobs.get(key);
      if (!job || isTerminal(job.status)) return job;
      if (ending.onlyFrom && !ending.onlyFrom.includes(job.status)) return job;
      const now = clock.now();
      const started = Date.parse(job.startedAt ?? job.createdAt);
      try {
        // A failure with attempts left goes back to queued instead: the job never ends in between.
        const retried = await retries.retryIfDue(job, ending);
        if (retried) return retried;
        const ended = await advance(
          job,
          ending.status,
          {
            ...retries.finalAttemptPatch(job, ending, new Date(now).toISOString()),
            finishedAt: new Date(now).toISOString(),
            durationMs: Math.max(0, now - started),
            ...(ending.exitCode !== undefined ? { exitCode: ending.exitCode } : {}),
            ...(ending.error ? { error: ending.error } : {}),
            ...ending.results,
            ...(ending.executions ? { executions: ending.executions } : {}),
            ...(job.waitingSince !== undefined ? { waitingSince: undefined, waitingForEvent: undefined } : {}),
          },
          known.lastSeq !== undefined ? { lastSeq: known.lastSeq } : {},
        );
        if (job.slot !== undefined) await releaseSlot(job.slot, key);
        await releaseEventSlot(job);
        return ended;
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
      }
    }
    throw new ConflictError(`job ${key.jobId} kept changing while it was being ended`);
  };

  return { advance, end, releaseSlot, offerWaiting, releaseEventSlot };
};
