import type { CoreDeps } from '../deps';
import { ConflictError } from '../errors';
import type { ExecutionResult, Job, JobError, JobKey, JobStatus } from '../model';
import { isTerminal } from '../model';
import type { LiveFeed } from '../live/createLiveFeed';

export type TerminalStatus = Extract<JobStatus, 'completed' | 'failed' | 'timeout' | 'cancelled'>;

export interface Ending {
  status: TerminalStatus;
  exitCode?: number;
  error?: JobError;
  /** What the run produced, stored with the ending. */
  results?: Pick<Job, 'output' | 'condition' | 'outputError'>;
  /** How each server's execution ended, for a job that ran on several. */
  executions?: ExecutionResult[];
}

/** The transitions every path shares: moving a job on, ending it, and handing its slot to a waiting job. */
export interface Lifecycle {
  /**
   * Moves a job on and tells its subscribers.
   * @throws ConflictError when the job changed since it was read.
   */
  advance(job: Job, to: JobStatus, patch?: Partial<Job>): Promise<Job>;
  /**
   * Ends a job unless it already ended; frees its slot and tells subscribers.
   * A late or duplicate ending is not an error: it returns the job as stored.
   */
  end(key: JobKey, ending: Ending): Promise<Job | undefined>;
  /** Frees a slot and offers the oldest waiting jobs another try. */
  releaseSlot(slot: number, holder: JobKey): Promise<void>;
}

export const createLifecycle = (deps: Pick<CoreDeps, 'store' | 'queue' | 'clock' | 'config' | 'logger'>, live: LiveFeed): Lifecycle => {
  const { store, queue, clock, config, logger } = deps;

  const offerWaiting = async () => {
    const waiting = (await store.jobs.listActive()).filter((j) => j.status === 'queued').slice(0, config.maxConcurrent);
    await Promise.all(waiting.map((j) => queue.enqueue({ tenant: j.tenant, jobId: j.id })));
  };

  const releaseSlot = async (slot: number, holder: JobKey) => {
    await store.slots.release(slot, holder);
    await offerWaiting().catch((err: unknown) => logger.warn({ err }, 'could not offer waiting jobs'));
  };

  const advance = async (job: Job, to: JobStatus, patch: Partial<Job> = {}) => {
    const next = await store.jobs.transition(job, to, patch);
    const lastSeq = isTerminal(to) ? (await store.logs.tail({ tenant: job.tenant, jobId: job.id })).lastSeq : undefined;
    await live.notifyStatus(next, lastSeq);
    return next;
  };

  const end = async (key: JobKey, ending: Ending): Promise<Job | undefined> => {
    // Retried because a concurrent non-terminal change (e.g. claimed → running) may win the race.
    for (let attempt = 0; attempt < 5; attempt++) {
      const job = await store.jobs.get(key);
      if (!job || isTerminal(job.status)) return job;
      const now = clock.now();
      const started = Date.parse(job.startedAt ?? job.createdAt);
      try {
        const ended = await advance(job, ending.status, {
          finishedAt: new Date(now).toISOString(),
          durationMs: Math.max(0, now - started),
          ...(ending.exitCode !== undefined ? { exitCode: ending.exitCode } : {}),
          ...(ending.error ? { error: ending.error } : {}),
          ...ending.results,
          ...(ending.executions ? { executions: ending.executions } : {}),
        });
        if (job.slot !== undefined) await releaseSlot(job.slot, key);
        return ended;
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
      }
    }
    throw new ConflictError(`job ${key.jobId} kept changing while it was being ended`);
  };

  return { advance, end, releaseSlot };
};
