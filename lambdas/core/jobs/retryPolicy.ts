import { ErrorCodes } from '../errors';
import type { AttemptRecord, Job, RetryPolicy } from '../model';
import type { Ending } from './ending';

/** SQS holds a message back at most 15 minutes; a longer wait is re-sent in steps (see dueDelaySeconds). */
export const MAX_QUEUE_DELAY_SECONDS = 900;

/** Errors that the same run would meet again: retrying them only repeats the failure. */
const finalCodes: ReadonlySet<string> = new Set([ErrorCodes.invalidInput, ErrorCodes.cancelled, ErrorCodes.deadLettered]);

/**
 * Seconds before retry number `retry` (1-based), before jitter:
 * `min(maxBackoffSeconds, backoffSeconds * factor^(retry-1))`.
 */
export const backoffSeconds = (policy: RetryPolicy, retry: number): number =>
  Math.min(policy.maxBackoffSeconds, policy.backoffSeconds * policy.factor ** Math.max(0, retry - 1));

/**
 * The backoff with "equal jitter": uniformly between half of it and all of it, so retries of many
 * jobs that failed together spread out, yet none comes sooner than half the backoff.
 * `random` is in [0, 1).
 */
export const jitteredBackoffSeconds = (policy: RetryPolicy, retry: number, random: number): number => {
  const full = backoffSeconds(policy, retry);
  return full / 2 + (full / 2) * random;
};

export interface RetryDecision {
  /** The attempt the retry will be. */
  attempt: number;
  delaySeconds: number;
}

/**
 * Whether an ending of `job` is followed by another attempt: only `failed` (lost included) and
 * `timeout` are, never `cancelled`, nor a failure the next attempt would meet again (invalid input,
 * a dead-lettered message), and only while attempts are left.
 * @returns undefined when the ending is final.
 */
export const decideRetry = (job: Job, ending: Ending, random: number): RetryDecision | undefined => {
  const policy = job.retries;
  if (!policy || policy.max < 1) return undefined;
  if (ending.status !== 'failed' && ending.status !== 'timeout') return undefined;
  if (ending.error && finalCodes.has(ending.error.code)) return undefined;
  const attempt = job.attempt ?? 1;
  if (attempt > policy.max) return undefined;
  return { attempt: attempt + 1, delaySeconds: jitteredBackoffSeconds(policy, attempt, random) };
};

/** What an ended attempt leaves on the job's `attempts` list. */
export const attemptRecord = (job: Job, ending: Ending, finishedAt: string): AttemptRecord => ({
  attempt: job.attempt ?? 1,
  status: ending.status,
  ...(ending.exitCode !== undefined ? { exitCode: ending.exitCode } : {}),
  ...(ending.error ? { error: ending.error } : {}),
  ...(job.startedAt ? { startedAt: job.startedAt } : {}),
  finishedAt,
});

/**
 * Seconds the queue should still hold back a message for a job whose retry is due at `retryAt`:
 * 0 when due, else the whole seconds left rounded up (the queue counts in seconds, and a retry never
 * starts before its backoff), at most the queue's limit. A longer backoff is so a chain of delayed
 * messages: each delivery that comes too early sends the next one.
 */
export const dueDelaySeconds = (retryAt: string | undefined, now: number): number => {
  if (retryAt === undefined) return 0;
  const left = (Date.parse(retryAt) - now) / 1000;
  return left <= 0 ? 0 : Math.min(MAX_QUEUE_DELAY_SECONDS, Math.ceil(left));
};
