import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { ControlPlane, Logger } from '../core';
import { silentLogger } from '../core';
import { decodeJobMessage } from '../adapters/sqs/jobMessage';
import { lazyHandler } from './aws/lazyHandler';

const REASON =
  'its queue message failed every delivery to the dispatcher and was moved to the dead-letter queue; ' +
  'the dispatcher log of that time says why';

/**
 * Consumes the jobs' dead-letter queue: each message's job, if it never started running, ends
 * `failed` with `dead_lettered`. A failure reports only that message (ReportBatchItemFailures), so
 * it is retried; an unreadable message is dropped, since no job can be found from it.
 */
export const createDeadLettersHandler =
  (cp: Pick<ControlPlane, 'endDeadLettered'>, logger: Logger = silentLogger) =>
  async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const outcomes = await Promise.all(
      event.Records.map(async (record) => {
        let key;
        try {
          key = decodeJobMessage(record.body);
        } catch (err) {
          logger.error({ err, messageId: record.messageId }, 'dropping an unreadable dead letter');
          return undefined;
        }
        try {
          const job = await cp.endDeadLettered(key, REASON);
          logger.warn({ jobId: key.jobId, tenant: key.tenant, status: job?.status }, 'dead letter');
          return undefined;
        } catch (err) {
          logger.warn({ err, jobId: key.jobId }, 'ending a dead-lettered job failed; the message will be retried');
          return { itemIdentifier: record.messageId };
        }
      }),
    );
    return { batchItemFailures: outcomes.filter((o) => o !== undefined) };
  };

/** Lambda entry point (SQS event source on the jobs' dead-letter queue), wired to AWS on first use. */
export const handler = lazyHandler<SQSEvent, SQSBatchResponse>(async () => {
  const { awsComposition } = await import('./aws/composition');
  const { cp, logger } = awsComposition();
  return createDeadLettersHandler(cp, logger);
});
