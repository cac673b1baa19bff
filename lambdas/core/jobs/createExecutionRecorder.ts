import type { CoreDeps } from '../deps';
import { ConflictError, ErrorCodes } from '../errors';
import type { JobKey, LogLine } from '../model';
import type { ExecutionEvents, ExitReport, RawLine } from '../ports';
import type { LiveFeed } from '../live/createLiveFeed';
import type { Variables } from '../variables/createVariables';
import { createMasker } from '../workspace/createMasker';
import { readRunResults } from '../workspace/workspaceContract';
import type { Servers } from '../servers/createServers';
import { aggregateExecutions } from './aggregateExecutions';
import type { Ending, Lifecycle } from './createLifecycle';

interface LogCursor {
  seq: number;
  bytes: number;
  mask: (text: string) => string;
}

/** How an execution's exit report ends its job. */
export const endingFor = (report: ExitReport, maxMemoryMb?: number): Ending => {
  if (report.timedOut) return { status: 'timeout', error: { code: ErrorCodes.timeout, message: 'killed at its deadline' } };
  if (report.failure) return { status: 'failed', exitCode: report.exitCode, error: report.failure };
  if (report.oomKilled) {
    const limit = maxMemoryMb === undefined ? '' : ` of ${maxMemoryMb} MiB`;
    return {
      status: 'failed',
      exitCode: report.exitCode,
      error: { code: ErrorCodes.oom, message: `killed: out of memory (limit${limit})` },
    };
  }
  if (report.exitCode === 0) return { status: 'completed', exitCode: 0 };
  return {
    status: 'failed',
    exitCode: report.exitCode,
    error: { code: ErrorCodes.exitNonzero, message: `exited with code ${report.exitCode}` },
  };
};

const keyOf = (key: JobKey) => `${key.tenant}\u0000${key.jobId}`;

/**
 * Turns what launchers report into stored, numbered, capped log lines and a job ending.
 * Output of one job is handled strictly in order (a promise chain per job); batching comes for free,
 * because lines that arrive while a write is in flight go out in the next one.
 */
export const createExecutionRecorder = (
  { store, config, logger }: Pick<CoreDeps, 'store' | 'config' | 'logger'>,
  live: LiveFeed,
  lifecycle: Lifecycle,
  variables: Variables,
  servers: Servers,
): Required<ExecutionEvents> => {
  const cursors = new Map<string, LogCursor>();
  const chains = new Map<string, Promise<unknown>>();

  const serial = <T>(key: JobKey, work: () => Promise<T>): Promise<T> => {
    const id = keyOf(key);
    const run = (chains.get(id) ?? Promise.resolve()).then(work, work);
    const settled = run.catch(() => undefined);
    chains.set(id, settled);
    void settled.then(() => {
      if (chains.get(id) === settled) chains.delete(id);
    });
    return run;
  };

  const cursorFor = async (key: JobKey): Promise<LogCursor> => {
    const known = cursors.get(keyOf(key));
    if (known) return known;
    const [tail, secrets] = await Promise.all([store.logs.tail(key), variables.secretsOf(key.tenant)]);
    const cursor = { seq: tail.lastSeq, bytes: tail.totalBytes, mask: createMasker(secrets) };
    cursors.set(keyOf(key), cursor);
    return cursor;
  };

  const number = (cursor: LogCursor, raw: RawLine[]): LogLine[] => {
    const lines: LogLine[] = [];
    for (const r of raw) {
      // Past the cap (the notice's line counted in): drop silently.
      if (cursor.bytes > config.maxLogBytes) break;
      const line = cursor.mask(r.line);
      const size = Buffer.byteLength(line) + 1;
      cursor.bytes += size;
      if (cursor.bytes > config.maxLogBytes) {
        lines.push({
          seq: ++cursor.seq,
          stream: 'system',
          ts: r.ts,
          line: `[cronium] log limit of ${config.maxLogBytes} bytes reached; further output is dropped`,
        });
        break;
      }
      lines.push({ seq: ++cursor.seq, stream: r.stream, ts: r.ts, line, ...(r.server ? { server: r.server } : {}) });
    }
    return lines;
  };

  /**
   * A conflict means another writer (a second follower, another Lambda) stored lines at our next seq:
   * re-read the tail and number ours after theirs, so nothing is lost.
   */
  const append = async (key: JobKey, raw: RawLine[], resumeToken: string): Promise<boolean> => {
    for (let attempt = 0; ; attempt++) {
      const cursor = await cursorFor(key);
      const before = { ...cursor };
      const lines = number(cursor, raw);
      if (lines.length === 0) return false;
      try {
        await store.logs.append(key, { lines, totalBytes: cursor.bytes, resumeToken });
        return true;
      } catch (err) {
        Object.assign(cursor, before);
        cursors.delete(keyOf(key));
        if (!(err instanceof ConflictError) || attempt >= 4) throw err;
        logger.warn({ jobId: key.jobId }, 'another writer stored log lines first; numbering after them');
      }
    }
  };

  const output = (key: JobKey, raw: RawLine[], resumeToken: string) =>
    serial(key, async () => {
      if (!(await append(key, raw, resumeToken))) return;
      await live.deliver(key).catch((err: unknown) => logger.warn({ err, jobId: key.jobId }, 'live delivery failed'));
    });

  const maskEnding = (ending: Ending, mask: (text: string) => string): Ending => ({
    ...ending,
    ...(ending.error ? { error: { ...ending.error, message: mask(ending.error.message) } } : {}),
    ...(ending.results?.outputError ? { results: { ...ending.results, outputError: mask(ending.results.outputError) } } : {}),
    ...(ending.executions
      ? { executions: ending.executions.map((e) => (e.error ? { ...e, error: { ...e.error, message: mask(e.error.message) } } : e)) }
      : {}),
  });

  /** One execution's report, or several servers' folded into one. */
  const endingOf = (report: ExitReport, memoryMb: number | undefined): { ending: Ending; variables: Record<string, unknown>[] } => {
    if (report.executions) return aggregateExecutions(report.executions);
    const results = readRunResults(report.outputs);
    return {
      ending: {
        ...endingFor(report, memoryMb),
        results: {
          ...(results.output !== undefined ? { output: results.output } : {}),
          ...(results.condition !== undefined ? { condition: results.condition } : {}),
          ...(results.problems.length ? { outputError: results.problems.join('; ') } : {}),
        },
      },
      variables: results.variables ? [results.variables] : [],
    };
  };

  const exited = (key: JobKey, report: ExitReport) =>
    serial(key, async () => {
      const mask = (await cursorFor(key)).mask;
      cursors.delete(keyOf(key));
      const job = await store.jobs.get(key);
      const { ending, variables: set } = endingOf(report, job?.resources.memoryMb);
      if (job?.status === 'running') for (const vars of set) await variables.applyFromJob(key.tenant, vars);
      await lifecycle.end(key, maskEnding(ending, mask));
    });

  const hostKeySeen = (key: JobKey, serverId: string, fingerprint: string) =>
    servers.recordHostKey(key.tenant, serverId, fingerprint);

  return { output, exited, hostKeySeen };
};
