import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from './harness';
import { eventually, startHarness, waitForJob } from './harness';

describe('a schedule, end to end through the local runtime', () => {
  let h: Harness;
  beforeAll(async () => {
    // The tick runs every second here (30 s by default), so a fire a few seconds ahead is seen in time.
    h = await startHarness({ CRONIUM_REAP_INTERVAL_MS: '1000' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('fires an `at` schedule once, at its time, as a real job that knows when it was planned', async () => {
    const event = await h.admin.post('/events', { name: 'when', runtime: 'bash', script: 'cat "$CRONIUM_WORKSPACE/in/context.json"\n' });
    const fireAt = new Date(Math.ceil((Date.now() + 4000) / 1000) * 1000);
    const created = await h.admin.post('/schedules', { name: 'soon', target: { eventId: event.body.id }, at: fireAt.toISOString() });
    expect(created.status).toBe(201);

    const fire = await eventually(
      async () => {
        const shown = await h.admin.get(`/schedules/${created.body.id}`);
        return shown.body.lastFires.find((f: { status: string }) => f.status === 'submitted');
      },
      15_000,
      'the fire to be submitted',
    );
    const job = await waitForJob(h.admin, fire.jobId, 20_000);
    const logs = await h.admin.get(`/jobs/${fire.jobId}/logs`);

    expect(fire.fireAt).toBe(fireAt.toISOString());
    expect(job).toMatchObject({ status: 'completed', scheduleId: created.body.id, scheduledAt: fireAt.toISOString() });
    // Handed to the queue with a delay: it did not start before its time.
    expect(Date.parse(job.startedAt)).toBeGreaterThanOrEqual(fireAt.getTime());
    const context = JSON.parse(logs.body.items.map((l: { line: string }) => l.line).join('\n'));
    expect(context.scheduledAt).toBe(fireAt.toISOString());
    const after = await h.admin.get(`/schedules/${created.body.id}`);
    expect(after.body.lastFires).toHaveLength(1);
    expect(after.body.nextFires).toEqual([]);
  }, 40_000);
});
