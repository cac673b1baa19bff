/**
 * Regressions: behaviours the core once got wrong, each pinned by the test that found it.
 */
import { describe, expect, it } from 'vitest';
import { createControlPlane } from '../../lambdas/core/createControlPlane';
import { callerFactory, jobFactory, rawLinesFactory } from '../helpers/factories';
import { createHarness, keyOf } from '../helpers/memory/createHarness';

const acme = callerFactory();

describe('core regressions', () => {
  it('shows the log-limit notice when the output exactly fills the cap before more arrives', async () => {
    // Arrange: "line N" + newline is 7 bytes; three lines fill a 21-byte cap exactly.
    const h = createHarness({ config: { maxLogBytes: 21 } });
    const job = await h.launch(acme);

    // Act
    await h.cp.executions.output(keyOf(job), rawLinesFactory(3), 't3');
    await h.cp.executions.output(keyOf(job), rawLinesFactory(2, { from: 4 }), 't5');

    // Assert: the dropped lines 4 and 5 must be announced by one system line.
    const stored = await h.store.logs.read(keyOf(job), 0, 100);
    expect(stored.map((l) => l.stream)).toEqual(['stdout', 'stdout', 'stdout', 'system']);
  });

  it('reports a rejected submission as a rejected promise, not a synchronous throw', async () => {
    const h = createHarness();

    let thrownSynchronously: unknown;
    let result: Promise<unknown> | undefined;
    try {
      result = h.cp.jobs.submit(acme, { runtime: 'bash', script: 'true', resources: { memoryMb: 1_000_000 } });
    } catch (err) {
      thrownSynchronously = err;
    }

    expect(thrownSynchronously).toBeUndefined();
    await expect(result).rejects.toMatchObject({ code: 'invalid_input', field: 'resources.memoryMb' });
  });

  it('loses no output when two recorders take turns on the same job', async () => {
    // Arrange: two warm instances of the log recorder (e.g. log-forwarder Lambdas) over one store.
    const h = createHarness();
    const job = await h.launch(acme);
    const a = h.cp;
    const b = createControlPlane(h);

    // Act
    await a.executions.output(keyOf(job), rawLinesFactory(2, { from: 1 }), 't2');
    await b.executions.output(keyOf(job), rawLinesFactory(2, { from: 3 }), 't4');
    await a.executions.output(keyOf(job), rawLinesFactory(2, { from: 5 }), 't6');

    // Assert
    const stored = await h.store.logs.read(keyOf(job), 0, 100);
    expect(stored.map((l) => l.line)).toEqual(['line 1', 'line 2', 'line 3', 'line 4', 'line 5', 'line 6']);
  });

  it('offers a job waiting for a slot again at once when a launch fails, as every other ending does', async () => {
    // Arrange: while the first job holds the only slot, the second finds none and waits.
    const h = createHarness({ config: { maxConcurrent: 1 } });
    const doomed = await h.submit(acme);
    const waiting = await h.submit(acme);
    h.launcher.create = async () => {
      await h.cp.dispatch(keyOf(waiting));
      throw new Error('image not found');
    };
    h.queue.take();

    // Act
    await h.cp.dispatch(keyOf(doomed));

    // Assert: besides its delayed retry, the waiting job is offered now that the slot is free.
    expect((await h.stored(doomed)).error?.code).toBe('launch_failed');
    expect(await h.store.slots.held()).toEqual([]);
    expect(h.queue.messages).toContainEqual({ key: keyOf(waiting) });
  });

  it('frees the slot of a claimed job that reconciliation puts back in the queue', async () => {
    // Arrange: the process died after the dispatcher took a slot for the job, before it ran.
    const h = createHarness();
    const job = jobFactory({ status: 'claimed', createdAt: new Date(h.clock.now()).toISOString() });
    await h.store.jobs.create(job);
    await h.store.slots.acquire(0, keyOf(job));
    const restarted = createControlPlane(h);

    // Act
    await restarted.reconcile({ afterRestart: true });

    // Assert
    expect((await h.stored(job)).status).toBe('queued');
    expect(await h.store.slots.held()).toEqual([]);
  });
});
