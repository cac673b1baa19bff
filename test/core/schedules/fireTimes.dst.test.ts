import { describe, expect, it } from 'vitest';
import { createCronerMatcher } from '../../../lambdas/adapters/cron';
import { nextFires, type FirePlan } from '../../../lambdas/core/schedules/fireTimes';
import type { DstPolicy } from '../../../lambdas/core/schedules/scheduleModel';
import { parseTiming } from '../../../lambdas/core/schedules/scheduleTiming';
import { localIso } from '../../../lambdas/core/schedules/zoneClock';

const cron = createCronerMatcher();

/** The next `count` fires after `from` (UTC), written in the zone's local time with its offset. */
const fires = (expression: string, zone: string, dst: DstPolicy, from: string, count: number): string[] => {
  const plan: FirePlan = { timing: parseTiming({ cron: expression }, zone, dst), zone, dst, anchor: 0 };
  return nextFires(cron, plan, Date.parse(from), count).map((t) => localIso(zone, t));
};

/** Each case: a daily time that falls in the zone's gap (spring forward) or its repeated hour (fall back). */
interface DstCase {
  zone: string;
  /** One standard and one AWS expression for the same daily time. */
  standard: string;
  aws: string;
  from: string;
  skip: string[];
  shift: string[];
}

const springForward: DstCase[] = [
  {
    // Northern hemisphere: 02:00 → 03:00 on 9 March 2025.
    zone: 'America/New_York',
    standard: '30 2 * * *',
    aws: 'cron(30 2 * * ? *)',
    from: '2025-03-08T00:00:00Z',
    skip: ['2025-03-08T02:30:00-05:00', '2025-03-10T02:30:00-04:00', '2025-03-11T02:30:00-04:00'],
    shift: ['2025-03-08T02:30:00-05:00', '2025-03-09T03:00:00-04:00', '2025-03-10T02:30:00-04:00'],
  },
  {
    // Southern hemisphere: 02:00 → 03:00 on 5 October 2025.
    zone: 'Australia/Sydney',
    standard: '30 2 * * *',
    aws: 'cron(30 2 * * ? *)',
    from: '2025-10-03T12:00:00Z',
    skip: ['2025-10-04T02:30:00+10:00', '2025-10-06T02:30:00+11:00', '2025-10-07T02:30:00+11:00'],
    shift: ['2025-10-04T02:30:00+10:00', '2025-10-05T03:00:00+11:00', '2025-10-06T02:30:00+11:00'],
  },
  {
    // A half-hour DST shift: 02:00 → 02:30 on 5 October 2025.
    zone: 'Australia/Lord_Howe',
    standard: '15 2 * * *',
    aws: 'cron(15 2 * * ? *)',
    from: '2025-10-03T12:00:00Z',
    skip: ['2025-10-04T02:15:00+10:30', '2025-10-06T02:15:00+11:00', '2025-10-07T02:15:00+11:00'],
    shift: ['2025-10-04T02:15:00+10:30', '2025-10-05T02:30:00+11:00', '2025-10-06T02:15:00+11:00'],
  },
  {
    // A half-hour offset: St John's −03:30 → −02:30 at 02:00 on 9 March 2025.
    zone: 'America/St_Johns',
    standard: '45 2 * * *',
    aws: 'cron(45 2 * * ? *)',
    from: '2025-03-08T00:00:00Z',
    skip: ['2025-03-08T02:45:00-03:30', '2025-03-10T02:45:00-02:30', '2025-03-11T02:45:00-02:30'],
    shift: ['2025-03-08T02:45:00-03:30', '2025-03-09T03:00:00-02:30', '2025-03-10T02:45:00-02:30'],
  },
];

