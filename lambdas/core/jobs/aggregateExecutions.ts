import type { ExecutionResult } from '../model';
import type { ServerExitReport } from '../ports';
import { readRunResults } from '../workspace/workspaceContract';
import type { Ending } from './ending';
import { outcomeOf } from './executionOutcome';

/** How one server's execution ended. */
const resultOf = (e: ServerExitReport): { result: ExecutionResult; variables?: Record<string, unknown>; problems: string[] } => {
  const run = readRunResults(e.outputs);
  const base = { serverId: e.serverId, serverName: e.serverName, exitCode: e.exitCode };
  const result: ExecutionResult = { ...base, ...outcomeOf(e) };
  if (run.output !== undefined) result.output = run.output;
  if (run.condition !== undefined) result.condition = run.condition;
  return { result, ...(run.variables ? { variables: run.variables } : {}), problems: run.problems.map((p) => `${e.serverName}: ${p}`) };
};

/**
 * Folds the executions of a job that ran on several servers into one ending: completed only when
 * every server completed; otherwise failed if any failed, else timeout if any timed out, else cancelled.
 * One server's output is the job's output; several servers' outputs are keyed by server name.
 */
export const aggregateExecutions = (reports: ServerExitReport[]): { ending: Ending; variables: Record<string, unknown>[] } => {
  const folded = reports.map(resultOf);
  const results = folded.map((f) => f.result);
  const unfinished = results.filter((r) => r.status !== 'completed');
  const status =
    unfinished.length === 0
      ? 'completed'
      : unfinished.some((r) => r.status === 'failed')
        ? 'failed'
        : unfinished.some((r) => r.status === 'timeout')
          ? 'timeout'
          : 'cancelled';
  const single = results.length === 1 ? results[0] : undefined;
  const output = single
    ? single.output
    : results.some((r) => r.output !== undefined)
      ? Object.fromEntries(results.filter((r) => r.output !== undefined).map((r) => [r.serverName, r.output]))
      : undefined;
  const conditions = results.map((r) => r.condition).filter((c) => c !== undefined);
  const problems = folded.flatMap((f) => f.problems);
  const firstError = unfinished.find((r) => r.status === status)?.error;
  const exitCode = single ? single.exitCode : (results.find((r) => r.exitCode !== 0)?.exitCode ?? 0);

  const ending: Ending = {
    status,
    ...(exitCode !== undefined ? { exitCode } : {}),
    ...(firstError
      ? {
          error: {
            code: firstError.code,
            message: single
              ? firstError.message
              : `${unfinished.length} of ${results.length} servers did not complete: ${unfinished.map((r) => `${r.serverName}: ${r.error?.message ?? r.status}`).join('; ')}`,
          },
        }
      : {}),
    results: {
      ...(output !== undefined ? { output } : {}),
      ...(conditions.length === results.length && conditions.length > 0 ? { condition: conditions.every(Boolean) } : {}),
      ...(problems.length ? { outputError: problems.join('; ') } : {}),
    },
    executions: results,
  };
  return { ending, variables: folded.flatMap((f) => (f.variables ? [f.variables] : [])) };
};
