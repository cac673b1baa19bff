import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from './harness';
import { startHarness, waitForJob } from './harness';

describe('limits, end to end with real containers', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ CRONIUM_MAX_CONCURRENT: '4', CRONIUM_MAX_QUEUED_PER_TENANT: '3' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("an event's concurrency limit of 1 runs its runs one at a time, all of them", async () => {
    const event = await h.admin.post('/events', {
      name: 'one at a time',
      runtime: 'bash',
      script: 'sleep 1\n',
      concurrency: { max: 1, onLimit: 'queue' },
    });
    expect(event.status).toBe(201);
    const runs = await Promise.all([1, 2, 3].map(() => h.admin.post(`/events/${event.body.id}/runs`)));

    const jobs = await Promise.all(runs.map((r) => waitForJob(h.admin, r.body.id, 60_000)));

    expect(jobs.map((j) => j.status)).toEqual(['completed', 'completed', 'completed']);
    const spans = jobs.map((j) => [Date.parse(j.startedAt), Date.parse(j.finishedAt)] as const).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
  }, 90_000);

  it('skip: a run while one is going ends cancelled with concurrency_limit', async () => {
    const event = await h.admin.post('/events', {
      name: 'skip',
      runtime: 'bash',
      script: 'sleep 3\n',
      concurrency: { max: 1, onLimit: 'skip' },
    });
    const first = await h.admin.post(`/events/${event.body.id}/runs`);
    for (let i = 0; i < 100 && (await h.admin.get(`/jobs/${first.body.id}`)).body.status !== 'running'; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }

    const second = await h.admin.post(`/events/${event.body.id}/runs`);
    const skipped = await waitForJob(h.admin, second.body.id, 20_000);

    expect(skipped.status).toBe('cancelled');
    expect(skipped.error.code).toBe('concurrency_limit');
    expect((await waitForJob(h.admin, first.body.id, 30_000)).status).toBe('completed');
  }, 60_000);

  it('answers 429 with Retry-After once the tenant has its cap of jobs queued', async () => {
    const blocker = await h.admin.post('/events', {
      name: 'holds every slot',
      runtime: 'bash',
      script: 'sleep 20\n',
      concurrency: { max: 1, onLimit: 'queue' },
    });
    const accepted: string[] = [];
    let refused: Response | undefined;
    // One run takes the event's slot; the next ones stay queued (waiting for it) until the cap of 3.
    for (let i = 0; i < 6 && !refused; i++) {
      const res = await fetch(`${h.local.url}/events/${blocker.body.id}/runs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${h.local.adminKey}` },
      });
      if (res.status === 202) accepted.push(((await res.json()) as { id: string }).id);
      else refused = res;
    }

    expect(refused?.status).toBe(429);
    expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await refused!.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('too_many_queued');
    expect(body.error.message).toMatch(/already has 3 jobs queued/);
    expect(accepted.length).toBeGreaterThanOrEqual(3);
    expect(accepted.length).toBeLessThanOrEqual(4);
    await Promise.all(accepted.map((id) => h.admin.post(`/jobs/${id}/cancel`)));
  }, 60_000);
});
