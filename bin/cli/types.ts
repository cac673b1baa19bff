/**
 * Wire shapes of the Cronium REST and WebSocket API, as the CLI sees them.
 * Kept apart from the control plane's domain model on purpose: the CLI is a
 * client of the HTTP contract and must not move when the internals do.
 */

/** Script runtimes the control plane can run. */
export const Runtimes = ['bash', 'python', 'node'] as const;
/** One of {@link Runtimes}. */
export type Runtime = (typeof Runtimes)[number];

/** Every job status, in lifecycle order. */
export const JobStatuses = ['queued', 'claimed', 'running', 'completed', 'failed', 'timeout', 'cancelled'] as const;
/** One of {@link JobStatuses}; the last four are terminal. */
export type JobStatus = (typeof JobStatuses)[number];

// The CLI's own copy of the core's TerminalStatuses (lambdas/core/model.ts): the CLI talks to the
// APIs only and may not import the core (the layer rules in docs/architecture.md), so it keeps one.
const terminalStatuses: ReadonlySet<string> = new Set<JobStatus>(['completed', 'failed', 'timeout', 'cancelled']);

/** True once a job can no longer change status. */
export const isTerminalStatus = (status: string): boolean => terminalStatuses.has(status);

/** `{code, message}` as the API reports a job's failure or a request's error. */
export interface ApiErrorBody {
  code: string;
  message: string;
}

/** Container limits; every field is optional on input. */
export interface Resources {
  cpu?: number;
  memoryMb?: number;
  pids?: number;
}

/** What to run: the body of `POST /jobs`, and the spec part of an event. */
export interface JobSpecInput {
  runtime: Runtime;
  script: string;
  env?: Record<string, string>;
  timeoutSeconds?: number;
  resources?: Resources;
}

/** Body of `POST /events` and `PUT /events/{id}`. */
export interface EventInput extends JobSpecInput {
  name: string;
}

/** A job as returned by the API. */
export interface Job {
  id: string;
  status: JobStatus;
  runtime: Runtime;
  eventId?: string;
  exitCode?: number;
  error?: ApiErrorBody;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  timeoutSeconds?: number;
  resources?: Resources;
}

/** A saved event as returned by the API. */
export interface EventDef extends JobSpecInput {
  id: string;
  name: string;
  createdAt?: string;
  updatedAt?: string;
}

/** One page of a cursor-paginated listing. */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

/** Where a line came from: the script's stdout or stderr, or a control-plane notice. */
export type LogStream = 'stdout' | 'stderr' | 'system';

/** One stored line of a job's log; `seq` starts at 1. */
export interface LogLine {
  seq: number;
  stream: LogStream;
  ts: string;
  line: string;
}

/** One page of `GET /jobs/{id}/logs`. */
export interface LogPage {
  items: LogLine[];
  nextSeq: number;
}

/** Filters of `GET /jobs`. */
export interface JobListQuery {
  status?: string;
  eventId?: string;
  limit?: number;
  cursor?: string;
}

/** A status transition pushed over the WebSocket. */
export interface StatusMessage {
  type: 'status';
  jobId: string;
  status: JobStatus;
  exitCode?: number;
  error?: ApiErrorBody;
  /** On a terminal status: the seq of the job's last log line. */
  lastSeq?: number;
}

/** Consecutive log lines pushed over the WebSocket in one frame, in seq order. */
export interface LogsMessage {
  type: 'logs';
  jobId: string;
  lines: LogLine[];
}

/** The subscriber fell behind and its subscription was closed; it resumes with `afterSeq`. */
export interface LaggingMessage {
  type: 'lagging';
  jobId: string;
  sentSeq: number;
}

/** A refusal pushed over the WebSocket (bad subscribe, unknown job...). */
export interface ErrorMessage {
  type: 'error';
  code: string;
  message: string;
}

/** Anything the server pushes over the WebSocket. */
export type ServerMessage = LogsMessage | LaggingMessage | StatusMessage | ErrorMessage;
