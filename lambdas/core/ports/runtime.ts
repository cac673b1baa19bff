import type { Job, JobError, JobKey, ServerCredentials } from '../model';

/** Epoch milliseconds; injected so tests control time. */
export interface Clock {
  now(): number;
}

/** New identifiers: job and event ids sort by creation time. */
export interface IdGenerator {
  /** A time-sortable, URL-safe id. */
  next(): string;
  /** A high-entropy secret (API keys). */
  secret(): string;
}

export interface EnqueueOptions {
  delaySeconds?: number;
  /**
   * The job as this process just wrote it. The message may carry it (adapters leave it out above
   * their size bound) so the dispatch need not read the job: its claim, a write conditional on the
   * job's status and version, refuses a copy that is no longer current.
   */
  job?: Job;
}

/** The work queue (SQS on AWS; a local queue with SQS semantics on one machine). */
export interface JobQueue {
  enqueue(key: JobKey, opts?: EnqueueOptions): Promise<void>;
}

/**
 * What became of one push: `sent`; `gone` (the connection is closed: drop it); `throttled` (the
 * connection cannot take more now, its client is too slow or the service is rate-limiting).
 */
export type SendOutcome = 'sent' | 'gone' | 'throttled';

/** Pushes a message to one WebSocket connection. */
export interface Broadcaster {
  send(connectionId: string, message: unknown): Promise<SendOutcome>;
}

/** An execution the launcher still has, running or exited but not yet collected. */
export interface ExecutionInfo {
  key: JobKey;
  ref: string;
  running: boolean;
}

/**
 * The files of the workspace contract, by path relative to the workspace root
 * (`in/script.py`, `in/input.json`, `in/context.json`, `in/variables.json`).
 */
export type WorkspaceFiles = Record<string, string>;

/** Everything a launcher needs to start one execution of a job. */
export interface ExecutionRequest {
  job: Job;
  /** The job's environment with variables resolved (secret values included: never log it). */
  env: Record<string, string>;
  /** Empty for jobs that run no script (http). */
  workspace: WorkspaceFiles;
  /** For an ssh target: the servers, credentials decrypted (never log them). */
  servers?: ServerCredentials[];
  /**
   * The tenant had no secret variable when the job's environment and workspace were resolved, so
   * nothing the job got needs masking: a launcher may carry this to whoever reports the job's
   * output, which then skips reading the tenant's secrets (ExecutionReports.outputAfter).
   */
  secretFree?: boolean;
  /**
   * The job's log held no line when it was launched (its first attempt: only a retry writes a line
   * before its launch), so whoever reports its first output may start at seq 1 without reading the
   * log's tail; the conditional write of that first batch still checks it (ExecutionReports.outputAfter).
   */
  freshLog?: boolean;
}

/**
 * Starts and stops one isolated execution per job (Docker locally, ECS on AWS, the control plane
 * itself for http jobs). Two phases so the job is marked `running` before anything can exit.
 */
export interface ExecutionLauncher {
  /** Creates the execution with its workspace in place, not yet started. @returns its ref. */
  create(request: ExecutionRequest): Promise<string>;
  /** Starts a created execution; output and exit are then reported through ExecutionEvents. */
  start(ref: string, job: Job): Promise<void>;
  /** Kills and discards an execution; a missing one is not an error. */
  stop(ref: string): Promise<void>;
  /** Executions that still exist, for reconciliation after a restart. */
  list(): Promise<ExecutionInfo[]>;
  /** Follows an execution found by list() again, reporting only output after `resumeToken`. */
  reattach(ref: string, job: Job, resumeToken?: string): Promise<void>;
  /**
   * The launcher hands `job` to another process that rebuilds its launch request from the job's key
   * (the runner function on AWS): the dispatcher then passes the bare job, resolving no variable and
   * decrypting no secret nor server key that would only be dropped. @default false
   */
  handsOver?(job: Job): boolean;
}

/** A line of output as the launcher read it. */
export interface RawLine {
  stream: 'stdout' | 'stderr';
  /** ISO-8601 time the line was written. */
  ts: string;
  line: string;
  /** The server that wrote it, for jobs that run on several. */
  server?: string;
  /**
   * The line goes on in the next RawLine of the same stream (and server): the launcher cut a long
   * line into pieces. The recorder masks a cut line as one stream, so a secret across a cut is masked.
   */
  partial?: boolean;
}

