import type { NotifyRule } from './notifications/notificationModel';
import type { ToolAction } from './tools/toolModel';

/** Script runtimes a container (or server) can run. */
export const ScriptRuntimes = ['bash', 'python', 'node'] as const;
export type ScriptRuntime = (typeof ScriptRuntimes)[number];

/**
 * Every kind of job: a script runtime, `http` (a request the control plane makes itself) or `tool`
 * (a tool action the control plane performs: webhook, Slack, Discord, email; docs/notifications.md).
 */
export const Runtimes = [...ScriptRuntimes, 'http', 'tool'] as const;
export type Runtime = (typeof Runtimes)[number];

export const isScriptRuntime = (r: Runtime): r is ScriptRuntime => (ScriptRuntimes as readonly string[]).includes(r);

/** An environment value: literal, or taken from the tenant's variable store when the job starts. */
export type EnvValue = string | { fromVariable: string };

/** What an `http` job requests. */
export interface HttpRequestSpec {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /** The status that counts as success; by default any 2xx. */
  expectStatus?: number;
}

export const JobStatuses = ['queued', 'claimed', 'running', 'completed', 'failed', 'timeout', 'cancelled'] as const;
export type JobStatus = (typeof JobStatuses)[number];

const terminalStatusList = ['completed', 'failed', 'timeout', 'cancelled'] as const satisfies readonly JobStatus[];
/** A status a job never leaves. */
export type TerminalStatus = (typeof terminalStatusList)[number];
/** The one terminal-status set: every other check (lifecycle, reaper, tests) uses it. */
export const TerminalStatuses: ReadonlySet<JobStatus> = new Set(terminalStatusList);
export const isTerminal = (s: JobStatus): s is TerminalStatus => TerminalStatuses.has(s);

/** Limits a job's container runs under. */
export interface Resources {
  /** CPUs (fractional), e.g. 0.5. */
  cpu: number;
  memoryMb: number;
  pids: number;
  /** Size of the workspace's writable `out/` in MiB; absent on jobs stored before it existed (the launcher's default). */
  diskMb?: number;
}

/** Where a script runs: a fresh container (the default), or the user's own servers over SSH, all at once. */
export type Target = { type: 'container' } | { type: 'ssh'; serverIds: string[] };

/**
 * How a failed or timed-out job runs again (docs/lifecycle.md, Retries): at most `max` more attempts,
 * the nth retry after `min(maxBackoffSeconds, backoffSeconds * factor^(n-1))` seconds, jittered down
 * to half of it at most.
 */
export interface RetryPolicy {
  max: number;
  backoffSeconds: number;
  factor: number;
  maxBackoffSeconds: number;
}

/** Which waiting job a freed slot goes to first; age decides within one priority. */
export const Priorities = ['high', 'normal', 'low'] as const;
export type Priority = (typeof Priorities)[number];

/** Runs of one event at once: above `max`, a new run waits (`queue`) or ends `cancelled` (`skip`). */
export interface ConcurrencyLimit {
  max: number;
  onLimit: 'queue' | 'skip';
}

/** How one attempt of a retried job ended. */
export interface AttemptRecord {
  attempt: number;
  status: 'completed' | 'failed' | 'timeout' | 'cancelled';
  exitCode?: number;
  error?: JobError;
  startedAt?: string;
  finishedAt: string;
}

/**
 * What to run: shared by saved events and the jobs they start. A script job has `script`, an http
 * job `http`, a tool job `tool`.
 */
export interface JobSpec {
  runtime: Runtime;
  script?: string;
  http?: HttpRequestSpec;
  tool?: ToolAction;
  /** Tool actions performed when the job starts or ends (docs/notifications.md). */
  notify?: NotifyRule[];
  /** Absent means a container. */
  target?: Target;
  env: Record<string, EnvValue>;
  timeoutSeconds: number;
  resources: Resources;
  /** Absent: a failure is final. */
  retries?: RetryPolicy;
  /** Absent means `normal`. */
  priority?: Priority;
  /** An event's limit on its runs at once (a job copies its event's); absent: only the global cap. */
  concurrency?: ConcurrencyLimit;
}

/** A saved job definition. */
export interface EventDef extends JobSpec {
  tenant: string;
  id: string;
  name: string;
  createdAt: string;
  updatedAt: string;
}

/** `{code, message}` as users see it. */
export interface JobError {
  code: string;
  message: string;
}

