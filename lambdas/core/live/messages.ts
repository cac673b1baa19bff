import type { Job, JobError, LogLine } from '../model';
import { isTerminal } from '../model';

/** A log line as pushed to WebSocket subscribers. */
export interface LogMessage extends LogLine {
  type: 'log';
  jobId: string;
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

export const logMessage = (jobId: string, line: LogLine): LogMessage => ({ type: 'log', jobId, ...line });

export const statusMessage = (job: Job, lastSeq?: number): StatusMessage => ({
  type: 'status',
  jobId: job.id,
  status: job.status,
  ...(job.exitCode !== undefined ? { exitCode: job.exitCode } : {}),
  ...(job.error ? { error: job.error } : {}),
  ...(isTerminal(job.status) && lastSeq !== undefined ? { lastSeq } : {}),
});
