import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '../../core';
import type { Page } from '../../core';
import { call, type TableContext } from './call';
import { decodeCursor, encodeCursor } from './cursor';
import { Expr } from './expression';
import type { Item } from './items';
import type { TableIndex } from './schema';

/** One partition of a secondary index, read newest first. */
export interface IndexPartition {
  index: TableIndex;
  partition: string;
  /** The table key of the item with this id: with the cursor it rebuilds ExclusiveStartKey. */
  tableKey: (id: string) => { pk: string; sk: string };
  /** A FilterExpression built with `e`, when the index alone does not select the items. */
  filter?: (e: Expr) => string;
  /** Bounds on the index sort key, both inclusive: a key condition, so items outside are never read. */
  range?: SortKeyRange;
}

export interface SortKeyRange {
  atLeast?: string;
  atMost?: string;
}

/** The sort-key part of a key condition; with both bounds, `atLeast` must not sort after `atMost`. */
function rangeCondition(e: Expr, sortKey: string, { atLeast, atMost }: SortKeyRange): string {
  if (atLeast !== undefined && atMost !== undefined) return ` AND ${e.name(sortKey)} BETWEEN ${e.value(atLeast)} AND ${e.value(atMost)}`;
  if (atLeast !== undefined) return ` AND ${e.name(sortKey)} >= ${e.value(atLeast)}`;
  if (atMost !== undefined) return ` AND ${e.name(sortKey)} <= ${e.value(atMost)}`;
  return '';
}

/** With a filter, DynamoDB's Limit counts items before filtering; read at least this many per call. */
const FILTERED_PAGE_SIZE = 100;

/**
 * Up to `limit` items of one index partition, newest first, across as many DynamoDB pages as a
 * filter needs. The cursor carries only the last item's sort key and id; the start key is rebuilt
 * from it and `p.partition`, which the caller derives from its own tenant, so a cursor can only
 * move within the caller's partition.
 * @throws ValidationError('limit') for a limit below 1; ValidationError('cursor') for a malformed cursor.
 */
export async function listNewestFirst<T>(
  ctx: TableContext,
  p: IndexPartition,
  page: { limit: number; cursor?: string },
  toModel: (item: Item) => T,
): Promise<Page<T>> {
  const { limit } = page;
  if (!Number.isSafeInteger(limit) || limit < 1) throw new ValidationError('limit', 'must be a positive integer');
  const { index, partition, range = {} } = p;
  let startKey: Item | undefined;
  if (page.cursor !== undefined) {
    const at = decodeCursor(page.cursor);
    // DynamoDB refuses a start key outside the key condition, and a cursor may come from a listing
    // with another range: past the newer end, every item in range is older, so start at the top;
    // below the older end, nothing older is left.
    if (range.atLeast !== undefined && at.sortKey < range.atLeast) return { items: [] };
    if (range.atMost === undefined || at.sortKey <= range.atMost) {
      startKey = { ...p.tableKey(at.id), [index.partitionKey]: partition, [index.sortKey]: at.sortKey };
    }
  }

  const found: Item[] = [];
  // One item past `limit` tells whether a next page exists, so the last page carries no cursor.
  for (;;) {
    const want = limit + 1 - found.length;
    const e = new Expr();
    const keyCondition = `${e.name(index.partitionKey)} = ${e.value(partition)}${rangeCondition(e, index.sortKey, range)}`;
    const filter = p.filter?.(e);
    const res = await call('Query', () =>
      ctx.client.send(
        new QueryCommand({
          TableName: ctx.tableName,
          IndexName: index.name,
          KeyConditionExpression: keyCondition,
          FilterExpression: filter,
          ScanIndexForward: false,
          Limit: filter ? Math.max(want, FILTERED_PAGE_SIZE) : want,
          ExclusiveStartKey: startKey,
          ...e.params(),
        }),
      ),
    );
    found.push(...(res.Items ?? []));
    if (found.length > limit || !res.LastEvaluatedKey) break;
    startKey = res.LastEvaluatedKey;
  }

  const items = found.slice(0, limit);
  const last = items.at(-1);
  if (found.length <= limit || !last) return { items: items.map(toModel) };
  const nextCursor = encodeCursor({ sortKey: String(last[index.sortKey]), id: String(last.id) });
  return { items: items.map(toModel), nextCursor };
}

/** Every item of a partition (of the table or an index), following LastEvaluatedKey to the end. */
export async function queryAll(
  ctx: TableContext,
  input: Omit<ConstructorParameters<typeof QueryCommand>[0], 'TableName' | 'ExclusiveStartKey'>,
): Promise<Item[]> {
  const out: Item[] = [];
  let startKey: Item | undefined;
  do {
    const res = await call('Query', () =>
      ctx.client.send(new QueryCommand({ ...input, TableName: ctx.tableName, ExclusiveStartKey: startKey })),
    );
    out.push(...(res.Items ?? []));
    startKey = res.LastEvaluatedKey;
  } while (startKey);
  return out;
}
