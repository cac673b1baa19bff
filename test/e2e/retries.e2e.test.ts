import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from './harness';
import { startHarness, waitForJob } from './harness';

describe('retries, end to end with real containers', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('runs a failing script again after its backoff, keeping the id, every attempt and every attempt’s log', async () => {
    const event = await h.admin.post('/events', {
      name: 'flaky',
      runtime: 'bash',
      script: 'echo "try at $(date +%s%N)"\nexit 7\n',
      retries: { max: 2, backoffSeconds: 1, factor: 2, maxBackoffSeconds: 2 },
    });
    expect(event.status).toBe(201);
    expect(event.body.retries).toEqual({ max: 2, backoffSeconds: 1, factor: 2, maxBackoffSeconds: 2 });

    const run = await h.admin.post(`/events/${event.body.id}/runs`);
    const job = await waitForJob(h.admin, run.body.id, 60_000);
    const logs = await h.admin.get(`/jobs/${run.body.id}/logs`);

    expect(job).toMatchObject({ id: run.body.id, status: 'failed', exitCode: 7, attempt: 3 });
    expect(job.attempts.map((a: { attempt: number; status: string; exitCode: number }) => [a.attempt, a.status, a.exitCode])).toEqual([
      [1, 'failed', 7],
      [2, 'failed', 7],
      [3, 'failed', 7],
    ]);
    // Each retry waited at least half its backoff (1 s, then 2 s) after the previous attempt ended.
    const [a1, a2, a3] = job.attempts as { startedAt: string; finishedAt: string }[];
    expect(Date.parse(a2!.startedAt) - Date.parse(a1!.finishedAt)).toBeGreaterThanOrEqual(500);
    expect(Date.parse(a3!.startedAt) - Date.parse(a2!.finishedAt)).toBeGreaterThanOrEqual(1000);
    const lines = logs.body.items as { seq: number; stream: string; line: string; attempt?: number }[];
    expect(lines.filter((l) => l.stream === 'stdout').map((l) => l.attempt ?? 1)).toEqual([1, 2, 3]);
    expect(lines.filter((l) => l.stream === 'system').map((l) => l.line)).toEqual([
      expect.stringMatching(/^\[cronium\] attempt 1 ended failed \(exit_nonzero, exit 7\); attempt 2 of 3 starts in \d+ s$/),
      expect.stringMatching(/^\[cronium\] attempt 2 ended failed \(exit_nonzero, exit 7\); attempt 3 of 3 starts in \d+ s$/),
    ]);
    expect(lines.map((l) => l.seq)).toEqual(lines.map((_, i) => i + 1));
  }, 90_000);

  it('does not retry a cancelled job', async () => {
    const run = await h.admin.post('/jobs', { runtime: 'bash', script: 'echo up\nsleep 30\n', retries: { max: 3, backoffSeconds: 1 } });
    expect(run.status).toBe(202);
    for (let i = 0; i < 100 && (await h.admin.get(`/jobs/${run.body.id}`)).body.status !== 'running'; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }

    await h.admin.post(`/jobs/${run.body.id}/cancel`);
    const job = await waitForJob(h.admin, run.body.id, 20_000);
    await new Promise((r) => setTimeout(r, 2000));
    const later = (await h.admin.get(`/jobs/${run.body.id}`)).body;

    expect(job.status).toBe('cancelled');
    expect(later.status).toBe('cancelled');
    expect(later.attempts.map((a: { status: string }) => a.status)).toEqual(['cancelled']);
  }, 60_000);

  it('refuses a retry policy out of bounds with a 400 naming the field', async () => {
    const res = await h.admin.post('/jobs', { runtime: 'bash', script: 'true', retries: { max: 99 } });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/retries\.max/);
  });
});