const fallBack: DstCase[] = [
  {
    // 02:00 → 01:00 on 2 November 2025: 01:30 happens twice, runs once (the first).
    zone: 'America/New_York',
    standard: '30 1 * * *',
    aws: 'cron(30 1 * * ? *)',
    from: '2025-11-01T00:00:00Z',
    skip: ['2025-11-01T01:30:00-04:00', '2025-11-02T01:30:00-04:00', '2025-11-03T01:30:00-05:00'],
    shift: ['2025-11-01T01:30:00-04:00', '2025-11-02T01:30:00-04:00', '2025-11-03T01:30:00-05:00'],
  },
  {
    // 03:00 → 02:00 on 6 April 2025.
    zone: 'Australia/Sydney',
    standard: '30 2 * * *',
    aws: 'cron(30 2 * * ? *)',
    from: '2025-04-04T12:00:00Z',
    skip: ['2025-04-05T02:30:00+11:00', '2025-04-06T02:30:00+11:00', '2025-04-07T02:30:00+10:00'],
    shift: ['2025-04-05T02:30:00+11:00', '2025-04-06T02:30:00+11:00', '2025-04-07T02:30:00+10:00'],
  },
  {
    // 02:00 → 01:30 on 6 April 2025: 01:45 happens twice.
    zone: 'Australia/Lord_Howe',
    standard: '45 1 * * *',
    aws: 'cron(45 1 * * ? *)',
    from: '2025-04-04T12:00:00Z',
    skip: ['2025-04-05T01:45:00+11:00', '2025-04-06T01:45:00+11:00', '2025-04-07T01:45:00+10:30'],
    shift: ['2025-04-05T01:45:00+11:00', '2025-04-06T01:45:00+11:00', '2025-04-07T01:45:00+10:30'],
  },
  {
    // 02:00 → 01:00 on 2 November 2025 at −02:30/−03:30.
    zone: 'America/St_Johns',
    standard: '30 1 * * *',
    aws: 'cron(30 1 * * ? *)',
    from: '2025-11-01T00:00:00Z',
    skip: ['2025-11-01T01:30:00-02:30', '2025-11-02T01:30:00-02:30', '2025-11-03T01:30:00-03:30'],
    shift: ['2025-11-01T01:30:00-02:30', '2025-11-02T01:30:00-02:30', '2025-11-03T01:30:00-03:30'],
  },
];

describe('fire times across daylight-saving changes', () => {
  for (const [label, cases] of [
    ['spring forward', springForward],
    ['fall back', fallBack],
  ] as const) {
    describe(label, () => {
      for (const c of cases) {
        for (const form of ['standard', 'aws'] as const) {
          for (const dst of ['skip', 'shift'] as const) {
            it(`${c.zone}, ${form} form, dst ${dst}`, () => {
              expect(fires(c[form], c.zone, dst, c.from, 3)).toEqual(c[dst]);
            });
          }
        }
      }
    });
  }

  it('runs every wall-clock time of a repeated hour once (every 30 minutes, New York fall back)', () => {
    expect(fires('*/30 0-3 * * *', 'America/New_York', 'skip', '2025-11-02T03:59:00Z', 7)).toEqual([
      '2025-11-02T00:00:00-04:00',
      '2025-11-02T00:30:00-04:00',
      '2025-11-02T01:00:00-04:00',
      '2025-11-02T01:30:00-04:00',
      '2025-11-02T02:00:00-05:00',
      '2025-11-02T02:30:00-05:00',
      '2025-11-02T03:00:00-05:00',
    ]);
  });

  it('shifts every time of the gap to its end, once, and never goes backwards (every 20 minutes, New York spring forward)', () => {
    expect(fires('*/20 * * * *', 'America/New_York', 'shift', '2025-03-09T06:10:00Z', 5)).toEqual([
      '2025-03-09T01:20:00-05:00',
      '2025-03-09T01:40:00-05:00',
      '2025-03-09T03:00:00-04:00',
      '2025-03-09T03:20:00-04:00',
      '2025-03-09T03:40:00-04:00',
    ]);
    expect(fires('*/20 * * * *', 'America/New_York', 'skip', '2025-03-09T06:10:00Z', 3)).toEqual([
      '2025-03-09T01:20:00-05:00',
      '2025-03-09T01:40:00-05:00',
      '2025-03-09T03:00:00-04:00',
    ]);
  });

  it('keeps a half-hour zone without daylight saving at its offset (Asia/Kolkata)', () => {
    expect(fires('0 9 * * 1-5', 'Asia/Kolkata', 'skip', '2025-03-07T00:00:00Z', 3)).toEqual([
      '2025-03-07T09:00:00+05:30',
      '2025-03-10T09:00:00+05:30',
      '2025-03-11T09:00:00+05:30',
    ]);
  });

  it('reads AWS day numbers from 1 = Sunday and standard ones from 0 = Sunday', () => {
    expect(fires('cron(0 12 ? * 2 *)', 'UTC', 'skip', '2025-01-01T00:00:00Z', 1)).toEqual(['2025-01-06T12:00:00+00:00']);
    expect(fires('0 12 * * 1', 'UTC', 'skip', '2025-01-01T00:00:00Z', 1)).toEqual(['2025-01-06T12:00:00+00:00']);
    expect(fires('cron(0 12 ? * MON#2 2026)', 'UTC', 'skip', '2025-01-01T00:00:00Z', 2)).toEqual([
      '2026-01-12T12:00:00+00:00',
      '2026-02-09T12:00:00+00:00',
    ]);
  });
});
