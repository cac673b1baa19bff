export { createSqsJobQueue } from './createSqsJobQueue';
export type { SqsJobQueueOptions } from './createSqsJobQueue';
export { encodeJobMessage, decodeJobMessage } from './jobMessage';
export { clampDelaySeconds, MAX_DELAY_SECONDS } from './clampDelaySeconds';
export { InvalidMessageError, EnqueueFailedError } from './errors';
export { createSqsHealthCheck } from './healthCheck';
