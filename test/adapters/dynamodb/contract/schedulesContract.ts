import { describe, expect, it } from 'vitest';
import type { Schedule, ScheduleFire } from '../../../../lambdas/core';
import type { Store } from '../../../../lambdas/core/ports/stores';

const t = (minute: number) => new Date(Date.UTC(2030, 0, 1, 0, minute)).toISOString();

const scheduleFactory = (partial: Partial<Schedule> = {}): Schedule => ({
  tenant: 'acme',
  id: 's1',
  name: 'nightly',
  target: { eventId: 'e1' },
  cron: '0 3 * * *',
  timezone: 'Europe/Berlin',
  enabled: true,
  catchUp: 'none',
  overlap: 'allow',
  dst: 'skip',
  nextFireAt: t(10),
  version: 1,
  createdAt: t(0),
  updatedAt: t(0),
  ...partial,
});

const fireFactory = (partial: Partial<ScheduleFire> = {}): ScheduleFire => ({
  tenant: 'acme',
  scheduleId: 's1',
  fireAt: t(10),
  status: 'claimed',
  claimedAt: t(9),
  jobId: 'j1',
  ...partial,
});

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e: { code?: string }) => e.code,
  );

/** The ScheduleStore contract, for the memory store of the core tests and every DynamoDB engine. */
export function schedulesContract(newStore: () => Promise<Store>) {
  describe('schedules', () => {
    it('stores a schedule exactly and refuses a second with the same id', async () => {
      const { schedules } = await newStore();
      const s = scheduleFactory({ input: { a: [1, null] } });
      await schedules.create(s);
      expect(await schedules.get('acme', 's1')).toStrictEqual(s);
      expect(await codeOf(schedules.create(s))).toBe('conflict');
      expect(await schedules.get('globex', 's1')).toBeUndefined();
    });

    it('updates only from the version it read', async () => {
      const { schedules } = await newStore();
      const s = scheduleFactory();
      await schedules.create(s);
      await schedules.update({ ...s, name: 'renamed', version: 2 });
      expect(await codeOf(schedules.update({ ...s, name: 'stale', version: 2 }))).toBe('conflict');
      expect(await codeOf(schedules.update(scheduleFactory({ id: 'missing', version: 2 })))).toBe('conflict');
      expect((await schedules.get('acme', 's1'))?.name).toBe('renamed');
    });

    it('lists a tenant’s schedules newest first across pages', async () => {
      const { schedules } = await newStore();
      for (let i = 1; i <= 3; i++) await schedules.create(scheduleFactory({ id: `s${i}`, createdAt: t(i) }));
      await schedules.create(scheduleFactory({ tenant: 'globex', id: 'g1', createdAt: t(9) }));
      const first = await schedules.list('acme', { limit: 2 });
      const second = await schedules.list('acme', { limit: 2, cursor: first.nextCursor });
      expect(first.items.map((s) => s.id)).toEqual(['s3', 's2']);
      expect(second.items.map((s) => s.id)).toEqual(['s1']);
      expect(second.nextCursor).toBeUndefined();
    });

    it('finds the enabled schedules due by a time, soonest first, across tenants', async () => {
      const { schedules } = await newStore();
      await schedules.create(scheduleFactory({ id: 'late', nextFireAt: t(30) }));
      await schedules.create(scheduleFactory({ id: 'soon', nextFireAt: t(5) }));
      await schedules.create(scheduleFactory({ tenant: 'globex', id: 'edge', nextFireAt: t(10) }));
      await schedules.create(scheduleFactory({ id: 'off', enabled: false, nextFireAt: t(1) }));
      const { nextFireAt: _, ...finished } = scheduleFactory({ id: 'done' });
      await schedules.create(finished);

      const due = await schedules.due(t(10), 10);

      expect(due.map((s) => s.id)).toEqual(['soon', 'edge']);
    });

    it('drops a schedule from the due ones when it is disabled or deleted', async () => {
      const { schedules } = await newStore();
      const s = scheduleFactory({ nextFireAt: t(1) });
      await schedules.create(s);
      await schedules.create(scheduleFactory({ id: 's2', nextFireAt: t(2) }));
      await schedules.update({ ...s, enabled: false, version: 2 });
      expect(await schedules.delete('acme', 's2')).toBe(true);
      expect(await schedules.delete('acme', 's2')).toBe(false);
      expect(await schedules.due(t(10), 10)).toEqual([]);
    });

    it('claims a fire once; its outcome is recorded over the claim', async () => {
      const { schedules } = await newStore();
      expect(await schedules.claimFire(fireFactory())).toBe(true);
      expect(await schedules.claimFire(fireFactory({ jobId: 'other' }))).toBe(false);
      expect(await schedules.getFire('acme', 's1', t(10))).toStrictEqual(fireFactory());

      await schedules.recordFire(fireFactory({ status: 'submitted', submittedAt: t(10) }));

      expect(await schedules.getFire('acme', 's1', t(10))).toStrictEqual(fireFactory({ status: 'submitted', submittedAt: t(10) }));
      expect(await schedules.getFire('globex', 's1', t(10))).toBeUndefined();
    });

    it('lists a schedule’s fires newest first, or oldest first from a time', async () => {
      const { schedules } = await newStore();
      for (const m of [10, 20, 30, 40]) await schedules.claimFire(fireFactory({ fireAt: t(m), jobId: `j${m}` }));
      await schedules.claimFire(fireFactory({ scheduleId: 's2', fireAt: t(50) }));

      const newest = await schedules.listFires('acme', 's1', { limit: 2, order: 'newest' });
      const fromTwenty = await schedules.listFires('acme', 's1', { limit: 10, order: 'oldest', from: t(20) });

      expect(newest.map((f) => f.fireAt)).toEqual([t(40), t(30)]);
      expect(fromTwenty.map((f) => f.fireAt)).toEqual([t(20), t(30), t(40)]);
    });
  });
}
