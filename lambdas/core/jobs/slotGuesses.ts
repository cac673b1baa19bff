import type { JobKey } from '../model';

/** Jobs whose slot a dispatcher remembers, so a message delivered again guesses the slot the job took. */
const REMEMBERED_JOBS = 1_000;

/** Which global slot a dispatcher tries first, without reading the held slots (createDispatchJob). */
export interface SlotGuesses {
  /** The slot to try first: the one this job took here before, else the one after the last taken; undefined after a full look. */
  guess(key: JobKey): number | undefined;
  /** The job holds `slot`. */
  took(key: JobKey, slot: number): void;
  /** A read of the held slots found none free: guess again only once a slot was taken. */
  full(): void;
}

/**
 * Guesses in turn (slot after slot), so jobs that follow each other take different slots and one
 * still running does not make the next guess miss. Only a guess: the conditional put decides, and a
 * miss falls back to reading the slots. A job's own slot comes first, so a delivery of the same
 * message again in this container puts on the slot it already holds (which succeeds for its holder)
 * instead of taking a second one.
 */
export const createSlotGuesses = (max: number): SlotGuesses => {
  const byJob = new Map<string, number>();
  let next = 0;
  let full = false;
  const idOf = (key: JobKey) => `${key.tenant}\u0000${key.jobId}`;

  return {
    guess(key) {
      const own = byJob.get(idOf(key));
      if (own !== undefined && own < max) return own;
      return full || max < 1 ? undefined : next % max;
    },
    took(key, slot) {
      const id = idOf(key);
      byJob.delete(id);
      byJob.set(id, slot);
      if (byJob.size > REMEMBERED_JOBS) byJob.delete(byJob.keys().next().value!);
      next = slot + 1;
      full = false;
    },
    full() {
      full = true;
    },
  };
};
