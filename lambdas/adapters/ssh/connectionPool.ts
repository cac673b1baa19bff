import type { Client } from 'ssh2';
import type { Logger } from '../../core';
import type { CircuitBreaker } from './circuitBreaker';
import { openConnection, type OpenedConnection } from './connect';
import { HostKeyMismatchError, SshExecutorClosedError, SshUnreachableError, type SshTarget } from './errors';
import { normalizeFingerprint } from './hostKey';
import type { ValidPrivateKey } from './privateKey';
import type { PoolOptions } from './types';

/** Defaults of the pool. */
export const DefaultPoolOptions = {
  maxConnectionsPerServer: 2,
  maxSessionsPerConnection: 8,
  idleTimeoutMs: 60_000,
  keepaliveIntervalMs: 15_000,
  keepaliveCountMax: 3,
  connectTimeoutMs: 10_000,
} as const;

/** What a run asks the pool for. */
export interface AcquireRequest {
  target: SshTarget;
  key: ValidPrivateKey;
  /** Pinned host key: a pooled connection verified with another key is refused. */
  hostKeyFingerprint?: string;
  signal?: AbortSignal;
}

/** A share of one connection: the holder uses at most one channel at a time (plus a short kill/cleanup one). */
export interface Lease {
  readonly client: Client;
  readonly hostFingerprint: string;
  readonly connectionId: number;
  /** The connection served an earlier lease: it may have died since, unnoticed. */
  readonly reused: boolean;
  /** The connection closed (it is out of the pool). */
  readonly broken: boolean;
  /** Gives the share back; idempotent. */
  release(): void;
  /** The connection misbehaved: it takes no new leases and is closed once every share is back. */
  discard(): void;
}

interface Conn {
  id: number;
  serverId: string;
  client: Client;
  hostFingerprint: string;
  active: number;
  served: number;
  closed: boolean;
  discarded: boolean;
  idleTimer?: NodeJS.Timeout;
}

interface Waiter {
  req: AcquireRequest;
  resolve(lease: Lease): void;
  reject(err: unknown): void;
}

interface Group {
  key: string;
  conns: Conn[];
  connecting: number;
  waiters: Waiter[];
}

/** `host:port:username:keyFingerprint`: connections are shared only under the same login. */
export const poolKeyOf = (target: SshTarget, key: ValidPrivateKey): string =>
  `${target.host}:${target.port}:${target.username}:${key.fingerprint}`;

const pinOf = (req: AcquireRequest) => (req.hostKeyFingerprint?.trim() ? normalizeFingerprint(req.hostKeyFingerprint) : undefined);

/**
 * Keeps logged-in SSH connections per server (per login) for reuse. Each connection carries
 * at most `maxSessionsPerConnection` leases and a server at most `maxConnectionsPerServer`
 * connections; requests beyond wait in FIFO order. A connection that errors, closes or misses
 * its keepalives leaves the pool (the next request reconnects); an unused one closes after
 * `idleTimeoutMs`. New connections go through the server's circuit breaker.
 */
