import { createRequire } from 'node:module';

type Callback = (err: Error | null | undefined, value?: unknown) => void;

interface TableDb {
  get(key: string, cb: Callback): void;
  put(key: string, value: unknown, cb: Callback): void;
  del(key: string, cb: Callback): void;
  batch(ops: readonly { key: string }[], cb: Callback): void;
}

type GetTable = (name: string, checkStatus: boolean | Callback, cb?: Callback) => void;

interface DynaliteStore {
  tableDb: TableDb;
  getTable: GetTable;
}

interface DynaliteDb {
  create(options: unknown): DynaliteStore;
}

const PATCHED = Symbol.for('cronium.dynaliteTableCache');

const deepFreeze = <T>(value: T): T => {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
};

/** A table description cache in front of one store's `tableDb` (see cachingTableDb). */
export interface TableCache {
  /** The description last read, shared and frozen; undefined when not cached. */
  shared(name: string): unknown;
}

/**
 * Keeps each table's description in memory in front of `tableDb.get`, so only the first read of it
 * goes to LevelDB. Every write to the table descriptions (CreateTable, UpdateTable, DeleteTable all
 * go through the same `put`/`del`/`batch`) drops the table's entry when it starts and again when it
 * ends, and a read that overlapped a write does not store what it read. `tableDb.get` hands each
 * caller its own copy, as LevelDB does, since UpdateTable and DeleteTable change the object they
 * read; `shared` is for readers that change nothing.
 */
export function cachingTableDb(tableDb: TableDb): TableCache {
  const cached = new Map<string, object>();
  let writes = 0;
  const { get, put, del, batch } = tableDb;
  const written = (keys: readonly string[], cb: Callback): Callback => {
    writes++;
    for (const key of keys) cached.delete(key);
    return (err, value) => {
      writes++;
      for (const key of keys) cached.delete(key);
      cb(err, value);
    };
  };
  Object.assign(tableDb, {
    get(key: string, cb: Callback) {
      const hit = cached.get(key);
      if (hit !== undefined) {
        // Asynchronous like the LevelDB read it stands for.
        process.nextTick(cb, null, structuredClone(hit));
        return;
      }
      const before = writes;
      get.call(tableDb, key, (err, value) => {
        if (!err && value !== null && typeof value === 'object' && writes === before) cached.set(key, deepFreeze(structuredClone(value)));
        cb(err, value);
      });
    },
    put(key: string, value: unknown, cb: Callback) {
      put.call(tableDb, key, value, written([key], cb));
    },
    del(key: string, cb: Callback) {
      del.call(tableDb, key, written([key], cb));
    },
    batch(ops: readonly { key: string }[], cb: Callback) {
      batch.call(
        tableDb,
        ops,
        written(
          ops.map((op) => op.key),
          cb,
        ),
      );
    },
  });
  return { shared: (name) => cached.get(name) };
}

/**
 * Serves dynalite's item requests (GetItem, PutItem, Query…: the ones that call `getTable` without
 * `checkStatus: false`, and only read the description) the cached description itself when the table
 * is ACTIVE, with no copy; everything else takes dynalite's own path through the caching tableDb.
 */
export function cachingStore(store: DynaliteStore): DynaliteStore {
  const cache = cachingTableDb(store.tableDb);
  const getTable = store.getTable;
  store.getTable = (name, checkStatus, cb) => {
    if (typeof checkStatus === 'function') {
      const table = cache.shared(name) as { TableStatus?: string } | undefined;
      if (table?.TableStatus === 'ACTIVE') {
        process.nextTick(checkStatus, null, table);
        return;
      }
    }
    getTable(name, checkStatus, cb);
  };
  return store;
}

/**
 * dynalite 4 reads the table's description from LevelDB on every request (`getTable`), before the
 * item itself: a native read and a JSON decode, about a third of dynalite's time in a `GetItem`
 * (docs/benchmarks.md). This makes the stores dynalite creates from now on keep those descriptions
 * in memory (cachingStore). It holds only while this process is the one writer of the data
 * directory, which the embedded engine's socket ensures. Safe to call more than once.
 * @returns whether the patch was applied now (false when it already was).
 */
export function cacheDynaliteTableDescriptions(): boolean {
  // dynalite's own db module, the one its server calls `create` on for each store.
  const fromDynalite = createRequire(createRequire(import.meta.url).resolve('dynalite'));
  const db = fromDynalite('./db') as DynaliteDb & { [PATCHED]?: true };
  if (db[PATCHED]) return false;
  const create = db.create;
  db.create = (options) => cachingStore(create(options));
  db[PATCHED] = true;
  return true;
}
