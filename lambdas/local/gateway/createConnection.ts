import type { WebSocket } from 'ws';
import type { AuthorizerContext } from './types';

/** One open WebSocket connection, as the bridge and the management API see it. */
export interface Connection {
  readonly id: string;
  readonly socket: WebSocket;
  readonly connectedAt: number;
  lastActiveAt: number;
  readonly sourceIp: string;
  readonly userAgent: string | null;
  readonly domainName: string;
  readonly authorizer: AuthorizerContext | undefined;
  /**
   * Runs `task` after every task queued before it. Events of one connection are delivered one at a
   * time, in arrival order, so `$disconnect` always comes last.
   */
  enqueue(task: () => Promise<void>): void;
  /** Resolves once every queued task has run. */
  drained(): Promise<void>;
}

/** Open connections by id; a closed or deleted connection is removed at once, so lookups answer Gone. */
export type ConnectionRegistry = Map<string, Connection>;

/** Creates the per-connection record with its ordered event queue. */
export const createConnection = (o: Omit<Connection, 'enqueue' | 'drained' | 'lastActiveAt'>): Connection => {
  let tail: Promise<void> = Promise.resolve();
  return {
    ...o,
    lastActiveAt: o.connectedAt,
    enqueue(task) {
      // Tasks report their own failures; the chain must survive them.
      tail = tail.then(task).catch(() => {});
    },
    drained: () => tail,
  };
};
