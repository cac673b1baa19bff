import { describe, expect, it } from 'vitest';
import { callerFactory } from '../../helpers/factories';
import { createHarness, keyOf } from '../../helpers/memory/createHarness';

const acme = callerFactory();

describe('cancelling a job', () => {
  it('cancels a queued job at once', async () => {
    const h = createHarness();
    const job = await h.submit(acme);

    const cancelled = await h.cp.jobs.cancel(acme, job.id);

    expect(cancelled).toMatchObject({ status: 'cancelled', error: { code: 'cancelled' } });
    expect(await h.stored(job)).toEqual(cancelled);
    expect(h.launcher.stopped).toEqual([]);
  });

  it('never launches a job cancelled while queued', async () => {
    const h = createHarness();
    const job = await h.submit(acme);
    await h.cp.jobs.cancel(acme, job.id);

    for (const message of h.queue.take()) await h.cp.dispatch(message.key);

    expect(h.launcher.created).toEqual([]);
    expect((await h.stored(job)).status).toBe('cancelled');
  });

  it('cancels a running job and stops its execution', async () => {
    // Arrange
    const h = createHarness();
    const job = await h.launch(acme);

    // Act
    const cancelled = await h.cp.jobs.cancel(acme, job.id);

    // Assert
    expect(cancelled.status).toBe('cancelled');
    expect(h.launcher.stopped).toEqual([job.executionRef]);
    expect(await h.launcher.list()).toEqual([]);
  });

  it('frees the slot of a cancelled running job and offers a waiting job', async () => {
    const h = createHarness({ config: { maxConcurrent: 1 } });
    const running = await h.launch(acme);
    const waiting = await h.submit(acme);
    await h.cp.dispatch(keyOf(waiting));
    h.queue.take();

    await h.cp.jobs.cancel(acme, running.id);

    expect(await h.store.slots.held()).toEqual([]);
    expect(h.queue.messages.map((m) => m.key)).toEqual([keyOf(waiting)]);
  });

  it.each(['completed', 'failed', 'timeout'] as const)('returns a %s job unchanged', async (status) => {
    const h = createHarness();
    const job = await h.launch(acme);
    const report = { exitCode: status === 'failed' ? 1 : 0, oomKilled: false, timedOut: status === 'timeout' };
    await h.cp.executions.exited(keyOf(job), report);
    const ended = await h.stored(job);

    const result = await h.cp.jobs.cancel(acme, job.id);

    expect(result).toEqual(ended);
    expect(await h.stored(job)).toEqual(ended);
    expect(h.launcher.stopped).toEqual([]);
  });

  it('returns an already cancelled job unchanged', async () => {
    const h = createHarness();
    const job = await h.submit(acme);
    const first = await h.cp.jobs.cancel(acme, job.id);

    expect(await h.cp.jobs.cancel(acme, job.id)).toEqual(first);
  });

  it('reports a job that does not exist as not found', async () => {
    const h = createHarness();

    await expect(h.cp.jobs.cancel(acme, 'nope')).rejects.toMatchObject({ code: 'not_found' });
  });
});
