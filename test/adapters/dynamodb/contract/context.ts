import type { Store } from '../../../../lambdas/core/ports/stores';

export interface StoreOptions {
  /** Epoch ms the store reads for TTLs. */
  clock?: () => number;
  logTtlSeconds?: number;
}

/** What each contract gets from the suite: a store over an empty table of the backend under test. */
export type NewStore = (o?: StoreOptions) => Promise<Store>;

/** A clock the test moves by hand. */
export const manualClock = (start = Date.parse('2030-01-01T00:00:00.000Z')) => {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
};
