import { ValidationError } from '../errors';
import { parseCron, type CronPattern } from './cronExpression';
import type { DstPolicy } from './scheduleModel';
import { resolveWall } from './zoneClock';

/** When a schedule fires, parsed: cron fields for the matcher, one instant, or a fixed period. */
export type ScheduleTiming = { kind: 'cron'; pattern: CronPattern } | { kind: 'at'; instant: number } | { kind: 'rate'; everyMs: number };

const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
/** A rate of more than ten years is surely a mistake. */
const MAX_RATE_MS = 3650 * UNIT_MS.day;

/**
 * `N minutes|hours|days` (singular for 1 also taken), optionally as `rate(…)`.
 * @throws ValidationError('rate')
 */
export const parseRate = (text: string): number => {
  const m = /^(?:rate\(\s*(.*?)\s*\)|(.*))$/i.exec(typeof text === 'string' ? text.trim() : '');
  const body = m?.[1] ?? m?.[2] ?? '';
  const parts = /^(\d+)\s+(minute|minutes|hour|hours|day|days)$/i.exec(body);
  if (!parts) throw new ValidationError('rate', 'must be "N minutes", "N hours" or "N days" (N a whole number), e.g. "5 minutes"');
  const n = Number(parts[1]);
  const unit = (parts[2] ?? '').toLowerCase().replace(/s$/, '') as keyof typeof UNIT_MS;
  const everyMs = n * UNIT_MS[unit];
  if (n < 1 || everyMs > MAX_RATE_MS) throw new ValidationError('rate', 'N must be at least 1 and the period at most 3650 days');
  return everyMs;
};

const LOCAL_ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * An ISO 8601 time; without an offset it is a wall-clock time of `zone`. A wall time the zone skips
 * (spring forward) is refused under `dst: skip` and moved to the gap's end under `shift`; one it
 * repeats (fall back) is its first occurrence.
 * @throws ValidationError(field)
 */
export const parseInstant = (field: string, text: unknown, zone: string, dst: DstPolicy): number => {
  const m = typeof text === 'string' ? LOCAL_ISO.exec(text.trim()) : null;
  if (!m) throw new ValidationError(field, 'must be an ISO 8601 time such as 2030-01-31T09:00:00 or 2030-01-31T09:00:00+01:00');
  const [y, mo, d, h, mi, s, ms] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0', (m[7] ?? '0').padEnd(3, '0')].map(Number);
  const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(ms));
  const back = new Date(wall);
  if (back.getUTCMonth() !== Number(mo) - 1 || back.getUTCDate() !== d || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) {
    throw new ValidationError(field, `${String(text)} is not a real date and time`);
  }
  const offset = m[8];
  if (offset === 'Z') return wall;
  if (offset) {
    const sign = offset.startsWith('-') ? -1 : 1;
    return wall - sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6))) * 60_000;
  }
  const r = resolveWall(zone, wall);
  if (r.kind !== 'gap') return r.instant;
  if (dst === 'shift') return r.gapEnd;
  throw new ValidationError(field, `${String(text)} does not exist in ${zone} (the clocks skip it); give another time or dst "shift"`);
};

/** Which of cron, at and rate a schedule uses, parsed. @throws ValidationError naming the field */
export const parseTiming = (t: { cron?: string; at?: string; rate?: string }, zone: string, dst: DstPolicy): ScheduleTiming => {
  const given = (['cron', 'at', 'rate'] as const).filter((k) => t[k] !== undefined);
  if (given.length !== 1) {
    throw new ValidationError(given[1] ?? 'cron', 'give exactly one of cron, at and rate');
  }
  if (t.cron !== undefined) return { kind: 'cron', pattern: parseCron(t.cron) };
  if (t.at !== undefined) return { kind: 'at', instant: parseInstant('at', t.at, zone, dst) };
  return { kind: 'rate', everyMs: parseRate(t.rate ?? '') };
};
