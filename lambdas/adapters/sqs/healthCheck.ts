import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { HealthCheck } from '../../core';

/** The job queue answers (GetQueueAttributes); its depth as details, never its URL. */
export const createSqsHealthCheck = (o: { client: SQSClient; queueUrl: string }): HealthCheck => ({
  component: 'queue',
  async check() {
    try {
      const out = await o.client.send(
        new GetQueueAttributesCommand({
          QueueUrl: o.queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      const count = (name: string) => Number(out.Attributes?.[name as 'ApproximateNumberOfMessages'] ?? 0);
      return {
        status: 'ok',
        details: { visible: count('ApproximateNumberOfMessages'), inFlight: count('ApproximateNumberOfMessagesNotVisible') },
      };
    } catch (err) {
      return { status: 'down', reason: `SQS did not answer (${err instanceof Error ? err.name : 'error'})` };
    }
  },
});
