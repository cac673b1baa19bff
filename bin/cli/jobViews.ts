import { ExitCodes } from './errors';
import type { FinishedJob } from './followJob';
import { formatDuration, formatTimestamp, renderTable } from './format';
import type { Job } from './types';

const statusWords: Readonly<Record<string, string>> = { timeout: 'timed out' };

/**
 * One line saying how a job ended, e.g. `job j1 completed in 1.2s, exit 0`
 * or `job j1 failed in 0.4s, exit 3: script exited with code 3`.
 */
export const summaryLine = (job: FinishedJob): string => {
  const duration = job.durationMs === undefined ? '' : ` in ${formatDuration(job.durationMs)}`;
  const exit = job.exitCode === undefined ? '' : `, exit ${job.exitCode}`;
  const reason = job.status !== 'completed' && job.error ? `: ${job.error.message}` : '';
  return `job ${job.id} ${statusWords[job.status] ?? job.status}${duration}${exit}${reason}`;
};

/**
 * The exit code that reports a finished job to the shell: the job's own exit
 * code; without one, 0 for completed, 124 for a timeout (as `timeout(1)`), else 1.
 */
export const exitCodeFor = (job: FinishedJob): number => {
  if (job.exitCode !== undefined) return job.exitCode;
  if (job.status === 'completed') return ExitCodes.ok;
  if (job.status === 'timeout') return ExitCodes.timeout;
  return ExitCodes.failure;
};

/** The `jobs list` table: id, status, runtime, exit, created, duration. */
export const jobsTable = (jobs: readonly Job[]): string =>
  renderTable(
    ['ID', 'STATUS', 'RUNTIME', 'EXIT', 'CREATED', 'DURATION'],
    jobs.map((j) => [
      j.id,
      j.status,
      j.runtime,
      j.exitCode === undefined ? '-' : String(j.exitCode),
      formatTimestamp(j.createdAt),
      formatDuration(j.durationMs),
    ]),
  );

const resourcesText = (r: NonNullable<Job['resources']>): string =>
  [
    r.cpu === undefined ? undefined : `cpu ${r.cpu}`,
    r.memoryMb === undefined ? undefined : `memory ${r.memoryMb} MiB`,
    r.pids === undefined ? undefined : `pids ${r.pids}`,
  ]
    .filter(Boolean)
    .join(', ') || '-';

/** `jobs show` as aligned `key: value` lines, leaving out fields the job does not have. */
export const jobDetails = (job: Job): string => {
  const rows: [string, string | undefined][] = [
    ['id', job.id],
    ['status', job.status],
    ['runtime', job.runtime],
    ['event', job.eventId],
    ['exit code', job.exitCode === undefined ? undefined : String(job.exitCode)],
    ['error', job.error ? `${job.error.code}: ${job.error.message}` : undefined],
    ['created', formatTimestamp(job.createdAt)],
    ['started', job.startedAt && formatTimestamp(job.startedAt)],
    ['finished', job.finishedAt && formatTimestamp(job.finishedAt)],
    ['duration', job.durationMs === undefined ? undefined : formatDuration(job.durationMs)],
    ['timeout', job.timeoutSeconds === undefined ? undefined : `${job.timeoutSeconds}s`],
    ['resources', job.resources ? resourcesText(job.resources) : undefined],
  ];
  const shown = rows.filter((r): r is [string, string] => r[1] !== undefined && r[1] !== '');
  const width = Math.max(...shown.map(([k]) => k.length)) + 1;
  return shown.map(([k, v]) => `${`${k}:`.padEnd(width)} ${v}`).join('\n') + '\n';
};
