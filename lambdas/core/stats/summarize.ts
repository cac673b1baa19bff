import type { Runtime, TerminalStatus } from '../model';
import { countOf, mergeInto, percentileOf, type Histogram } from './logHistogram';
import type { StatsBucket, StatsCounts } from './statsModel';

/** Percentiles in milliseconds; null when no job of the set started. */
export interface DurationFigures {
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface WaitFigures {
  count: number;
  p50: number | null;
  p95: number | null;
}

/** The figures of one set of ended jobs. */
export interface StatsSummary {
  /** Jobs that ended. */
  jobs: number;
  byStatus: Record<TerminalStatus, number>;
  byErrorCode: Record<string, number>;
  /** completed / (jobs − cancelled): a cancel is the user's choice, not a failure. Null when nothing counts. */
  successRate: number | null;
  durationMs: DurationFigures;
  queueWaitMs: WaitFigures;
}

interface Totals {
  byStatus: Record<TerminalStatus, number>;
  byErrorCode: Record<string, number>;
  durations: Record<number, number>;
  waits: Record<number, number>;
}

const emptyTotals = (): Totals => ({
  byStatus: { completed: 0, failed: 0, timeout: 0, cancelled: 0 },
  byErrorCode: {},
  durations: {},
  waits: {},
});

const addCounts = (into: Totals, c: StatsCounts): void => {
  for (const [status, n] of Object.entries(c.byStatus) as [TerminalStatus, number][]) into.byStatus[status] += n;
  for (const [code, n] of Object.entries(c.byErrorCode)) into.byErrorCode[code] = (into.byErrorCode[code] ?? 0) + n;
  mergeInto(into.durations, c.durations);
  mergeInto(into.waits, c.waits);
};

const figures = (h: Histogram) => ({
  count: countOf(h),
  p50: percentileOf(h, 50) ?? null,
  p95: percentileOf(h, 95) ?? null,
});

const summaryOf = (t: Totals): StatsSummary => {
  const jobs = Object.values(t.byStatus).reduce((a, b) => a + b, 0);
  const counted = jobs - t.byStatus.cancelled;
  return {
    jobs,
    byStatus: t.byStatus,
    byErrorCode: t.byErrorCode,
    successRate: counted > 0 ? t.byStatus.completed / counted : null,
    durationMs: { ...figures(t.durations), p99: percentileOf(t.durations, 99) ?? null },
    queueWaitMs: figures(t.waits),
  };
};

/** Merges buckets (any hours) into one summary overall and one per runtime that has jobs. */
export const summarize = (buckets: readonly StatsBucket[]): { total: StatsSummary; byRuntime: Partial<Record<Runtime, StatsSummary>> } => {
  const total = emptyTotals();
  const perRuntime = new Map<Runtime, Totals>();
  for (const bucket of buckets) {
    for (const [runtime, counts] of Object.entries(bucket.byRuntime) as [Runtime, StatsCounts][]) {
      addCounts(total, counts);
      const r = perRuntime.get(runtime) ?? emptyTotals();
      addCounts(r, counts);
      perRuntime.set(runtime, r);
    }
  }
  return {
    total: summaryOf(total),
    byRuntime: Object.fromEntries([...perRuntime].sort(([a], [b]) => a.localeCompare(b)).map(([rt, t]) => [rt, summaryOf(t)])),
  };
};
