import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameLimits, packFrames } from '../../../lambdas/core/live/packFrames';
import type { LogLine } from '../../../lambdas/core/model';
import { logLineFactory } from '../../helpers/factories';

const frameBytes = (jobId: string, lines: LogLine[]) => Buffer.byteLength(JSON.stringify({ type: 'logs', jobId, lines }));
const JOB_ID = '01KB7Z3Y9M6W2T8Q4R5N1C0XVA';

describe('packing log lines into frames', () => {
  it('puts many short lines into one frame', () => {
    const lines = Array.from({ length: 300 }, (_, i) => logLineFactory({ seq: i + 1 }));

    const frames = packFrames(lines);

    expect(frames).toHaveLength(1);
    expect(frames[0]!.map((l) => l.seq)).toEqual(lines.map((l) => l.seq));
  });

  it('keeps every frame within the 32 KiB budget, in order with no line lost or repeated', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 9_000 }), { maxLength: 60 }), (texts) => {
        const lines = texts.map((line, i) => logLineFactory({ seq: i + 1, line }));

        const frames = packFrames(lines);

        expect(frames.flat().map((l) => l.seq)).toEqual(lines.map((l) => l.seq));
        expect(frames.flat().map((l) => l.line)).toEqual(texts);
        for (const frame of frames) expect(frameBytes(JOB_ID, frame)).toBeLessThanOrEqual(FrameLimits.budgetBytes);
      }),
      { numRuns: 50 },
    );
  });

  it('sends a line larger than the budget alone, and cuts one that would pass the 128 KiB limit', () => {
    const big = logLineFactory({ seq: 2, line: 'x'.repeat(40_000) });
    const huge = logLineFactory({ seq: 3, line: '\u0001'.repeat(30_000) }); // JSON-escaped to 6 bytes each

    const frames = packFrames([logLineFactory({ seq: 1 }), big, huge, logLineFactory({ seq: 4 })]);

    expect(frames.map((f) => f.map((l) => l.seq))).toEqual([[1], [2], [3], [4]]);
    expect(frames[1]![0]!.line).toBe(big.line);
    expect(frames[2]![0]!.line).toMatch(/line cut/);
    for (const frame of frames) expect(frameBytes(JOB_ID, frame)).toBeLessThanOrEqual(FrameLimits.maxBytes);
  });
});
