import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RELATIVE_PRECISION } from '../../lambdas/core';
import type { ApiClient, Harness } from './harness';
import { apiClient, startHarness, waitForJob } from './harness';

describe('job statistics through the local gateway', () => {
  let h: Harness;
  let other: ApiClient;
  const ended: any[] = [];

  beforeAll(async () => {
    h = await startHarness();
    const { body: key } = await h.admin.post('/keys', { tenant: 'globex' });
    other = apiClient(h.local.url, key.key);
    const { body: event } = await h.admin.post('/events', { name: 'nightly', runtime: 'bash', script: 'sleep 0.3; exit 0' });
    const submitted = await Promise.all([
      h.admin.post(`/events/${event.id}/runs`),
      h.admin.post(`/events/${event.id}/runs`),
      h.admin.post('/jobs', { runtime: 'bash', script: 'exit 3' }),
      h.admin.post('/jobs', { runtime: 'python', script: 'print(1)' }),
    ]);
    for (const { body } of submitted) ended.push(await waitForJob(h.admin, body.id, 60_000));
  }, 90_000);
  afterAll(async () => {
    await h?.close();
  });

  it('equal a count done by hand over the jobs the API lists', async () => {
    const { status, body } = await h.admin.get('/stats');
    const byHand = (status: string) => ended.filter((j) => j.status === status).length;
    const durations = ended.map((j) => j.durationMs as number).sort((a, b) => a - b);
    const p50 = durations[Math.ceil(0.5 * durations.length) - 1]!;

    expect(status).toBe(200);
    expect(body.total).toMatchObject({
      jobs: 4,
      byStatus: { completed: byHand('completed'), failed: byHand('failed'), timeout: 0, cancelled: 0 },
      byErrorCode: { exit_nonzero: 1 },
      successRate: byHand('completed') / 4,
    });
    expect(byHand('completed')).toBe(3);
    expect(Math.abs(body.total.durationMs.p50 - p50)).toBeLessThanOrEqual(p50 * RELATIVE_PRECISION + 0.05);
    expect(body.total.queueWaitMs.count).toBe(4);
    expect(Object.keys(body.byRuntime).sort()).toEqual(['bash', 'python']);
    expect(body.byEvent).toEqual([
      expect.objectContaining({ eventName: 'nightly', jobs: 2, byStatus: expect.objectContaining({ completed: 2 }) }),
    ]);
  });

  it('narrows to one event', async () => {
    const eventId = ended.find((j) => j.eventId)!.eventId;
    const { body } = await h.admin.get(`/stats?eventId=${eventId}`);

    expect(body.eventId).toBe(eventId);
    expect(body.total.jobs).toBe(2);
  });

  it('never shows another tenant the figures', async () => {
    const { body } = await other.get('/stats');

    expect(body.total.jobs).toBe(0);
    expect(body.byEvent).toEqual([]);
  });

  it.each([
    ['?since=yesterday', 'since'],
    ['?until=2026-02-30T00:00:00Z', 'until'],
    ['?since=2020-01-01T00:00:00Z&until=2021-01-01T00:00:00Z', 'since'],
    ['?eventId=a%20b', 'eventId'],
  ])('answers %s with a 400 naming %s', async (query, field) => {
    const { status, body } = await h.admin.get(`/stats${query}`);

    expect(status).toBe(400);
    expect(body.error.message).toMatch(new RegExp(`^${field}: `));
  });
});
