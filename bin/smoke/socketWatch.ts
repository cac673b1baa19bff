import WebSocket from 'ws';
import type { LogLine, ServerMessage, StatusMessage } from '../cli/types';
import { isTerminalStatus } from '../cli/types';

/** What one job's subscription delivered over the WebSocket alone (no REST gap-fill). */
export interface SocketDelivery {
  lines: LogLine[];
  /** The terminal status pushed, when it came within the deadline. */
  terminal?: StatusMessage;
}

/**
 * Subscribes to one job over the WebSocket and collects what is pushed until the terminal status and
 * every line up to its `lastSeq` arrived, or `timeoutMs` passed. Unlike the CLI's follower it never
 * fills gaps over REST: the smoke check is about what the socket delivers.
 * @throws Error when the handshake is refused or the server answers the subscription with an error.
 */
export const watchOverSocket = (wsUrl: string, jobId: string, timeoutMs: number): Promise<SocketDelivery> =>
  new Promise((resolve, reject) => {
    const delivery: SocketDelivery = { lines: [] };
    const socket = new WebSocket(wsUrl);
    const done = (err?: Error) => {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on('error', () => {});
      socket.terminate();
      if (err) reject(err);
      else resolve(delivery);
    };
    const timer = setTimeout(() => done(), timeoutMs);
    const complete = () => delivery.terminal && (delivery.lines.at(-1)?.seq ?? 0) >= (delivery.terminal.lastSeq ?? 0);

    socket.once('unexpected-response', (_req, res) => done(new Error(`WebSocket handshake refused with HTTP ${res.statusCode}`)));
    socket.once('error', (err) => done(err));
    socket.once('open', () => socket.send(JSON.stringify({ action: 'subscribe', jobId, afterSeq: 0 })));
    socket.on('message', (data: WebSocket.RawData) => {
      const message = JSON.parse((data as Buffer).toString('utf8')) as ServerMessage;
      if (message.type === 'error') return done(new Error(`subscription refused: ${message.code}: ${message.message}`));
      if (message.type === 'logs' && message.jobId === jobId) delivery.lines.push(...message.lines);
      if (message.type === 'status' && message.jobId === jobId && isTerminalStatus(message.status)) delivery.terminal = message;
      if (complete()) done();
    });
  });
