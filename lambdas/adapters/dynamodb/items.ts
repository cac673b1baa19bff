import { TableIndexes, TableKeys } from './schema';

/** Attributes the table needs and the domain types do not have. */
const storageAttributes: ReadonlySet<string> = new Set([
  TableKeys.partitionKey,
  TableKeys.sortKey,
  TableKeys.ttl,
  ...Object.values(TableIndexes).flatMap((i) => [i.partitionKey, i.sortKey]),
]);

/** A stored item as the DocumentClient returns it. */
export type Item = Record<string, unknown>;

/**
 * The domain object inside a stored item: key, index and TTL attributes (and `extra`) removed.
 * Callers vouch that the rest of the item has type T, which holds because only the stores write it.
 */
export function toModel<T>(item: Item, extra: readonly string[] = []): T {
  const out: Item = {};
  for (const [k, v] of Object.entries(item)) {
    if (!storageAttributes.has(k) && !extra.includes(k)) out[k] = v;
  }
  return out as T;
}

const isPlainObject = (v: unknown): v is Item => typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;

/**
 * A copy without undefined values, at any depth, so the store works with a DocumentClient that
 * was not built with `removeUndefinedValues` and never stores a key that was not set.
 */
export function compact<T>(v: T): T {
  if (Array.isArray(v)) return v.filter((x) => x !== undefined).map(compact) as T;
  if (!isPlainObject(v)) return v;
  const out: Item = {};
  for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = compact(x);
  return out as T;
}
