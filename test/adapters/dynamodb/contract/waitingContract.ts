import { describe, expect, it } from 'vitest';
import { at, jobFactory } from '../fixtures';
import type { NewStore } from './context';

/** The waiting index: queued jobs marked `waitingSince`, oldest first, kept out of listActive. */
export function waitingContract(newStore: NewStore) {
  describe('jobs waiting for a slot', () => {
    it('lists the jobs marked waiting oldest first, up to the limit, and keeps them out of listActive', async () => {
      // Arrange
      const { jobs } = await newStore();
      const made = [0, 1, 2, 3].map((i) => jobFactory({ id: `job${i}`, tenant: i % 2 ? 'globex' : 'acme', createdAt: at(i) }));
      await Promise.all(made.map((j) => jobs.create(j)));
      // Marked newest first: the order of marking does not decide, age does.
      for (const j of [made[3]!, made[2]!, made[0]!]) await jobs.transition(j, 'queued', { waitingSince: at(10) });

      // Act
      const firstTwo = await jobs.nextWaiting(2);
      const active = await jobs.listActive();

      // Assert
      expect(firstTwo.map((j) => `${j.tenant}/${j.id}`)).toEqual(['acme/job0', 'acme/job2']);
      expect(firstTwo[0]).toMatchObject({ status: 'queued', version: made[0]!.version + 1, waitingSince: at(10) });
      expect(active.map((j) => j.id)).toEqual(['job1']);
    });

    it('drops a job from the waiting ones when it is unmarked, claimed or ended', async () => {
      // Arrange
      const { jobs } = await newStore();
      const made = [0, 1, 2].map((i) => jobFactory({ id: `job${i}`, createdAt: at(i) }));
      await Promise.all(made.map((j) => jobs.create(j)));
      const waiting = await Promise.all(made.map((j) => jobs.transition(j, 'queued', { waitingSince: at(5) })));

      // Act
      const offered = await jobs.transition(waiting[0]!, 'queued', { waitingSince: undefined, offeredAt: at(6) });
      await jobs.transition(waiting[1]!, 'claimed', { waitingSince: undefined });
      await jobs.transition(waiting[2]!, 'cancelled', { waitingSince: undefined });

      // Assert
      expect(await jobs.nextWaiting(10)).toEqual([]);
      expect(offered.waitingSince).toBeUndefined();
      expect((await jobs.listActive()).map((j) => j.id)).toEqual(['job0', 'job1']);
    });

    it('rejects a limit that is not a positive integer', async () => {
      const { jobs } = await newStore();

      await expect(jobs.nextWaiting(0)).rejects.toMatchObject({ code: 'invalid_input', field: 'limit' });
    });
  });
}
