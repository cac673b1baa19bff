import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../../core';
import { call, type TableContext } from './call';
import { Expr } from './expression';
import type { Item } from './items';
import { TableIndexes, TableKeys } from './schema';

type Key = { pk: string; sk: string };

/** The item at `key`, read strongly consistent, or undefined. */
export async function getItem(ctx: TableContext, key: Key): Promise<Item | undefined> {
  const res = await call('GetItem', () => ctx.client.send(new GetCommand({ TableName: ctx.tableName, Key: key, ConsistentRead: true })));
  return res.Item;
}

/** Deletes the item at `key`; whether there was one. */
export async function deleteItem(ctx: TableContext, key: Key): Promise<boolean> {
  const res = await call('DeleteItem', () =>
    ctx.client.send(new DeleteCommand({ TableName: ctx.tableName, Key: key, ReturnValues: 'ALL_OLD' })),
  );
  return res.Attributes !== undefined;
}

/**
 * Applies `update` (an UpdateExpression built with the same Expr) to the item at `key`, creating
 * it if absent, when `condition` holds (always, without one).
 * @returns false when the condition did not hold.
 */
export async function updateIf(
  ctx: TableContext,
  key: Key,
  update: (e: Expr) => string,
  condition?: (e: Expr) => string,
): Promise<boolean> {
  const e = new Expr();
  const UpdateExpression = update(e);
  const ConditionExpression = condition?.(e);
  return call(
    'UpdateItem',
    async () => {
      await ctx.client.send(
        new UpdateCommand({
          TableName: ctx.tableName,
          Key: key,
          UpdateExpression,
          ...(ConditionExpression ? { ConditionExpression } : {}),
          ...e.params(),
        }),
      );
      return true;
    },
    () => false,
  );
}

/**
 * Puts `item` only when no item has its key.
 * @throws ConflictError(`conflict`) when one has.
 */
export async function putNew(ctx: TableContext, item: Item, conflict: string): Promise<void> {
  await putIf(ctx, item, (e) => `attribute_not_exists(${e.name(TableKeys.partitionKey)})`, conflict);
}

/**
 * Puts `item` at `version`, only over the version before it (the one it was read at).
 * @throws ConflictError(`conflict`) when the stored item changed since.
 */
export async function putNextVersion(ctx: TableContext, item: Item, version: number, conflict: string): Promise<void> {
  await putIf(ctx, item, (e) => `${e.name('version')} = ${e.value(version - 1)}`, conflict);
}

async function putIf(ctx: TableContext, item: Item, condition: (e: Expr) => string, conflict: string): Promise<void> {
  const e = new Expr();
  const ConditionExpression = condition(e);
  await call(
    'PutItem',
    () => ctx.client.send(new PutCommand({ TableName: ctx.tableName, Item: item, ConditionExpression, ...e.params() })),
    () => {
      throw new ConflictError(conflict);
    },
  );
}

/**
 * Up to `limit` items of one partition of the `active` index whose time-first sort key is due by
 * `until` (ISO time): '$' follows '#', so every sort key starting `<until>#` is below the bound, and
 * no later time is.
 */
export async function dueItems(ctx: TableContext, partition: string, until: string, limit: number): Promise<Item[]> {
  const { active } = TableIndexes;
  const e = new Expr();
  const res = await call('Query', () =>
    ctx.client.send(
      new QueryCommand({
        TableName: ctx.tableName,
        IndexName: active.name,
        KeyConditionExpression: `${e.name(active.partitionKey)} = ${e.value(partition)} AND ${e.name(active.sortKey)} < ${e.value(`${until}$`)}`,
        Limit: limit,
        ...e.params(),
      }),
    ),
  );
  return res.Items ?? [];
}
