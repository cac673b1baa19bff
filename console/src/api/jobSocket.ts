import { absoluteWsUrl } from './config';
import type { JobError, LogLine } from './types';

export type JobFrame =
  | { type: 'logs'; jobId: string; lines: LogLine[] }
  | { type: 'status'; jobId: string; status: string; exitCode?: number; error?: JobError; lastSeq?: number }
  | { type: 'lagging'; jobId: string; sentSeq: number }
  | { type: 'error'; code: string; message: string };

export interface JobSocket {
  close(): void;
}

/**
 * Follows one job over the WebSocket API: the stored lines after `afterSeq`, then live ones. On a
 * `lagging` frame or a dropped connection it subscribes again from the last line it has, so nothing is
 * missed and nothing doubled; it stops once the job's final status has come.
 */
export const followJob = (o: {
  wsUrl: string;
  key: string;
  jobId: string;
  onFrame(frame: JobFrame): void;
  onConnection?(state: 'open' | 'closed'): void;
}): JobSocket => {
  let lastSeq = 0;
  let ended = false;
  let closed = false;
  let socket: WebSocket | undefined;
  let retryMs = 250;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const subscribe = () => socket?.send(JSON.stringify({ action: 'subscribe', jobId: o.jobId, afterSeq: lastSeq }));
  const connect = () => {
    const ws = new WebSocket(`${absoluteWsUrl(o.wsUrl)}?token=${encodeURIComponent(o.key)}`);
    socket = ws;
    ws.onopen = () => {
      retryMs = 250;
      o.onConnection?.('open');
      subscribe();
    };
    ws.onmessage = (message) => {
      const frame = JSON.parse(String(message.data)) as JobFrame;
      if ('jobId' in frame && frame.jobId !== o.jobId) return;
      if (frame.type === 'logs') {
        const fresh = frame.lines.filter((l) => l.seq > lastSeq);
        if (fresh.length === 0) return;
        lastSeq = fresh[fresh.length - 1]!.seq;
        o.onFrame({ ...frame, lines: fresh });
        return;
      }
      if (frame.type === 'lagging') return subscribe();
      if (frame.type === 'status' && frame.lastSeq !== undefined) ended = lastSeq >= frame.lastSeq;
      o.onFrame(frame);
    };
    ws.onclose = () => {
      o.onConnection?.('closed');
      if (closed || ended) return;
      timer = setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 5_000);
    };
  };
  connect();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      socket?.close();
    },
  };
};
