import type { CronMatcher } from '../ports';
import type { DstPolicy } from './scheduleModel';
import type { ScheduleTiming } from './scheduleTiming';
import { resolveWall, wallOf } from './zoneClock';

/** Everything the fire times of a schedule depend on. */
export interface FirePlan {
  timing: ScheduleTiming;
  zone: string;
  dst: DstPolicy;
  /** Epoch ms; no fire before it. */
  startAt?: number;
  /** Epoch ms; no fire after it. */
  endAt?: number;
  /** A rate counts its periods from here (startAt, else the creation time). */
  anchor: number;
}

/** Matches skipped before giving up (a pattern whose every match falls in gaps never fires). */
const MAX_STEPS = 5000;

/**
 * The first fire strictly after `after` (epoch ms), or undefined when there is none.
 * Cron matches are wall-clock times of the zone: a time the zone skips (spring forward) is dropped
 * under `skip` and becomes the first instant after the gap under `shift`; a time it repeats (fall back)
 * is its first occurrence only, so it runs once. Fires landing on one instant run once.
 */
export const nextFireAfter = (cron: CronMatcher, plan: FirePlan, after: number): number | undefined => {
  const from = plan.startAt !== undefined ? Math.max(after, plan.startAt - 1) : after;
  const within = (t: number | undefined) => (t === undefined || (plan.endAt !== undefined && t > plan.endAt) ? undefined : t);
  const { timing } = plan;
  if (timing.kind === 'at') return timing.instant > from ? within(timing.instant) : undefined;
  if (timing.kind === 'rate') {
    const k = Math.max(0, Math.floor((from - plan.anchor) / timing.everyMs) + 1);
    return within(plan.anchor + k * timing.everyMs);
  }
  let wall = wallOf(plan.zone, from);
  for (let step = 0; step < MAX_STEPS; step++) {
    const match = cron.next(timing.pattern, wall);
    if (match === undefined) return undefined;
    wall = match;
    const r = resolveWall(plan.zone, match);
    const t = r.kind !== 'gap' ? r.instant : plan.dst === 'shift' ? r.gapEnd : undefined;
    if (t === undefined || t <= from) continue;
    return within(t);
  }
  return undefined;
};

/** Up to `count` fires strictly after `after`, in order. */
export const nextFires = (cron: CronMatcher, plan: FirePlan, after: number, count: number): number[] => {
  const out: number[] = [];
  let t: number | undefined = after;
  while (out.length < count && (t = nextFireAfter(cron, plan, t)) !== undefined) out.push(t);
  return out;
};
