import type { Api } from '../api/client';
import type { StatsReport } from '../api/opsTypes';

const HOUR = 3_600_000;

export const statsRanges = {
  '24h': { label: 'Last 24 hours', ms: 24 * HOUR, bucketMs: HOUR },
  '7d': { label: 'Last 7 days', ms: 7 * 24 * HOUR, bucketMs: 6 * HOUR },
  '31d': { label: 'Last 31 days', ms: 31 * 24 * HOUR, bucketMs: 24 * HOUR },
} as const;
export type StatsRange = keyof typeof statsRanges;

export interface StatsSeries {
  total: StatsReport;
  /** Consecutive windows, oldest first, each starting at `times[i]`. */
  times: Date[];
  buckets: StatsReport[];
}

/**
 * The range's totals and the same figures per window. `/stats` answers one range from hourly
 * aggregates, so "over time" is one request per window, in parallel, on whole hours (UTC) so that
 * the windows neither overlap nor leave gaps; the last one takes in the current hour.
 */
export const readStatsSeries = async (api: Api, range: StatsRange, eventId: string, now = Date.now()): Promise<StatsSeries> => {
  const { ms, bucketMs } = statsRanges[range];
  const event = eventId ? `&eventId=${encodeURIComponent(eventId)}` : '';
  const end = Math.ceil((now + 1) / HOUR) * HOUR;
  const count = Math.round(ms / bucketMs);
  const times = Array.from({ length: count }, (_, i) => new Date(end - (count - i) * bucketMs));
  const iso = (t: number) => new Date(t).toISOString();
  const [total, ...buckets] = await Promise.all([
    api.get<StatsReport>(`/stats?since=${iso(now - ms)}${event}`),
    ...times.map((t) => api.get<StatsReport>(`/stats?since=${iso(t.getTime())}&until=${iso(t.getTime() + bucketMs)}${event}`)),
  ]);
  return { total: total, times, buckets };
};
