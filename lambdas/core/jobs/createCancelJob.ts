import type { CoreDeps } from '../deps';
import { ErrorCodes, NotFoundError } from '../errors';
import type { Caller, Job } from '../model';
import { isTerminal } from '../model';
import type { Lifecycle } from './createLifecycle';

/**
 * Cancels a job: it ends `cancelled` at once and its execution, if any, is killed.
 * Cancelling an ended job changes nothing and returns it as it is.
 * @throws NotFoundError when the job is not the caller's.
 */
export const createCancelJob =
  ({ store, launcher }: Pick<CoreDeps, 'store' | 'launcher'>, lifecycle: Lifecycle) =>
  async (caller: Caller, jobId: string): Promise<Job> => {
    const key = { tenant: caller.tenant, jobId };
    const job = await store.jobs.get(key);
    if (!job) throw new NotFoundError('job', jobId);
    if (isTerminal(job.status)) return job;
    const ended = await lifecycle.end(key, {
      status: 'cancelled',
      error: { code: ErrorCodes.cancelled, message: 'cancelled by request' },
    });
    // Ending first means an exit the kill provokes finds the job already cancelled.
    if (job.executionRef) await launcher.stop(job.executionRef);
    else if (ended?.executionRef) await launcher.stop(ended.executionRef);
    return ended ?? job;
  };
