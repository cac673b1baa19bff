/**
 * Finds cron matches on a wall clock with no zone and no daylight saving: times are epoch ms read as
 * UTC fields. The core turns wall-clock matches into instants of the schedule's zone and applies its
 * DST policy (schedules/fireTimes.ts), so the engine never sees a zone.
 */
export interface CronMatcher {
  /**
   * The first whole minute strictly after `afterWall` that matches `pattern` (seven fields:
   * second minute hour day-of-month month day-of-week year), or undefined when none ever will.
   * @throws ValidationError('cron') when the engine refuses the pattern.
   */
  next(pattern: string, afterWall: number): number | undefined;
}