/** One run of an event or an ad-hoc script. `version` guards every transition. */
export interface Job extends JobSpec {
  tenant: string;
  id: string;
  eventId?: string;
  eventName?: string;
  /** The schedule that started it, and the fire time it planned (ISO, UTC): `scheduledAt` of its run context. */
  scheduleId?: string;
  scheduledAt?: string;
  /** The workflow run it is a step of (docs/workflows.md): `workflowRunId` and `workflowStep` of its run context. */
  workflowId?: string;
  workflowRunId?: string;
  workflowStepId?: string;
  status: JobStatus;
  version: number;
  createdAt: string;
  claimedAt?: string;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  /** Epoch ms after which a running job is killed and ends `timeout`. */
  deadlineAt?: number;
  exitCode?: number;
  error?: JobError;
  /** Launcher reference of the execution (container id, task ARN). */
  executionRef?: string;
  /** Concurrency slot held while claimed or running. */
  slot?: number;
  /**
   * Set while a `queued` job waits in the store for a concurrency slot: it has no queue message then,
   * and the next freed slot offers it (docs/lifecycle.md).
   */
  waitingSince?: string;
  /** When the job's latest queue message becomes deliverable; absent means at `createdAt`. */
  offeredAt?: string;
  /** Launches refused as retryable (capacity, throttling) so far; each waits longer before the next. */
  launchAttempts?: number;
  /** Slot of the event's own limit held while claimed or running. */
  eventSlot?: number;
  /** Set while a `queued` job waits for a slot of its event's limit (with `waitingSince`). */
  waitingForEvent?: boolean;
  /**
   * Set when a WebSocket client subscribes to the job, and kept: a status push looks for subscribers
   * only when the job it pushes has it, so a job nobody watched pays no subscription read.
   */
  watched?: boolean;
  /**
   * The tenant's variables version its submission saw (QueuedAdmission): a dispatch may use a list
   * of the variables it read under that version instead of reading them again. Absent on jobs
   * created ahead of their time (schedule fires) and on workflow steps: those always read.
   */
  variablesVersion?: number;
  /** Which run of the job this is, from 1; absent means 1. */
  attempt?: number;
  /** Each ended attempt of a job with a retry policy, oldest first. */
  attempts?: AttemptRecord[];
  /** While a retry is due: not dispatched before this time (ISO). */
  retryAt?: string;
  /** The run's input (`in/input.json`). */
  input?: unknown;
  /** What the script passed to `output()`, or an http job's response. */
  output?: unknown;
  /** What the script passed to `condition()`. */
  condition?: boolean;
  /** Why the script's results were not accepted (too large, not JSON), when they were not. */
  outputError?: string;
  /** One per server of an ssh target, when it has ended. */
  executions?: ExecutionResult[];
}

/** How one execution of a multi-target job ended. */
export interface ExecutionResult {
  serverId: string;
  serverName: string;
  status: Extract<JobStatus, 'completed' | 'failed' | 'timeout' | 'cancelled'>;
  exitCode?: number;
  error?: JobError;
  output?: unknown;
  condition?: boolean;
}

/** A user's server reachable over SSH. Its key (and passphrase) are stored only encrypted. */
export interface Server {
  tenant: string;
  id: string;
  name: string;
  host: string;
  port: number;
  username: string;
  privateKeyCiphertext: string;
  passphraseCiphertext?: string;
  /** `SHA256:…`: given by the user, or recorded at the first successful connection. */
  hostKeyFingerprint?: string;
  /** When the fingerprint was recorded on first use (absent when the user pinned it). */
  hostKeyTrustedAt?: string;
  createdAt: string;
  updatedAt: string;
}

/** A server with its credentials decrypted, as only a launcher sees it. */
export interface ServerCredentials {
  id: string;
  name: string;
  host: string;
  port: number;
  username: string;
  privateKey: string;
  passphrase?: string;
  hostKeyFingerprint?: string;
}

/** A tenant's variable. A secret's value is stored only encrypted and never returned. */
export interface Variable {
  tenant: string;
  key: string;
  secret: boolean;
  /** Plain JSON value of a non-secret variable. */
  value?: unknown;
  /** Encrypted JSON of a secret variable's value. */
  ciphertext?: string;
  updatedAt: string;
}

export const LogStreams = ['stdout', 'stderr', 'system'] as const;
export type LogStream = (typeof LogStreams)[number];

/** One stored line of a job's log. `seq` starts at 1 and has no gaps. */
export interface LogLine {
  seq: number;
  stream: LogStream;
  ts: string;
  line: string;
  /** The server that wrote it, for jobs that run on several. */
  server?: string;
  /** The attempt that wrote it, on jobs run more than once (retries); absent means 1. */
  attempt?: number;
}

/** Identifies a job across tenants: every store call carries the tenant. */
export interface JobKey {
  tenant: string;
  jobId: string;
}

/** One string per job, for maps and sets keyed by job (no tenant or id holds a NUL). */
export const jobKeyId = (key: JobKey): string => `${key.tenant}\u0000${key.jobId}`;

/**
 * What a key may do: an `operator` manages keys of every tenant, an `admin` the keys of its own
 * tenant, a `user` neither. All three use the API within their own tenant.
 */
export const ApiKeyRoles = ['operator', 'admin', 'user'] as const;
export type ApiKeyRole = (typeof ApiKeyRoles)[number];

/** Whether `v` is one of the ApiKeyRoles (authorizer contexts arrive untyped). */
export const isApiKeyRole = (v: unknown): v is ApiKeyRole => (ApiKeyRoles as readonly unknown[]).includes(v);

export interface ApiKeyRecord {
  /**
   * Names the key in listings and revocation; neither its hash nor its secret.
   * Absent only on keys stored before keys had ids: those authenticate but are not listed.
   */
  id?: string;
  /** sha256 of the key, hex. The key itself is never stored. */
  hash: string;
  tenant: string;
  role: ApiKeyRole;
  createdAt: string;
  /** The key's last four characters, so its holder can tell keys apart in a listing. */
  lastFour?: string;
}

/** Who is calling, as resolved by the authorizer. */
export interface Caller {
  tenant: string;
  role: ApiKeyRole;
}
