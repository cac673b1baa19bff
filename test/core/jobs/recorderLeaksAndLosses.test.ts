import { describe, expect, it } from 'vitest';
import type { RawLine } from '../../../lambdas/core/ports';
import { LogLimits } from '../../../lambdas/core/jobs/logPieces';
import { callerFactory } from '../../helpers/factories';
import { createHarness, keyOf } from '../../helpers/memory/createHarness';

const acme = callerFactory();
const ts = '2026-01-01T00:00:00.000Z';
const SECRET = 'pa55-w0rd-x9-long';
const exit = { exitCode: 0, oomKilled: false, timedOut: false };
const piece = (line: string, partial: boolean, stream: RawLine['stream'] = 'stdout'): RawLine => ({
  stream,
  ts,
  line,
  ...(partial ? { partial } : {}),
});

const withSecret = async () => {
  const h = createHarness();
  await h.cp.variables.put(acme, 'DB_PASSWORD', { value: SECRET, secret: true });
  const job = await h.launch(acme);
  return { h, job, key: keyOf(job) };
};

describe('masking a line cut into pieces', () => {
  it('masks a secret cut between two pieces at any position, in separate output calls', async () => {
    for (let cut = 1; cut < SECRET.length; cut++) {
      const { h, key } = await withSecret();

      await h.cp.executions.output(key, [piece(`${'A'.repeat(100)}${SECRET.slice(0, cut)}`, true)], 't1');
      await h.cp.executions.output(key, [piece(`${SECRET.slice(cut)} tail`, false)], 't2');

      const stored = (await h.store.logs.read(key, 0, 10)).map((l) => l.line);
      expect(stored.join('')).toBe(`${'A'.repeat(100)}*** tail`);
      expect(JSON.stringify(stored)).not.toContain(SECRET.slice(0, 4) + SECRET.slice(4, 8));
    }
  });

  it('keeps the pieces of stdout and stderr apart while masking each as one line', async () => {
    const { h, key } = await withSecret();

    await h.cp.executions.output(
      key,
      [
        piece(`out ${SECRET.slice(0, 5)}`, true),
        piece(`err ${SECRET.slice(0, 9)}`, true, 'stderr'),
        piece(SECRET.slice(5), false),
        piece(SECRET.slice(9), false, 'stderr'),
      ],
      't',
    );

    const stored = await h.store.logs.read(key, 0, 10);
    expect(
      stored
        .filter((l) => l.stream === 'stdout')
        .map((l) => l.line)
        .join(''),
    ).toBe('out ***');
    expect(
      stored
        .filter((l) => l.stream === 'stderr')
        .map((l) => l.line)
        .join(''),
    ).toBe('err ***');
  });

  it('stores what a cut line held back when the job exits before the line’s end', async () => {
    const { h, key } = await withSecret();

    await h.cp.executions.output(key, [piece(`value ${SECRET.slice(0, 6)}`, true)], 't');
    await h.cp.executions.exited(key, exit);

    const stored = (await h.store.logs.read(key, 0, 10)).map((l) => l.line);
    expect(stored.join('')).toBe(`value ${SECRET.slice(0, 6)}`);
    expect((await h.stored(key)).status).toBe('completed');
  });

  it('cuts a line longer than the stored line size into pieces, masking a secret across the cut', async () => {
    const { h, key } = await withSecret();
    const line = `${'A'.repeat(LogLimits.maxLineBytes - 8)}${SECRET}`;

    await h.cp.executions.output(key, [piece(line, false)], 't');

    const stored = (await h.store.logs.read(key, 0, 10)).map((l) => l.line);
    expect(stored.length).toBeGreaterThan(1);
    expect(stored.join('')).toBe(`${'A'.repeat(LogLimits.maxLineBytes - 8)}***`);
  });
});

describe('storing long lines', () => {
  it('stores forty lines of 15,005 bytes in batches under the item size, all readable in order', async () => {
    const h = createHarness();
    const job = await h.launch(acme);
    const lines = Array.from({ length: 40 }, (_, i) => piece(`${String(i).padStart(5, '0')}${'L'.repeat(15_000)}`, false));

    await h.cp.executions.output(keyOf(job), lines, 't40');

    const stored = await h.store.logs.read(keyOf(job), 0, 100);
    expect(stored.map((l) => l.line)).toEqual(lines.map((l) => l.line));
    const batches = h.store.snapshot().logBatches.map((b) => b.batch);
    expect(batches.length).toBeGreaterThan(1);
    for (const b of batches) expect(Buffer.byteLength(JSON.stringify(b.lines))).toBeLessThan(300 * 1024);
    expect(batches.at(-1)?.resumeToken).toBe('t40');
  });

  it('stores a visible notice in place of a line the store keeps refusing, and the lines around it', async () => {
    const h = createHarness();
    const job = await h.launch(acme);
    const append = h.store.logs.append.bind(h.store.logs);
    h.store.logs.append = async (key, batch) => {
      if (batch.lines.some((l) => l.line === 'poison')) throw new Error('Item size has exceeded the maximum allowed size');
      return append(key, batch);
    };

    await h.cp.executions.output(keyOf(job), [piece('before', false), piece('poison', false), piece('after', false)], 't');

    const stored = await h.store.logs.read(keyOf(job), 0, 10);
    expect(stored.map((l) => [l.seq, l.stream])).toEqual([
      [1, 'stdout'],
      [2, 'system'],
      [3, 'stdout'],
    ]);
    expect(stored[1]?.line).toMatch(/could not be stored/);
    expect(stored[2]?.line).toBe('after');
  });
});

