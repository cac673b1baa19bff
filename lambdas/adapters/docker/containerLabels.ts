import type { JobKey } from '../../core';

/** Labels every job container carries; `managed` is how list() finds them. */
export const Labels = {
  managed: 'cronium.managed',
  job: 'cronium.job',
  tenant: 'cronium.tenant',
  runtime: 'cronium.runtime',
  /** Which control plane owns it, so several can share one engine without reaping each other's containers. */
  instance: 'cronium.instance',
} as const;

/** The job a container belongs to, or undefined when its labels are incomplete. */
export const keyFromLabels = (labels: Record<string, string> | undefined): JobKey | undefined => {
  const tenant = labels?.[Labels.tenant];
  const jobId = labels?.[Labels.job];
  return tenant && jobId ? { tenant, jobId } : undefined;
};
