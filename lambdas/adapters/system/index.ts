export { createIdGenerator } from './createIdGenerator';
export { systemClock } from './systemClock';
export { createPinoLogger } from './createPinoLogger';
