import type { Job, JobError, LogLine } from '../model';
import { isTerminal } from '../model';

/**
 * Consecutive stored log lines pushed to a WebSocket subscriber in one frame, in `seq` order with no
 * gap: the first line follows the last one the subscriber was sent.
 */
export interface LogsMessage {
  type: 'logs';
  jobId: string;
  lines: LogLine[];
}

/** Pushed on every status change; `lastSeq` (on terminal statuses) is the seq of the job's last line. */
export interface StatusMessage {
  type: 'status';
  jobId: string;
  status: Job['status'];
  exitCode?: number;
  error?: JobError;
  lastSeq?: number;
}

/**
 * The subscriber could not keep up and its subscription was closed; `sentSeq` is the last line it was
 * sent. It resumes with `{"action":"subscribe", jobId, afterSeq}` (the last line it has).
 */
export interface LaggingMessage {
  type: 'lagging';
  jobId: string;
  sentSeq: number;
}

/** Anything the live feed pushes. */
export type LiveMessage = LogsMessage | StatusMessage | LaggingMessage;

export const logsMessage = (jobId: string, lines: LogLine[]): LogsMessage => ({ type: 'logs', jobId, lines });

export const laggingMessage = (jobId: string, sentSeq: number): LaggingMessage => ({ type: 'lagging', jobId, sentSeq });

export const statusMessage = (job: Job, lastSeq?: number): StatusMessage => ({
  type: 'status',
  jobId: job.id,
  status: job.status,
  ...(job.exitCode !== undefined ? { exitCode: job.exitCode } : {}),
  ...(job.error ? { error: job.error } : {}),
  ...(isTerminal(job.status) && lastSeq !== undefined ? { lastSeq } : {}),
});
