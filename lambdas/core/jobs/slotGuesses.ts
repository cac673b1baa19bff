import { jobKeyId, type JobKey } from '../model';

/** Jobs whose slot a dispatcher remembers, so a message delivered again guesses the slot the job took. */
const REMEMBERED_JOBS = 1_000;

/** Which global slot a dispatcher tries first, without reading the held slots (createDispatchJob). */
export interface SlotGuesses {
  /**
   * The slot to try first: the one this job took (or is trying) here, else the next one in turn that
   * no other dispatch of this container is trying now; undefined after a read found every slot
   * taken, or when every slot is being tried. Every guess is settled with `tried`.
   */
  guess(key: JobKey): number | undefined;
  /** The put on the guessed `slot` is done: `held`, or it did not hold it (or failed). */
  tried(key: JobKey, slot: number, held: boolean): void;
  /** The job holds `slot` (taken after a read of the held slots). */
  took(key: JobKey, slot: number): void;
  /** A read of the held slots found none free: guess again only once a slot was taken. */
  full(): void;
  /** The last read found every slot taken and no slot was taken here since. */
  knownFull(): boolean;
}

/**
 * Guesses in turn (slot after slot), so jobs that follow each other take different slots and one
 * still running does not make the next guess miss, and dispatches running at once (one SQS batch)
 * guess different slots. Only a guess: the conditional put decides, and a miss falls back to
 * reading the slots. A job's own slot comes first, so a delivery of the same message again in this
 * container puts on the slot it already holds (which succeeds for its holder) instead of taking a
 * second one.
 */
export const createSlotGuesses = (max: number): SlotGuesses => {
  const byJob = new Map<string, number>();
  const trying = new Map<number, number>();
  let next = 0;
  let full = false;
  const remember = (key: JobKey, slot: number) => {
    const id = jobKeyId(key);
    byJob.delete(id);
    byJob.set(id, slot);
    if (byJob.size > REMEMBERED_JOBS) byJob.delete(byJob.keys().next().value!);
  };
  const took = (key: JobKey, slot: number) => {
    remember(key, slot);
    next = slot + 1;
    full = false;
  };
  const settle = (slot: number) => {
    const n = (trying.get(slot) ?? 1) - 1;
    if (n > 0) trying.set(slot, n);
    else trying.delete(slot);
  };

  return {
    guess(key) {
      let slot = byJob.get(jobKeyId(key));
      if (slot === undefined || slot >= max) {
        if (full) return undefined;
        slot = undefined;
        for (let i = 0; i < max && slot === undefined; i++) if (!trying.has((next + i) % max)) slot = (next + i) % max;
        if (slot === undefined) return undefined;
        next = slot + 1;
        remember(key, slot);
      }
      trying.set(slot, (trying.get(slot) ?? 0) + 1);
      return slot;
    },
    tried(key, slot, held) {
      settle(slot);
      if (held) took(key, slot);
      else if (byJob.get(jobKeyId(key)) === slot) byJob.delete(jobKeyId(key));
    },
    took,
    full() {
      full = true;
    },
    knownFull: () => full,
  };
};
