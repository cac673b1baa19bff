export type * from './stores';
export type * from './runtime';
export type { Logger } from './logger';
export { silentLogger } from './logger';
export type { CronMatcher } from './cronMatcher';
