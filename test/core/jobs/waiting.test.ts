import { describe, expect, it } from 'vitest';
import { launchRetryDelaySeconds, MAX_LAUNCH_ATTEMPTS } from '../../../lambdas/core/jobs/createDispatchJob';
import { callerFactory } from '../../helpers/factories';
import type { Harness } from '../../helpers/memory/createHarness';
import { createHarness, keyOf } from '../../helpers/memory/createHarness';

const acme = callerFactory();
const exit0 = { exitCode: 0, oomKilled: false, timedOut: false };

/** A refusal the launcher says may succeed later, shaped like EcsLaunchError. */
const capacityError = () => Object.assign(new Error('RunTask failed: Capacity is unavailable at this time'), { retryable: true });

/** Delivers every pending message to the dispatcher, as the queue poller would; returns how many. */
const deliverAll = async (h: Harness): Promise<number> => {
  const pending = h.queue.take();
  for (const m of pending) await h.cp.dispatch(m.key);
  return pending.length;
};

describe('a job above the concurrency cap', () => {
  it('waits in the store: no message, and it is listed neither as active nor twice', async () => {
    // Arrange
    const h = createHarness({ config: { maxConcurrent: 1 } });
    await h.launch(acme);
    const waiting = await h.submit(acme);
    h.queue.take();

    // Act
    const outcome = await h.cp.dispatch(keyOf(waiting));

    // Assert
    expect(outcome).toBe('waiting');
    expect(h.queue.messages).toEqual([]);
    expect((await h.store.jobs.listActive()).map((j) => j.id)).not.toContain(waiting.id);
    expect((await h.store.jobs.nextWaiting(10)).map((j) => j.id)).toEqual([waiting.id]);
  });

  it('is offered, with one message, when a running job ends', async () => {
    // Arrange
    const h = createHarness({ config: { maxConcurrent: 1 } });
    const running = await h.launch(acme);
    const waiting = await h.submit(acme);
    await deliverAll(h);

    // Act
    await h.cp.executions.exited(keyOf(running), exit0);

    // Assert
    expect(h.queue.messages).toEqual([{ key: keyOf(waiting) }]);
    const offered = await h.stored(waiting);
    expect(offered.status).toBe('queued');
    expect(offered.waitingSince).toBeUndefined();
    expect(await h.store.jobs.nextWaiting(10)).toEqual([]);
  });

  it('waits behind older waiting jobs: a freed slot goes to the one that waited longest', async () => {
    // Arrange
    const h = createHarness({ config: { maxConcurrent: 1 } });
    const running = await h.launch(acme);
    const older = await h.submit(acme);
    h.clock.advance(1000);
    const newer = await h.submit(acme);
    // The newer one reaches the dispatcher first: age, not arrival at the dispatcher, decides.
    await h.cp.dispatch(keyOf(newer));
    await h.cp.dispatch(keyOf(older));
    h.queue.take();

    // Act
    await h.cp.executions.exited(keyOf(running), exit0);

    // Assert
    expect(h.queue.messages.map((m) => m.key.jobId)).toEqual([older.id]);
  });

  it('with a cap of 1, three jobs run one after another with one message each plus one offer per freed slot', async () => {
    // Arrange
    const h = createHarness({ config: { maxConcurrent: 1 } });
    const jobs = [await h.submit(acme), await h.submit(acme), await h.submit(acme)];
    const order: string[] = [];
    let sent = 0;

    // Act: deliver, let whatever runs finish, repeat until nothing is left
    for (let round = 0; round < 10; round++) {
      sent += await deliverAll(h);
      const running = (await h.store.jobs.listActive()).filter((j) => j.status === 'running');
      if (running.length === 0 && h.queue.messages.length === 0) break;
      for (const job of running) {
        order.push(job.id);
        await h.cp.executions.exited(keyOf(job), exit0);
      }
    }

    // Assert
    expect(order).toEqual(jobs.map((j) => j.id));
    for (const job of jobs) expect((await h.stored(job)).status).toBe('completed');
    expect(sent).toBe(3 + 2);
  });

  it('takes a slot freed between its first look and its mark, instead of waiting for the next job end', async () => {
    // Arrange: the slot frees while the job is being marked, as a job ending in another process would
    const h = createHarness({ config: { maxConcurrent: 1 } });
    const running = await h.launch(acme);
    const next = await h.submit(acme);
    const transition = h.store.jobs.transition.bind(h.store.jobs);
    h.store.jobs.transition = async (job, to, patch) => {
      const stored = await transition(job, to, patch);
      if (patch?.waitingSince !== undefined) await h.store.slots.release(running.slot ?? 0, keyOf(running));
      return stored;
    };

    // Act
    const outcome = await h.cp.dispatch(keyOf(next));

    // Assert
    expect(outcome).toBe('launched');
    expect(await h.stored(next)).toMatchObject({ status: 'running', slot: 0 });
    expect((await h.stored(next)).waitingSince).toBeUndefined();
  });

  it('is offered once when two offerers race for it', async () => {
    // Arrange: two slots free at once (two ticks), one waiting job
    const h = createHarness({ config: { maxConcurrent: 1 } });
    const running = await h.launch(acme);
    const waiting = await h.submit(acme);
    await deliverAll(h);
    await h.store.slots.release(running.slot ?? 0, keyOf(running));

    // Act
    await Promise.all([h.cp.tick(), h.cp.tick()]);

    // Assert
    expect(h.queue.messages).toEqual([{ key: keyOf(waiting) }]);
  });

  it('leaves the waiting jobs when it is cancelled', async () => {
    // Arrange
    const h = createHarness({ config: { maxConcurrent: 1 } });
    await h.launch(acme);
    const waiting = await h.submit(acme);
    await deliverAll(h);

    // Act
    await h.cp.jobs.cancel(acme, waiting.id);

    // Assert
    expect(await h.store.jobs.nextWaiting(10)).toEqual([]);
    expect((await h.stored(waiting)).waitingSince).toBeUndefined();
  });
});

