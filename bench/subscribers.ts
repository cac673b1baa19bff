import WebSocket from 'ws';

/** What one bench subscriber saw of one job. */
export interface SubscriberView {
  /** Highest seq received in order. */
  last: number;
  /** Lines that arrived out of order, twice, or after a gap. */
  violations: number;
  laggingNotices: number;
  frames: number;
  /** When each seq arrived (performance.now()), if `keepArrivals`. */
  arrivals: Map<number, number>;
  /** The text of each line, if `keepLines`. */
  lines: Map<number, string>;
  status?: { status: string; lastSeq?: number };
  socket: WebSocket;
  /** Resolves once `last` reaches `seq`. */
  reached(seq: number, timeoutMs: number): Promise<void>;
  close(): void;
}

/**
 * Opens a WebSocket, subscribes to `jobId` and follows it as a client should: lines in order, and
 * after a `lagging` notice a new subscription after the last line it has.
 */
export const subscribe = async (
  wsUrl: string,
  token: string,
  jobId: string,
  o: { keepArrivals?: boolean; keepLines?: boolean; onLine?: (seq: number, text: string, at: number) => void } = {},
): Promise<SubscriberView> => {
  const socket = new WebSocket(`${wsUrl}?token=${encodeURIComponent(token)}`);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const waiters: { seq: number; resolve: () => void }[] = [];
  const view: SubscriberView = {
    last: 0,
    violations: 0,
    laggingNotices: 0,
    frames: 0,
    arrivals: new Map(),
    lines: new Map(),
    socket,
    reached: (seq, timeoutMs) =>
      view.last >= seq
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`subscriber at ${view.last}, waited for ${seq}`)), timeoutMs);
            waiters.push({ seq, resolve: () => (clearTimeout(timer), resolve()) });
          }),
    close: () => socket.terminate(),
  };
  const send = () => socket.send(JSON.stringify({ action: 'subscribe', jobId, afterSeq: view.last }));
  socket.on('message', (data) => {
    const at = performance.now();
    const m = JSON.parse(String(data));
    if (m.jobId !== jobId) return;
    if (m.type === 'status') view.status = m;
    if (m.type === 'lagging') {
      view.laggingNotices++;
      send();
    }
    if (m.type !== 'logs') return;
    view.frames++;
    for (const l of m.lines as { seq: number; line: string }[]) {
      if (l.seq !== view.last + 1) {
        view.violations++;
        continue;
      }
      view.last = l.seq;
      if (o.keepArrivals) view.arrivals.set(l.seq, at);
      if (o.keepLines) view.lines.set(l.seq, l.line);
      o.onLine?.(l.seq, l.line, at);
    }
    for (const w of [...waiters]) {
      if (view.last >= w.seq) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  send();
  return view;
};
