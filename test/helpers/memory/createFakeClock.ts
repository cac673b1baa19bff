import type { Clock } from '../../../lambdas/core/ports';

/** The instant every fake clock starts at (and factories date their records from). */
export const TEST_EPOCH = Date.parse('2030-01-01T00:00:00.000Z');

/** A Clock the test moves by hand. */
export interface FakeClock extends Clock {
  set(ms: number): void;
  advance(ms: number): void;
}

export const createFakeClock = (start = TEST_EPOCH): FakeClock => {
  let now = start;
  return {
    now: () => now,
    set(ms) {
      now = ms;
    },
    advance(ms) {
      now += ms;
    },
  };
};
