import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoStore } from '../../../lambdas/adapters/dynamodb';
import type { StatsEntry } from '../../../lambdas/core';
import { ValidationError } from '../../../lambdas/core';
import { createReadStats } from '../../../lambdas/core/stats';
import { callerFactory } from '../../helpers/factories';
import { startDynalite, type DynamoBackend } from '../../helpers/dynamo';
import { createMemoryStatsStore } from '../../helpers/memory/createMemoryStatsStore';

let db: DynamoBackend;
beforeAll(async () => {
  db = await startDynalite();
});
afterAll(() => db.stop());

const NOW = Date.parse('2031-03-11T12:00:00.000Z');
const newStore = async (now = NOW) => createDynamoStore({ tableName: await db.newTable(), client: db.client, clock: () => now });

const entry = (over: Partial<StatsEntry> = {}): StatsEntry => ({
  tenant: 'acme',
  hour: '2031-03-11T09',
  runtime: 'bash',
  status: 'completed',
  durationBucket: 80,
  waitBucket: 10,
  ...over,
});

/** A mix of entries over three hours, two events, two runtimes and two tenants. */
const mix = (): StatsEntry[] => [
  entry(),
  entry({ status: 'failed', errorCode: 'exit_nonzero', durationBucket: 90 }),
  entry({ runtime: 'python', eventId: 'ev-a', eventName: 'nightly', waitBucket: 0 }),
  entry({ hour: '2031-03-11T10', eventId: 'ev-a', eventName: 'nightly v2', status: 'timeout', errorCode: 'timeout' }),
  entry({ hour: '2031-03-11T10', eventId: 'ev-b', status: 'cancelled', durationBucket: undefined, waitBucket: undefined }),
  entry({ hour: '2031-03-11T11', runtime: 'http', errorCode: 'http_error', status: 'failed' }),
  entry({ tenant: 'globex', eventId: 'ev-a', status: 'failed', errorCode: 'oom' }),
];

describe('DynamoDB stats store (dynalite)', () => {
  it('keeps the same buckets as the in-memory store: ADDs per tenant+hour and tenant+hour+event', async () => {
    // Arrange
    const dynamo = (await newStore()).stats;
    const memory = createMemoryStatsStore();

    // Act
    await Promise.all(mix().map((e) => dynamo.add(e)));
    for (const e of mix()) await memory.add(e);

    // Assert
    const hours = { fromHour: '2031-03-11T09', lastHour: '2031-03-11T11' };
    expect(await dynamo.readTotals('acme', hours)).toEqual(await memory.readTotals('acme', hours));
    expect(await dynamo.readEvents('acme', hours)).toEqual(await memory.readEvents('acme', hours));
    expect(await dynamo.readEvents('acme', { ...hours, eventId: 'ev-a' })).toEqual(
      await memory.readEvents('acme', { ...hours, eventId: 'ev-a' }),
    );
    expect(await dynamo.readTotals('globex', hours)).toEqual(await memory.readTotals('globex', hours));
  });

  it('counts concurrent ends of one hour exactly (atomic ADD, no lost update)', async () => {
    // Arrange
    const store = (await newStore()).stats;

    // Act
    await Promise.all(Array.from({ length: 50 }, (_, i) => store.add(entry({ eventId: 'ev-a', durationBucket: i % 5 }))));

    // Assert
    const [total] = await store.readTotals('acme', { fromHour: '2031-03-11T09', lastHour: '2031-03-11T09' });
    expect(total?.byRuntime.bash?.byStatus).toEqual({ completed: 50 });
    expect(total?.byRuntime.bash?.durations).toEqual({ 0: 10, 1: 10, 2: 10, 3: 10, 4: 10 });
    const [event] = await store.readEvents('acme', { fromHour: '2031-03-11T09', lastHour: '2031-03-11T09', eventId: 'ev-a' });
    expect(event?.byRuntime.bash?.byStatus).toEqual({ completed: 50 });
  });

  it('reads only the asked hours, and no other tenant', async () => {
    // Arrange
    const store = (await newStore()).stats;
    await Promise.all(mix().map((e) => store.add(e)));

    // Act
    const totals = await store.readTotals('acme', { fromHour: '2031-03-11T10', lastHour: '2031-03-11T10' });
    const events = await store.readEvents('acme', { fromHour: '2031-03-11T10', lastHour: '2031-03-11T10' });

    // Assert
    expect(totals.map((b) => b.hour)).toEqual(['2031-03-11T10']);
    expect(events.map((b) => b.eventId).sort()).toEqual(['ev-a', 'ev-b']);
    expect(await store.readTotals('initech', { fromHour: '2031-03-11T00', lastHour: '2031-03-11T23' })).toEqual([]);
  });

  it('skips items past their retention even before TTL deletes them', async () => {
    // Arrange: written now, read 401 days later
    const tableName = await db.newTable();
    await createDynamoStore({ tableName, client: db.client, clock: () => NOW }).stats.add(entry());
    const later = createDynamoStore({ tableName, client: db.client, clock: () => NOW + 401 * 86_400_000 }).stats;

    // Act
    const totals = await later.readTotals('acme', { fromHour: '2031-03-11T00', lastHour: '2031-03-11T23' });

    // Assert
    expect(totals).toEqual([]);
  });

  it('refuses an event id that would break its key, writing nothing', async () => {
    const store = (await newStore()).stats;
    await expect(store.add(entry({ eventId: 'a#b' }))).rejects.toBeInstanceOf(ValidationError);
    expect(await store.readTotals('acme', { fromHour: '2031-03-11T09', lastHour: '2031-03-11T09' })).toEqual([]);
  });

  it('gives the report a hand count expects, through the core use case', async () => {
    // Arrange
    const store = await newStore();
    await Promise.all(mix().map((e) => store.stats.add(e)));

    // Act
    const report = await createReadStats({ store, clock: { now: () => NOW } })(callerFactory(), {});

    // Assert
    expect(report.total).toMatchObject({
      jobs: 6,
      byStatus: { completed: 2, failed: 2, timeout: 1, cancelled: 1 },
      byErrorCode: { exit_nonzero: 1, timeout: 1, http_error: 1 },
      successRate: 2 / 5,
    });
    expect(report.byEvent.map((e) => [e.eventId, e.eventName, e.jobs])).toEqual([
      ['ev-a', 'nightly v2', 2],
      ['ev-b', undefined, 1],
    ]);
  });
});
