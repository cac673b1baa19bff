import { WebSocket } from 'ws';
import type { ConnectionRegistry } from './createConnection';
import { hasRoomFor } from './outboundLimits';
import type { GatewayLogger } from './types';

/** How a push ended, as the management API answers it: 200, 410 `GoneException`, 429 `LimitExceededException`. */
export type PushOutcome = 'sent' | 'gone' | 'throttled';

/**
 * Queues one text frame on an open connection, under the one rule for every push (management API
 * or direct): an unknown or closing connection is `gone`, one with more than
 * `OutboundLimits.maxBufferedBytes` unread is `throttled`. Answered once queued, not once written,
 * so a slow reader never holds the sender up.
 */
export const pushToConnection = (
  connections: ConnectionRegistry,
  connectionId: string,
  data: Buffer,
  logger: GatewayLogger,
): PushOutcome => {
  const conn = connections.get(connectionId);
  if (!conn || conn.socket.readyState !== WebSocket.OPEN) return 'gone';
  if (!hasRoomFor(conn.socket, data.length)) return 'throttled';
  conn.socket.send(data, { binary: false }, (err) => {
    if (err) logger.warn({ err, connectionId }, 'push to connection failed');
  });
  conn.lastActiveAt = Date.now();
  return 'sent';
};
