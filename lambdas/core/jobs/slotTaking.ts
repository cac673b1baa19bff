import type { CoreDeps } from '../deps';
import { jobKeyId, type JobKey } from '../model';
import type { HeldSlot, SlotPool } from '../ports';
import { createSlotGuesses } from './slotGuesses';

/** Reads of the slots a parking job makes at most while its marks keep failing. */
const MARK_ROUNDS = 3;

/**
 * How a dispatcher takes concurrency slots (docs/lifecycle.md): a guess before any read, one read
 * of the held slots when a guess misses, and the look of a job that parks, which marks the held
 * slots `waiters`. The conditional write on a free slot is what holds a cap when dispatchers race.
 */
export const createSlotTaking = ({ store, config }: Pick<CoreDeps, 'store' | 'config'>) => {
  const guesses = createSlotGuesses(config.maxConcurrent);

  /** Conditional writes on the slots `held` leaves free, in order, until one holds. */
  const takeFree = async (key: JobKey, held: HeldSlot[], max: number, pool?: SlotPool, waiters = false): Promise<number | undefined> => {
    const own = held.find((h) => h.holder.tenant === key.tenant && h.holder.jobId === key.jobId);
    if (own) return own.slot;
    const taken = new Set(held.map((h) => h.slot));
    for (let slot = 0; slot < max; slot++) {
      if (!taken.has(slot) && (await store.slots.acquire(slot, key, pool, { waiters }))) return slot;
    }
    return undefined;
  };

  /**
   * One read of the held slots, then conditional writes on the free ones in order until one holds:
   * a constant number of requests whatever the cap, instead of one write per slot.
   */
  const look = async (key: JobKey, max: number, pool?: SlotPool, waiters = false): Promise<number | undefined> =>
    takeFree(key, await store.slots.held(pool), max, pool, waiters);

  // Marks being written by this container: parking dispatches of one batch share them.
  const marking = new Map<string, Promise<boolean>>();
  const markWaiters = (h: HeldSlot): Promise<boolean> => {
    const id = `${h.slot}:${jobKeyId(h.holder)}`;
    let mark = marking.get(id);
    if (!mark) {
      mark = store.slots.markWaiters(h.slot, h.holder).finally(() => marking.delete(id));
      marking.set(id, mark);
    }
    return mark;
  };

  return {
    /** A slot of an event's own limit: always one read (its pool is small and per event). */
    lookInPool: (key: JobKey, max: number, pool: SlotPool) => look(key, max, pool),

    /**
     * A global slot: first one conditional write on the slot this container guesses is free (no
     * read), and the read of the held slots only when that write finds it taken. After a read found
     * every slot taken, nothing: the job is marked waiting first, and lookAndMarkWaiters, made after
     * the mark, is the only read. `waiters`: the job came from the waiting list, others may wait
     * behind it, so its slot is taken marked.
     * @returns the slot, or undefined when none is free (or the cap was full at the last read).
     */
    async acquire(key: JobKey, waiters: boolean): Promise<number | undefined> {
      const guess = guesses.guess(key);
      if (guess === undefined && guesses.knownFull()) return undefined;
      if (guess !== undefined) {
        let held = false;
        try {
          held = await store.slots.acquire(guess, key, undefined, { waiters });
        } finally {
          guesses.tried(key, guess, held);
        }
        if (held) return guess;
      }
      const slot = await look(key, config.maxConcurrent, undefined, waiters);
      if (slot === undefined) guesses.full();
      else guesses.took(key, slot);
      return slot;
    },

    /**
     * The look of a job marked waiting for a global slot: a free slot is taken; else every held
     * slot not marked yet is marked `waiters`, so its release offers a waiting job. A slot freed or
     * taken anew between the read and its mark fails the mark, and the slots are read again: a slot
     * released before its mark offered no one, so this look must see it.
     */
    async lookAndMarkWaiters(key: JobKey): Promise<number | undefined> {
      for (let round = 0; round < MARK_ROUNDS; round++) {
        const held = await store.slots.held();
        const slot = await takeFree(key, held, config.maxConcurrent, undefined, true);
        if (slot !== undefined) {
          guesses.took(key, slot);
          return slot;
        }
        guesses.full();
        let changed = false;
        for (const h of held) if (!h.waiters && !(await markWaiters(h))) changed = true;
        if (!changed) return undefined;
      }
      // The slots kept changing under the marks: the tick's offer of free slots is the safety net.
      return undefined;
    },
  };
};
