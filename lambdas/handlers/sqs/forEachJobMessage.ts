import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { Logger } from '../../core';
import { decodeJobMessage, type JobMessage } from '../../adapters/sqs';

/**
 * Runs `work` (named `what` in the log) for each job message of an SQS batch, side by side. A failure reports only that
 * message (ReportBatchItemFailures), so SQS delivers it again; an unreadable message is dropped,
 * since no job can be found from it and retrying cannot mend it.
 */
export const forEachJobMessage = async (
  event: SQSEvent,
  logger: Logger,
  what: string,
  work: (message: JobMessage) => Promise<unknown>,
): Promise<SQSBatchResponse> => {
  const outcomes = await Promise.all(
    event.Records.map(async (record) => {
      let key: JobMessage;
      try {
        key = decodeJobMessage(record.body);
      } catch (err) {
        logger.error({ err, messageId: record.messageId }, 'dropping an unreadable message');
        return undefined;
      }
      try {
        await work(key);
        return undefined;
      } catch (err) {
        logger.warn({ err, jobId: key.jobId }, `${what} failed; the message will be retried`);
        return { itemIdentifier: record.messageId };
      }
    }),
  );
  return { batchItemFailures: outcomes.filter((o) => o !== undefined) };
};
