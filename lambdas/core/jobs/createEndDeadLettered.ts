import { ErrorCodes } from '../errors';
import type { Job, JobKey } from '../model';
import type { Lifecycle } from './createLifecycle';

/**
 * Ends a job whose queue message was dead-lettered: `failed` with `dead_lettered` and `reason`.
 * Only a job that never started running is ended (`queued` or `claimed`): a running job has an
 * execution that reports its own end, and an ended one stays as it is. Its slot, if it took one
 * before its claim, is freed by the next tick (the holder has ended).
 * @returns the job as stored afterwards, or undefined when there is no such job.
 */
export const createEndDeadLettered =
  (lifecycle: Lifecycle) =>
  (key: JobKey, reason: string): Promise<Job | undefined> =>
    lifecycle.end(key, {
      status: 'failed',
      error: { code: ErrorCodes.deadLettered, message: reason },
      onlyFrom: ['queued', 'claimed'],
    });