describe('masking what a job ends with', () => {
  it('masks a secret in the output, outputError and each server’s output', async () => {
    const { h, key, job } = await withSecret();

    await h.cp.executions.exited(key, {
      ...exit,
      outputs: { files: { 'output.json': JSON.stringify({ password: SECRET, [SECRET]: [1, `x${SECRET}`] }), 'condition.json': 'nope' } },
    });

    const ended = await h.cp.jobs.get(acme, job.id);
    expect(ended.output).toEqual({ password: '***', '***': [1, 'x***'] });
    expect(JSON.stringify(ended)).not.toContain(SECRET);
  });

  it('masks a secret a server wrote to its output on a job that ran on several servers', async () => {
    const { h, key, job } = await withSecret();
    const server = (name: string, output: unknown) => ({
      serverId: name,
      serverName: name,
      exitCode: 0,
      timedOut: false,
      outputs: { files: { 'output.json': JSON.stringify(output) } },
    });

    await h.cp.executions.exited(key, { ...exit, executions: [server('web1', SECRET), server('web2', { t: `a ${SECRET}` })] });

    const ended = await h.cp.jobs.get(acme, job.id);
    expect(ended.output).toEqual({ web1: '***', web2: { t: 'a ***' } });
    expect(JSON.stringify(ended)).not.toContain(SECRET);
  });

  it('refuses to set a plain variable to a secret value, and says so in outputError', async () => {
    const { h, key, job } = await withSecret();

    await h.cp.executions.exited(key, {
      ...exit,
      outputs: { files: { 'variables.json': JSON.stringify({ copy: `p=${SECRET}`, fine: 1 }) } },
    });

    const ended = await h.cp.jobs.get(acme, job.id);
    expect(ended.outputError).toMatch(/variables not set because their value holds a secret value.*: copy/);
    expect((await h.cp.variables.list(acme)).map((v) => v.key).sort()).toEqual(['DB_PASSWORD', 'fine']);
    expect(JSON.stringify(await h.cp.variables.list(acme))).not.toContain(SECRET);
  });

  it('lets a script write a secret value to a secret variable', async () => {
    const { h, key, job } = await withSecret();
    await h.cp.variables.put(acme, 'BACKUP', { value: 'old-value', secret: true });

    await h.cp.executions.exited(key, { ...exit, outputs: { files: { 'variables.json': JSON.stringify({ BACKUP: SECRET }) } } });

    expect((await h.cp.jobs.get(acme, job.id)).outputError).toBeUndefined();
    expect((await h.store.variables.get(acme.tenant, 'BACKUP'))?.secret).toBe(true);
  });
});

describe('subscribers never hold up storing or ending', () => {
  it('stores lines and ends the job while a subscriber’s sends are stuck, then pushes the lines before the final status', async () => {
    // Arrange
    const h = createHarness();
    const job = await h.launch(acme);
    await h.connect('c1');
    await h.cp.connections.subscribe('c1', job.id, 0);
    const gate = h.broadcaster.hold();

    // Act
    await h.cp.executions.output(keyOf(job), [piece('one', false), piece('two', false)], 't2');
    await h.cp.executions.exited(keyOf(job), exit);
    const storedWhileStuck = (await h.store.logs.read(keyOf(job), 0, 10)).length;
    const statusWhileStuck = (await h.stored(job)).status;
    gate.release();
    await h.cp.executions.settled(keyOf(job));

    // Assert
    expect(storedWhileStuck).toBe(2);
    expect(statusWhileStuck).toBe('completed');
    expect(h.broadcaster.logSeqsFor('c1')).toEqual([1, 2]);
    const last = h.broadcaster.messagesFor('c1').at(-1);
    expect(last).toMatchObject({ type: 'status', status: 'completed', lastSeq: 2 });
  });
});
