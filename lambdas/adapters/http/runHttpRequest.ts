import { ErrorCodes, WorkspaceLayout, WorkspaceLimits } from '../../core';
import type { ExitReport, RawLine } from '../../core';
import { AbortReasons, HttpRequestAbortedError, HttpRequestError, type AbortReason } from './errors';
import { displayUrl, type HttpRequestPlan } from './httpSpec';
import { performRequest, type PerformDeps } from './performRequest';
import { describeStatus, encodeJobOutput, responseLogLines } from './responseOutput';

/** One execution as runHttpRequest sees it. */
export interface RunTarget {
  plan: HttpRequestPlan;
  /** The job's deadline (epoch ms); the request ends at it or after `timeoutMs`, whichever is first. */
  deadlineAt?: number;
  /** Aborted by stop() and close(); runHttpRequest aborts it itself at the time limit. */
  controller: AbortController;
}

/** What runHttpRequest needs besides the execution. */
export interface RunContext extends Omit<PerformDeps, 'signal' | 'note'> {
  maxLogBodyBytes: number;
  now: () => number;
  /** Appends lines to the job's log (in order). */
  emit: (stream: RawLine['stream'], lines: string[]) => void;
  /** An error that is the launcher's fault, not the request's. */
  onUnexpected: (err: unknown) => void;
}

/** The reason an execution's signal is aborted with; its message is what the job's log shows. */
export const abortReasonFor = (
  run: Pick<RunTarget, 'plan' | 'deadlineAt'>,
  why: AbortReason,
  limitMs?: number,
): HttpRequestAbortedError => {
  const label = `${run.plan.method} ${displayUrl(run.plan.url)}`;
  if (why === AbortReasons.cancelled) return new HttpRequestAbortedError(why, `${label} was cancelled`);
  if (why === AbortReasons.closed) return new HttpRequestAbortedError(why, `${label} was abandoned: the launcher closed`);
  const byDeadline = run.deadlineAt !== undefined && (limitMs === undefined || limitMs < run.plan.timeoutMs);
  return new HttpRequestAbortedError(
    why,
    byDeadline ? `${label} timed out: the job's deadline passed` : `${label} timed out after ${run.plan.timeoutMs} ms (timeoutMs)`,
  );
};

/**
 * Performs one http job's request under its time limit and turns the outcome into log lines and
 * an exit report: exit 0 and `output.json` for the expected status; `http_error` with the response
 * for another status; `http_error` for a refused address or a transport failure; `timedOut` at the
 * limit; `cancelled` after stop(). Resolves undefined when the launcher closed (nothing to report).
 * Never rejects.
 */
export const runHttpRequest = async (run: RunTarget, ctx: RunContext): Promise<ExitReport | undefined> => {
  const { plan, controller } = run;
  const startedAt = ctx.now();
  const limitMs = Math.min(plan.timeoutMs, run.deadlineAt === undefined ? Infinity : run.deadlineAt - startedAt);
  const timer = limitMs > 0 ? setTimeout(() => controller.abort(abortReasonFor(run, AbortReasons.timeout, limitMs)), limitMs) : undefined;
  if (limitMs <= 0) controller.abort(abortReasonFor(run, AbortReasons.timeout, limitMs));

  const base = { exitCode: 1, oomKilled: false, timedOut: false };
  try {
    const result = await performRequest(plan, { ...ctx, signal: controller.signal, note: (line) => ctx.emit('stdout', [line]) });
    clearTimeout(timer);
    const elapsedMs = ctx.now() - startedAt;
    ctx.emit('stdout', responseLogLines(result, { elapsedMs, maxBytes: ctx.maxLogBodyBytes, maxBodyBytes: ctx.maxBodyBytes }));
    const outputs = { files: { [WorkspaceLayout.output]: encodeJobOutput(result, WorkspaceLimits.maxOutBytes) } };
    const ok = plan.expectStatus !== undefined ? result.status === plan.expectStatus : result.status >= 200 && result.status < 300;
    if (ok) return { ...base, exitCode: 0, outputs };
    const expected = plan.expectStatus !== undefined ? ` (expected ${plan.expectStatus})` : '';
    const message = `${result.method} ${displayUrl(result.url)} answered ${describeStatus(result)}${expected}`;
    ctx.emit('stderr', [`✗ ${message}`]);
    return { ...base, outputs, failure: { code: ErrorCodes.httpError, message } };
  } catch (err) {
    clearTimeout(timer);
    const reason: unknown = controller.signal.aborted ? controller.signal.reason : undefined;
    if (reason instanceof HttpRequestAbortedError) {
      if (reason.why === AbortReasons.closed) return undefined;
      ctx.emit('stderr', [`✗ ${reason.message}`]);
      if (reason.why === AbortReasons.timeout) return { ...base, timedOut: true };
      return { ...base, failure: { code: ErrorCodes.cancelled, message: reason.message } };
    }
    if (err instanceof HttpRequestError) {
      ctx.emit('stderr', [`✗ ${err.message}`]);
      return { ...base, failure: { code: ErrorCodes.httpError, message: err.message } };
    }
    ctx.onUnexpected(err);
    const message = `${plan.method} ${displayUrl(plan.url)} failed unexpectedly`;
    ctx.emit('stderr', [`✗ ${message}`]);
    return { ...base, failure: { code: ErrorCodes.httpError, message } };
  }
};
