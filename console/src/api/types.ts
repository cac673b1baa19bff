// The shapes the console reads, as the REST API returns them (README.md, "The API"; a job's view has
// no script, env values or input); fields it does not show are left out.
export type JobStatus = 'queued' | 'claimed' | 'running' | 'completed' | 'failed' | 'timeout' | 'cancelled';

export interface JobError {
  code: string;
  message: string;
}

export interface Job {
  id: string;
  status: JobStatus;
  runtime: string;
  output?: unknown;
  condition?: boolean;
  outputError?: string;
  eventId?: string;
  eventName?: string;
  workflowRunId?: string;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  exitCode?: number;
  error?: JobError;
  attempt?: number;
  attempts?: { attempt: number; status: string; exitCode?: number; error?: JobError; startedAt?: string; finishedAt: string }[];
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