/** The files a script left in `out/`, as read back by its launcher (raw text, not yet validated). */
export interface WorkspaceOutputs {
  /** `output.json`, `condition.json`, `variables.json` when present. */
  files: Record<string, string>;
  /** `out/` held more than the launcher reads back; `files` is then empty. */
  overLimit?: boolean;
}

export interface ExitReport {
  exitCode: number;
  oomKilled: boolean;
  /** The launcher killed it at the job's deadline. */
  timedOut: boolean;
  /** What the script left in `out/`, or an http job's response as `output.json`. */
  outputs?: WorkspaceOutputs;
  /** A failure the launcher itself diagnosed (an http job's `http_error`); it decides the ending. */
  failure?: JobError;
  /** For a job that ran on several servers: how each one ended (the fields above are then ignored). */
  executions?: ServerExitReport[];
}

export interface ServerExitReport {
  serverId: string;
  serverName: string;
  exitCode: number;
  timedOut: boolean;
  cancelled?: boolean;
  outputs?: WorkspaceOutputs;
  failure?: JobError;
}

/** Connects to users' servers for the API (not for jobs): checks keys and tests reachability. */
export interface ServerAccess {
  /** @throws ValidationError naming `privateKey` or `passphrase`. */
  validateKey(privateKey: string, passphrase?: string): string;
  /** Connects once and reports what it found. @throws a typed error (ssh_unreachable, ssh_auth, host_key_mismatch…) */
  test(server: ServerCredentials): Promise<{ fingerprint: string; latencyMs: number; remoteUser: string }>;
  /**
   * When present, the API hands the whole test of a stored server to another process, which loads
   * and decrypts its key, connects with `test` and pins the host key itself (on AWS: the SSH runner
   * function, from the network jobs leave from). Only the tenant and the server id travel.
   */
  testRemotely?(tenant: string, serverId: string): Promise<ServerTestResult>;
}

/** What a connection test answers: a failure to connect is an answer, not an error. */
export type ServerTestResult =
  { ok: true; fingerprint: string; latencyMs: number; remoteUser: string } | { ok: false; error: { code: string; message: string } };

/** Encrypts secrets at rest (a local key file, or KMS); the tenant is bound in as context. */
export interface SecretCipher {
  encrypt(tenant: string, plaintext: string): Promise<string>;
  /** @throws when the ciphertext was altered or belongs to another tenant. */
  decrypt(tenant: string, ciphertext: string): Promise<string>;
}

/**
 * What launchers (and, on AWS, the completion and log-forwarder handlers) report back into the core
 * while an execution runs. Composition roots build one with `createExecutionReports` before the
 * launchers, so nothing calls back into a half-built control plane. Each call is retried on a
 * transient failure and logged when it finally fails; a rejection means the report was not recorded
 * (the caller decides what that costs: Docker keeps the container for a later reattach).
 */
export interface ExecutionEvents {
  /** Lines in order; `resumeToken` is the launcher's position after the last of them. */
  output(key: JobKey, lines: RawLine[], resumeToken: string): Promise<void>;
  /** The execution ended; called after its last output. */
  exited(key: JobKey, report: ExitReport): Promise<void>;
  /** A server without a pinned host key was reached for the first time: pin what it showed (ssh launchers only). */
  hostKeySeen?(key: JobKey, serverId: string, fingerprint: string): Promise<void>;
  /**
   * True once the job's stored log reached its cap (as far as the recorder knows): output reported
   * from then on is dropped, so a launcher may stop reading it.
   */
  logFull?(key: JobKey): boolean;
}

/**
 * Runs a piece of work again while it fails transiently (store throttling, a 5xx, a dropped
 * connection), with backoff; anything else is rethrown at once. The policy library lives in an
 * adapter, so the core stays free of it.
 */
export interface TransientRetry {
  /** @throws the last error once the tries are spent, or the first one that is not transient. */
  execute<T>(work: () => Promise<T>): Promise<T>;
}
