import type { CoreDeps } from '../deps';
import { ConflictError } from '../errors';
import type { Job, JobKey, JobStatus, LogLine } from '../model';
import type { LiveFeed } from '../live/createLiveFeed';
import type { Ending } from './ending';
import { attemptRecord, decideRetry, dueDelaySeconds, type RetryDecision } from './retryPolicy';

/** What of a running job belongs to one attempt and is cleared before the next. */
const perAttempt = {
  claimedAt: undefined,
  startedAt: undefined,
  deadlineAt: undefined,
  executionRef: undefined,
  slot: undefined,
  eventSlot: undefined,
  waitingSince: undefined,
  waitingForEvent: undefined,
  launchAttempts: undefined,
  exitCode: undefined,
  error: undefined,
  output: undefined,
  condition: undefined,
  outputError: undefined,
  executions: undefined,
} satisfies Partial<Job>;

interface Transitions {
  advance(job: Job, to: JobStatus, patch?: Partial<Job>): Promise<Job>;
  releaseSlot(slot: number, holder: JobKey): Promise<void>;
  releaseEventSlot(job: Job): Promise<void>;
}

/**
 * The retry half of ending a job (docs/lifecycle.md, Retries): an ending the policy retries puts the
 * job back to `queued` (same id, `attempt` + 1, the ended attempt appended to `attempts`), frees its
 * slots, writes a system line that starts the next attempt's log, and sends a message delayed until
 * the retry is due. Hooks see `running → queued`, never a terminal status in between.
 */
export const createRetryScheduler = (
  { store, queue, clock, logger }: Pick<CoreDeps, 'store' | 'queue' | 'clock' | 'logger'>,
  live: LiveFeed,
  transitions: Transitions,
  random: () => number = Math.random,
) => {
  /** Starts the next attempt's log: the recorder marks every later line with the attempt of the last one. */
  const markLog = async (key: JobKey, job: Job, ending: Ending, retry: RetryDecision, at: string) => {
    const why = ending.error ? `${ending.error.code}${ending.exitCode !== undefined ? `, exit ${ending.exitCode}` : ''}` : ending.status;
    const text = `[cronium] attempt ${job.attempt ?? 1} ended ${ending.status} (${why}); attempt ${retry.attempt} of ${(job.retries?.max ?? 0) + 1} starts in ${Math.round(retry.delaySeconds)} s`;
    for (let tries = 0; tries < 3; tries++) {
      const tail = await store.logs.tail(key);
      const line: LogLine = { seq: tail.lastSeq + 1, stream: 'system', ts: at, line: text, attempt: retry.attempt };
      try {
        await store.logs.append(key, {
          lines: [line],
          totalBytes: tail.totalBytes + Buffer.byteLength(text) + 1,
          ...(tail.resumeToken !== undefined ? { resumeToken: tail.resumeToken } : {}),
        });
        void live.deliver(key).catch((err: unknown) => logger.warn({ err, jobId: key.jobId }, 'live delivery failed'));
        return;
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
      }
    }
  };

  return {
    /**
     * Puts `job` back to queued for its next attempt when the policy retries `ending`.
     * @returns the job as stored, or undefined when the ending is final.
     * @throws ConflictError when the job changed since it was read (the caller reads it again).
     */
    async retryIfDue(job: Job, ending: Ending): Promise<Job | undefined> {
      const retry = decideRetry(job, ending, random());
      if (!retry) return undefined;
      const key = { tenant: job.tenant, jobId: job.id };
      const now = clock.now();
      const at = new Date(now).toISOString();
      const retryAt = new Date(now + Math.round(retry.delaySeconds * 1000)).toISOString();
      const back = await transitions.advance(job, 'queued', {
        ...perAttempt,
        attempt: retry.attempt,
        attempts: [...(job.attempts ?? []), attemptRecord(job, ending, at)],
        retryAt,
        // The tick counts a lost message from when it was due.
        offeredAt: retryAt,
      });
      await markLog(key, job, ending, retry, at).catch((err: unknown) =>
        logger.warn({ err, jobId: job.id }, 'could not store the retry notice line'),
      );
      if (job.slot !== undefined) await transitions.releaseSlot(job.slot, key);
      await transitions.releaseEventSlot(job);
      // A failed send leaves the job queued: the tick offers it again once it is overdue.
      const delaySeconds = dueDelaySeconds(retryAt, clock.now());
      await queue.enqueue(key, { job: back, ...(delaySeconds > 0 ? { delaySeconds } : {}) });
      logger.info({ jobId: job.id, attempt: retry.attempt, delaySeconds: retry.delaySeconds }, 'job will be retried');
      return back;
    },

    /** What a final ending adds for a job with a retry policy: its last attempt on the list. */
    finalAttemptPatch(job: Job, ending: Ending, at: string): Partial<Job> {
      if (!job.retries && job.attempt === undefined) return {};
      return { attempts: [...(job.attempts ?? []), attemptRecord(job, ending, at)], retryAt: undefined };
    },
  };
};
