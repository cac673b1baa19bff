import { ExitCodes } from './errors';
import type { ApiSession, CommandContext } from './context';
import { followJob } from './followJob';
import { exitCodeFor, summaryLine } from './jobViews';
import { writeLogLine } from './logOutput';

/** How {@link followToEnd} behaves around the stream. */
export interface FollowToEndOptions {
  afterSeq?: number;
  /** The user started this job: Ctrl-C cancels it, and the shell gets its exit code and a summary. */
  owned: boolean;
}

/**
 * Streams a job's log to the terminal until it ends. For an owned job, prints
 * a summary and returns the job's exit code, and Ctrl-C cancels it (130).
 * For a watched one, returns 0, and Ctrl-C only stops watching (130).
 *
 * @throws ApiError, UnreachableError from the REST calls.
 */
export const followToEnd = async (
  ctx: CommandContext,
  { api, wsUrl }: ApiSession,
  jobId: string,
  o: FollowToEndOptions,
): Promise<number> => {
  const { io, deps } = ctx;
  const interrupted = new AbortController();
  let stopListening = (): void => {};
  stopListening = io.onInterrupt(() => {
    // A second Ctrl-C falls through to the default handler, so a hung cancel can still be killed.
    stopListening();
    interrupted.abort();
  });
  try {
    const done = await followJob({
      api,
      wsUrl,
      jobId,
      afterSeq: o.afterSeq ?? 0,
      onLine: (line) => writeLogLine(io, line),
      onNotice: (message) => io.stderr.write(`warning: ${message}\n`),
      pollIntervalMs: deps.pollIntervalMs,
      tailGraceMs: deps.tailGraceMs,
      statusCheckMs: deps.statusCheckMs,
      handshakeTimeoutMs: deps.wsHandshakeTimeoutMs,
      signal: interrupted.signal,
    });
    if (!o.owned) return ExitCodes.ok;
    io.stderr.write(`${summaryLine(done)}\n`);
    return exitCodeFor(done);
  } catch (err) {
    if (!interrupted.signal.aborted) throw err;
    if (o.owned) await cancelQuietly(ctx, api, jobId);
    return ExitCodes.interrupted;
  } finally {
    stopListening();
  }
};

const cancelQuietly = async (ctx: CommandContext, api: ApiSession['api'], jobId: string): Promise<void> => {
  ctx.io.stderr.write(`\ncancelling job ${jobId}\n`);
  try {
    const job = await api.cancelJob(jobId);
    ctx.io.stderr.write(`job ${jobId} cancel requested (status ${job.status})\n`);
  } catch (err) {
    ctx.io.stderr.write(`error: could not cancel job ${jobId}: ${(err as Error).message}\n`);
  }
};
