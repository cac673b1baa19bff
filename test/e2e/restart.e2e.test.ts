import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from './harness';
import { apiClient, eventually, waitForJob } from './harness';

/** The local control plane as its own process, as `npm start` runs it. */
const startProcess = async (dataDir: string) => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'lambdas/local/start.ts'], {
    env: { ...process.env, CRONIUM_DATA_DIR: dataDir, CRONIUM_PORT: '0', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr.on('data', (d) => (output += String(d)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      output += String(d);
      const found = output.match(/running at (http:\/\/\S+)/);
      if (found) resolve(found[1]!);
    });
    child.once('exit', (code) => reject(new Error(`control plane exited with ${code}: ${output}`)));
  });
  const key = (await readFile(join(dataDir, 'admin-key'), 'utf8')).trim();
  return { child, api: apiClient(url, key) };
};

const killHard = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });

describe('a control plane killed with SIGKILL and started again', () => {
  let dataDir: string;
  let current: ChildProcess | undefined;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'cronium-restart-'));
  });
  afterAll(async () => {
    if (current && current.exitCode === null && current.signalCode === null) await killHard(current);
    await rm(dataDir, { recursive: true, force: true });
  });

  const logsOf = async (api: ApiClient, id: string) => (await api.get(`/jobs/${id}/logs?limit=5000`)).body.items;

  it('re-attaches to a container that kept running and stores its whole output once', async () => {
    const first = await startProcess(dataDir);
    current = first.child;
    const script = 'for i in $(seq 1 40); do echo "line $i"; sleep 0.1; done';
    const { body } = await first.api.post('/jobs', { runtime: 'bash', script });
    await eventually(async () => ((await first.api.get(`/jobs/${body.id}/logs`)).body.nextSeq >= 8 ? true : undefined));

    await killHard(first.child);
    await new Promise((r) => setTimeout(r, 1000));
    const second = await startProcess(dataDir);
    current = second.child;
    const job = await waitForJob(second.api, body.id, 30_000);
    const lines = await logsOf(second.api, body.id);

    expect(job).toMatchObject({ status: 'completed', exitCode: 0 });
    expect(lines.map((l: any) => l.line)).toEqual(Array.from({ length: 40 }, (_, i) => `line ${i + 1}`));
    expect(lines.map((l: any) => l.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    await killHard(second.child);
  }, 90_000); // two start-ups of the control plane and a 4 s job: 26 s on a busy machine

  it('ends a job whose container disappeared meanwhile as failed with reason lost', async () => {
    const first = await startProcess(dataDir);
    current = first.child;
    const { body } = await first.api.post('/jobs', { runtime: 'bash', script: 'echo up; sleep 60' });
    await eventually(async () => ((await first.api.get(`/jobs/${body.id}`)).body.status === 'running' ? true : undefined));

    await killHard(first.child);
    const docker = new Docker();
    for (const c of await docker.listContainers({ all: true, filters: { label: [`cronium.job=${body.id}`] } })) {
      await docker.getContainer(c.Id).remove({ force: true, v: true });
    }
    const second = await startProcess(dataDir);
    current = second.child;
    const job = await waitForJob(second.api, body.id, 15_000);

    expect(job).toMatchObject({ status: 'failed', error: { code: 'lost' } });
    await killHard(second.child);
  });
});
