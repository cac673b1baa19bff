import { randomUUID } from 'node:crypto';
import type { Job, Runtime } from '../../../lambdas/core/model';

/** A running job for the launcher, with small limits; override anything. */
export const jobFactory = (o: Partial<Job> & { runtime: Runtime }): Job => ({
  tenant: 'tenant-docker-test',
  id: `job-${randomUUID()}`,
  status: 'running',
  version: 1,
  createdAt: new Date().toISOString(),
  env: {},
  timeoutSeconds: 60,
  resources: { cpu: 0.5, memoryMb: 128, pids: 64 },
  ...o,
});
