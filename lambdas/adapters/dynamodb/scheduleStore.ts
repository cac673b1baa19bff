import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Schedule, ScheduleFire, ScheduleStore } from '../../core';
import { ValidationError } from '../../core';
import { call, type TableContext } from './call';
import { Expr } from './expression';
import { deleteItem, dueItems, getItem, putNew, putNextVersion } from './itemOps';
import { compact, toModel, type Item } from './items';
import { FIRE_PREFIX, IndexKeys, Keys } from './keys';
import { listNewestFirst } from './listing';
import { TableIndexes, TableKeys } from './schema';

const { byTenant, active } = TableIndexes;

/** Fires are history once their schedule moved on; a month of it is kept. */
export const FIRE_TTL_SECONDS = 30 * 24 * 60 * 60;

const toSchedule = (item: Item): Schedule => toModel<Schedule>(item);
const toFire = (item: Item): ScheduleFire => toModel<ScheduleFire>(item);

const checkLimit = (limit: number) => {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new ValidationError('limit', 'must be a positive integer');
};

/**
 * The ScheduleStore: a schedule at `T#<tenant>#SCHEDULE#<id>` / `SCHEDULE`, listed through gsi1
 * `T#<tenant>#SCHEDULES` and, while enabled with a next fire, in gsi4 `SCHEDULES` by that time (so a
 * tick queries only what is due). Its fires share its partition at `FIRE#<fireAt>`, each created
 * only if absent.
 */
export const createDynamoScheduleStore = (ctx: TableContext): ScheduleStore => {
  const { client, tableName } = ctx;

  const itemOf = (s: Schedule): Item =>
    compact({
      ...s,
      ...Keys.schedule(s.tenant, s.id),
      [byTenant.partitionKey]: IndexKeys.schedulesByTenant(s.tenant),
      [byTenant.sortKey]: IndexKeys.created(s.createdAt, s.id),
      ...(s.enabled && s.nextFireAt
        ? { [active.partitionKey]: IndexKeys.schedulesDue, [active.sortKey]: IndexKeys.dueSort(s.nextFireAt, s.tenant, s.id) }
        : {}),
    });

  const fireItem = (f: ScheduleFire): Item =>
    compact({
      ...f,
      ...Keys.scheduleFire(f.tenant, f.scheduleId, f.fireAt),
      [TableKeys.ttl]: Math.floor(ctx.now() / 1000) + FIRE_TTL_SECONDS,
    });

  return {
    async create(s) {
      await putNew(ctx, itemOf(s), `schedule ${s.id} already exists`);
    },

    async get(tenant, id) {
      const item = await getItem(ctx, Keys.schedule(tenant, id));
      return item ? toSchedule(item) : undefined;
    },

    list(tenant, q) {
      const partition = {
        index: byTenant,
        partition: IndexKeys.schedulesByTenant(tenant),
        tableKey: (id: string) => Keys.schedule(tenant, id),
      };
      return listNewestFirst(ctx, partition, q, toSchedule);
    },

    async update(s) {
      await putNextVersion(ctx, itemOf(s), s.version, `schedule ${s.id} changed since it was read`);
    },

    delete: (tenant, id) => deleteItem(ctx, Keys.schedule(tenant, id)),

    async due(until, limit) {
      checkLimit(limit);
      return (await dueItems(ctx, IndexKeys.schedulesDue, until, limit)).map(toSchedule);
    },

    async claimFire(fire) {
      const e = new Expr();
      return call(
        'PutItem',
        async () => {
          await client.send(
            new PutCommand({
              TableName: tableName,
              Item: fireItem(fire),
              ConditionExpression: `attribute_not_exists(${e.name(TableKeys.partitionKey)})`,
              ...e.params(),
            }),
          );
          return true;
        },
        () => false,
      );
    },

    async getFire(tenant, scheduleId, fireAt) {
      const item = await getItem(ctx, Keys.scheduleFire(tenant, scheduleId, fireAt));
      return item ? toFire(item) : undefined;
    },

    async recordFire(fire) {
      await call('PutItem', () => client.send(new PutCommand({ TableName: tableName, Item: fireItem(fire) })));
    },

    async listFires(tenant, scheduleId, q) {
      checkLimit(q.limit);
      const e = new Expr();
      const { pk } = Keys.schedule(tenant, scheduleId);
      const sk = e.name(TableKeys.sortKey);
      const range =
        q.order === 'newest'
          ? `begins_with(${sk}, ${e.value(FIRE_PREFIX)})`
          : `${sk} BETWEEN ${e.value(Keys.scheduleFire(tenant, scheduleId, q.from).sk)} AND ${e.value(`${FIRE_PREFIX}\uffff`)}`;
      const res = await call('Query', () =>
        client.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: `${e.name(TableKeys.partitionKey)} = ${e.value(pk)} AND ${range}`,
            ScanIndexForward: q.order !== 'newest',
            Limit: q.limit,
            ConsistentRead: true,
            ...e.params(),
          }),
        ),
      );
      return (res.Items ?? []).map(toFire);
    },
  };
};
