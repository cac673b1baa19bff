import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { EnqueueOptions, JobKey, JobQueue } from '../../core';
import { clampDelaySeconds } from './clampDelaySeconds';
import { EnqueueFailedError } from './errors';
import { encodeJobMessage } from './jobMessage';

/** Options of {@link createSqsJobQueue}. */
export interface SqsJobQueueOptions {
  /** A ready client (region, credentials and endpoint already set). */
  client: SQSClient;
  /** URL of the job queue. */
  queueUrl: string;
}

/**
 * The {@link JobQueue} on AWS: one SendMessage per job, body from {@link encodeJobMessage}.
 * A delay is clamped to what SQS accepts (integer 0..900 s) rather than rejected.
 *
 * @throws EnqueueFailedError (from `enqueue`) when SQS fails; the SDK error is its `cause`.
 * @example
 * const queue = createSqsJobQueue({ client: new SQSClient({}), queueUrl });
 * await queue.enqueue({ tenant: 't1', jobId: 'j1' }, { delaySeconds: 30 });
 */
export const createSqsJobQueue = ({ client, queueUrl }: SqsJobQueueOptions): JobQueue => ({
  async enqueue(key: JobKey, opts?: EnqueueOptions): Promise<void> {
    const command = new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: encodeJobMessage(key, opts?.job),
      // Omitted rather than 0 so the queue's own DelaySeconds attribute still applies.
      ...(opts?.delaySeconds === undefined ? {} : { DelaySeconds: clampDelaySeconds(opts.delaySeconds) }),
    });
    try {
      await client.send(command);
    } catch (error) {
      throw new EnqueueFailedError(key, queueUrl, { cause: error });
    }
  },
});
