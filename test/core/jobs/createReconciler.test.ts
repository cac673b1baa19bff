import { describe, expect, it } from 'vitest';
import { createControlPlane } from '../../../lambdas/core/createControlPlane';
import type { Job } from '../../../lambdas/core/model';
import { callerFactory, jobFactory, rawLinesFactory } from '../../helpers/factories';
import type { Harness } from '../../helpers/memory/createHarness';
import { createHarness, keyOf } from '../../helpers/memory/createHarness';

const acme = callerFactory();
const afterRestart = { afterRestart: true };
const periodic = { afterRestart: false };

/** The control plane coming back up over the same store and launcher, having lost its memory and queue. */
const restart = (h: Harness) => {
  h.queue.take();
  return createControlPlane(h);
};

/** A job stored as is, as a crashed process left it. */
const seed = async (h: Harness, partial: Partial<Job>) => {
  const job = jobFactory({ createdAt: new Date(h.clock.now()).toISOString(), ...partial });
  await h.store.jobs.create(job);
  return job;
};

describe('reconciling after a restart', () => {
  it('offers queued jobs again, their messages may have died with the process', async () => {
    // Arrange
    const h = createHarness();
    const job = await h.submit(acme);
    const cp = restart(h);

    // Act
    await cp.reconcile(afterRestart);

    // Assert
    expect(h.queue.messages.map((m) => m.key)).toEqual([keyOf(job)]);
    expect((await h.stored(job)).status).toBe('queued');
  });

  it('re-attaches to a running execution from where its stored log ends', async () => {
    // Arrange
    const h = createHarness();
    const job = await h.launch(acme);
    await h.cp.executions.output(keyOf(job), rawLinesFactory(2), 'pos-2');
    await h.cp.executions.output(keyOf(job), rawLinesFactory(2, { from: 3 }), 'pos-4');
    const cp = restart(h);

    // Act
    const report = await cp.reconcile(afterRestart);

    // Assert
    expect(report.resumed).toBe(1);
    expect(h.launcher.reattached).toEqual([{ ref: job.executionRef, jobId: job.id, resumeToken: 'pos-4' }]);
    expect(await h.stored(job)).toEqual(job);
    expect(h.launcher.stopped).toEqual([]);
  });

  it('re-attaches from the start when nothing was stored yet', async () => {
    const h = createHarness();
    const job = await h.launch(acme);
    const cp = restart(h);

    await cp.reconcile(afterRestart);

    expect(h.launcher.reattached).toEqual([{ ref: job.executionRef, jobId: job.id }]);
  });

  it('keeps numbering the output of a re-attached execution after the stored lines', async () => {
    const h = createHarness();
    const job = await h.launch(acme);
    await h.cp.executions.output(keyOf(job), rawLinesFactory(2), 'pos-2');
    const cp = restart(h);
    await cp.reconcile(afterRestart);

    await cp.executions.output(keyOf(job), rawLinesFactory(1, { from: 3 }), 'pos-3');

    expect((await h.store.logs.read(keyOf(job), 0, 10)).map((l) => [l.seq, l.line])).toEqual([
      [1, 'line 1'],
      [2, 'line 2'],
      [3, 'line 3'],
    ]);
  });

  it('fails a running job whose execution is gone with lost, and frees its slot', async () => {
    // Arrange
    const h = createHarness();
    const job = await h.launch(acme);
    h.launcher.setExecutions([]);
    const cp = restart(h);

    // Act
    const report = await cp.reconcile(afterRestart);

    // Assert
    expect(report.lost).toBe(1);
    expect(await h.stored(job)).toMatchObject({ status: 'failed', error: { code: 'lost' } });
    expect(await h.store.slots.held()).toEqual([]);
  });

  it('puts a claimed job back in the queue and offers it again', async () => {
    const h = createHarness();
    const job = await seed(h, { status: 'claimed' });
    const cp = restart(h);

    const report = await cp.reconcile(afterRestart);

    const stored = await h.stored(job);
    expect(report.requeued).toBe(1);
    expect(stored.status).toBe('queued');
    expect(stored.claimedAt).toBeUndefined();
    expect(h.queue.messages.map((m) => m.key)).toEqual([keyOf(job)]);
  });

  it('discards the half-made execution of a claimed job it puts back', async () => {
    const h = createHarness();
    const job = await seed(h, { status: 'claimed' });
    h.launcher.setExecutions([{ key: keyOf(job), ref: 'ctr-half', running: false }]);
    const cp = restart(h);

    await cp.reconcile(afterRestart);

    expect(h.launcher.stopped).toEqual(['ctr-half']);
  });

  it('launches a job it put back once its message is delivered', async () => {
    const h = createHarness();
    const job = await seed(h, { status: 'claimed' });
    const cp = restart(h);
    await cp.reconcile(afterRestart);

    const outcome = await cp.dispatch(keyOf(job));

    expect(outcome).toBe('launched');
  });

  it('stops executions that no active job owns', async () => {
    // Arrange
    const h = createHarness();
    const ended = await h.launch(acme);
    await h.cp.executions.exited(keyOf(ended), { exitCode: 0, oomKilled: false, timedOut: false });
    h.launcher.setExecutions([
      { key: keyOf(ended), ref: 'ctr-ended', running: false },
      { key: { tenant: 'acme', jobId: 'unknown' }, ref: 'ctr-unknown', running: true },
    ]);
    const cp = restart(h);

    // Act
    const report = await cp.reconcile(afterRestart);

    // Assert
    expect(report.orphansStopped).toBe(2);
    expect([...h.launcher.stopped].sort()).toEqual(['ctr-ended', 'ctr-unknown']);
    expect(await h.launcher.list()).toEqual([]);
  });

  it('frees slots held by jobs that ended or do not exist, and keeps those of running jobs', async () => {
    // Arrange
    const h = createHarness();
    const running = await h.launch(acme);
    const ended = await seed(h, { status: 'completed' });
    await h.store.slots.acquire(1, keyOf(ended));
    await h.store.slots.acquire(2, { tenant: 'acme', jobId: 'vanished' });
    const cp = restart(h);

    // Act
    const report = await cp.reconcile(afterRestart);

    // Assert
    expect(report.slotsFreed).toBe(2);
    expect(await h.store.slots.held()).toEqual([{ slot: 0, holder: keyOf(running) }]);
  });

  it('frees a second slot a running job holds (a lost duplicate claim took it) and keeps the one it runs in', async () => {
    // Arrange: the job runs in slot 0; a duplicate delivery took slot 2 for it, then lost the claim.
    const h = createHarness();
    const running = await h.launch(acme);
    await h.store.slots.acquire(2, keyOf(running));

    // Act
    const report = await h.cp.reconcile(periodic);

    // Assert
    expect(report.slotsFreed).toBe(1);
    expect(await h.store.slots.held()).toEqual([{ slot: 0, holder: keyOf(running) }]);
  });

  it('carries on with the other jobs when one cannot be reconciled', async () => {
    const h = createHarness();
    const broken = await h.launch(acme);
    const queued = await h.submit(acme);
    const cp = restart(h);
    h.launcher.reattach = async () => {
      throw new Error('docker is unhappy');
    };

    await cp.reconcile(afterRestart);

    expect((await h.stored(broken)).status).toBe('running');
    expect(h.queue.messages.map((m) => m.key)).toEqual([keyOf(queued)]);
  });
});

