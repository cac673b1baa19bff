import type { Caller } from '../model';

/** How long an unknown key stays unknown without asking the store again. */
export const NEGATIVE_TTL_MS = 1_000;
/** Entries kept at most; past it the oldest go first, so a flood of made-up keys cannot grow memory. */
export const MAX_ENTRIES = 10_000;

interface Entry {
  /** Absent for a key the store did not know. */
  caller?: Caller;
  expiresAt: number;
}

/** What the cache says about a hash: a caller, known-unknown, or nothing (ask the store). */
export type Cached = { hit: true; caller?: Caller } | { hit: false };

/**
 * Key hash -> caller for a short time, in this process only.
 *
 * A lookup that started before an eviction must not put back what the eviction removed: a reader
 * takes a `ticket` before it reads the store and `remember` drops the answer when an eviction
 * happened in between (the answer may be the revoked key).
 */
export const createAuthCache = (o: { ttlMs: number; now: () => number; maxEntries?: number }) => {
  const entries = new Map<string, Entry>();
  const maxEntries = o.maxEntries ?? MAX_ENTRIES;
  let evictions = 0;

  return {
    lookup(hash: string): Cached {
      const entry = entries.get(hash);
      if (!entry) return { hit: false };
      if (entry.expiresAt <= o.now()) {
        entries.delete(hash);
        return { hit: false };
      }
      return entry.caller ? { hit: true, caller: entry.caller } : { hit: true };
    },

    /** Taken before reading the store; hand it back to `remember`. */
    ticket: (): number => evictions,

    /** Keeps the store's answer (undefined: no such key) unless an eviction happened since `ticket`. */
    remember(hash: string, caller: Caller | undefined, ticket: number): void {
      if (ticket !== evictions) return;
      entries.delete(hash);
      if (entries.size >= maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest !== undefined) entries.delete(oldest);
      }
      const ttl = caller ? o.ttlMs : Math.min(NEGATIVE_TTL_MS, o.ttlMs);
      entries.set(hash, { ...(caller ? { caller } : {}), expiresAt: o.now() + ttl });
    },

    /** Forgets a hash at once: its key was revoked, or created and so no longer unknown. */
    evict(hash: string): void {
      evictions += 1;
      entries.delete(hash);
    },
  };
};

export type AuthCache = ReturnType<typeof createAuthCache>;
