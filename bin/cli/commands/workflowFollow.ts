import { ExitCodes } from '../errors';
import type { ApiSession, CommandContext } from '../context';
import { followJob } from '../followJob';
import { writeLogLine } from '../logOutput';

/** A workflow run as the REST API shows it. */
export interface RunView {
  id: string;
  workflowId: string;
  workflowName: string;
  status: 'running' | 'completed' | 'failed' | 'cancelled';
  reason?: string;
  attempt: number;
  createdAt: string;
  steps: {
    nodeId: string;
    status: string;
    jobId?: string;
    jobStatus?: string;
    output?: unknown;
    skipReason?: string;
    error?: { code: string; message: string };
  }[];
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

/**
 * Shows a run as it happens: each step's change of status on stderr (`step a: running, job …`),
 * and each started step's log lines, prefixed with its id, as they arrive (through the job follow
 * code: live over the WebSocket, REST when it is refused). Returns 0 when the run completed, 1 when
 * it failed or was cancelled; Ctrl-C stops watching (130) and leaves the run going.
 * @throws ApiError, UnreachableError from the REST calls.
 */
export const followWorkflowRun = async (ctx: CommandContext, session: ApiSession, runId: string): Promise<number> => {
  const { io, deps } = ctx;
  const stop = new AbortController();
  const stopListening = io.onInterrupt(() => {
    stopListening();
    stop.abort();
  });
  const shown = new Map<string, string>();
  const following = new Map<string, Promise<unknown>>();
  try {
    for (;;) {
      const run = await session.api.request<RunView>('GET', `/workflow-runs/${encodeURIComponent(runId)}`);
      for (const step of run.steps) {
        const label = `${step.status}${step.jobId ? `, job ${step.jobId}` : ''}`;
        if (shown.get(step.nodeId) !== label && step.status !== 'pending') {
          shown.set(step.nodeId, label);
          io.stderr.write(`step ${step.nodeId}: ${label}${step.skipReason ? ` (${step.skipReason})` : ''}\n`);
        }
        if (step.jobId && !following.has(step.jobId)) {
          const prefix = `[${step.nodeId}] `;
          following.set(
            step.jobId,
            followJob({
              api: session.api,
              wsUrl: session.wsUrl,
              jobId: step.jobId,
              afterSeq: 0,
              onLine: (line) => writeLogLine(io, { ...line, line: `${prefix}${line.line}` }),
              onNotice: (message) => io.stderr.write(`warning: ${message}\n`),
              pollIntervalMs: deps.pollIntervalMs,
              tailGraceMs: deps.tailGraceMs,
              statusCheckMs: deps.statusCheckMs,
              handshakeTimeoutMs: deps.wsHandshakeTimeoutMs,
              signal: stop.signal,
            }).catch((err: unknown) => {
              if (!stop.signal.aborted) io.stderr.write(`warning: could not follow step ${step.nodeId}: ${(err as Error).message}\n`);
            }),
          );
        }
      }
      if (run.status !== 'running') {
        // Every line of every step is written before the summary.
        await Promise.all(following.values());
        io.stderr.write(`workflow run ${run.id} ${run.status}${run.reason ? `: ${run.reason}` : ''}\n`);
        return run.status === 'completed' ? ExitCodes.ok : ExitCodes.failure;
      }
      await sleep(deps.pollIntervalMs, stop.signal);
      if (stop.signal.aborted) return ExitCodes.interrupted;
    }
  } finally {
    stopListening();
    stop.abort();
  }
};
