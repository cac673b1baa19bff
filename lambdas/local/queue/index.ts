// Ours, not a library: in-process queues have other semantics, and SQS emulators (ElasticMQ,
// LocalStack) are servers to run; this gives SQS's visibility, receive counts, DLQ and batch failures.
export { createLocalQueue, LocalQueueLimits } from './createLocalQueue';
export type { LocalQueueOptions } from './createLocalQueue';
export { createQueuePoller } from './createQueuePoller';
export type { QueuePoller, QueuePollerOptions, PollerLogger, SqsBatchHandler } from './createQueuePoller';
export { createLocalJobQueue } from './createLocalJobQueue';
export type { LocalJobQueueOptions } from './createLocalJobQueue';
export { MessageStates } from './LocalQueue';
export type {
  DeadLetter,
  LocalQueue,
  MessageSnapshot,
  MessageState,
  QueueStats,
  ReceivedMessage,
  ReceivedMessageAttributes,
  ReceiveOptions,
  RedrivePolicy,
  SendOptions,
} from './LocalQueue';
export { InvalidQueueParameterError, ReceiptHandleInvalidError } from './errors';
