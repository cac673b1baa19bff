/** Percentile by nearest rank over a copy of the samples. */
export const percentile = (samples: number[], p: number): number => {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
};

export const summarize = (samples: number[]) => ({
  n: samples.length,
  medianMs: round(percentile(samples, 50)),
  p95Ms: round(percentile(samples, 95)),
  p99Ms: round(percentile(samples, 99)),
});

export const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
