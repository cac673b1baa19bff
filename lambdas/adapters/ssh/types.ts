import type { CircuitStore, ExitReport, Logger, RawLine, ScriptRuntime, ServerCredentials, WorkspaceFiles } from '../../core';

/** A user's server, as the executor needs it (credentials decrypted); its name is the core's business. */
export type SshServer = Omit<ServerCredentials, 'name'>;

/** One script run on one server. */
export interface SshExecution {
  server: SshServer;
  runtime: ScriptRuntime;
  /** May hold secrets: never logged, never on a command line (it travels in a 0600 file). */
  env: Record<string, string>;
  /** `in/` files as the core builds them (paths relative to the workspace root). */
  workspace: WorkspaceFiles;
  /** Epoch ms: the script is killed at this time and the report says `timedOut`. */
  deadlineAt?: number;
  /** Abort = cancel: the remote process group is killed; the report's failure is `cancelled`. */
  signal?: AbortSignal;
  /** Lines in order, one call at a time, as soon as they were written. */
  onOutput: (lines: RawLine[]) => Promise<void>;
  /** The fingerprint seen, whenever the server has none pinned (trust on first use: record it). */
  onHostKey?: (fingerprint: string) => Promise<void>;
}

/** What `test()` learned about a server. */
export interface SshTestResult {
  /** The host key's `SHA256:…` fingerprint. */
  fingerprint: string;
  /** Connect, log in and run one command, over a fresh connection. */
  latencyMs: number;
  /** `id -un` on the server. */
  remoteUser: string;
}

/** Runs scripts on users' servers over SSH with the workspace contract (docs/helpers/workspace.md). */
export interface SshExecutor {
  run(e: SshExecution): Promise<ExitReport>;
  test(server: SshServer): Promise<SshTestResult>;
  /** Ends every pooled connection; later calls reject. */
  close(): Promise<void>;
}

/** A pool event, for metrics and tests. */
export interface PoolEvent {
  serverId: string;
  /** `host:port:username:keyFingerprint`. */
  poolKey: string;
  connectionId: number;
}

/** Options of the per-server connection pool. */
export interface PoolOptions {
  /** Connections kept per server. @default 2 */
  maxConnectionsPerServer?: number;
  /** Runs sharing one connection (each uses one channel at a time; keep under sshd's MaxSessions 10). @default 8 */
  maxSessionsPerConnection?: number;
  /** An unused connection is closed after this long. @default 60000 */
  idleTimeoutMs?: number;
  /** SSH keepalive interval. @default 15000 */
  keepaliveIntervalMs?: number;
  /** Unanswered keepalives after which the connection counts as broken. @default 3 */
  keepaliveCountMax?: number;
  /** TCP connect + handshake + login limit. @default 10000 */
  connectTimeoutMs?: number;
  /** A new connection was established. */
  onConnect?: (e: PoolEvent) => void;
  /** A connection left the pool. */
  onEvict?: (e: PoolEvent & { reason: 'broken' | 'idle' | 'closed' }) => void;
}

/** Options of the per-server circuit breaker. */
export interface BreakerOptions {
  /** Consecutive connection failures that open the circuit. @default 3 */
  failureThreshold?: number;
  /** How long it stays open before one trial connection is let through. @default 30000 */
  coolDownMs?: number;
  /** Epoch ms. @default Date.now */
  now?: () => number;
}

/** Options of createSshExecutor. */
export interface SshExecutorOptions {
  /** Where `cronium.sh`, `cronium.py`, `cronium.js`, `package.json` are. @default `<repo>/runtime-images/helpers` */
  helpersDir?: string;
  pool?: PoolOptions;
  breaker?: BreakerOptions;
  /**
   * Where the circuit breakers keep their state: a table shared by every process (DynamoDB, both
   * homes), or this process's memory. @default in memory
   */
  circuits?: CircuitStore;
  /** Between TERM and KILL of the remote process group on timeout or cancel. @default 5000 */
  killGraceMs?: number;
  logger?: Logger;
}
