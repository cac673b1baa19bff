/**
 * A fixed log-scale histogram of milliseconds, the same everywhere, so histograms of any hours,
 * events or runtimes merge by adding counts bucket by bucket and percentiles come from the merge.
 *
 * Bucket 0 holds values under 1 ms; bucket i (1..MAX_BUCKET) holds [2^((i-1)/8), 2^(i/8)) ms, a
 * factor of 2^(1/8) ≈ 1.0905 wide. A bucket is reported as its geometric middle, so a percentile is
 * within 2^(1/16) - 1 ≈ 4.43 % of the true (nearest-rank) one. Values of 2^32 ms (about 49.7 days)
 * and more are counted in the last bucket.
 */
export const BUCKETS_PER_DOUBLING = 8;
export const MAX_BUCKET = 32 * BUCKETS_PER_DOUBLING + 1;
/** The worst relative error of a reported percentile (values of 1 ms and more, below the last bucket). */
export const RELATIVE_PRECISION = 2 ** (1 / (2 * BUCKETS_PER_DOUBLING)) - 1;

/** Counts by bucket index; buckets with no value are absent. */
export type Histogram = Readonly<Record<number, number>>;

/** The bucket a value in milliseconds falls in. */
export const bucketOf = (ms: number): number => {
  if (!(ms >= 1)) return 0;
  return Math.min(Math.floor(Math.log2(ms) * BUCKETS_PER_DOUBLING) + 1, MAX_BUCKET);
};

/** The value reported for a bucket: 0 for bucket 0, else its geometric middle, to 0.1 ms. */
export const valueOf = (bucket: number): number => (bucket <= 0 ? 0 : Math.round(10 * 2 ** ((bucket - 0.5) / BUCKETS_PER_DOUBLING)) / 10);

/** Adds `from` into `into` (mutated) and returns it. */
export const mergeInto = (into: Record<number, number>, from: Histogram): Record<number, number> => {
  for (const [bucket, count] of Object.entries(from)) into[Number(bucket)] = (into[Number(bucket)] ?? 0) + count;
  return into;
};

export const countOf = (h: Histogram): number => Object.values(h).reduce((a, b) => a + b, 0);

/**
 * The nearest-rank percentile `p` (0 < p <= 100): the value of the bucket holding the
 * ceil(p/100 × n)-th smallest value. Undefined for an empty histogram.
 */
export const percentileOf = (h: Histogram, p: number): number | undefined => {
  const n = countOf(h);
  if (n === 0) return undefined;
  const rank = Math.max(1, Math.ceil((p / 100) * n));
  let seen = 0;
  for (const bucket of Object.keys(h)
    .map(Number)
    .sort((a, b) => a - b)) {
    seen += h[bucket] ?? 0;
    if (seen >= rank) return valueOf(bucket);
  }
  return undefined;
};
