import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { ControlPlane, Logger } from '../core';
import { silentLogger } from '../core';
import { lazyHandler } from './aws/lazyHandler';
import { forEachJobMessage } from './sqs/forEachJobMessage';

const REASON =
  'its queue message failed every delivery to the dispatcher and was moved to the dead-letter queue; ' +
  'the dispatcher log of that time says why';

/**
 * Consumes the jobs' dead-letter queue: each message's job, if it never started running, ends
 * `failed` with `dead_lettered`; a failed one is delivered again.
 */
export const createDeadLettersHandler =
  (cp: Pick<ControlPlane, 'endDeadLettered'>, logger: Logger = silentLogger) =>
  (event: SQSEvent): Promise<SQSBatchResponse> =>
    forEachJobMessage(event, logger, 'ending a dead-lettered job', async ({ tenant, jobId }) => {
      const job = await cp.endDeadLettered({ tenant, jobId }, REASON);
      logger.warn({ jobId, tenant, status: job?.status }, 'dead letter');
    });

/** Lambda entry point (SQS event source on the jobs' dead-letter queue), wired to AWS on first use. */
export const handler = lazyHandler<SQSEvent, SQSBatchResponse>(async () => {
  const { awsComposition } = await import('./aws/composition');
  const { cp, logger } = awsComposition();
  return createDeadLettersHandler(cp, logger);
});
