import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketOf, MAX_BUCKET, percentileOf, RELATIVE_PRECISION, valueOf } from '../../../lambdas/core/stats';

/** The nearest-rank percentile of the values themselves. */
const exactPercentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
};

const histogramOf = (values: number[]) => {
  const h: Record<number, number> = {};
  for (const v of values) h[bucketOf(v)] = (h[bucketOf(v)] ?? 0) + 1;
  return h;
};

describe('log-scale histogram', () => {
  it('reports every percentile within 4.43 % (plus 0.05 ms rounding) of the exact nearest-rank one', () => {
    expect(RELATIVE_PRECISION).toBeCloseTo(0.0443, 4);
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 2 ** 31 }), { minLength: 1, maxLength: 300 }),
        fc.constantFrom(1, 50, 90, 95, 99, 100),
        (values, p) => {
          const exact = exactPercentile(values, p);
          const reported = percentileOf(histogramOf(values), p)!;
          expect(Math.abs(reported - exact)).toBeLessThanOrEqual(exact * RELATIVE_PRECISION + 0.05 + 1e-9);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('keeps 0 ms exact and a whole millisecond within its bucket', () => {
    expect(valueOf(bucketOf(0))).toBe(0);
    for (const ms of [1, 2, 3, 10, 999, 1000, 60_000, 3_600_000]) {
      expect(Math.abs(valueOf(bucketOf(ms)) - ms)).toBeLessThanOrEqual(ms * RELATIVE_PRECISION + 0.05);
    }
  });

  it('counts values past 2^32 ms in the last bucket', () => {
    expect(bucketOf(2 ** 32)).toBe(MAX_BUCKET);
    expect(bucketOf(2 ** 40)).toBe(MAX_BUCKET);
    expect(bucketOf(2 ** 32 - 1)).toBeLessThan(MAX_BUCKET);
  });

  it('merges by adding counts: percentiles of two histograms added equal those of all the values', () => {
    const a = [5, 50, 500, 5000];
    const b = [7, 70, 700];
    const merged = histogramOf(a);
    for (const [k, n] of Object.entries(histogramOf(b))) merged[Number(k)] = (merged[Number(k)] ?? 0) + n;
    expect(percentileOf(merged, 50)).toBe(percentileOf(histogramOf([...a, ...b]), 50));
    expect(percentileOf({}, 50)).toBeUndefined();
  });
});
