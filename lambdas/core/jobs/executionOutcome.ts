import { ErrorCodes } from '../errors';
import type { JobError, TerminalStatus } from '../model';
import type { ExitReport, ServerExitReport } from '../ports';
import type { Ending } from './ending';

/** What decides how one execution (or one server's run) ended. */
export type ExecutionEnd = Pick<ExitReport, 'exitCode' | 'timedOut' | 'failure'> &
  Partial<Pick<ExitReport, 'oomKilled'>> &
  Pick<ServerExitReport, 'cancelled'>;

/**
 * The one rule for how an execution ended, in order: cancelled; killed at its deadline; a failure
 * the launcher diagnosed; out of memory; exit code 0 completed; any other exit code failed.
 */
export const outcomeOf = (e: ExecutionEnd, maxMemoryMb?: number): { status: TerminalStatus; error?: JobError } => {
  if (e.cancelled) return { status: 'cancelled', error: { code: ErrorCodes.cancelled, message: 'cancelled' } };
  if (e.timedOut) return { status: 'timeout', error: { code: ErrorCodes.timeout, message: 'killed at its deadline' } };
  if (e.failure) return { status: 'failed', error: e.failure };
  if (e.oomKilled) {
    const limit = maxMemoryMb === undefined ? '' : ` of ${maxMemoryMb} MiB`;
    return { status: 'failed', error: { code: ErrorCodes.oom, message: `killed: out of memory (limit${limit})` } };
  }
  if (e.exitCode === 0) return { status: 'completed' };
  return { status: 'failed', error: { code: ErrorCodes.exitNonzero, message: `exited with code ${e.exitCode}` } };
};

/** How an execution's exit report ends its job (a job killed at its deadline stores no exit code). */
export const endingFor = (report: ExitReport, maxMemoryMb?: number): Ending => {
  const outcome = outcomeOf(report, maxMemoryMb);
  return outcome.status === 'timeout' ? outcome : { ...outcome, exitCode: report.exitCode };
};
