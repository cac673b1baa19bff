import WebSocket from 'ws';
import type { ApiClient } from './apiClient';
import { drainLogs } from './drainLogs';
import type { LineSequencer } from './lineSequencer';
import { isTerminalStatus, type ServerMessage, type StatusMessage } from './types';

/** Options of {@link followOverSocket}. */
export interface SocketFollowOptions {
  api: ApiClient;
  wsUrl: string;
  jobId: string;
  seq: LineSequencer;
  tailGraceMs: number;
  statusCheckMs: number;
  handshakeTimeoutMs: number;
  signal?: AbortSignal;
}

/**
 * How following over the socket ended: the job's terminal status with every
 * line up to it emitted, or the socket could not serve us (poll instead).
 */
export type SocketOutcome = { kind: 'terminal'; status: StatusMessage } | { kind: 'unavailable'; reason: string; refusedByServer: boolean };

const parse = (data: WebSocket.RawData): ServerMessage | undefined => {
  try {
    const msg = JSON.parse((data as Buffer).toString('utf8')) as ServerMessage;
    return typeof msg === 'object' && msg !== null ? msg : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Subscribes to a job's log and status over the WebSocket and emits its lines
 * (pushed many to a frame) until the job ends; told it lags, it subscribes again
 * after its last line. On a terminal status it waits `tailGraceMs` for the
 * lines up to `lastSeq`, then fetches whatever is still missing over REST.
 *
 * @throws ApiError, UnreachableError when a REST gap-fill fails; the abort reason when `signal` aborts.
 */
export const followOverSocket = (o: SocketFollowOptions): Promise<SocketOutcome> =>
  new Promise<SocketOutcome>((resolve, reject) => {
    const { api, jobId, seq, signal } = o;
    let settled = false;
    let terminal: StatusMessage | undefined;
    let graceTimer: NodeJS.Timeout | undefined;
    let checkTimer: NodeJS.Timeout | undefined;
    // Every reaction runs on one chain so a REST gap-fill and socket lines never interleave.
    let chain: Promise<void> = Promise.resolve();
    let ws: WebSocket | undefined;

    const settle = (done: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(graceTimer);
      clearInterval(checkTimer);
      signal?.removeEventListener('abort', onAbort);
      if (ws) {
        ws.removeAllListeners();
        ws.on('error', () => {});
        ws.terminate();
      }
      done();
    };
    const fail = (err: unknown): void => settle(() => reject(err));
    const enqueue = (task: () => Promise<void> | void): void => {
      chain = chain
        .then(async () => {
          if (!settled) await task();
        })
        .catch(fail);
    };
    function onAbort(): void {
      fail(signal?.reason);
    }

    const finish = (): void => {
      if (terminal) {
        const status = terminal;
        settle(() => resolve({ kind: 'terminal', status }));
      }
    };
    const finishIfComplete = (): void => {
      if (terminal?.lastSeq !== undefined && seq.last >= terminal.lastSeq) finish();
    };
    const drainTail = async (): Promise<void> => {
      await drainLogs(api, jobId, seq, { until: terminal?.lastSeq, signal });
      finish();
    };
    const onTerminal = (status: StatusMessage): void => {
      if (terminal) return;
      terminal = status;
      finishIfComplete();
      if (!settled) graceTimer = setTimeout(() => enqueue(drainTail), o.tailGraceMs);
    };
    const unavailable = async (reason: string, refusedByServer = false): Promise<void> => {
      // Once the job has ended, the socket is only a faster path to the tail: REST has it too.
      if (terminal) return drainTail();
      settle(() => resolve({ kind: 'unavailable', reason, refusedByServer }));
    };
    // A status pushed before we subscribed is never repeated, so check REST now and then.
    const checkStatus = async (): Promise<void> => {
      try {
        const job = await api.getJob(jobId, { signal });
        if (isTerminalStatus(job.status)) {
          onTerminal({ type: 'status', jobId, status: job.status, exitCode: job.exitCode, error: job.error });
        }
      } catch {
        // The socket is the primary channel; a failed check just waits for the next one.
      }
    };
    const handle = async (msg: ServerMessage | undefined): Promise<void> => {
      if (!msg) return;
      if (msg.type === 'error') return unavailable(`${msg.code}: ${msg.message}`, true);
      if (msg.jobId !== jobId) return;
      if (msg.type === 'status') {
        if (isTerminalStatus(msg.status)) onTerminal(msg);
        return;
      }
      if (msg.type === 'lagging') {
        // We read too slowly and the server closed our subscription: resume after what we have.
        if (!terminal) subscribe();
        return;
      }
      if (msg.type !== 'logs' || !Array.isArray(msg.lines)) return;
      for (const { seq: n, stream, ts, line: text } of msg.lines) {
        const line = { seq: n, stream, ts, line: text };
        if (seq.offer(line) === 'gap') {
          await drainLogs(api, jobId, seq, { until: line.seq - 1, signal });
          seq.accept(line);
        }
      }
      finishIfComplete();
    };
    const subscribe = (): void => ws?.send(JSON.stringify({ action: 'subscribe', jobId, afterSeq: seq.last }));

    if (signal?.aborted) return fail(signal.reason);
    signal?.addEventListener('abort', onAbort);
    try {
      ws = new WebSocket(o.wsUrl, { handshakeTimeout: o.handshakeTimeoutMs });
    } catch (err) {
      return settle(() => resolve({ kind: 'unavailable', reason: (err as Error).message, refusedByServer: false }));
    }
    ws.on('open', () => {
      subscribe();
      checkTimer = setInterval(() => enqueue(checkStatus), o.statusCheckMs);
    });
    ws.on('message', (data) => enqueue(() => handle(parse(data))));
    ws.on('error', (err) => enqueue(() => unavailable(err.message)));
    ws.on('close', () => enqueue(() => unavailable('connection closed')));
  });
