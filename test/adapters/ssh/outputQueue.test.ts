import { describe, expect, it } from 'vitest';
import { createOutputQueue, OutputHighWaterChars } from '../../../lambdas/adapters/ssh/outputQueue';
import type { RawLine } from '../../../lambdas/core/ports/runtime';

const long = (n: number): RawLine[] =>
  Array.from({ length: n }, () => ({ stream: 'stdout' as const, ts: '2026-01-01T00:00:00.000Z', line: 'x'.repeat(16 * 1024) }));

describe('ssh output queue', () => {
  it('asks the reader to pause once long lines fill the queue by size, well before its line count', async () => {
    // Arrange: delivery stuck until released
    let release!: () => void;
    const stuck = new Promise<void>((r) => (release = r));
    const pressure: boolean[] = [];
    const queue = createOutputQueue({ deliver: () => stuck, onError: () => undefined, onPressure: (p) => pressure.push(p) });

    // Act
    queue.push(long(Math.ceil(OutputHighWaterChars / (16 * 1024)) + 1));

    // Assert
    expect(pressure).toEqual([true]);
    release();
    await queue.drain();
    expect(pressure).toEqual([true, false]);
  });
});
