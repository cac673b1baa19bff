import { Cron } from 'croner';
import type { CronMatcher } from '../../core';
import { ValidationError } from '../../core';

/** Parsed patterns kept per process; a tick reads the same few again and again. */
const MAX_CACHED = 1000;

/**
 * The CronMatcher on croner, used in UTC only: croner's own zone handling moves a time in a
 * spring-forward gap by the gap's length (02:30 becomes 03:30 in New York) and can step backwards
 * across it, so zones and DST stay in the core (docs/schedules.md).
 * @example
 * const cron = createCronerMatcher();
 * cron.next('0 0 9 * * 1-5 *', Date.UTC(2030, 0, 1)); // 2030-01-01T09:00Z as a wall clock
 */
export const createCronerMatcher = (): CronMatcher => {
  const cache = new Map<string, Cron>();
  const cronFor = (pattern: string): Cron => {
    let cron = cache.get(pattern);
    if (!cron) {
      try {
        cron = new Cron(pattern, { timezone: 'UTC', paused: true });
      } catch (err) {
        throw new ValidationError('cron', err instanceof Error ? err.message.replace(/^CronPattern: /, '') : 'is not a cron pattern');
      }
      if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
      cache.set(pattern, cron);
    }
    return cron;
  };
  return {
    next(pattern, afterWall) {
      const next = cronFor(pattern).nextRun(new Date(afterWall));
      return next ? next.getTime() : undefined;
    },
  };
};
