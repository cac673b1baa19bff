import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiClient } from './apiClient';
import { drainLogs } from './drainLogs';
import type { LineSequencer } from './lineSequencer';
import { isTerminalStatus, type Job } from './types';

/** Options of {@link pollJob}. */
export interface PollOptions {
  api: ApiClient;
  jobId: string;
  seq: LineSequencer;
  intervalMs: number;
  signal?: AbortSignal;
}

/**
 * Follows a job over REST alone: every `intervalMs`, reads its status then
 * its new log lines, until a terminal status.
 *
 * @throws ApiError, UnreachableError from the REST calls; the abort reason when `signal` aborts.
 */
export const pollJob = async (o: PollOptions): Promise<Job> => {
  const { api, jobId, seq, signal } = o;
  for (;;) {
    // Status first, logs second: once a terminal status is read, the drain after it holds the last line.
    const job = await api.getJob(jobId, { signal });
    await drainLogs(api, jobId, seq, { signal });
    if (isTerminalStatus(job.status)) return job;
    await sleep(o.intervalMs, undefined, { signal });
  }
};
