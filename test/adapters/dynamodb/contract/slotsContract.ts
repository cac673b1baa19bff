import { describe, expect, it } from 'vitest';
import type { NewStore } from './context';

const a = { tenant: 'acme', jobId: 'job1' };
const b = { tenant: 'globex', jobId: 'job1' };

export function slotsContract(newStore: NewStore) {
  describe('slots', () => {
    it('holds a free slot for one job, and again for the same job', async () => {
      const { slots } = await newStore();

      expect(await slots.acquire(1, a)).toBe(true);
      expect(await slots.acquire(1, a)).toBe(true);
      expect(await slots.held()).toStrictEqual([{ slot: 1, holder: a }]);
    });

    it('marks a slot waiters when taken so or later, keeps the mark when its holder takes it again, and says so at release', async () => {
      const { slots } = await newStore();
      await slots.acquire(1, a, undefined, { waiters: true });
      await slots.acquire(2, b);
      await slots.acquire(3, b);

      const marked = await slots.markWaiters(2, b);
      const notHolder = await slots.markWaiters(3, a);
      const gone = await slots.markWaiters(4, a);
      await slots.acquire(2, b);
      const held = await slots.held();

      expect([marked, notHolder, gone]).toEqual([true, false, false]);
      expect(held).toStrictEqual([
        { slot: 1, holder: a, waiters: true },
        { slot: 2, holder: b, waiters: true },
        { slot: 3, holder: b },
      ]);
      expect(await slots.release(1, b)).toBe(false);
      expect([await slots.release(1, a), await slots.release(2, b), await slots.release(3, b)]).toEqual([true, true, false]);
      expect(await slots.held()).toStrictEqual([]);
    });

    it('refuses a held slot to another job', async () => {
      const { slots } = await newStore();
      await slots.acquire(1, a);

      expect(await slots.acquire(1, b)).toBe(false);
      expect(await slots.acquire(2, b)).toBe(true);
      expect(await slots.held()).toStrictEqual([
        { slot: 1, holder: a },
        { slot: 2, holder: b },
      ]);
    });

    it('lets only the holder release a slot', async () => {
      const { slots } = await newStore();
      await slots.acquire(1, a);

      await slots.release(1, b);
      const afterStranger = await slots.held();
      await slots.release(1, a);

      expect(afterStranger).toStrictEqual([{ slot: 1, holder: a }]);
      expect(await slots.held()).toEqual([]);
      expect(await slots.acquire(1, b)).toBe(true);
    });

    it('hands a contended slot to exactly one of many jobs', async () => {
      const { slots } = await newStore();
      const holders = Array.from({ length: 8 }, (_, i) => ({ tenant: 'acme', jobId: `job${i}` }));

      const won = await Promise.all(holders.map((h) => slots.acquire(5, h)));

      expect(won.filter(Boolean)).toHaveLength(1);
    });
  });
}
