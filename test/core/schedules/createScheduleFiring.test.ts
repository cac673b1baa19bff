import { describe, expect, it } from 'vitest';
import { buildWorkspace, WorkspaceLayout } from '../../../lambdas/core';
import { acme, createScheduleHarness, iso } from './scheduleHarness';

describe('firing schedules from the tick', () => {
  it('hands a fire due within the window to the queue with a delay, and fires it once', async () => {
    const h = await createScheduleHarness();
    const s = await h.schedule();

    const first = await h.tickAt('00:04:00');
    await h.tickAt('00:04:30');

    const jobs = await h.jobs();
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ scheduleId: s.id, scheduledAt: iso('00:05:00'), status: 'queued' });
    expect(h.queue.messages).toEqual([{ key: { tenant: 'acme', jobId: jobs[0]!.id }, delaySeconds: 60 }]);
    expect(first.schedules).toMatchObject({ due: 1, fired: 1 });
    expect((await h.cp.schedules.get(acme, s.id)).schedule.nextFireAt).toBe(iso('00:10:00'));
  });

  it('counts the delay from when the job is handed over, not from the start of a tick that took time', async () => {
    // Arrange: each claim takes 2.5 s (a busy store), so the job is submitted at 00:04:02.5.
    const h = await createScheduleHarness();
    await h.schedule();
    const claim = h.store.schedules.claimFire.bind(h.store.schedules);
    h.store.schedules.claimFire = async (fire) => {
      h.clock.advance(2500);
      return claim(fire);
    };

    // Act
    await h.tickAt('00:04:00');

    // Assert: offered at 00:04:59.5 (whole seconds, rounded down; the dispatch holds it the last half
    // second), not at 00:05:02.5.
    const [job] = await h.jobs();
    expect(h.queue.messages).toEqual([{ key: { tenant: 'acme', jobId: job!.id }, delaySeconds: 57 }]);
  });

  it('rounds the delay down, so the message is never due after the fire time (the dispatch waits the rest)', async () => {
    const h = await createScheduleHarness();
    await h.schedule({ cron: undefined, at: '2030-01-01T00:01:00.000Z' });
    await h.schedule({ cron: undefined, at: '2030-01-01T00:01:00.999Z' });

    await h.tickAt('00:00:30.400');

    // 29.6 s and 30.599 s ahead: 29 and 30 whole seconds, each message due at most a second early.
    expect(h.queue.messages.map((m) => m.delaySeconds)).toEqual([29, 30]);
  });

  it('tells the script when it was planned to run (scheduledAt in its run context)', async () => {
    const h = await createScheduleHarness();
    await h.schedule({ input: { region: 'eu' } });
    await h.tickAt('00:05:00');

    const [only] = await h.jobs();
    const job = await h.stored({ tenant: 'acme', jobId: only!.id });
    const files = buildWorkspace(job, {});

    expect(JSON.parse(files[WorkspaceLayout.context]!)).toMatchObject({ scheduledAt: iso('00:05:00'), eventId: h.eventId });
    expect(JSON.parse(files[WorkspaceLayout.input]!)).toEqual({ region: 'eu' });
  });

  it('fires nothing for a disabled schedule, and plans from now when it is enabled again', async () => {
    const h = await createScheduleHarness();
    const s = await h.schedule({ enabled: false });
    await h.tickAt('00:05:00');
    expect(await h.jobs()).toHaveLength(0);

    const resumed = await h.cp.schedules.update(acme, s.id, { enabled: true });
    expect(resumed.nextFireAt).toBe(iso('00:10:00'));
  });

  describe('catch-up after the control plane was down for an hour', () => {
    const afterOutage = async (catchUp: 'none' | 'latest' | 'all') => {
      const h = await createScheduleHarness({ config: { maxCatchUpFires: 3 } });
      await h.schedule({ catchUp });
      const report = await h.tickAt('01:00:30');
      return { fired: (await h.jobs()).map((j) => j.scheduledAt), report: report.schedules };
    };

    it('none (the default) skips what was missed and runs what is due now', async () => {
      const { fired, report } = await afterOutage('none');
      expect(fired).toEqual([iso('01:00:00')]);
      expect(report?.missed).toBe(11);
    });

    it('latest runs the most recent missed fire once', async () => {
      expect((await afterOutage('latest')).fired).toEqual([iso('00:55:00'), iso('01:00:00')]);
    });

    it('all runs each missed fire, at most maxCatchUpFires of them (the latest)', async () => {
      expect((await afterOutage('all')).fired).toEqual([iso('00:45:00'), iso('00:50:00'), iso('00:55:00'), iso('01:00:00')]);
    });
  });

  describe('overlap with a previous run still going', () => {
    const endJob = async (h: Awaited<ReturnType<typeof createScheduleHarness>>, jobId: string) => {
      const job = await h.stored({ tenant: 'acme', jobId });
      await h.store.jobs.transition(job, 'cancelled', { finishedAt: new Date(h.clock.now()).toISOString() });
    };

    it('allow runs each fire anyway', async () => {
      const h = await createScheduleHarness();
      await h.schedule({ overlap: 'allow' });
      await h.tickAt('00:05:00');
      await h.tickAt('00:10:00');
      expect((await h.jobs()).map((j) => j.scheduledAt)).toEqual([iso('00:05:00'), iso('00:10:00')]);
    });

    it('skip records the fire as skipped and runs the next one after the run ended', async () => {
      const h = await createScheduleHarness();
      const s = await h.schedule({ overlap: 'skip' });
      await h.tickAt('00:05:00');
      await h.tickAt('00:09:00'); // 00:10 is ahead: decided at its time, not now
      const skipped = await h.tickAt('00:10:00');
      const [first] = await h.jobs();
      await endJob(h, first!.id);
      await h.tickAt('00:15:00');

      expect(skipped.schedules?.skipped).toBe(1);
      expect((await h.jobs()).map((j) => j.scheduledAt)).toEqual([iso('00:05:00'), iso('00:15:00')]);
      const { lastFires } = await h.cp.schedules.get(acme, s.id);
      expect(lastFires.map((f) => [f.fireAt, f.status])).toEqual([
        [iso('00:15:00'), 'submitted'],
        [iso('00:10:00'), 'skipped'],
        [iso('00:05:00'), 'submitted'],
      ]);
    });

    it('queue holds the fire until the previous run ended, then runs it', async () => {
      const h = await createScheduleHarness();
      await h.schedule({ overlap: 'queue' });
      await h.tickAt('00:05:00');
      const held = await h.tickAt('00:10:00');
      await h.tickAt('00:11:00');
      const [first] = await h.jobs();
      await endJob(h, first!.id);
      await h.tickAt('00:12:00');

      expect(held.schedules?.held).toBe(1);
      const jobs = await h.jobs();
      expect(jobs.map((j) => j.scheduledAt)).toEqual([iso('00:05:00'), iso('00:10:00')]);
      expect(h.queue.messages.at(-1)).toEqual({ key: { tenant: 'acme', jobId: jobs[1]!.id } }); // its time has passed: no delay
    });
  });

  it('completes a fire claimed but not submitted (a crash in between) at the next tick, with one job', async () => {
    const h = await createScheduleHarness();
    const s = await h.schedule();
    const create = h.store.jobs.create;
    h.store.jobs.create = async () => {
      throw new Error('the process died here');
    };
    await h.tickAt('00:05:00');
    h.store.jobs.create = create;
    const claimed = (await h.cp.schedules.get(acme, s.id)).lastFires;

    const next = await h.tickAt('00:06:00');
    await h.tickAt('00:06:30');

    expect(claimed.map((f) => f.status)).toEqual(['claimed']);
    expect(next.schedules?.completed).toBe(1);
    const jobs = await h.jobs();
    expect(jobs.map((j) => [j.id, j.scheduledAt])).toEqual([[claimed[0]!.jobId, iso('00:05:00')]]);
  });

  it('records a fire whose event was deleted as failed, and goes on', async () => {
    const h = await createScheduleHarness();
    const s = await h.schedule();
    await h.cp.events.remove(acme, h.eventId);
    await h.tickAt('00:05:00');

    const { schedule, lastFires } = await h.cp.schedules.get(acme, s.id);
    expect(lastFires).toMatchObject([{ status: 'failed', reason: `event ${h.eventId} not found` }]);
    expect(schedule.nextFireAt).toBe(iso('00:10:00'));
  });

  it('fires an `at` schedule once and then has no next fire', async () => {
    const h = await createScheduleHarness();
    const s = await h.schedule({ cron: undefined, at: '2030-01-01T00:02:30Z' });
    await h.tickAt('00:01:30');
    await h.tickAt('00:02:30');
    expect((await h.jobs()).map((j) => j.scheduledAt)).toEqual([iso('00:02:30')]);
    expect((await h.cp.schedules.get(acme, s.id)).schedule.nextFireAt).toBeUndefined();
  });

  it('fires a rate schedule at fixed periods from its creation', async () => {
    const h = await createScheduleHarness();
    h.clock.set(Date.parse('2030-01-01T00:00:07Z'));
    await h.schedule({ cron: undefined, rate: '2 minutes' });
    await h.tickAt('00:02:07');
    await h.tickAt('00:04:07');
    expect((await h.jobs()).map((j) => j.scheduledAt)).toEqual([iso('00:02:07'), iso('00:04:07')]);
  });
});
