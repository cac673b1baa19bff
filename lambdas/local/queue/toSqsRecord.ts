import type { SQSRecord } from 'aws-lambda';
import type { ReceivedMessage } from './LocalQueue';

/** Where records say they came from. */
export interface RecordSource {
  queueArn: string;
  region: string;
}

/** Shapes a received message the way Lambda's SQS event source mapping does. */
export const toSqsRecord = (message: ReceivedMessage, source: RecordSource): SQSRecord => ({
  messageId: message.messageId,
  receiptHandle: message.receiptHandle,
  body: message.body,
  attributes: { ...message.attributes },
  messageAttributes: {},
  md5OfBody: message.md5OfBody,
  eventSource: 'aws:sqs',
  eventSourceARN: source.queueArn,
  awsRegion: source.region,
});
