import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { ControlPlane, Logger } from '../core';
import { silentLogger } from '../core';
import { decodeJobMessage } from '../adapters/sqs/jobMessage';
import { lazyHandler } from './aws/lazyHandler';

/**
 * Dispatches each message's job. A failure reports only that message (ReportBatchItemFailures),
 * so it is retried and, past the receive limit, goes to the dead-letter queue; an unreadable
 * message is dropped, because retrying cannot mend it.
 */
export const createDispatcherHandler =
  (cp: ControlPlane, logger: Logger = silentLogger) =>
  async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const outcomes = await Promise.all(
      event.Records.map(async (record) => {
        let key;
        try {
          key = decodeJobMessage(record.body);
        } catch (err) {
          logger.error({ err, messageId: record.messageId }, 'dropping an unreadable message');
          return undefined;
        }
        try {
          await cp.dispatch(key);
          return undefined;
        } catch (err) {
          logger.warn({ err, jobId: key.jobId }, 'dispatch failed; the message will be retried');
          return { itemIdentifier: record.messageId };
        }
      }),
    );
    return { batchItemFailures: outcomes.filter((o) => o !== undefined) };
  };

/** Lambda entry point, wired to AWS on first use. */
export const handler = lazyHandler<SQSEvent, SQSBatchResponse>(async () => {
  const { awsComposition } = await import('./aws/composition');
  const { cp, logger } = awsComposition();
  return createDispatcherHandler(cp, logger);
});
