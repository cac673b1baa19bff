import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, containersOf, eventually, waitForJob } from './harness';

const SECRET = 'sup3r-s3cret-9f2c7a';

/** The local control plane as its own process, as `npm start` runs it; everything it writes is kept. */
const startProcess = async (dataDir: string) => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'lambdas/local/start.ts'], {
    env: { ...process.env, CRONIUM_DATA_DIR: dataDir, CRONIUM_PORT: '0', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stderr.on('data', (d) => (out.stderr += String(d)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out.stdout += String(d);
      const found = out.stdout.match(/running at (http:\/\/\S+)/);
      if (found) resolve(found[1]!);
    });
    child.once('exit', (code) => reject(new Error(`control plane exited with ${code}: ${out.stdout}${out.stderr}`)));
  });
  const key = (await readFile(join(dataDir, 'admin-key'), 'utf8')).trim();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, out, exited, api: apiClient(url, key) };
};

describe('a control plane stopped with SIGTERM and started again', () => {
  let dataDir: string;
  let current: ChildProcess | undefined;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'cronium-sigterm-'));
  });
  afterAll(async () => {
    if (current && current.exitCode === null && current.signalCode === null) current.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  it('stops cleanly, leaves the running container, and the job completes after restart with all its lines; no secret in its logs', async () => {
    const first = await startProcess(dataDir);
    current = first.child;
    await first.api.put('/variables/TOKEN', { value: SECRET, secret: true });
    // Long enough (9 s) that the container still runs when the stopped process is checked on a busy machine.
    const script = 'echo "token $TOKEN"; for i in $(seq 1 30); do echo "line $i"; sleep 0.3; done';
    const { body } = await first.api.post('/jobs', { runtime: 'bash', script, env: { TOKEN: { fromVariable: 'TOKEN' } } });
    await eventually(async () => ((await first.api.get(`/jobs/${body.id}/logs`)).body.nextSeq >= 6 ? true : undefined));

    first.child.kill('SIGTERM');
    const code = await first.exited;
    const left = await containersOf(body.id);

    expect(code).toBe(0);
    expect(first.out.stdout).toContain('Stopped.');
    expect(left.map((c) => c.State)).toEqual(['running']);

    const second = await startProcess(dataDir);
    current = second.child;
    const job = await waitForJob(second.api, body.id, 30_000);
    const lines = (await second.api.get(`/jobs/${body.id}/logs?limit=5000`)).body.items.map((l: any) => l.line);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);

    expect(job).toMatchObject({ status: 'completed', exitCode: 0 });
    expect(lines).toEqual(['token ***', ...Array.from({ length: 30 }, (_, i) => `line ${i + 1}`)]);
    const logs = [first.out, second.out].map((o) => o.stdout + o.stderr).join('\n');
    expect(logs).not.toContain(SECRET);
    const logLines = [first.out.stderr, second.out.stderr].flatMap((s) => s.split('\n')).filter((l) => l.trim() !== '');
    expect(logLines.length).toBeGreaterThan(0);
    for (const line of logLines) expect(() => JSON.parse(line), line).not.toThrow();
  }, 90_000);
});
