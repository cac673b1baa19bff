import { setTimeout as sleep } from 'node:timers/promises';
import type { ExecutionLauncher, Job, JobKey, Logger } from '../../core';
import { isTerminal } from '../../core';

export interface HandedJobDeps {
  getJob(key: JobKey): Promise<Job | undefined>;
  /** The launcher that runs the job in this process (http). */
  launcher: Pick<ExecutionLauncher, 'create' | 'start' | 'stop'> & {
    /** Resolves once every execution of this process has ended and reported. */
    drain(): Promise<void>;
  };
  logger: Logger;
  /** How often the job's status is read while it runs, to see a cancel or a deadline. @default 1000 */
  pollMs?: number;
}

/** What became of one handed job. */
export type HandedJobOutcome = 'ran' | 'stopped' | 'not-running';

/**
 * Runs a job the dispatcher handed to this invocation (createRunnerLauncher), in this process, to
 * its end. The job must be `running` (the dispatcher marks it so before it hands it over); an
 * invocation delivered twice, or after the job ended, finds it otherwise and does nothing. While it
 * runs, the job's status is read every `pollMs`: once it ended elsewhere (cancelled through the API,
 * timed out by the tick) the execution is stopped, since no other process can reach it.
 */
export const createRunHandedJob =
  ({ getJob, launcher, logger, pollMs = 1000 }: HandedJobDeps) =>
  async (key: JobKey): Promise<HandedJobOutcome> => {
    const job = await getJob(key);
    if (job?.status !== 'running') {
      logger.warn({ jobId: key.jobId, tenant: key.tenant, status: job?.status }, 'handed a job that is not running: nothing to do');
      return 'not-running';
    }
    const ref = await launcher.create({ job, env: {}, workspace: {} });
    await launcher.start(ref, job);
    const ended = launcher.drain().then(() => true);
    while (!(await Promise.race([ended, sleep(pollMs).then(() => false)]))) {
      const now = await getJob(key);
      if (now === undefined || isTerminal(now.status)) {
        await launcher.stop(ref);
        await ended;
        return 'stopped';
      }
    }
    return 'ran';
  };
