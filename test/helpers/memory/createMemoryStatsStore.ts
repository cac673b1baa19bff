import type { StatsBucket, StatsCounts, StatsEntry } from '../../../lambdas/core';
import type { StatsStore } from '../../../lambdas/core/ports';

const copy = <T>(v: T): T => structuredClone(v);
const emptyCounts = (): StatsCounts => ({ byStatus: {}, byErrorCode: {}, durations: {}, waits: {} });
const inc = (r: Record<string | number, number>, k: string | number) => (r[k] = (r[k] ?? 0) + 1);

/** The StatsStore in memory: the same buckets the DynamoDB adapter keeps, one per tenant+hour and tenant+hour+event. */
export const createMemoryStatsStore = (): StatsStore => {
  const buckets = new Map<string, StatsBucket & { tenant: string }>();

  const addTo = (key: string, e: StatsEntry, eventId?: string) => {
    const b = buckets.get(key) ?? { tenant: e.tenant, hour: e.hour, ...(eventId ? { eventId } : {}), byRuntime: {} };
    if (eventId && e.eventName !== undefined) b.eventName = e.eventName;
    const c = (b.byRuntime[e.runtime] ??= emptyCounts());
    inc(c.byStatus, e.status);
    if (e.errorCode !== undefined) inc(c.byErrorCode, e.errorCode);
    if (e.durationBucket !== undefined) inc(c.durations, e.durationBucket);
    if (e.waitBucket !== undefined) inc(c.waits, e.waitBucket);
    buckets.set(key, b);
  };

  const select = (tenant: string, from: string, last: string, pick: (b: StatsBucket) => boolean) =>
    [...buckets.values()]
      .filter((b) => b.tenant === tenant && b.hour >= from && b.hour <= last && pick(b))
      .sort((a, b) => (a.hour < b.hour ? -1 : a.hour > b.hour ? 1 : 0))
      .map(({ tenant: _t, ...b }) => copy(b));

  return {
    async add(e) {
      addTo(`${e.tenant}#${e.hour}`, e);
      if (e.eventId !== undefined) addTo(`${e.tenant}#${e.hour}#${e.eventId}`, e, e.eventId);
    },
    readTotals: async (tenant, h) => select(tenant, h.fromHour, h.lastHour, (b) => b.eventId === undefined),
    readEvents: async (tenant, h) =>
      select(tenant, h.fromHour, h.lastHour, (b) => b.eventId !== undefined && (h.eventId === undefined || b.eventId === h.eventId)),
  };
};