export const createConnectionPool = (o: { options?: PoolOptions; breakerFor: (target: SshTarget) => CircuitBreaker; logger: Logger }) => {
  const opts = { ...DefaultPoolOptions, ...o.options };
  const groups = new Map<string, Group>();
  let nextId = 1;
  let closed = false;

  const evict = (group: Group, conn: Conn, reason: 'broken' | 'idle' | 'closed') => {
    if (conn.closed) return;
    conn.closed = true;
    clearTimeout(conn.idleTimer);
    group.conns = group.conns.filter((c) => c !== conn);
    conn.client.end();
    opts.onEvict?.({ serverId: conn.serverId, poolKey: group.key, connectionId: conn.id, reason });
    if (reason === 'broken') o.logger.warn({ poolKey: group.key, connectionId: conn.id }, 'ssh connection lost');
    dispatch(group);
  };

  const settle = (group: Group, conn: Conn) => {
    if (conn.active > 0 || conn.closed) return;
    if (conn.discarded) return evict(group, conn, 'closed');
    clearTimeout(conn.idleTimer);
    conn.idleTimer = setTimeout(() => evict(group, conn, 'idle'), opts.idleTimeoutMs);
    conn.idleTimer.unref();
  };

  const grant = (group: Group, conn: Conn, w: Waiter) => {
    const pin = pinOf(w.req);
    if (pin !== undefined && pin !== conn.hostFingerprint) {
      const { target } = w.req;
      w.reject(new HostKeyMismatchError(target.id, target, pin, conn.hostFingerprint));
      return;
    }
    clearTimeout(conn.idleTimer);
    const reused = conn.served > 0;
    conn.active++;
    conn.served++;
    let released = false;
    w.resolve({
      client: conn.client,
      hostFingerprint: conn.hostFingerprint,
      connectionId: conn.id,
      reused,
      get broken() {
        return conn.closed;
      },
      release() {
        if (released) return;
        released = true;
        conn.active--;
        settle(group, conn);
        dispatch(group);
      },
      discard() {
        conn.discarded = true;
        settle(group, conn);
      },
    });
  };

  const connectThroughBreaker = async (req: AcquireRequest): Promise<OpenedConnection> => {
    const breaker = o.breakerFor(req.target);
    await breaker.admit();
    try {
      const opened = await openConnection({
        target: req.target,
        key: req.key,
        hostKeyFingerprint: pinOf(req),
        timeoutMs: opts.connectTimeoutMs,
        keepaliveIntervalMs: opts.keepaliveIntervalMs,
        keepaliveCountMax: opts.keepaliveCountMax,
      });
      await breaker.succeeded();
      return opened;
    } catch (err) {
      // Only an unreachable server counts against it: a refused login proves it answers.
      if (err instanceof SshUnreachableError) await breaker.failed();
      else await breaker.succeeded();
      throw err;
    }
  };

  const addConn = (group: Group, opened: OpenedConnection, serverId: string): Conn => {
    const conn: Conn = { id: nextId++, serverId, ...opened, active: 0, served: 0, closed: false, discarded: false };
    group.conns.push(conn);
    const onGone = () => evict(group, conn, conn.discarded ? 'closed' : 'broken');
    conn.client.on('error', (err) => {
      o.logger.warn({ poolKey: group.key, connectionId: conn.id, err: err.message }, 'ssh connection error');
      onGone();
    });
    conn.client.on('close', onGone);
    conn.client.on('end', onGone);
    opts.onConnect?.({ serverId, poolKey: group.key, connectionId: conn.id });
    return conn;
  };

  const startConnect = (group: Group, req: AcquireRequest) => {
    group.connecting++;
    connectThroughBreaker(req).then(
      (opened) => {
        group.connecting--;
        if (closed) {
          opened.client.end();
          return;
        }
        addConn(group, opened, req.target.id);
        dispatch(group);
      },
      (err: unknown) => {
        group.connecting--;
        if (group.conns.length > 0 || group.connecting > 0) {
          // Live connections will serve the waiters; a later release tries connecting again.
          o.logger.warn({ poolKey: group.key, err: (err as Error).message }, 'extra ssh connection failed');
          return;
        }
        // Nothing else can serve the waiters: they get this attempt's error. A host key
        // mismatch only concerns waiters pinning the same key as the attempt did.
        const failed = err instanceof HostKeyMismatchError ? group.waiters.filter((w) => pinOf(w.req) === pinOf(req)) : [...group.waiters];
        group.waiters = group.waiters.filter((w) => !failed.includes(w));
        for (const w of failed) w.reject(err);
        dispatch(group);
      },
    );
  };

  function dispatch(group: Group): void {
    if (closed) return;
    while (group.waiters.length > 0) {
      const conn = group.conns.find((c) => !c.closed && !c.discarded && c.active < opts.maxSessionsPerConnection);
      if (!conn) break;
      grant(group, conn, group.waiters.shift()!);
    }
    // Open connections only for waiters that connections already under way cannot take.
    while (
      group.waiters.length > group.connecting * opts.maxSessionsPerConnection &&
      group.conns.length + group.connecting < opts.maxConnectionsPerServer
    ) {
      startConnect(group, group.waiters[group.connecting * opts.maxSessionsPerConnection]!.req);
    }
    if (group.waiters.length === 0 && group.conns.length === 0 && group.connecting === 0) groups.delete(group.key);
  }

  return {
    /**
     * A share of a logged-in connection to the request's server.
     * @throws SshUnreachableError, SshAuthError, HostKeyMismatchError, CircuitOpenError from
     *   connecting; the signal's reason when aborted while waiting; SshExecutorClosedError.
     */
    acquire(req: AcquireRequest): Promise<Lease> {
      if (closed) return Promise.reject(new SshExecutorClosedError());
      if (req.signal?.aborted) return Promise.reject(req.signal.reason);
      const key = poolKeyOf(req.target, req.key);
      let group = groups.get(key);
      if (!group) {
        group = { key, conns: [], connecting: 0, waiters: [] };
        groups.set(key, group);
      }
      const g = group;
      return new Promise<Lease>((resolve, reject) => {
        const onAbort = () => {
          g.waiters = g.waiters.filter((w) => w !== waiter);
          reject(req.signal!.reason);
        };
        const waiter: Waiter = {
          req,
          resolve: (lease) => {
            req.signal?.removeEventListener('abort', onAbort);
            resolve(lease);
          },
          reject: (err) => {
            req.signal?.removeEventListener('abort', onAbort);
            reject(err);
          },
        };
        req.signal?.addEventListener('abort', onAbort, { once: true });
        g.waiters.push(waiter);
        dispatch(g);
      });
    },
    /** Connections open now, per pool key (for tests and metrics). */
    stats(): Record<string, { connections: number; active: number; waiting: number }> {
      return Object.fromEntries(
        [...groups.values()].map((g) => [
          g.key,
          { connections: g.conns.length, active: g.conns.reduce((n, c) => n + c.active, 0), waiting: g.waiters.length },
        ]),
      );
    },
    /** Ends every connection and fails every waiting request. */
    async close(): Promise<void> {
      closed = true;
      const ending: Promise<void>[] = [];
      for (const group of groups.values()) {
        for (const w of group.waiters.splice(0)) w.reject(new SshExecutorClosedError());
        for (const conn of [...group.conns]) {
          ending.push(new Promise((resolve) => conn.client.once('close', () => resolve())));
          evict(group, conn, 'closed');
        }
      }
      groups.clear();
      await Promise.race([Promise.all(ending), new Promise((r) => setTimeout(r, 2_000).unref())]);
    },
  };
};

/** The pool createConnectionPool builds. */
export type ConnectionPool = ReturnType<typeof createConnectionPool>;