describe('a launch refused for now (capacity, throttling)', () => {
  it('frees the slot and offers the job again after a delay, counting the attempt', async () => {
    // Arrange
    const h = createHarness();
    const job = await h.submit(acme);
    h.queue.take();
    h.launcher.failCreate(capacityError());

    // Act
    const outcome = await h.cp.dispatch(keyOf(job));

    // Assert
    expect(outcome).toBe('retrying');
    const stored = await h.stored(job);
    expect(stored).toMatchObject({ status: 'queued', launchAttempts: 1 });
    expect(stored.offeredAt).toBe(new Date(h.clock.now() + 5000).toISOString());
    expect(await h.store.slots.held()).toEqual([]);
    expect(h.queue.messages).toEqual([{ key: keyOf(job), delaySeconds: 5 }]);
  });

  it('waits longer after each refusal, at most 5 minutes', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(launchRetryDelaySeconds)).toEqual([5, 10, 20, 40, 80, 160, 300]);
  });

  it('launches once the launcher accepts it again', async () => {
    // Arrange
    const h = createHarness();
    const job = await h.submit(acme);
    h.queue.take();
    h.launcher.failCreate(capacityError());
    await h.cp.dispatch(keyOf(job));
    h.launcher.failCreate(undefined);

    // Act
    await deliverAll(h);

    // Assert
    expect(await h.stored(job)).toMatchObject({ status: 'running', launchAttempts: 1 });
  });

  it(`fails the job launch_failed at the ${MAX_LAUNCH_ATTEMPTS}th refusal`, async () => {
    // Arrange
    const h = createHarness();
    const job = await h.submit(acme);
    h.launcher.failCreate(capacityError());

    // Act
    for (let i = 0; i < MAX_LAUNCH_ATTEMPTS + 2; i++) await deliverAll(h);

    // Assert
    expect(await h.stored(job)).toMatchObject({
      status: 'failed',
      error: { code: 'launch_failed' },
      launchAttempts: MAX_LAUNCH_ATTEMPTS - 1,
    });
    expect(h.launcher.created).toHaveLength(MAX_LAUNCH_ATTEMPTS);
    expect(await h.store.slots.held()).toEqual([]);
  });

  it('hands the freed slot to a waiting job meanwhile', async () => {
    // Arrange
    const h = createHarness({ config: { maxConcurrent: 1 } });
    const refused = await h.submit(acme);
    const waiting = await h.submit(acme);
    h.queue.take();
    h.launcher.failCreate(capacityError());
    // The refused job holds the only slot while it launches: the other job waits.
    const create = h.launcher.create.bind(h.launcher);
    let waited = false;
    h.launcher.create = async (request) => {
      if (!waited) {
        waited = true;
        await h.cp.dispatch(keyOf(waiting));
      }
      return create(request);
    };

    // Act
    await h.cp.dispatch(keyOf(refused));

    // Assert
    expect(h.queue.messages.map((m) => m.key.jobId).sort()).toEqual([refused.id, waiting.id].sort());
    expect((await h.stored(waiting)).waitingSince).toBeUndefined();
  });
});
