import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { QueuedCountStore } from '../../core';
import { call, type TableContext } from './call';
import { Expr } from './expression';
import { Keys, QUEUED_PARTITION } from './keys';
import { queryAll } from './listing';

/**
 * The QueuedCountStore: one item per tenant in the `QUEUED` partition, `count` changed by atomic
 * `ADD`s. `reserve` is one conditional UpdateItem (`count < limit`), so submissions racing at the
 * cap cannot pass it together.
 */
export const createDynamoQueuedCountStore = (ctx: TableContext): QueuedCountStore => {
  const { client, tableName } = ctx;

  const add = (tenant: string, delta: number, condition?: (e: Expr) => string) => {
    const e = new Expr();
    const update = `ADD ${e.name('count')} ${e.value(delta)} SET ${e.name('tenant')} = ${e.value(tenant)}`;
    const cond = condition?.(e);
    return client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: Keys.queuedCount(tenant),
        UpdateExpression: update,
        ...(cond ? { ConditionExpression: cond } : {}),
        ...e.params(),
      }),
    );
  };

  return {
    async reserve(tenant, limit) {
      return call(
        'UpdateItem',
        async () => {
          await add(tenant, 1, (e) => `attribute_not_exists(${e.name('count')}) OR ${e.name('count')} < ${e.value(limit)}`);
          return true;
        },
        () => false,
      );
    },

    async add(tenant, delta) {
      if (delta === 0) return;
      // A decrement never takes the count below 0 (a drift the tick's recount corrects anyway).
      await call(
        'UpdateItem',
        () => add(tenant, delta, delta < 0 ? (e) => `${e.name('count')} >= ${e.value(-delta)}` : undefined),
        () => undefined,
      );
    },

    async list() {
      const e = new Expr();
      const items = await queryAll(ctx, {
        KeyConditionExpression: `${e.name('pk')} = ${e.value(QUEUED_PARTITION)}`,
        ...e.params(),
      });
      return items.map((i) => ({ tenant: String(i['tenant']), count: Number(i['count'] ?? 0) }));
    },

    async set(tenant, count) {
      await call('PutItem', () =>
        client.send(new PutCommand({ TableName: tableName, Item: { ...Keys.queuedCount(tenant), tenant, count } })),
      );
    },
  };
};
