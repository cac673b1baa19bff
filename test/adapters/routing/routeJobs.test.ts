import { describe, expect, it } from 'vitest';
import { routeJobs } from '../../../lambdas/adapters/routing';
import type { ExecutionLauncher } from '../../../lambdas/core';
import { jobFactory } from '../../helpers/factories';

/** A launcher that makes refs with its name and records which calls reached it. */
const named = (name: string) => {
  const calls: string[] = [];
  const launcher: ExecutionLauncher = {
    create: async () => (calls.push('create'), `${name}:1`),
    start: async (ref) => void calls.push(`start ${ref}`),
    stop: async (ref) => void calls.push(`stop ${ref}`),
    reattach: async (ref) => void calls.push(`reattach ${ref}`),
    list: async () => [{ key: { tenant: 't', jobId: name }, ref: `${name}:1`, running: true }],
  };
  return { launcher, calls };
};

describe('routeJobs', () => {
  it('creates each job with the first launcher that takes it, else the fallback, and routes refs back to their maker', async () => {
    const http = named('http');
    const docker = named('docker');
    const router = routeJobs(
      [{ launcher: http.launcher, takes: (j) => j.runtime === 'http', owns: (r) => r.startsWith('http:') }],
      docker.launcher,
    );
    const httpJob = jobFactory({ runtime: 'http', script: undefined });
    const scriptJob = jobFactory({ runtime: 'bash' });

    const refs = [
      await router.create({ job: httpJob, env: {}, workspace: {} }),
      await router.create({ job: scriptJob, env: {}, workspace: {} }),
    ];
    for (const ref of refs) await router.stop(ref);

    expect(refs).toEqual(['http:1', 'docker:1']);
    expect(http.calls).toEqual(['create', 'stop http:1']);
    expect(docker.calls).toEqual(['create', 'stop docker:1']);
    expect((await router.list()).map((e) => e.ref)).toEqual(['http:1', 'docker:1']);
  });

  it('says a job is handed over only when the launcher that takes it hands it over', () => {
    const runner = named('runner');
    const router = routeJobs(
      [
        {
          launcher: { ...runner.launcher, handsOver: () => true },
          takes: (j) => j.runtime === 'http',
          owns: (r) => r.startsWith('runner:'),
        },
      ],
      named('docker').launcher,
    );

    expect(router.handsOver?.(jobFactory({ runtime: 'http', script: undefined }))).toBe(true);
    expect(router.handsOver?.(jobFactory({ runtime: 'bash' }))).toBe(false);
  });
});
