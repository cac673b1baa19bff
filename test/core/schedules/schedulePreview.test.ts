import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lambdas/core';
import { acme, at, createScheduleHarness } from './scheduleHarness';

describe('schedules.preview', () => {
  it('gives the same next five fires as the schedule would have once saved, and saves nothing', async () => {
    const h = await createScheduleHarness();
    h.clock.set(at('12:00:00'));
    const timing = { cron: '30 2 * * *', timezone: 'Australia/Adelaide' };

    const preview = h.cp.schedules.preview(timing);
    const listedBefore = await h.cp.schedules.list(acme, { limit: 10 });
    const saved = await h.schedule(timing);
    const { nextFires } = await h.cp.schedules.get(acme, saved.id);

    expect(listedBefore.items).toEqual([]);
    expect(preview).toEqual(nextFires);
    // Adelaide is on daylight time (+10:30) in January: 02:30 there is 16:00 UTC the day before.
    expect(preview[0]).toEqual({ utc: '2030-01-01T16:00:00.000Z', local: '2030-01-02T02:30:00+10:30' });
    expect(preview).toHaveLength(5);
  });

  it('follows the DST policy: a time in the spring-forward gap is skipped, or shifted to the gap end', async () => {
    const h = await createScheduleHarness();
    h.clock.set(Date.parse('2030-03-09T12:00:00Z'));
    const gap = { cron: '30 2 * * *', timezone: 'America/New_York' };

    const skipped = h.cp.schedules.preview({ ...gap, dst: 'skip' });
    const shifted = h.cp.schedules.preview({ ...gap, dst: 'shift' });

    // 10 March 2030: New York jumps from 02:00 to 03:00.
    expect(skipped.map((f) => f.local).slice(0, 2)).toEqual(['2030-03-11T02:30:00-04:00', '2030-03-12T02:30:00-04:00']);
    expect(shifted.map((f) => f.local).slice(0, 2)).toEqual(['2030-03-10T03:00:00-04:00', '2030-03-11T02:30:00-04:00']);
  });

  it('counts a rate from startAt and stops at endAt', async () => {
    const h = await createScheduleHarness();
    h.clock.set(at('12:00:00'));

    const fires = h.cp.schedules.preview({ rate: '2 hours', startAt: '2030-01-01T13:15:00Z', endAt: '2030-01-01T18:00:00Z' });

    expect(fires.map((f) => f.utc)).toEqual(['2030-01-01T13:15:00.000Z', '2030-01-01T15:15:00.000Z', '2030-01-01T17:15:00.000Z']);
  });

  it.each([
    [{ cron: '0 25 * * *' }, 'cron'],
    [{ cron: '0 9 * * *', timezone: 'Nowhere/Here' }, 'timezone'],
    [{ at: '2029-01-01T00:00:00Z' }, 'at'],
    [{}, 'cron'],
    [{ cron: '0 9 * * *', dst: 'maybe' as never }, 'dst'],
  ])('refuses %j naming the field %s, as create does', async (timing, field) => {
    const h = await createScheduleHarness();

    const preview = () => h.cp.schedules.preview(timing);
    const created = h.cp.schedules.create(acme, { name: 's', target: { eventId: h.eventId }, ...timing });

    expect(preview).toThrow(ValidationError);
    expect(preview).toThrow(new RegExp(`^${field}: `));
    const createError = await created.catch((e: Error) => e);
    expect(preview).toThrow((createError as Error).message);
  });
});
