import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from './harness';
import { eventually, startHarness, waitForJob } from './harness';
import { signatureHolds, startReceiver } from './receiver';

describe('notifications, end to end', () => {
  let h: Harness;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    receiver = await startReceiver({ slowMs: 4_000 });
    // A tick every 200 ms and 300 ms between attempts, so three attempts take about a second.
    h = await startHarness({
      CRONIUM_HTTP_ALLOW: '127.0.0.1/32',
      CRONIUM_REAP_INTERVAL_MS: '200',
      CRONIUM_NOTIFY_BACKOFF_MS: '300',
      CRONIUM_NOTIFY_MAX_ATTEMPTS: '3',
    });
  });
  afterAll(async () => {
    await h?.close();
    await receiver?.close();
  });

  const notificationsOf = (id: string, until: (n: { status: string }[]) => boolean) =>
    eventually(
      async () => {
        const { body } = await h.admin.get(`/jobs/${id}`);
        return body.notifications && until(body.notifications) ? body : undefined;
      },
      20_000,
      `notifications of ${id}`,
    );

  it('posts a signed payload when an event run fails: exit code, error, duration and the last lines, secrets masked', async () => {
    await h.admin.put('/variables/DB_PASSWORD', { value: 'hunter2-not-for-receivers', secret: true });
    const { body: event } = await h.admin.post('/events', {
      name: 'nightly',
      runtime: 'bash',
      script: 'echo "connecting with $DB_PASSWORD"; echo "giving up" >&2; exit 3',
      env: { DB_PASSWORD: { fromVariable: 'DB_PASSWORD' } },
      notify: [{ on: ['failed', 'timeout'], action: { action: 'webhook', url: `${receiver.url}/notify/failed` } }],
    });
    const { body: run } = await h.admin.post(`/events/${event.id}/runs`, {});
    await waitForJob(h.admin, run.id);

    const job = await notificationsOf(run.id, (n) => n[0]?.status === 'sent');
    const { body: signing } = await h.admin.get('/settings/webhook-secret');
    const [request] = receiver.to('/notify/failed');
    const payload = JSON.parse(request!.body);

    expect(job.status).toBe('failed');
    expect(job.notifications).toEqual([
      expect.objectContaining({ on: 'failed', status: 'sent', attempts: 1, action: `webhook POST ${receiver.url}/notify/failed` }),
    ]);
    expect(signatureHolds(request!, signing.secret)).toBe(true);
    expect(payload).toMatchObject({
      event: 'failed',
      jobId: run.id,
      eventId: event.id,
      status: 'failed',
      exitCode: 3,
      error: { code: 'exit_nonzero' },
    });
    expect(payload.durationMs).toBeGreaterThan(0);
    expect(payload.logExcerpt).toEqual(expect.arrayContaining(['connecting with ***', 'giving up']));
    expect(request!.body).not.toContain('hunter2-not-for-receivers');
  });

  it('retries a failing receiver with backoff, then marks the notification failed; the job is not affected', async () => {
    const { body: event } = await h.admin.post('/events', {
      name: 'fine',
      runtime: 'bash',
      script: 'echo all good',
      notify: [{ on: ['completed'], action: { action: 'webhook', url: `${receiver.url}/fail/completed` } }],
    });
    const { body: plain } = await h.admin.post('/events', { name: 'plain', runtime: 'bash', script: 'echo all good' });
    const started = Date.now();
    const { body: run } = await h.admin.post(`/events/${event.id}/runs`, {});
    const done = await waitForJob(h.admin, run.id);
    const endedAfterMs = Date.now() - started;
    const baseline = await waitForJob(h.admin, (await h.admin.post(`/events/${plain.id}/runs`, {})).body.id);

    const job = await notificationsOf(run.id, (n) => n[0]?.status === 'failed');
    const attempts = receiver.to('/fail/completed');

    expect(done).toMatchObject({ status: 'completed', exitCode: 0 });
    expect(job.status).toBe('completed');
    expect(job.finishedAt).toBe(done.finishedAt);
    // The job took as long as one without notifications (containers vary; a retry would add seconds).
    expect(done.durationMs).toBeLessThan(baseline.durationMs + 1_500);
    expect(endedAfterMs).toBeLessThan(15_000);
    expect(job.notifications[0]).toMatchObject({ on: 'completed', status: 'failed', attempts: 3 });
    expect(job.notifications[0].lastError).toContain('answered 500');
    expect(attempts).toHaveLength(3);
    // Backoff: 300 ms, then 1,200 ms (factor 4), each at the next tick.
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(300);
    expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(1_200);
  });

  it('a slow receiver does not hold the job: it ends while its notifications are still in flight', async () => {
    const { body: submitted } = await h.admin.post('/jobs', {
      runtime: 'bash',
      script: 'echo quick',
      notify: [{ on: ['started', 'completed'], action: { action: 'webhook', url: `${receiver.url}/slow` } }],
    });
    const job = await waitForJob(h.admin, submitted.id);
    const { body: meanwhile } = await h.admin.get(`/jobs/${job.id}`);

    expect(job.status).toBe('completed');
    expect(meanwhile.notifications.map((n: { on: string; status: string }) => [n.on, n.status])).toEqual([
      ['started', 'pending'],
      ['completed', 'pending'],
    ]);
    const sent = await notificationsOf(job.id, (n) => n.every((x) => x.status === 'sent'));
    expect(sent.notifications).toHaveLength(2);
  });
});
