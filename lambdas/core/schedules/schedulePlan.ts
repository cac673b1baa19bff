import { ValidationError } from '../errors';
import type { CronMatcher } from '../ports';
import { nextFireAfter, type FirePlan } from './fireTimes';
import type { Schedule } from './scheduleModel';
import { parseTiming } from './scheduleTiming';

/** The fire plan of a stored (already validated) schedule. @throws ValidationError when it no longer parses */
export const planOf = (s: Schedule): FirePlan => {
  const startAt = s.startAt !== undefined ? Date.parse(s.startAt) : undefined;
  return {
    timing: parseTiming({ cron: s.cron, at: s.at, rate: s.rate }, s.timezone, s.dst),
    zone: s.timezone,
    dst: s.dst,
    startAt,
    endAt: s.endAt !== undefined ? Date.parse(s.endAt) : undefined,
    anchor: Math.floor((startAt ?? Date.parse(s.createdAt)) / 1000) * 1000,
  };
};

const iso = (t: number) => new Date(t).toISOString();

/**
 * The schedule's first fire after `now`, or undefined when disabled.
 * @throws ValidationError naming why an enabled schedule would never fire.
 */
export const firstFireAfter = (cron: CronMatcher, s: Schedule, now: number): string | undefined => {
  if (!s.enabled) return undefined;
  const plan = planOf(s);
  const next = nextFireAfter(cron, plan, now);
  if (next !== undefined) return iso(next);
  if (s.endAt !== undefined && (plan.timing.kind !== 'at' || plan.timing.instant > now)) {
    throw new ValidationError('endAt', 'no fire falls between now (or startAt) and endAt');
  }
  if (plan.timing.kind === 'at') throw new ValidationError('at', 'is in the past');
  throw new ValidationError('cron', 'never fires: no date matches it from now on');
};
