import { describe, expect, it } from 'vitest';
import { createControlPlane } from '../../../lambdas/core/createControlPlane';
import { callerFactory, rawLinesFactory } from '../../helpers/factories';
import { createHarness, keyOf } from '../../helpers/memory/createHarness';

const acme = callerFactory();
const exit = (exitCode: number, o: { oomKilled?: boolean; timedOut?: boolean } = {}) => ({
  exitCode,
  oomKilled: o.oomKilled ?? false,
  timedOut: o.timedOut ?? false,
});

describe('recording output', () => {
  it('numbers lines 1..n with no gap across calls and stores them', async () => {
    // Arrange
    const h = createHarness();
    const job = await h.launch(acme);

    // Act
    await h.cp.executions.output(keyOf(job), rawLinesFactory(3, { from: 1 }), 't3');
    await h.cp.executions.output(keyOf(job), rawLinesFactory(2, { from: 4 }), 't5');

    // Assert
    const stored = await h.store.logs.read(keyOf(job), 0, 100);
    expect(stored.map((l) => [l.seq, l.line])).toEqual([
      [1, 'line 1'],
      [2, 'line 2'],
      [3, 'line 3'],
      [4, 'line 4'],
      [5, 'line 5'],
    ]);
  });

  it('numbers lines without gap or duplicate when calls overlap', async () => {
    const h = createHarness();
    const job = await h.launch(acme);

    await Promise.all([1, 4, 7, 10].map((from) => h.cp.executions.output(keyOf(job), rawLinesFactory(3, { from }), `t${from}`)));

    const stored = await h.store.logs.read(keyOf(job), 0, 100);
    expect(stored.map((l) => l.seq)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(stored.map((l) => l.line)).toEqual(Array.from({ length: 12 }, (_, i) => `line ${i + 1}`));
  });

  it('keeps each line’s stream and time', async () => {
    const h = createHarness();
    const job = await h.launch(acme);

    await h.cp.executions.output(
      keyOf(job),
      [
        { stream: 'stdout', ts: '2030-01-01T00:00:01.000Z', line: 'out' },
        { stream: 'stderr', ts: '2030-01-01T00:00:02.000Z', line: 'err' },
      ],
      't2',
    );

    expect(await h.cp.jobs.logs(acme, job.id, 0, 10)).toEqual({
      items: [
        { seq: 1, stream: 'stdout', ts: '2030-01-01T00:00:01.000Z', line: 'out' },
        { seq: 2, stream: 'stderr', ts: '2030-01-01T00:00:02.000Z', line: 'err' },
      ],
      nextSeq: 2,
    });
  });

  it('remembers where the launcher was, for a later re-attach', async () => {
    const h = createHarness();
    const job = await h.launch(acme);

    await h.cp.executions.output(keyOf(job), rawLinesFactory(2), 'offset-42');

    expect((await h.store.logs.tail(keyOf(job))).resumeToken).toBe('offset-42');
  });

  it('continues numbering after the stored lines when another recorder takes over', async () => {
    // Arrange: a second control plane over the same store stands for a restarted process.
    const h = createHarness();
    const job = await h.launch(acme);
    await h.cp.executions.output(keyOf(job), rawLinesFactory(2, { from: 1 }), 't2');
    const restarted = createControlPlane(h);

    // Act
    await restarted.executions.output(keyOf(job), rawLinesFactory(2, { from: 3 }), 't4');

    // Assert
    expect((await h.store.logs.read(keyOf(job), 0, 100)).map((l) => l.seq)).toEqual([1, 2, 3, 4]);
  });

  it('delivers new lines to a subscriber live, in order', async () => {
    const h = createHarness();
    const job = await h.launch(acme);
    await h.connect('c1');
    await h.cp.connections.subscribe('c1', job.id, 0);

    await h.cp.executions.output(keyOf(job), rawLinesFactory(3, { from: 1 }), 't3');
    await h.cp.executions.output(keyOf(job), rawLinesFactory(2, { from: 4 }), 't5');
    await h.cp.executions.settled(keyOf(job));

    const logs = h.broadcaster.logLinesFor('c1');
    expect(logs.map((m) => [m.seq, m.line, m.jobId])).toEqual([
      [1, 'line 1', job.id],
      [2, 'line 2', job.id],
      [3, 'line 3', job.id],
      [4, 'line 4', job.id],
      [5, 'line 5', job.id],
    ]);
  });

  it('ignores an empty report', async () => {
    const h = createHarness();
    const job = await h.launch(acme);

    await h.cp.executions.output(keyOf(job), [], 't0');

    expect(await h.store.logs.tail(keyOf(job))).toEqual({ lastSeq: 0, totalBytes: 0 });
  });
});

describe('the per-job log cap', () => {
  // Each line "line N" (N < 10) is 6 bytes plus its newline: 7 bytes.
  const cap = 7 * 3 + 3;

  it('stores lines up to the cap, then one notice, and drops the rest', async () => {
    // Arrange
    const h = createHarness({ config: { maxLogBytes: cap } });
    const job = await h.launch(acme);

    // Act
    await h.cp.executions.output(keyOf(job), rawLinesFactory(5), 't5');

    // Assert
    const stored = await h.store.logs.read(keyOf(job), 0, 100);
    expect(stored.map((l) => [l.seq, l.stream])).toEqual([
      [1, 'stdout'],
      [2, 'stdout'],
      [3, 'stdout'],
      [4, 'system'],
    ]);
    expect(stored[3]?.line).toMatch(/log limit of 24 bytes reached/);
  });

  it('drops later output too, without a second notice', async () => {
    const h = createHarness({ config: { maxLogBytes: cap } });
    const job = await h.launch(acme);
    await h.cp.executions.output(keyOf(job), rawLinesFactory(5), 't5');

    await h.cp.executions.output(keyOf(job), rawLinesFactory(3, { from: 6 }), 't8');
    await h.cp.executions.output(keyOf(job), rawLinesFactory(1, { prefix: 'x' }), 't9');

    const stored = await h.store.logs.read(keyOf(job), 0, 100);
    expect(stored).toHaveLength(4);
    expect(stored.filter((l) => l.stream === 'system')).toHaveLength(1);
  });

  it('keeps the cap after a restart of the recorder', async () => {
    const h = createHarness({ config: { maxLogBytes: cap } });
    const job = await h.launch(acme);
    await h.cp.executions.output(keyOf(job), rawLinesFactory(5), 't5');

    await createControlPlane(h).executions.output(keyOf(job), rawLinesFactory(3, { from: 6 }), 't8');

    expect(await h.store.logs.read(keyOf(job), 0, 100)).toHaveLength(4);
  });

  it('counts bytes, not characters', async () => {
    const h = createHarness({ config: { maxLogBytes: 10 } });
    const job = await h.launch(acme);

    // "ééé" is 6 bytes (+1 newline = 7); two of them pass 10 bytes.
    await h.cp.executions.output(
      keyOf(job),
      [1, 2].map(() => ({ stream: 'stdout' as const, ts: job.createdAt, line: 'ééé' })),
      't',
    );

    expect((await h.store.logs.read(keyOf(job), 0, 100)).map((l) => l.stream)).toEqual(['stdout', 'system']);
  });

  it('shows subscribers the notice too', async () => {
    const h = createHarness({ config: { maxLogBytes: cap } });
    const job = await h.launch(acme);
    await h.connect('c1');
    await h.cp.connections.subscribe('c1', job.id, 0);

    await h.cp.executions.output(keyOf(job), rawLinesFactory(5), 't5');
    await h.cp.executions.settled(keyOf(job));

    expect(h.broadcaster.logSeqsFor('c1')).toEqual([1, 2, 3, 4]);
  });
});

describe('recording an exit', () => {
  it('completes the job on exit code 0', async () => {
    const h = createHarness();
    const job = await h.launch(acme);
    h.clock.advance(2_500);

    await h.cp.executions.exited(keyOf(job), exit(0));

    const ended = await h.stored(job);
    expect(ended).toMatchObject({ status: 'completed', exitCode: 0, durationMs: 2_500, finishedAt: new Date(h.clock.now()).toISOString() });
    expect(ended.error).toBeUndefined();
  });

  it('fails the job with exit_nonzero and the exit code', async () => {
    const h = createHarness();
    const job = await h.launch(acme);

    await h.cp.executions.exited(keyOf(job), exit(3));

    expect(await h.stored(job)).toMatchObject({ status: 'failed', exitCode: 3, error: { code: 'exit_nonzero' } });
  });

  it('fails the job with oom when it ran out of memory, naming the limit', async () => {
    const h = createHarness();
    const job = await h.launch(acme, { resources: { memoryMb: 256 } });

    await h.cp.executions.exited(keyOf(job), exit(137, { oomKilled: true }));

    const ended = await h.stored(job);
    expect(ended).toMatchObject({ status: 'failed', error: { code: 'oom' } });
    expect(ended.error?.message).toContain('256 MiB');
  });

  it('ends the job timeout when the launcher killed it at its deadline', async () => {
    const h = createHarness();
    const job = await h.launch(acme);

    await h.cp.executions.exited(keyOf(job), exit(137, { timedOut: true }));

    expect(await h.stored(job)).toMatchObject({ status: 'timeout', error: { code: 'timeout' } });
  });

  it('keeps a cancelled job cancelled when its execution exits afterwards', async () => {
    const h = createHarness();
    const job = await h.launch(acme);
    await h.cp.jobs.cancel(acme, job.id);

    await h.cp.executions.exited(keyOf(job), exit(137));

    expect(await h.stored(job)).toMatchObject({ status: 'cancelled', error: { code: 'cancelled' } });
  });

  it('treats a duplicate exit as harmless', async () => {
    const h = createHarness();
    const job = await h.launch(acme);
    await h.cp.executions.exited(keyOf(job), exit(0));
    const first = await h.stored(job);

    await h.cp.executions.exited(keyOf(job), exit(1));

    expect(await h.stored(job)).toEqual(first);
  });

  it('ends the job only after the output reported before the exit is stored', async () => {
    const h = createHarness();
    const job = await h.launch(acme);

    const output = h.cp.executions.output(keyOf(job), rawLinesFactory(3), 't3');
    const exited = h.cp.executions.exited(keyOf(job), exit(0));
    await Promise.all([output, exited]);

    expect((await h.store.logs.tail(keyOf(job))).lastSeq).toBe(3);
    expect((await h.stored(job)).status).toBe('completed');
  });

  it.each([
    ['completed', exit(0)],
    ['failed', exit(1)],
    ['failed', exit(137, { oomKilled: true })],
    ['timeout', exit(137, { timedOut: true })],
  ])('frees the slot when the job ends %s', async (_status, report) => {
    const h = createHarness();
    const job = await h.launch(acme);

    await h.cp.executions.exited(keyOf(job), report);

    expect(await h.store.slots.held()).toEqual([]);
  });

  it('offers a job waiting for a slot again when a slot is freed', async () => {
    // Arrange
    const h = createHarness({ config: { maxConcurrent: 1 } });
    const running = await h.launch(acme);
    const waiting = await h.submit(acme);
    await h.cp.dispatch(keyOf(waiting));
    h.queue.take();

    // Act
    await h.cp.executions.exited(keyOf(running), exit(0));

    // Assert
    expect(h.queue.messages.map((m) => m.key)).toEqual([keyOf(waiting)]);
  });
});
