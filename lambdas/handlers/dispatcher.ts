import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { ControlPlane, Logger } from '../core';
import { silentLogger } from '../core';
import { lazyHandler } from './aws/lazyHandler';
import { forEachJobMessage } from './sqs/forEachJobMessage';

/**
 * Dispatches each message's job; a failed one is delivered again and, past the receive limit,
 * goes to the dead-letter queue.
 */
export const createDispatcherHandler =
  (cp: ControlPlane, logger: Logger = silentLogger) =>
  (event: SQSEvent): Promise<SQSBatchResponse> =>
    forEachJobMessage(event, logger, 'dispatch', ({ tenant, jobId, job }) => cp.dispatch({ tenant, jobId }, job));

/** Lambda entry point, wired to AWS on first use. */
export const handler = lazyHandler<SQSEvent, SQSBatchResponse>(async () => {
  const { awsComposition } = await import('./aws/composition');
  const { cp, logger } = awsComposition();
  return createDispatcherHandler(cp, logger);
});
