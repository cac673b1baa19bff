import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { DescribeTableCommand, DescribeTimeToLiveCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactGetCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { createSingleWriterCache, type SingleWriterCache, type SingleWriterCacheLimits, type WrittenKeys } from './singleWriterCache';

/** The default bounds: a few thousand items, a few MB (docs/benchmarks.md has the RSS target). */
export const ITEM_CACHE_LIMITS: SingleWriterCacheLimits = { maxEntries: 4096, maxBytes: 8 * 1024 * 1024, maxEntryBytes: 64 * 1024 };

type Item = Record<string, unknown>;
type Send = (command: unknown, options?: unknown) => Promise<unknown>;
type Callback = (err: unknown, output?: unknown) => void;

/** Commands that change no item and no table. */
const READS: readonly (abstract new (...args: never[]) => unknown)[] = [
  GetCommand,
  BatchGetCommand,
  QueryCommand,
  ScanCommand,
  TransactGetCommand,
  DescribeTableCommand,
  ListTablesCommand,
  DescribeTimeToLiveCommand,
];

/** The same, by the operation name in a request's `x-amz-target` header. */
const READ_OPERATIONS: ReadonlySet<string> = new Set([
  'GetItem',
  'BatchGetItem',
  'Query',
  'Scan',
  'TransactGetItems',
  'DescribeTable',
  'ListTables',
  'DescribeTimeToLive',
  'ListTagsOfResource',
  'DescribeLimits',
  'DescribeEndpoints',
]);

/** The GetCommand inputs whose output is the item alone, whatever the consistency asked. */
const PLAIN_GET_FIELDS: ReadonlySet<string> = new Set(['TableName', 'Key', 'ConsistentRead']);

/**
 * One item's cache key: the table and its key attributes by name, unambiguous whatever the values
 * hold; undefined when a key value is not a string (no item of the single table has one, so such
 * items are never cached, and a write to one cannot touch a cached one).
 */
export function itemId(table: unknown, key: Item | undefined, names: readonly string[]): string | undefined {
  if (typeof table !== 'string' || !key || names.length === 0) return undefined;
  const parts: string[] = [table];
  for (const name of names) {
    const value = key[name];
    if (typeof value !== 'string') return undefined;
    parts.push(name, value);
  }
  return JSON.stringify(parts);
}

/** About the bytes a stored item's values take (strings by length); bounds the cache, not exact. */
export function approximateBytes(value: unknown): number {
  if (typeof value === 'string') return value.length + 8;
  if (value === null || typeof value !== 'object') return 8;
  if (value instanceof Uint8Array) return value.byteLength + 8;
  let sum = 16;
  if (Array.isArray(value) || value instanceof Set) {
    for (const v of value) sum += approximateBytes(v);
    return sum;
  }
  for (const [k, v] of Object.entries(value)) sum += k.length + approximateBytes(v);
  return sum;
}

/**
 * A deep copy of a DocumentClient output: plain objects, arrays and primitives copied by hand
 * (structuredClone was 6% of a cached `GET /jobs/{id}`'s CPU), anything else (sets, bytes) by
 * structuredClone.
 */
export function copyOutput<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(copyOutput) as T;
  if (Object.getPrototypeOf(value) !== Object.prototype) return structuredClone(value);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    // An attribute may be named __proto__; assigning it would set the copy's prototype instead.
    if (k === '__proto__') Object.defineProperty(out, k, { value: copyOutput(v), enumerable: true, writable: true, configurable: true });
    else out[k] = copyOutput(v);
  }
  return out as T;
}

/** What the local DocumentClient's item cache holds and does; see cacheItemReads. */
export interface ItemReadCache {
  /**
   * Wraps the engine's request listener for requests that do not come through the client (its
   * socket): any that is not a read drops the whole cache when it starts and when it is answered.
   */
  guard(listener: RequestListener): RequestListener;
  stats(): ReturnType<SingleWriterCache<unknown>['stats']>;
}

/**
 * Makes `client` (the embedded engine's DocumentClient) answer a plain `GetCommand` (table, key,
 * consistency) from memory when it read that item before and nothing wrote it since: a hit skips
 * the SDK's pipeline and the engine. Every other command still goes through the real client, and
 * each write drops the items it can touch (Put/Update/Delete by key, BatchWrite and TransactWrite by
 * each of theirs) when it is sent and again when it is answered; a read that overlapped such a write
 * is not kept (createSingleWriterCache). A command it does not know, or a write to a table whose key
 * it has not learned yet (from a GetCommand that succeeded), drops everything.
 *
 * Coherent only because this process is the one writer of the engine: it is in-process, its data
 * directory private, and a second process refuses to open it while the socket answers. Anything sent
 * over that socket is covered by `guard`. On AWS many Lambdas write the same table, so this would
 * serve stale items there: only the local home uses it.
 */
