export { createSqsJobQueue } from './createSqsJobQueue';
export type { SqsJobQueueOptions } from './createSqsJobQueue';
export { decodeJobMessage, encodeJobMessage, MAX_MESSAGE_WITH_JOB_BYTES, type JobMessage } from './jobMessage';
export { clampDelaySeconds, MAX_DELAY_SECONDS } from './clampDelaySeconds';
export { InvalidMessageError, EnqueueFailedError } from './errors';
export { createSqsHealthCheck } from './healthCheck';
