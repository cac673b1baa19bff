import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from './harness';
import { containersOf, eventually, openSocket, startHarness, waitForJob } from './harness';

describe('a script job, end to end over REST and WebSocket', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('runs a Python script, streams its output live and stores the result', async () => {
    const ws = await openSocket(h.local.wsUrl, h.local.adminKey);
    const script = 'import time\nprint("hello", flush=True)\ntime.sleep(1)\nprint("world")\n';

    const submitted = await h.admin.post('/jobs', { runtime: 'python', script });
    expect(submitted.status).toBe(202);
    expect(submitted.body).toMatchObject({ id: expect.any(String), status: 'queued' });
    const id = submitted.body.id;
    ws.subscribe(id, 0);

    const first = (await ws.waitFor((m) => m.type === 'logs' && m.lines.some((l: any) => l.line === 'hello'))).lines[0];
    const running = await h.admin.get(`/jobs/${id}`);
    const done = await ws.waitFor((m) => m.type === 'status' && m.status === 'completed');

    expect(first).toMatchObject({ seq: 1, stream: 'stdout' });
    expect(running.body.status).toBe('running');
    expect(ws.logs(id).map((m) => [m.seq, m.line])).toEqual([
      [1, 'hello'],
      [2, 'world'],
    ]);
    expect(done).toMatchObject({ exitCode: 0, lastSeq: 2 });
    const statuses = ws.messages.filter((m) => m.type === 'status').map((m) => m.status);
    expect(statuses).toContain('running');
    expect(statuses.at(-1)).toBe('completed');

    const job = (await h.admin.get(`/jobs/${id}`)).body;
    expect(job).toMatchObject({ id, status: 'completed', exitCode: 0, runtime: 'python' });
    expect(job.durationMs).toBeGreaterThanOrEqual(1000);
    expect(Date.parse(job.finishedAt)).toBeGreaterThanOrEqual(Date.parse(job.startedAt));
    const logs = (await h.admin.get(`/jobs/${id}/logs?after=0`)).body;
    expect(logs.items.map((l: any) => l.line)).toEqual(['hello', 'world']);
    expect(logs.nextSeq).toBe(2);
    expect((await h.admin.get(`/jobs/${id}/logs?after=1`)).body.items.map((l: any) => l.seq)).toEqual([2]);
    ws.close();
  });

  it('runs the job in a hardened container: uid 1000, no capabilities, no new privileges, read-only root, loopback only', async () => {
    const script = [
      'id -u',
      'grep CapEff /proc/self/status',
      'grep NoNewPrivs /proc/self/status',
      'touch /probe 2>/dev/null && echo root-writable || echo root-read-only',
      'echo tmp > /tmp/probe && echo tmp-writable',
      'ls /sys/class/net',
    ].join('\n');

    const { body } = await h.admin.post('/jobs', { runtime: 'bash', script });
    const job = await waitForJob(h.admin, body.id);
    const lines = (await h.admin.get(`/jobs/${body.id}/logs`)).body.items.map((l: any) => l.line);

    expect(job.status).toBe('completed');
    expect(lines).toEqual(['1000', 'CapEff:\t0000000000000000', 'NoNewPrivs:\t1', 'root-read-only', 'tmp-writable', 'lo']);
  });

  it('runs Node.js scripts and keeps stdout and stderr apart', async () => {
    const script = 'console.log("out"); console.error("err"); process.exit(3);';

    const { body } = await h.admin.post('/jobs', { runtime: 'node', script });
    const job = await waitForJob(h.admin, body.id);
    const lines = (await h.admin.get(`/jobs/${body.id}/logs`)).body.items;

    expect(job).toMatchObject({ status: 'failed', exitCode: 3, error: { code: 'exit_nonzero' } });
    expect(lines.map((l: any) => [l.stream, l.line]).sort()).toEqual([
      ['stderr', 'err'],
      ['stdout', 'out'],
    ]);
  });

  it('reports a job killed for memory as oom', async () => {
    const script = 'x = bytearray(512 * 1024 * 1024)\nprint(len(x))\n';

    const { body } = await h.admin.post('/jobs', { runtime: 'python', script, resources: { memoryMb: 64 } });
    const job = await waitForJob(h.admin, body.id);

    expect(job).toMatchObject({ status: 'failed', error: { code: 'oom' } });
  });

  it('ends a job that outlives its timeout as timeout', async () => {
    const { body } = await h.admin.post('/jobs', { runtime: 'bash', script: 'echo start; sleep 30', timeoutSeconds: 1 });
    const job = await waitForJob(h.admin, body.id);

    expect(job).toMatchObject({ status: 'timeout', error: { code: 'timeout' } });
    expect(job.durationMs).toBeLessThan(10_000);
    await eventually(async () => ((await containersOf(body.id)).length === 0 ? true : undefined), 15_000, 'container removal');
  });

  it('cancels a running job and tells subscribers', async () => {
    const ws = await openSocket(h.local.wsUrl, h.local.adminKey);
    const { body } = await h.admin.post('/jobs', { runtime: 'bash', script: 'echo started; sleep 60' });
    ws.subscribe(body.id);
    await ws.waitFor((m) => m.type === 'logs' && m.lines.some((l: any) => l.line === 'started'));

    const cancelled = await h.admin.post(`/jobs/${body.id}/cancel`);
    const pushed = await ws.waitFor((m) => m.type === 'status' && m.status === 'cancelled');

    expect(cancelled.status).toBe(202);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', error: { code: 'cancelled' } });
    expect(pushed.jobId).toBe(body.id);
    expect((await h.admin.post(`/jobs/${body.id}/cancel`)).body.status).toBe('cancelled');
    await eventually(async () => ((await containersOf(body.id)).length === 0 ? true : undefined), 15_000, 'container removal');
    ws.close();
  });
});