export function cacheItemReads(client: DynamoDBDocumentClient, limits: SingleWriterCacheLimits = ITEM_CACHE_LIMITS): ItemReadCache {
  const cache = createSingleWriterCache<unknown>({
    ...limits,
    sizeOf: (output) => approximateBytes(output),
    copy: copyOutput,
  });
  // Each table's key attribute names, sorted, as a successful GetCommand showed them.
  const keyNames = new Map<string, readonly string[]>();
  // Moved, like the cache's epoch, by anything that may create, delete or change a table.
  let schemaEpoch = 0;
  let schemaChanges = 0;

  const beginChange = (): (() => void) => {
    schemaEpoch++;
    schemaChanges++;
    keyNames.clear();
    const end = cache.beginWrite('all');
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      schemaEpoch++;
      schemaChanges--;
      keyNames.clear();
      end();
    };
  };

  /** The ids an item write touches, or 'all' when its table's key is not known yet. */
  const written = (table: unknown, key: Item | undefined, fromItem: boolean): string[] | 'all' => {
    if (typeof table !== 'string') return 'all';
    const names = fromItem ? keyNames.get(table) : key && Object.keys(key).sort();
    if (!names) return 'all';
    const id = itemId(table, key, names);
    return id === undefined ? [] : [id];
  };

  const writtenBy = (command: unknown): WrittenKeys | undefined => {
    if (command instanceof PutCommand) return written(command.input.TableName, command.input.Item, true);
    if (command instanceof UpdateCommand || command instanceof DeleteCommand)
      return written(command.input.TableName, command.input.Key, false);
    const all: string[] = [];
    const add = (ids: string[] | 'all') => (ids === 'all' ? false : (all.push(...ids), true));
    if (command instanceof BatchWriteCommand) {
      for (const [table, requests] of Object.entries(command.input.RequestItems ?? {})) {
        for (const r of requests ?? []) {
          const ids = r.PutRequest ? written(table, r.PutRequest.Item, true) : written(table, r.DeleteRequest?.Key, false);
          if (!add(ids)) return 'all';
        }
      }
      return all;
    }
    if (command instanceof TransactWriteCommand) {
      for (const t of command.input.TransactItems ?? []) {
        if (t.ConditionCheck) continue;
        const ids = t.Put
          ? written(t.Put.TableName, t.Put.Item, true)
          : t.Update
            ? written(t.Update.TableName, t.Update.Key, false)
            : written(t.Delete?.TableName, t.Delete?.Key, false);
        if (!add(ids)) return 'all';
      }
      return all;
    }
    return undefined;
  };

  const original = client.send.bind(client) as Send;

  const read = async (command: GetCommand, options: unknown): Promise<unknown> => {
    const { TableName: table, Key: key } = command.input;
    const names = key ? Object.keys(key).sort() : [];
    const id = itemId(table, key, names);
    if (id === undefined) return original(command, options);
    const startSchema = schemaEpoch;
    const output = await cache.read(id, () => original(command, options));
    // The engine accepted this key, so these are the table's key attributes.
    if (schemaEpoch === startSchema && schemaChanges === 0 && !keyNames.has(table!)) keyNames.set(table!, names);
    return output;
  };

  const send = async (command: unknown, options: unknown): Promise<unknown> => {
    if (command instanceof GetCommand && Object.keys(command.input).every((k) => PLAIN_GET_FIELDS.has(k))) return read(command, options);
    if (READS.some((type) => command instanceof type)) return original(command, options);
    const keys = writtenBy(command);
    const end = keys === undefined ? beginChange() : cache.beginWrite(keys);
    try {
      return await original(command, options);
    } finally {
      end();
    }
  };

  Object.assign(client, {
    send(command: unknown, ...rest: unknown[]) {
      const cb = typeof rest.at(-1) === 'function' ? (rest.pop() as Callback) : undefined;
      const result = send(command, rest[0]);
      if (!cb) return result;
      result.then(
        (output) => cb(null, output),
        (e: unknown) => cb(e),
      );
      return undefined;
    },
  });

  return {
    guard: (listener) => (req: IncomingMessage, res: ServerResponse) => {
      const target = req.headers['x-amz-target'];
      const operation = typeof target === 'string' ? target.slice(target.indexOf('.') + 1) : '';
      if (!READ_OPERATIONS.has(operation)) {
        const end = beginChange();
        res.once('finish', end);
        res.once('close', end);
      }
      listener(req, res);
    },
    stats: () => cache.stats(),
  };
}
