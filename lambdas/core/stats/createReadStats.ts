import type { CoreDeps } from '../deps';
import { ValidationError } from '../errors';
import type { Caller, Runtime } from '../model';
import { RELATIVE_PRECISION } from './logHistogram';
import { hourOf, type StatsBucket } from './statsModel';
import { summarize, type StatsSummary } from './summarize';

const HOUR_MS = 3_600_000;
/** Without `since`, the last day. */
export const DEFAULT_STATS_RANGE_MS = 24 * HOUR_MS;
/** The longest range one request may ask: its reads grow with hours × events that had jobs. */
export const MAX_STATS_RANGE_MS = 31 * 24 * HOUR_MS;

export interface StatsQuery {
  /** ISO time; default `until` minus 24 h. */
  since?: string;
  /** ISO time; default now. */
  until?: string;
  eventId?: string;
}

export interface EventStats extends StatsSummary {
  eventId: string;
  eventName?: string;
  byRuntime: Partial<Record<Runtime, StatsSummary>>;
}

/** Statistics of the jobs that ended in [from, to): the asked range widened to whole hours (UTC). */
export interface StatsReport {
  from: string;
  to: string;
  eventId?: string;
  total: StatsSummary;
  byRuntime: Partial<Record<Runtime, StatsSummary>>;
  /** Each event that had jobs end, most jobs first. */
  byEvent: EventStats[];
  /** A reported percentile is within this fraction of the true one (see logHistogram.ts). */
  percentileRelativeError: number;
}

const timeOf = (field: string, iso: string | undefined, fallback: number): number => {
  if (iso === undefined) return fallback;
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) throw new ValidationError(field, 'must be an ISO 8601 time');
  return t;
};

const byEventOf = (buckets: readonly StatsBucket[]): EventStats[] => {
  const groups = new Map<string, { name?: string; hour: string; buckets: StatsBucket[] }>();
  for (const b of buckets) {
    if (b.eventId === undefined) continue;
    const g = groups.get(b.eventId) ?? { hour: '', buckets: [] };
    g.buckets.push(b);
    // The latest name wins: an event renamed mid-range shows its newer name.
    if (b.eventName !== undefined && b.hour >= g.hour) Object.assign(g, { name: b.eventName, hour: b.hour });
    groups.set(b.eventId, g);
  }
  return [...groups]
    .map(([eventId, g]) => {
      const { total, byRuntime } = summarize(g.buckets);
      return { eventId, ...(g.name !== undefined ? { eventName: g.name } : {}), ...total, byRuntime };
    })
    .sort((a, b) => b.jobs - a.jobs || a.eventId.localeCompare(b.eventId));
};

/**
 * A tenant's job statistics over a time range, from the hourly aggregates the stats hook keeps:
 * the reads grow with the hours (and events) that had jobs end, never with the number of jobs.
 * @throws ValidationError naming `since` or `until` for a bad time, an empty or a too long range.
 */
export const createReadStats =
  ({ store, clock }: Pick<CoreDeps, 'store' | 'clock'>) =>
  async (caller: Caller, q: StatsQuery): Promise<StatsReport> => {
    const until = timeOf('until', q.until, clock.now());
    const since = timeOf('since', q.since, until - DEFAULT_STATS_RANGE_MS);
    if (since >= until) throw new ValidationError('since', 'must be before until');
    if (until - since > MAX_STATS_RANGE_MS) {
      throw new ValidationError('since', `the range from since to until must be at most ${MAX_STATS_RANGE_MS / (24 * HOUR_MS)} days`);
    }
    const fromHour = hourOf(since);
    // `until` itself is excluded; without one, the range runs to now and takes in the current hour.
    const lastHour = hourOf(q.until === undefined ? until : until - 1);
    const range = { fromHour, lastHour };
    const [totals, events] = await Promise.all([
      q.eventId === undefined ? store.stats.readTotals(caller.tenant, range) : Promise.resolve([]),
      store.stats.readEvents(caller.tenant, { ...range, ...(q.eventId !== undefined ? { eventId: q.eventId } : {}) }),
    ]);
    const overall = summarize(q.eventId === undefined ? totals : events);
    return {
      from: `${fromHour}:00:00.000Z`,
      to: new Date(Date.parse(`${lastHour}:00:00.000Z`) + HOUR_MS).toISOString(),
      ...(q.eventId !== undefined ? { eventId: q.eventId } : {}),
      total: overall.total,
      byRuntime: overall.byRuntime,
      byEvent: byEventOf(events),
      percentileRelativeError: Math.round(RELATIVE_PRECISION * 10_000) / 10_000,
    };
  };
