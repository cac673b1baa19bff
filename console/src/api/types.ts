// The shapes the console reads, as the REST API returns them (README.md, "The API"); fields it does
// not show are left out.
export type JobStatus = 'queued' | 'claimed' | 'running' | 'completed' | 'failed' | 'timeout' | 'cancelled';

export interface JobError {
  code: string;
  message: string;
}

export interface Job {
  id: string;
  status: JobStatus;
  runtime: string;
  script?: string;
  env?: Record<string, unknown>;
  input?: unknown;
  output?: unknown;
  condition?: boolean;
  outputError?: string;
  eventId?: string;
  eventName?: string;
  scheduleId?: string;
  workflowRunId?: string;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  exitCode?: number;
  error?: JobError;
  timeoutSeconds?: number;
  resources?: unknown;
  target?: unknown;
  http?: unknown;
  tool?: unknown;
  retries?: unknown;
  priority?: string;
  attempt?: number;
  attempts?: { attempt: number; status: string; exitCode?: number; error?: JobError; startedAt?: string; finishedAt: string }[];
  retryAt?: string;
  executions?: { server?: string; serverId?: string; status?: string; exitCode?: number; error?: JobError }[];
  notifications?: { on: string[]; status: string; attempts: number; lastError?: string; sentAt?: string }[];
}

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export interface LogLine {
  seq: number;
  stream: 'stdout' | 'stderr';
  ts: string;
  line: string;
  server?: string;
  attempt?: number;
}

export const terminalStatuses: ReadonlySet<string> = new Set(['completed', 'failed', 'timeout', 'cancelled']);
export const jobStatuses: readonly JobStatus[] = ['queued', 'claimed', 'running', 'completed', 'failed', 'timeout', 'cancelled'];
