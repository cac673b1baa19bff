import { describe, expect, it, vi } from 'vitest';
import { callerFactory } from '../../helpers/factories';
import { createHarness, keyOf } from '../../helpers/memory/createHarness';

const acme = callerFactory();

describe('dispatching a job', () => {
  it('launches a queued job: running, with a slot, a deadline and its execution', async () => {
    // Arrange
    const h = createHarness();
    const job = await h.submit(acme, { timeoutSeconds: 120 });
    h.clock.advance(5_000);

    // Act
    const outcome = await h.cp.dispatch(keyOf(job));

    // Assert
    const running = await h.stored(job);
    const now = h.clock.now();
    expect(outcome).toBe('launched');
    expect(running).toMatchObject({
      status: 'running',
      claimedAt: new Date(now).toISOString(),
      startedAt: new Date(now).toISOString(),
      deadlineAt: now + 120_000,
      executionRef: h.launcher.refOf(keyOf(job)),
      slot: 0,
    });
    expect(await h.store.slots.held()).toEqual([{ slot: 0, holder: keyOf(job) }]);
  });

  it('creates the execution from the claimed job, then starts that same execution', async () => {
    const h = createHarness();
    const job = await h.submit(acme);

    await h.cp.dispatch(keyOf(job));

    const ref = h.launcher.refOf(keyOf(job));
    expect(h.launcher.created.map((j) => [j.id, j.status])).toEqual([[job.id, 'claimed']]);
    expect(h.launcher.started).toEqual([{ ref, jobId: job.id }]);
    expect((await h.launcher.list()).map((e) => e.running)).toEqual([true]);
  });

  it('gives concurrent jobs different slots', async () => {
    const h = createHarness();

    const a = await h.launch(acme);
    const b = await h.launch(acme);

    expect([a.slot, b.slot]).toEqual([0, 1]);
  });

  it('launches nothing for a second delivery of the same message', async () => {
    const h = createHarness();
    const job = await h.submit(acme);
    await h.cp.dispatch(keyOf(job));

    const outcome = await h.cp.dispatch(keyOf(job));

    expect(outcome).toBe('skipped');
    expect(h.launcher.created).toHaveLength(1);
  });

  it('launches once when the same message is delivered twice at the same time', async () => {
    const h = createHarness();
    const job = await h.submit(acme);

    const outcomes = await Promise.all([h.cp.dispatch(keyOf(job)), h.cp.dispatch(keyOf(job))]);

    expect(outcomes.sort()).toEqual(['launched', 'skipped']);
    expect(h.launcher.created).toHaveLength(1);
    expect(await h.store.slots.held()).toHaveLength(1);
  });

  it('takes a free slot with one conditional put, without reading the held slots', async () => {
    // Arrange
    const h = createHarness();
    const held = vi.spyOn(h.store.slots, 'held');
    const job = await h.submit(acme);

    // Act
    await h.cp.dispatch(keyOf(job));

    // Assert
    expect(held).not.toHaveBeenCalled();
    expect(await h.store.slots.held()).toEqual([{ slot: 0, holder: keyOf(job) }]);
  });

  it('guesses different slots for jobs dispatched at once (one batch), so none reads the held slots', async () => {
    // Arrange
    const h = createHarness({ config: { maxConcurrent: 3 } });
    const jobs = [await h.submit(acme), await h.submit(acme)];
    const held = vi.spyOn(h.store.slots, 'held');

    // Act
    const outcomes = await Promise.all(jobs.map((j) => h.cp.dispatch(keyOf(j))));

    // Assert
    expect(outcomes).toEqual(['launched', 'launched']);
    expect(held).not.toHaveBeenCalled();
    expect((await h.store.slots.held()).map((s) => s.slot)).toEqual([0, 1]);
  });

  it('reads the held slots and takes a free one when the guessed slot is taken by another job', async () => {
    // Arrange: another dispatcher's job holds slot 0, which this dispatcher does not know.
    const h = createHarness({ config: { maxConcurrent: 2 } });
    const other = { tenant: 'acme', jobId: 'other' };
    await h.store.slots.acquire(0, other);
    const held = vi.spyOn(h.store.slots, 'held');
    const job = await h.submit(acme);

    // Act
    const outcome = await h.cp.dispatch(keyOf(job));

    // Assert
    expect(outcome).toBe('launched');
    expect(held).toHaveBeenCalledTimes(1);
    expect(await h.stored(job)).toMatchObject({ status: 'running', slot: 1 });
    expect(await h.store.slots.held()).toEqual([
      { slot: 0, holder: other },
      { slot: 1, holder: keyOf(job) },
    ]);
  });

  it('puts a message delivered again on the slot its job already holds, not on a second one', async () => {
    // Arrange: the first delivery took a slot, then its claim failed on a store fault.
    const h = createHarness({ config: { maxConcurrent: 3 } });
    const job = await h.submit(acme);
    const transition = h.store.jobs.transition.bind(h.store.jobs);
    const fault = vi.spyOn(h.store.jobs, 'transition').mockImplementationOnce(async (j, to, patch) => {
      if (to === 'claimed') throw new Error('store unavailable');
      return transition(j, to, patch);
    });
    await expect(h.cp.dispatch(keyOf(job))).rejects.toThrow('store unavailable');
    fault.mockRestore();

    // Act
    const outcome = await h.cp.dispatch(keyOf(job));

    // Assert
    expect(outcome).toBe('launched');
    expect(await h.store.slots.held()).toEqual([{ slot: 0, holder: keyOf(job) }]);
  });

  it('reads the held slots once, after marking the job waiting, instead of guessing after a read found every slot taken', async () => {
    // Arrange: one slot, taken; a second job reads the slots, finds none free and waits.
    const h = createHarness({ config: { maxConcurrent: 1 } });
    const first = await h.launch(acme);
    const second = await h.submit(acme);
    expect(await h.cp.dispatch(keyOf(second))).toBe('waiting');
    const third = await h.submit(acme);
    const acquire = vi.spyOn(h.store.slots, 'acquire');
    const held = vi.spyOn(h.store.slots, 'held');

    // Act
    const outcome = await h.cp.dispatch(keyOf(third));

    // Assert: no put on a slot that was just seen taken; the slot is marked: jobs wait for it.
    expect(outcome).toBe('waiting');
    expect(acquire).not.toHaveBeenCalled();
    expect(held).toHaveBeenCalledTimes(1);
    expect(await h.stored(third)).toMatchObject({ status: 'queued', waitingSince: expect.any(String) });
    expect(await h.store.slots.held()).toEqual([{ slot: 0, holder: keyOf(first), waiters: true }]);
  });

  it('marks no slot for a job that never waited, so its end reads no waiting index', async () => {
    // Arrange
    const h = createHarness({ config: { maxConcurrent: 2 } });
    const job = await h.launch(acme);
    const nextWaiting = vi.spyOn(h.store.jobs, 'nextWaiting');

    // Act
    await h.cp.jobs.cancel(acme, job.id);

    // Assert
    expect(await h.stored(job)).toMatchObject({ status: 'cancelled' });
    expect(await h.store.slots.held()).toEqual([]);
    expect(nextWaiting).not.toHaveBeenCalled();
  });

  it('offers a parked job the slot it marked, and marks the slot the offered job takes', async () => {
    // Arrange: one slot; a second job parks behind the first, and a third behind both.
    const h = createHarness({ config: { maxConcurrent: 1 } });
    const first = await h.launch(acme);
    const second = await h.submit(acme);
    const third = await h.submit(acme);
    expect(await h.cp.dispatch(keyOf(second))).toBe('waiting');
    expect(await h.cp.dispatch(keyOf(third))).toBe('waiting');
    h.queue.take();

    // Act: the first ends; the offered second is dispatched; then it ends too.
    await h.cp.jobs.cancel(acme, first.id);
    const [offer] = h.queue.take();
    const outcome = await h.cp.dispatch(offer!.key);
    const heldBySecond = await h.store.slots.held();
    await h.cp.jobs.cancel(acme, second.id);

    // Assert: the third is offered at the second's end.
    expect(offer!.key).toEqual(keyOf(second));
    expect(outcome).toBe('launched');
    expect(heldBySecond).toEqual([{ slot: 0, holder: keyOf(second), waiters: true }]);
    expect(h.queue.take().map((m) => m.key)).toEqual([keyOf(third)]);
  });

  it('takes a slot freed between its read and its mark, on a second read', async () => {
    // Arrange: one slot, held by the first job; it ends just as the second job, parking, marks it.
    const h = createHarness({ config: { maxConcurrent: 1 } });
    const first = await h.launch(acme);
    const second = await h.submit(acme);
    const mark = h.store.slots.markWaiters.bind(h.store.slots);
    vi.spyOn(h.store.slots, 'markWaiters').mockImplementationOnce(async (slot, holder) => {
      await h.store.slots.release(slot, holder);
      return mark(slot, holder);
    });

    // Act
    const outcome = await h.cp.dispatch(keyOf(second));

    // Assert
    expect(first.slot).toBe(0);
    expect(outcome).toBe('launched');
    expect(await h.store.slots.held()).toEqual([{ slot: 0, holder: keyOf(second), waiters: true }]);
  });

  it('skips a message whose job does not exist', async () => {
    const h = createHarness();

    expect(await h.cp.dispatch({ tenant: 'acme', jobId: 'ghost' })).toBe('skipped');
    expect(h.launcher.created).toEqual([]);
  });

  it('leaves a job waiting in the store, with no new message, when every slot is taken', async () => {
    // Arrange
    const h = createHarness({ config: { maxConcurrent: 2 } });
    await h.launch(acme);
    await h.launch(acme);
    const third = await h.submit(acme);
    h.queue.take();

    // Act
    const outcome = await h.cp.dispatch(keyOf(third));

    // Assert
    const stored = await h.stored(third);
    expect(outcome).toBe('waiting');
    expect(stored.status).toBe('queued');
    expect(stored.claimedAt).toBeUndefined();
    expect(stored.waitingSince).toBe(new Date(h.clock.now()).toISOString());
    expect(h.queue.messages).toEqual([]);
    expect((await h.store.jobs.nextWaiting(5)).map((j) => j.id)).toEqual([third.id]);
    expect(h.launcher.created.map((j) => j.id)).not.toContain(third.id);
  });

  it('launches a waiting job once a slot is free again', async () => {
    const h = createHarness({ config: { maxConcurrent: 1 } });
    const first = await h.launch(acme);
    const second = await h.submit(acme);
    await h.cp.dispatch(keyOf(second));
    await h.cp.executions.exited(keyOf(first), { exitCode: 0, oomKilled: false, timedOut: false });

    const outcome = await h.cp.dispatch(keyOf(second));

    expect(outcome).toBe('launched');
    expect(await h.stored(second)).toMatchObject({ status: 'running', slot: 0 });
  });

  it('fails the job with launch_failed when the execution cannot be created, freeing the slot', async () => {
    // Arrange
    const h = createHarness();
    const job = await h.submit(acme);
    h.launcher.failCreate(new Error('image not found'));

    // Act
    const outcome = await h.cp.dispatch(keyOf(job));

    // Assert
    expect(outcome).toBe('skipped');
    expect(await h.stored(job)).toMatchObject({ status: 'failed', error: { code: 'launch_failed', message: 'image not found' } });
    expect(await h.store.slots.held()).toEqual([]);
    expect(h.launcher.started).toEqual([]);
  });

  it('fails the job with launch_failed when the execution cannot be started, stopping it and freeing the slot', async () => {
    const h = createHarness();
    const job = await h.submit(acme);
    h.launcher.failStart(new Error('cannot start'));

    const outcome = await h.cp.dispatch(keyOf(job));

    const ref = h.launcher.refOf(keyOf(job));
    expect(outcome).toBe('skipped');
    expect(await h.stored(job)).toMatchObject({ status: 'failed', error: { code: 'launch_failed', message: 'cannot start' } });
    expect(h.launcher.stopped).toEqual([ref]);
    expect(await h.launcher.list()).toEqual([]);
    expect(await h.store.slots.held()).toEqual([]);
  });

  it('stops the new execution and frees the slot when the job is cancelled while it is being created', async () => {
    // Arrange
    const h = createHarness();
    const job = await h.submit(acme);
    h.launcher.onCreate(async () => {
      await h.cp.jobs.cancel(acme, job.id);
    });

    // Act
    const outcome = await h.cp.dispatch(keyOf(job));

    // Assert
    expect(outcome).toBe('skipped');
    expect((await h.stored(job)).status).toBe('cancelled');
    expect(h.launcher.stopped).toEqual([h.launcher.refOf(keyOf(job))]);
    expect(h.launcher.started).toEqual([]);
    expect(await h.launcher.list()).toEqual([]);
    expect(await h.store.slots.held()).toEqual([]);
  });

  it('leaves no execution running when the job is cancelled while it starts', async () => {
    // Arrange: the cancel lands after the job is running, before its execution has started.
    const h = createHarness();
    const job = await h.submit(acme);
    const start = h.launcher.start;
    h.launcher.start = async (ref, running) => {
      await h.cp.jobs.cancel(acme, job.id);
      return start(ref, running);
    };

    // Act
    await h.cp.dispatch(keyOf(job));

    // Assert
    expect((await h.stored(job)).status).toBe('cancelled');
    expect(await h.launcher.list()).toEqual([]);
    expect(await h.store.slots.held()).toEqual([]);
  });

  it('does not launch a job that was cancelled before its message arrived', async () => {
    const h = createHarness();
    const job = await h.submit(acme);
    await h.cp.jobs.cancel(acme, job.id);

    const outcome = await h.cp.dispatch(keyOf(job));

    expect(outcome).toBe('skipped');
    expect(h.launcher.created).toEqual([]);
  });
  it('dispatches from the job its message carries, without reading it', async () => {
    // Arrange
    const h = createHarness();
    const job = await h.submit(acme);
    const get = vi.spyOn(h.store.jobs, 'get');

    // Act
    const outcome = await h.cp.dispatch(keyOf(job), job);

    // Assert
    expect(outcome).toBe('launched');
    expect(get).not.toHaveBeenCalled();
    expect(await h.stored(job)).toMatchObject({ status: 'running', slot: 0 });
  });

  it('launches nothing from a carried copy of a job cancelled since, and frees the slot it took', async () => {
    // Arrange
    const h = createHarness();
    const job = await h.submit(acme);
    await h.cp.jobs.cancel(acme, job.id);

    // Act
    const outcome = await h.cp.dispatch(keyOf(job), job);

    // Assert
    expect(outcome).toBe('skipped');
    expect(h.launcher.created).toEqual([]);
    expect(await h.store.slots.held()).toEqual([]);
  });

  it('goes round once more from the stored job when the carried copy is not current, in the slot it took', async () => {
    // Arrange: the job changed since its message was sent (marked waiting by another delivery), still queued.
    const h = createHarness({ config: { maxConcurrent: 2 } });
    const job = await h.submit(acme);
    await h.store.jobs.transition(job, 'queued', { waitingSince: new Date(h.clock.now()).toISOString() });

    // Act
    const outcome = await h.cp.dispatch(keyOf(job), job);

    // Assert
    expect(outcome).toBe('launched');
    expect(h.launcher.created).toHaveLength(1);
    expect(await h.stored(job)).toMatchObject({ status: 'running', slot: 0, version: job.version + 3 });
    expect(await h.store.slots.held()).toEqual([{ slot: 0, holder: keyOf(job) }]);
  });

  it('frees the slots it took when the stored job it goes round with is not due yet', async () => {
    // Arrange: since its message was sent, the job was put back with a retry due in ten minutes.
    const h = createHarness();
    const job = await h.submit(acme);
    const retryAt = new Date(h.clock.now() + 600_000).toISOString();
    await h.store.jobs.transition(job, 'queued', { retryAt });

    // Act
    const outcome = await h.cp.dispatch(keyOf(job), job);

    // Assert
    expect(outcome).toBe('retrying');
    expect(h.launcher.created).toEqual([]);
    expect(await h.store.slots.held()).toEqual([]);
  });
  it('marks each held slot once for the parking dispatches of one batch', async () => {
    // Arrange: three slots, all running; four more jobs come in one batch.
    const h = createHarness({ config: { maxConcurrent: 3 } });
    for (let i = 0; i < 3; i++) await h.launch(acme);
    const parked = await Promise.all([1, 2, 3, 4].map(() => h.submit(acme)));
    const mark = vi.spyOn(h.store.slots, 'markWaiters');

    // Act
    const outcomes = await Promise.all(parked.map((j) => h.cp.dispatch(keyOf(j), j)));

    // Assert
    expect(outcomes).toEqual(['waiting', 'waiting', 'waiting', 'waiting']);
    expect(mark).toHaveBeenCalledTimes(3);
    expect((await h.store.slots.held()).every((s) => s.waiters)).toBe(true);
  });
});
