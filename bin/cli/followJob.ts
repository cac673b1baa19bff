import type { ApiClient } from './apiClient';
import { followOverSocket } from './followOverSocket';
import { createLineSequencer } from './lineSequencer';
import { pollJob } from './pollJob';
import { isTerminalStatus, type ApiErrorBody, type JobStatus, type LogLine, type StatusMessage } from './types';

/** How a followed job ended. */
export interface FinishedJob {
  id: string;
  status: JobStatus;
  exitCode?: number;
  error?: ApiErrorBody;
  durationMs?: number;
}

/** Options of {@link followJob}. */
export interface FollowOptions {
  api: ApiClient;
  /** The WebSocket URL with its token; undefined to poll from the start. */
  wsUrl?: string;
  jobId: string;
  /** Lines up to this seq are not wanted (0 for all). */
  afterSeq: number;
  /** Called once per line, in seq order. */
  onLine: (line: LogLine) => void;
  /** Called with a human note when live logs are refused and polling takes over. */
  onNotice?: (message: string) => void;
  pollIntervalMs: number;
  tailGraceMs: number;
  statusCheckMs: number;
  handshakeTimeoutMs: number;
  signal?: AbortSignal;
}

const fromStatus = async (api: ApiClient, status: StatusMessage, signal?: AbortSignal): Promise<FinishedJob> => {
  const pushed: FinishedJob = { id: status.jobId, status: status.status, exitCode: status.exitCode, error: status.error };
  try {
    // The status message has no duration; the stored job does.
    const job = await api.getJob(status.jobId, { signal });
    return isTerminalStatus(job.status) ? job : pushed;
  } catch {
    return pushed;
  }
};

/**
 * Writes a job's log lines as they arrive, each exactly once and in order,
 * and resolves with how the job ended. Live over the WebSocket; if the socket
 * cannot connect or drops, over REST every `pollIntervalMs` from where it left off.
 *
 * @throws ApiError, UnreachableError from REST calls; the abort reason when `signal` aborts.
 * @example
 * const done = await followJob({ api, wsUrl, jobId, afterSeq: 0, onLine: print, ...timings });
 */
export const followJob = async (o: FollowOptions): Promise<FinishedJob> => {
  const seq = createLineSequencer(o.afterSeq, o.onLine);
  if (o.wsUrl !== undefined) {
    const outcome = await followOverSocket({
      api: o.api,
      wsUrl: o.wsUrl,
      jobId: o.jobId,
      seq,
      tailGraceMs: o.tailGraceMs,
      statusCheckMs: o.statusCheckMs,
      handshakeTimeoutMs: o.handshakeTimeoutMs,
      signal: o.signal,
    });
    if (outcome.kind === 'terminal') return fromStatus(o.api, outcome.status, o.signal);
    if (outcome.refusedByServer) o.onNotice?.(`live logs unavailable (${outcome.reason}); polling instead`);
  }
  return pollJob({ api: o.api, jobId: o.jobId, seq, intervalMs: o.pollIntervalMs, signal: o.signal });
};
