import type { ExecutionResult, Job, JobError, JobStatus, TerminalStatus } from '../model';

/** How a job ends: its status and what it produced. */
export interface Ending {
  status: TerminalStatus;
  exitCode?: number;
  error?: JobError;
  /** What the run produced, stored with the ending. */
  results?: Pick<Job, 'output' | 'condition' | 'outputError'>;
  /** How each server's execution ended, for a job that ran on several. */
  executions?: ExecutionResult[];
  /** End the job only while it is in one of these statuses (e.g. a dead letter ends only a job not yet running). */
  onlyFrom?: readonly JobStatus[];
}
