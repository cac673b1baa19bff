/** How much a SingleWriterCache may hold. */
export interface SingleWriterCacheLimits {
  /** Entries kept at most; the least recently used go first. */
  maxEntries: number;
  /** Sum of the entries' `sizeOf` kept at most. */
  maxBytes: number;
  /** A value larger than this is never kept. */
  maxEntryBytes: number;
}

/** Which keys a write can touch: some, or (unknown) every key. */
export type WrittenKeys = readonly string[] | 'all';

/** A read-through cache whose entries every write of the process drops (see createSingleWriterCache). */
export interface SingleWriterCache<V> {
  /**
   * The cached value of `key` (a copy) without calling `load` when there is one; otherwise `load()`,
   * whose result is kept only if no write touched `key` from before `load` started until it ended.
   */
  read(key: string, load: () => Promise<V>): Promise<V>;
  /**
   * Marks a write to `keys` as started: their entries are dropped now, reads in flight on them will
   * not be kept, nor reads that start before the returned `end` is called, which drops them again.
   * Call `end` once the write is answered (or failed); a second call does nothing.
   */
  beginWrite(keys: WrittenKeys): () => void;
  /** Drops every entry. */
  clear(): void;
  /** Entries and their summed size, and keys tracked (read or written in flight), now; hits and misses since the start. */
  stats(): { entries: number; bytes: number; tracked: number; hits: number; misses: number };
}

interface Entry<V> {
  value: V;
  bytes: number;
}

/** A key being read or written: its generation moves at each write's start and end. */
interface Tracked {
  generation: number;
  readers: number;
  writers: number;
}

/**
 * A bounded LRU read-through cache that stays coherent with a store as long as every write to that
 * store goes through `beginWrite`: the cache of a store this process alone writes (one machine's
 * embedded DynamoDB). A read remembers its key's generation (and the cache's epoch, which writes
 * of unknown keys move) when it starts, and keeps what it read only if neither moved and no write
 * is in flight when it ends, so a read that overlapped a write never leaves the old value behind.
 * Keys are tracked only while read or written, so the bookkeeping is bounded by what is in flight.
 * Values are copied in and out (`copy`), so no caller can change another's.
 * @example
 * const cache = createSingleWriterCache<Item>({ maxEntries: 4096, maxBytes: 8 << 20, maxEntryBytes: 64 << 10, sizeOf, copy: structuredClone });
 * const item = await cache.read(id, () => loadItem(id));
 * const end = cache.beginWrite([id]);
 * try { await writeItem(id); } finally { end(); }
 */
export function createSingleWriterCache<V>(
  o: SingleWriterCacheLimits & { sizeOf: (value: V) => number; copy: (value: V) => V },
): SingleWriterCache<V> {
  const entries = new Map<string, Entry<V>>();
  const tracked = new Map<string, Tracked>();
  let bytes = 0;
  let epoch = 0;
  let writersOfAll = 0;
  let hits = 0;
  let misses = 0;

  const drop = (key: string) => {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    bytes -= entry.bytes;
  };
  const clear = () => {
    entries.clear();
    bytes = 0;
  };
  const track = (key: string): Tracked => {
    let t = tracked.get(key);
    if (!t) tracked.set(key, (t = { generation: 0, readers: 0, writers: 0 }));
    return t;
  };
  const untrack = (key: string, t: Tracked) => {
    if (t.readers === 0 && t.writers === 0) tracked.delete(key);
  };
  const keep = (key: string, value: V) => {
    const size = o.sizeOf(value);
    if (size > o.maxEntryBytes) return;
    drop(key);
    entries.set(key, { value: o.copy(value), bytes: size });
    bytes += size;
    for (const [oldest, entry] of entries) {
      if (entries.size <= o.maxEntries && bytes <= o.maxBytes) break;
      entries.delete(oldest);
      bytes -= entry.bytes;
    }
  };

  return {
    async read(key, load) {
      const hit = entries.get(key);
      if (hit) {
        hits++;
        // Map order is the LRU order: a hit moves to the end.
        entries.delete(key);
        entries.set(key, hit);
        return o.copy(hit.value);
      }
      misses++;
      const t = track(key);
      const generation = t.generation;
      const startEpoch = epoch;
      t.readers++;
      try {
        const value = await load();
        if (t.generation === generation && epoch === startEpoch && t.writers === 0 && writersOfAll === 0) keep(key, value);
        return value;
      } finally {
        t.readers--;
        untrack(key, t);
      }
    },
    beginWrite(keys) {
      if (keys === 'all') {
        epoch++;
        writersOfAll++;
        clear();
        let ended = false;
        return () => {
          if (ended) return;
          ended = true;
          epoch++;
          writersOfAll--;
          clear();
        };
      }
      const written = [...new Set(keys)].map((key) => {
        const t = track(key);
        t.generation++;
        t.writers++;
        drop(key);
        return [key, t] as const;
      });
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        for (const [key, t] of written) {
          t.generation++;
          t.writers--;
          drop(key);
          untrack(key, t);
        }
      };
    },
    clear,
    stats: () => ({ entries: entries.size, bytes, tracked: tracked.size, hits, misses }),
  };
}
