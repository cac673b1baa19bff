import { describe, expect, it } from 'vitest';
import { callerFactory, rawLinesFactory } from '../../helpers/factories';
import { createHarness, keyOf } from '../../helpers/memory/createHarness';

const acme = callerFactory();

describe('status notifications', () => {
  it('tells a subscriber every transition of a job, the ending with its last seq', async () => {
    // Arrange
    const h = createHarness();
    const job = await h.submit(acme);
    await h.connect('c1');
    await h.cp.connections.subscribe('c1', job.id, 0);

    // Act
    await h.cp.dispatch(keyOf(job));
    await h.cp.executions.output(keyOf(job), rawLinesFactory(3), 't3');
    await h.cp.executions.exited(keyOf(job), { exitCode: 0, oomKilled: false, timedOut: false });
    await h.cp.executions.settled(keyOf(job)); // pushes to subscribers run in the background

    // Assert
    expect(h.broadcaster.statusesFor('c1')).toEqual([
      { type: 'status', jobId: job.id, status: 'queued' },
      { type: 'status', jobId: job.id, status: 'claimed' },
      { type: 'status', jobId: job.id, status: 'running' },
      { type: 'status', jobId: job.id, status: 'completed', exitCode: 0, lastSeq: 3 },
    ]);
  });

  it('sends the ending after every line it covers', async () => {
    const h = createHarness();
    const job = await h.launch(acme);
    await h.connect('c1');
    await h.cp.connections.subscribe('c1', job.id, 0);

    await h.cp.executions.output(keyOf(job), rawLinesFactory(2), 't2');
    await h.cp.executions.exited(keyOf(job), { exitCode: 2, oomKilled: false, timedOut: false });
    await h.cp.executions.settled(keyOf(job));

    const messages = h.broadcaster.messagesFor('c1');
    expect(messages.at(-1)).toMatchObject({ type: 'status', status: 'failed', exitCode: 2, error: { code: 'exit_nonzero' }, lastSeq: 2 });
    expect(h.broadcaster.logSeqsFor('c1')).toEqual([1, 2]);
  });

  it('carries lastSeq 0 on the ending of a job with no output', async () => {
    const h = createHarness();
    const job = await h.submit(acme);
    await h.connect('c1');
    await h.cp.connections.subscribe('c1', job.id, 0);

    await h.cp.jobs.cancel(acme, job.id);

    expect(h.broadcaster.statusesFor('c1').at(-1)).toEqual({
      type: 'status',
      jobId: job.id,
      status: 'cancelled',
      error: { code: 'cancelled', message: 'cancelled by request' },
      lastSeq: 0,
    });
  });

  it('sends nothing while a job waits for a slot: it stays queued, without a claimed/queued flicker', async () => {
    const h = createHarness({ config: { maxConcurrent: 1 } });
    await h.launch(acme);
    const job = await h.submit(acme);
    await h.connect('c1');
    await h.cp.connections.subscribe('c1', job.id, 0);

    await h.cp.dispatch(keyOf(job));

    expect(h.broadcaster.statusesFor('c1').map((s) => s.status)).toEqual(['queued']);
    expect((await h.cp.jobs.get(acme, job.id)).status).toBe('queued');
  });

  it('does not tell other jobs’ subscribers', async () => {
    const h = createHarness();
    const watched = await h.submit(acme);
    const other = await h.submit(acme);
    await h.connect('c1');
    await h.cp.connections.subscribe('c1', watched.id, 0);

    await h.cp.dispatch(keyOf(other));

    expect(h.broadcaster.statusesFor('c1').map((s) => s.jobId)).toEqual([watched.id]);
  });
});
