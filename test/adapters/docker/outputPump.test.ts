import { describe, expect, it } from 'vitest';
import { createLineAssembler, type AssembledLine } from '../../../lambdas/adapters/docker/lineAssembler';
import { createOutputPump, QueueHighWater } from '../../../lambdas/adapters/docker/outputPump';
import type { ExecutionEvents, RawLine } from '../../../lambdas/core/ports/runtime';

const key = { tenant: 't', jobId: 'j' };

const linesOf = (n: number, from = 1): AssembledLine[] => {
  const assembler = createLineAssembler();
  const text = Array.from({ length: n }, (_, i) => `${from + i}\n`).join('');
  return assembler.push({ stream: 'stdout', payload: Buffer.from(`2025-03-01T10:00:00.000000001Z ${text}`) });
};

/** ExecutionEvents whose output calls stay pending until released. */
const gatedEvents = () => {
  const calls: { lines: RawLine[]; token: string; release: () => void }[] = [];
  const events: ExecutionEvents = {
    output: (_key, lines, token) => new Promise<void>((release) => calls.push({ lines, token, release })),
    exited: async () => {},
  };
  return { events, calls };
};

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('output pump', () => {
  it('sends one call at a time and batches the lines pushed while one is in flight', async () => {
    // Arrange
    const { events, calls } = gatedEvents();
    const pump = createOutputPump({ key, events, signal: new AbortController().signal, onGiveUp: () => {} });

    // Act
    pump.push(linesOf(1, 1));
    pump.push(linesOf(2, 2));
    pump.push(linesOf(1, 4));
    await tick();
    const inFlightAfterPushes = calls.length;
    calls[0]!.release();
    await tick();

    // Assert
    expect(inFlightAfterPushes).toBe(1);
    expect(calls.map((c) => c.lines.map((l) => l.line))).toEqual([['1'], ['2', '3', '4']]);
    expect(calls[1]!.token).toMatch(/^d1;/);
  });

  it('drops a batch that could not be recorded, reports it, and goes on with the next', async () => {
    // Arrange: the report path already retried; a rejection reaching the pump is final
    const delivered: string[] = [];
    let failuresLeft = 1;
    const events: ExecutionEvents = {
      output: async (_key, lines) => {
        if (failuresLeft-- > 0) throw new Error('down');
        delivered.push(...lines.map((l) => l.line));
      },
      exited: async () => {},
    };
    const dropped: number[] = [];
    const pump = createOutputPump({ key, events, signal: new AbortController().signal, onGiveUp: (_e, n) => dropped.push(n) });

    // Act
    pump.push(linesOf(2, 1));
    await pump.drain();
    pump.push(linesOf(1, 3));
    await pump.drain();

    // Assert
    expect(dropped).toEqual([2]);
    expect(delivered).toEqual(['3']);
  });

  it('makes a reader wait while the queue is full, and lets it go once delivery catches up', async () => {
    // Arrange
    const { events, calls } = gatedEvents();
    const pump = createOutputPump({ key, events, signal: new AbortController().signal, onGiveUp: () => {} });
    pump.push(linesOf(1));
    pump.push(linesOf(QueueHighWater));
    let roomGiven = false;

    // Act
    const room = pump.room().then(() => (roomGiven = true));
    await tick();
    const waitedWhileFull = !roomGiven;
    for (let i = 0; i < 20 && !roomGiven; i++) {
      calls.at(-1)!.release();
      await tick();
    }
    await room;

    // Assert
    expect(waitedWhileFull).toBe(true);
    expect(roomGiven).toBe(true);
  });

  it('sends nothing more once aborted', async () => {
    // Arrange
    const { events, calls } = gatedEvents();
    const abort = new AbortController();
    const pump = createOutputPump({ key, events, signal: abort.signal, onGiveUp: () => {} });
    pump.push(linesOf(1, 1));
    pump.push(linesOf(1, 2));
    await tick();

    // Act
    abort.abort();
    calls[0]!.release();
    await pump.drain();
    pump.push(linesOf(1, 3));
    await tick();

    // Assert
    expect(calls).toHaveLength(1);
  });
});
