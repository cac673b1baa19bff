import type { JobHook } from '../jobs/jobHook';
import type { Job } from '../model';
import type { Metrics } from '../ports';

const seconds = (from: string | undefined, to: string | undefined): number | undefined => {
  if (!from || !to) return undefined;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) && ms >= 0 ? ms / 1000 : undefined;
};

/** Bounded labels of a job: its runtime and target kind, never its id or tenant. */
const labelsOf = (job: Job) => ({ runtime: job.runtime, target: job.target?.type ?? (job.runtime === 'http' ? 'http' : 'container') });

/** The job figures (docs/operate.md): counts per transition, durations, waits, active and waiting. */
export const jobMetricsHook = (metrics: Metrics): JobHook => ({
  name: 'metrics',
  async changed(job, from) {
    const labels = labelsOf(job);
    metrics.member('cronium_jobs_waiting', job.id, job.status === 'queued');
    metrics.member('cronium_jobs_active', job.id, job.status === 'claimed' || job.status === 'running');
    switch (job.status) {
      case 'queued':
        if (from === undefined) {
          metrics.count('cronium_jobs_received_total', labels);
          if (job.scheduleId) metrics.count('cronium_schedule_fires_total', { runtime: job.runtime });
        } else if (from !== 'queued' && from !== 'claimed') metrics.count('cronium_jobs_retried_total', labels);
        return;
      case 'running': {
        metrics.count('cronium_jobs_started_total', labels);
        const wait = seconds(job.scheduledAt ?? job.createdAt, job.startedAt);
        if (wait !== undefined) metrics.observe('cronium_job_queue_wait_seconds', wait, labels);
        const lag = seconds(job.scheduledAt, job.startedAt);
        if (lag !== undefined) metrics.observe('cronium_schedule_lag_seconds', lag, { runtime: job.runtime });
        return;
      }
      case 'completed':
        metrics.count('cronium_jobs_completed_total', labels);
        break;
      case 'failed':
      case 'timeout':
        metrics.count('cronium_jobs_failed_total', { ...labels, code: job.error?.code ?? job.status });
        break;
      case 'cancelled':
        metrics.count('cronium_jobs_cancelled_total', labels);
        break;
      default:
        return;
    }
    const duration = seconds(job.startedAt, job.finishedAt);
    if (duration !== undefined) metrics.observe('cronium_job_duration_seconds', duration, { ...labels, status: job.status });
  },
});
