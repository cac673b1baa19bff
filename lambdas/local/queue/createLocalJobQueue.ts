import { clampDelaySeconds } from '../../adapters/sqs/clampDelaySeconds';
import { encodeJobMessage } from '../../adapters/sqs/jobMessage';
import type { JobKey } from '../../core/model';
import type { EnqueueOptions, JobQueue } from '../../core/ports/runtime';
import type { LocalQueue } from './LocalQueue';

/** Options of {@link createLocalJobQueue}. */
export interface LocalJobQueueOptions {
  queue: LocalQueue;
}

/**
 * The {@link JobQueue} on one machine: the same message body and delay clamping as the SQS adapter,
 * sent to a {@link LocalQueue}.
 *
 * @example
 * const jobs = createLocalJobQueue({ queue: createLocalQueue({ name: 'jobs' }) });
 * await jobs.enqueue({ tenant: 't1', jobId: 'j1' });
 */
export const createLocalJobQueue = ({ queue }: LocalJobQueueOptions): JobQueue => ({
  async enqueue(key: JobKey, opts?: EnqueueOptions): Promise<void> {
    queue.send(
      encodeJobMessage(key, opts?.job),
      opts?.delaySeconds === undefined ? {} : { delaySeconds: clampDelaySeconds(opts.delaySeconds) },
    );
  },
});
