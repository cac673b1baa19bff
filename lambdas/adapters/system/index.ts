export { createIdGenerator } from './createIdGenerator';
export { systemClock } from './systemClock';
export { createPinoLogger } from './createPinoLogger';
export { createBackoffRetry } from './createBackoffRetry';
export type { BackoffRetryOptions } from './createBackoffRetry';