describe('reconciling periodically (the reaper)', () => {
  it('ends a running job far past its deadline as timeout and stops its execution', async () => {
    // Arrange
    const h = createHarness();
    const job = await h.launch(acme, { timeoutSeconds: 60 });
    h.clock.advance(60_000 + 31_000);

    // Act
    const report = await h.cp.reconcile(periodic);

    // Assert
    expect(report.timedOut).toBe(1);
    expect(await h.stored(job)).toMatchObject({ status: 'timeout', error: { code: 'timeout' } });
    expect(h.launcher.stopped).toEqual([job.executionRef]);
    expect(await h.store.slots.held()).toEqual([]);
  });

  it('leaves a job just past its deadline to the launcher for a grace period', async () => {
    const h = createHarness();
    const job = await h.launch(acme, { timeoutSeconds: 60 });
    h.clock.advance(60_000 + 1_000);

    await h.cp.reconcile(periodic);

    expect((await h.stored(job)).status).toBe('running');
    expect(h.launcher.stopped).toEqual([]);
  });

  it('fails with lost a running job whose execution disappeared', async () => {
    const h = createHarness();
    const job = await h.launch(acme);
    h.clock.advance(60_000);
    h.launcher.setExecutions([]);

    const report = await h.cp.reconcile(periodic);

    expect(report.lost).toBe(1);
    expect(await h.stored(job)).toMatchObject({ status: 'failed', error: { code: 'lost' } });
  });

  it('does not mark lost a job that started after the executions were listed', async () => {
    // Arrange: a dispatcher launches a job while the reaper's list of executions is in flight.
    const h = createHarness();
    let late: Job | undefined;
    h.launcher.onList(async () => {
      h.launcher.onList(undefined);
      late = await h.launch(acme);
    });

    // Act
    const report = await h.cp.reconcile(periodic);

    // Assert
    expect(late).toBeDefined();
    expect(report.lost).toBe(0);
    expect((await h.stored(late as Job)).status).toBe('running');
    expect(h.launcher.stopped).toEqual([]);
    expect(await h.store.slots.held()).toEqual([{ slot: 0, holder: keyOf(late as Job) }]);
  });

  it('leaves running jobs with their executions alone', async () => {
    const h = createHarness();
    const job = await h.launch(acme);
    h.clock.advance(60_000);

    const report = await h.cp.reconcile(periodic);

    expect(report).toEqual({
      resumed: 0,
      requeued: 0,
      lost: 0,
      timedOut: 0,
      orphansStopped: 0,
      slotsFreed: 0,
      reoffered: 0,
      eventSlotsFreed: 0,
      eventWaitingOffered: 0,
    });
    expect(await h.stored(job)).toEqual(job);
    expect(h.launcher.reattached).toEqual([]);
  });

  it('does not offer queued jobs again: their messages are still on the queue', async () => {
    const h = createHarness();
    await h.submit(acme);
    h.queue.take();

    await h.cp.reconcile(periodic);

    expect(h.queue.messages).toEqual([]);
  });

  it('puts back a claim that went stale and leaves a fresh one alone', async () => {
    const h = createHarness({ config: { staleClaimMs: 60_000 } });
    const stale = await seed(h, { status: 'claimed', claimedAt: new Date(h.clock.now()).toISOString() });
    h.clock.advance(61_000);
    const fresh = await seed(h, { status: 'claimed', claimedAt: new Date(h.clock.now()).toISOString() });

    const report = await h.cp.reconcile(periodic);

    expect(report.requeued).toBe(1);
    expect((await h.stored(stale)).status).toBe('queued');
    expect((await h.stored(fresh)).status).toBe('claimed');
    expect(h.queue.messages.map((m) => m.key)).toEqual([keyOf(stale)]);
  });

  it('stops an exited execution whose job already ended', async () => {
    const h = createHarness();
    const job = await h.launch(acme);
    await h.cp.executions.exited(keyOf(job), { exitCode: 0, oomKilled: false, timedOut: false });
    h.launcher.setExecutions([{ key: keyOf(job), ref: job.executionRef ?? '', running: false }]);

    const report = await h.cp.reconcile(periodic);

    expect(report.orphansStopped).toBe(1);
    expect(h.launcher.stopped).toEqual([job.executionRef]);
  });
});
