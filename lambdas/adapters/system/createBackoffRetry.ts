import { ExponentialBackoff, handleWhen, retry } from 'cockatiel';
import { isTransientFailure, type TransientRetry } from '../../core';

/** Options of createBackoffRetry. */
export interface BackoffRetryOptions {
  /** Tries after the first. @default 4 */
  retries?: number;
  /** Delay before the first retry, in ms; it grows exponentially (with jitter) after. @default 200 */
  initialDelayMs?: number;
  /** Longest delay between tries, in ms. @default 2000 */
  maxDelayMs?: number;
  /** Which failures are tried again. @default the core's isTransientFailure */
  isTransient?: (err: unknown) => boolean;
}

/**
 * The retry policy of the report path (cockatiel): exponential backoff with jitter on transient
 * failures, about three seconds in all by default, enough to ride out a store hiccup; a typed
 * refusal is rethrown at once.
 * @example
 * const reports = createExecutionReports({ ...deps, retry: createBackoffRetry() });
 */
export const createBackoffRetry = (o: BackoffRetryOptions = {}): TransientRetry => {
  const policy = retry(handleWhen(o.isTransient ?? isTransientFailure), {
    maxAttempts: o.retries ?? 4,
    backoff: new ExponentialBackoff({ initialDelay: o.initialDelayMs ?? 200, maxDelay: o.maxDelayMs ?? 2_000 }),
  });
  return { execute: (work) => policy.execute(() => work()) };
};
