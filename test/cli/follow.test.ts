import { afterEach, describe, expect, it } from 'vitest';
import { createLineSequencer } from '../../bin/cli/lineSequencer';
import type { LogLine } from '../../bin/cli';
import { startFakeCronium, type FakeCronium, type JobPlan } from './helpers/fakeCronium';
import { runCli } from './helpers/runCli';

const numbered = (n: number): JobPlan['lines'] => Array.from({ length: n }, (_, i) => ({ stream: 'stdout', line: `line ${i + 1}` }));
const expected = (n: number): string => Array.from({ length: n }, (_, i) => `line ${i + 1}\n`).join('');
const line = (seq: number): LogLine => ({ seq, stream: 'stdout', ts: '2025-01-01T00:00:00Z', line: `line ${seq}` });

describe('line sequencing', () => {
  it('emits socket lines once and in order, and reports a gap without emitting past it', () => {
    // Arrange
    const emitted: number[] = [];
    const seq = createLineSequencer(0, (l) => emitted.push(l.seq));

    // Act
    const results = [seq.offer(line(1)), seq.offer(line(1)), seq.offer(line(3)), seq.offer(line(2))];

    // Assert
    expect(results).toEqual(['emitted', 'duplicate', 'gap', 'emitted']);
    expect(emitted).toEqual([1, 2]);
  });

  it('accepts a stored line across a gap the store itself has', () => {
    // Arrange
    const emitted: number[] = [];
    const seq = createLineSequencer(2, (l) => emitted.push(l.seq));

    // Act
    seq.accept(line(2));
    seq.accept(line(5));

    // Assert
    expect(emitted).toEqual([5]);
    expect(seq.last).toBe(5);
  });
});

describe('following a job over the socket', () => {
  let server: FakeCronium | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const run = async (plan: Partial<JobPlan>, deps = {}) => {
    server = await startFakeCronium({ plan: () => ({ lines: numbered(6), final: { status: 'completed', exitCode: 0 }, ...plan }) });
    const { id } = server.addJob();
    const result = await runCli(['--url', server.url, '--api-key', server.apiKey, 'jobs', 'logs', id, '--follow'], { deps });
    return { id, result };
  };

  it('fills a gap in the socket stream from REST before writing the later lines', async () => {
    // Act: a tail grace longer than the test timeout, so only a gap fill can finish in time.
    const { id, result } = await run({ socketOmits: [3, 4] }, { tailGraceMs: 60_000 });

    // Assert
    expect(result.stdout).toBe(expected(6));
    expect(server?.requestsTo('GET', `/jobs/${id}/logs`)[0]?.query.after).toBe('2');
  }, 10_000);

  it('writes each line once when the socket repeats lines', async () => {
    // Act
    const { result } = await run({ socketRepeats: true });

    // Assert
    expect(result.stdout).toBe(expected(6));
  });

  it('subscribes after --after so earlier lines are not written again', async () => {
    // Arrange
    server = await startFakeCronium({ plan: () => ({ lines: numbered(6), final: { status: 'completed', exitCode: 0 } }) });
    const { id } = server.addJob();

    // Act
    const result = await runCli(['--url', server.url, '--api-key', server.apiKey, 'jobs', 'logs', id, '-f', '--after', '4']);

    // Assert
    expect(result.stdout).toBe('line 5\nline 6\n');
  });

  it('subscribes again after its last line when told it lags, and writes every line once', async () => {
    // Act: a tail grace longer than the test timeout, so only the second subscription can finish in time.
    const { id, result } = await run({ socketLagsAfter: 3, socketFrameLines: 3 }, { tailGraceMs: 60_000 });

    // Assert
    expect(result.stdout).toBe(expected(6));
    expect(server?.requestsTo('GET', `/jobs/${id}/logs`)).toEqual([]);
  }, 10_000);

  it('notices over REST that the job ended when the socket never says so', async () => {
    // Act
    const { result } = await run({ socketSilentEnd: true }, { statusCheckMs: 50 });

    // Assert
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(expected(6));
  });
});
