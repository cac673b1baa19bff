import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { QueuedCountStore } from '../../core';
import { call, type TableContext } from './call';
import { Expr } from './expression';
import { Keys, QUEUED_PARTITION } from './keys';
import { updateIf } from './itemOps';
import { queryAll } from './listing';

/** The attribute of a tenant's queued-count item that versions its variables. */
const VARIABLES_VERSION = 'variablesVersion';

/**
 * The QueuedCountStore: one item per tenant in the `QUEUED` partition, `count` changed by atomic
 * `ADD`s. `reserve` is one conditional UpdateItem (`count < limit`), so submissions racing at the
 * cap cannot pass it together; it returns the item as written, with the tenant's
 * `variablesVersion` (moved on by the VariableStore's writes, bumpVariablesVersion).
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
        ReturnValues: 'ALL_NEW',
        ...e.params(),
      }),
    );
  };

  return {
    async reserve(tenant, limit) {
      return call(
        'UpdateItem',
        async () => {
          const res = await add(tenant, 1, (e) => `attribute_not_exists(${e.name('count')}) OR ${e.name('count')} < ${e.value(limit)}`);
          return { variablesVersion: Number(res.Attributes?.[VARIABLES_VERSION] ?? 0) };
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
      // An item only a variable write made has no count: nothing to recount there.
      return items.filter((i) => i['count'] !== undefined).map((i) => ({ tenant: String(i['tenant']), count: Number(i['count']) }));
    },

    async set(tenant, count) {
      // An update, not a put: the item's variables version must survive a recount.
      await updateIf(
        ctx,
        Keys.queuedCount(tenant),
        (e) => `SET ${e.name('count')} = ${e.value(count)}, ${e.name('tenant')} = ${e.value(tenant)}`,
      );
    },
  };
};

/**
 * Moves a tenant's variables version on (one UpdateItem on its queued-count item): a variable write
 * calls it after writing, so a version seen by a submission covers every write finished before it.
 */
export const bumpVariablesVersion = async (ctx: TableContext, tenant: string): Promise<void> => {
  await updateIf(
    ctx,
    Keys.queuedCount(tenant),
    (e) => `ADD ${e.name(VARIABLES_VERSION)} ${e.value(1)} SET ${e.name('tenant')} = ${e.value(tenant)}`,
  );
};
