import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Runtime, StatsBucket, StatsCounts, StatsEntry, StatsHours, StatsStore, TerminalStatus } from '../../core';
import { call, type TableContext } from './call';
import { Expr } from './expression';
import type { Item } from './items';
import { Keys, STATS_EVENT_PREFIX, STATS_HOUR_PREFIX, statsPartition } from './keys';
import { TableKeys } from './schema';

/** Statistics are kept this long after their hour (reads skip older items; TTL deletes them late). */
export const STATS_TTL_SECONDS = 400 * 24 * 60 * 60;

/**
 * Counters are flat attributes, `<kind>.<runtime>.<name>`, so every update is ADDs on top-level
 * attributes (an ADD into a nested map fails while the map is missing): `n` ended jobs by status,
 * `e` by error code, `d` and `w` duration and queue-wait histogram buckets (see core/stats/logHistogram.ts).
 */
const Kinds = { status: 'n', errorCode: 'e', duration: 'd', wait: 'w' } as const;

const counterNames = (e: StatsEntry): string[] => [
  `${Kinds.status}.${e.runtime}.${e.status}`,
  ...(e.errorCode !== undefined ? [`${Kinds.errorCode}.${e.runtime}.${e.errorCode}`] : []),
  ...(e.durationBucket !== undefined ? [`${Kinds.duration}.${e.runtime}.${e.durationBucket}`] : []),
  ...(e.waitBucket !== undefined ? [`${Kinds.wait}.${e.runtime}.${e.waitBucket}`] : []),
];

const emptyCounts = (): StatsCounts => ({ byStatus: {}, byErrorCode: {}, durations: {}, waits: {} });

/** The bucket an item holds; attributes that are not counters are skipped. */
const bucketOf = (item: Item): StatsBucket => {
  const byRuntime: Partial<Record<Runtime, StatsCounts>> = {};
  for (const [name, value] of Object.entries(item)) {
    const [kind, runtime, key] = name.split('.');
    if (key === undefined || runtime === undefined || typeof value !== 'number') continue;
    const counts = (byRuntime[runtime as Runtime] ??= emptyCounts());
    if (kind === Kinds.status) counts.byStatus[key as TerminalStatus] = value;
    else if (kind === Kinds.errorCode) counts.byErrorCode[key] = value;
    else if (kind === Kinds.duration) (counts.durations as Record<number, number>)[Number(key)] = value;
    else if (kind === Kinds.wait) (counts.waits as Record<number, number>)[Number(key)] = value;
  }
  return {
    hour: String(item['hour']),
    ...(typeof item['eventId'] === 'string' ? { eventId: item['eventId'] } : {}),
    ...(typeof item['eventName'] === 'string' ? { eventName: item['eventName'] } : {}),
    byRuntime,
  };
};

/**
 * The StatsStore: one partition per tenant, `T#<tenant>#STATS`, with `HOUR#<hour>` items (the
 * tenant's totals) and `EVENT#<hour>#<eventId>` items (one event's). An ended job is one UpdateItem
 * of ADDs per item (two with an event), with no read and no condition, so concurrent ends never
 * conflict; a range of hours is one Query per kind (paged past 1 MB).
 */
export const createDynamoStatsStore = (ctx: TableContext): StatsStore => {
  const { client, tableName } = ctx;

  const addTo = (key: { pk: string; sk: string }, entry: StatsEntry, extra: Record<string, string>) => {
    const e = new Expr();
    const one = e.value(1);
    const adds = counterNames(entry).map((n) => `${e.name(n)} ${one}`);
    const expiresAt = Math.floor(Date.parse(`${entry.hour}:00:00.000Z`) / 1000) + 3600 + STATS_TTL_SECONDS;
    const sets = [
      `${e.name('hour')} = ${e.value(entry.hour)}`,
      `${e.name(TableKeys.ttl)} = ${e.value(expiresAt)}`,
      ...Object.entries(extra).map(([k, v]) => `${e.name(k)} = ${e.value(v)}`),
    ];
    return call('UpdateItem', () =>
      client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key,
          UpdateExpression: `ADD ${adds.join(', ')} SET ${sets.join(', ')}`,
          ...e.params(),
        }),
      ),
    );
  };

  const query = async (tenant: string, from: string, to: string, eventId?: string): Promise<StatsBucket[]> => {
    const out: StatsBucket[] = [];
    const now = Math.floor(ctx.now() / 1000);
    let startKey: Item | undefined;
    do {
      const e = new Expr();
      const pk = statsPartition(tenant);
      const res = await call('Query', () =>
        client.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: `${e.name(TableKeys.partitionKey)} = ${e.value(pk)} AND ${e.name(TableKeys.sortKey)} BETWEEN ${e.value(from)} AND ${e.value(to)}`,
            ...(eventId !== undefined ? { FilterExpression: `${e.name('eventId')} = ${e.value(eventId)}` } : {}),
            ExclusiveStartKey: startKey,
            ConsistentRead: true,
            ...e.params(),
          }),
        ),
      );
      for (const item of res.Items ?? []) {
        if (typeof item[TableKeys.ttl] === 'number' && item[TableKeys.ttl] < now) continue;
        out.push(bucketOf(item));
      }
      startKey = res.LastEvaluatedKey;
    } while (startKey);
    return out;
  };

  return {
    async add(entry) {
      // Both keys first: a key refused after the first update was sent would leave half an entry.
      const tenantKey = Keys.statsHour(entry.tenant, entry.hour);
      const eventKey = entry.eventId !== undefined ? Keys.statsEventHour(entry.tenant, entry.hour, entry.eventId) : undefined;
      await Promise.all([
        addTo(tenantKey, entry, {}),
        ...(eventKey && entry.eventId !== undefined
          ? [addTo(eventKey, entry, { eventId: entry.eventId, ...(entry.eventName !== undefined ? { eventName: entry.eventName } : {}) })]
          : []),
      ]);
    },

    readTotals: (tenant, h: StatsHours) => query(tenant, `${STATS_HOUR_PREFIX}${h.fromHour}`, `${STATS_HOUR_PREFIX}${h.lastHour}`),

    // '$' sorts after '#', so `EVENT#<lastHour>$` bounds every event item of the last hour.
    readEvents: (tenant, h) => query(tenant, `${STATS_EVENT_PREFIX}${h.fromHour}#`, `${STATS_EVENT_PREFIX}${h.lastHour}$`, h.eventId),
  };
};
