import type { ExecutionEvents, Logger, TransientRetry } from '../ports';

/** Tries each piece of work once: for tests and callers that want no retry. */
export const noRetry: TransientRetry = { execute: (work) => work() };

/**
 * Wraps every report in one retry policy and one log shape: a report that still fails after its
 * tries is logged as `{ err, jobId, report }` and rejected, so the caller can act on the loss.
 */
export const withReportRetry = <E extends ExecutionEvents>(
  events: E,
  o: { retry: TransientRetry; logger: Logger },
): E & Required<ExecutionEvents> => {
  const attempt = async <T>(report: string, jobId: string, work: () => Promise<T>, extra: object = {}): Promise<T> => {
    try {
      return await o.retry.execute(work);
    } catch (err) {
      o.logger.error({ err, jobId, report, ...extra }, `the ${report} report could not be recorded`);
      throw err;
    }
  };
  return {
    ...events,
    output: (key, lines, resumeToken) =>
      attempt('output', key.jobId, () => events.output(key, lines, resumeToken), { lines: lines.length }),
    exited: (key, report) => attempt('exited', key.jobId, () => events.exited(key, report)),
    hostKeySeen: (key, serverId, fingerprint) =>
      attempt('hostKeySeen', key.jobId, async () => events.hostKeySeen?.(key, serverId, fingerprint), { serverId }),
    logFull: (key) => events.logFull?.(key) === true,
  };
};
