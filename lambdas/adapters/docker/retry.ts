/** How often and how patiently a failing call is retried. */
export interface RetryPolicy {
  /** Total tries, the first included. */
  attempts: number;
  /** Delay before the second try; doubled each time after. */
  baseDelayMs: number;
  maxDelayMs: number;
}

/** A few tries over about three seconds: enough to ride out a store hiccup. */
export const DefaultRetryPolicy: RetryPolicy = { attempts: 5, baseDelayMs: 200, maxDelayMs: 2_000 };

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

/** Outcome of retrying: the last error when every try failed, or `aborted` when told to stop. */
export type RetryOutcome = { ok: true } | { ok: false; aborted: boolean; error: unknown };

/**
 * Calls `fn` until it resolves, at most `policy.attempts` times with exponential backoff.
 * Never rejects; an abort stops waiting between tries (a try already running is awaited).
 */
export const retryWithBackoff = async (fn: () => Promise<unknown>, policy: RetryPolicy, signal?: AbortSignal): Promise<RetryOutcome> => {
  let error: unknown;
  for (let attempt = 0; attempt < policy.attempts; attempt++) {
    if (attempt > 0) {
      await sleep(Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs), signal);
    }
    if (signal?.aborted) return { ok: false, aborted: true, error };
    try {
      await fn();
      return { ok: true };
    } catch (err) {
      error = err;
    }
  }
  return { ok: false, aborted: false, error };
};
