import { describe, expect, it } from 'vitest';
import { routeHttpJobs } from '../../../lambdas/adapters/http';
import type { ContainerLauncher, ExecutionInfo } from '../../../lambdas/core/ports/runtime';
import { jobFactory } from '../../helpers/factories';

const recordingLauncher = (name: string, refs: ExecutionInfo[]) => {
  const calls: string[] = [];
  const launcher: ContainerLauncher = {
    async create(request) {
      calls.push(`create ${request.job.id}`);
      return `${name === 'http' ? 'http:' : ''}${request.job.id}`;
    },
    async start(ref) {
      calls.push(`start ${ref}`);
    },
    async stop(ref) {
      calls.push(`stop ${ref}`);
    },
    async list() {
      return refs;
    },
    async reattach(ref, _job, token) {
      calls.push(`reattach ${ref} ${token}`);
    },
  };
  return { launcher, calls };
};

describe('routeHttpJobs', () => {
  it('sends http jobs to the http launcher and script jobs to the other, by runtime and by ref', async () => {
    const http = recordingLauncher('http', [{ key: { tenant: 'acme', jobId: 'h1' }, ref: 'http:h1', running: true }]);
    const scripts = recordingLauncher('docker', [{ key: { tenant: 'acme', jobId: 's1' }, ref: 'abc123', running: true }]);
    const launcher = routeHttpJobs({ http: http.launcher, scripts: scripts.launcher });
    const httpJob = jobFactory({ id: 'h1', runtime: 'http', script: undefined, http: { method: 'GET', url: 'https://example.com/', headers: {}, timeoutMs: 1000 } });
    const scriptJob = jobFactory({ id: 's1' });

    const httpRef = await launcher.create({ job: httpJob, env: {}, workspace: {} });
    const scriptRef = await launcher.create({ job: scriptJob, env: {}, workspace: {} });
    await launcher.start(httpRef, httpJob);
    await launcher.start(scriptRef, scriptJob);
    await launcher.stop(httpRef);
    await launcher.reattach(scriptRef, scriptJob, '7');
    const listed = await launcher.list();

    expect(http.calls).toEqual(['create h1', 'start http:h1', 'stop http:h1']);
    expect(scripts.calls).toEqual(['create s1', 'start s1', 'reattach s1 7']);
    expect(listed.map((e) => e.ref)).toEqual(['http:h1', 'abc123']);
  });
});
