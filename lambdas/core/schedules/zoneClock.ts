import { ValidationError } from '../errors';

/**
 * Wall clocks of IANA zones through the runtime's Intl (ICU) data: no library, no DST rule of our own.
 * A "wall" time is epoch ms whose UTC fields are the zone's local fields (a clock with no zone).
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

const formatterFor = (zone: string): Intl.DateTimeFormat => {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    formatters.set(zone, f);
  }
  return f;
};

/**
 * @throws ValidationError('timezone') when `zone` is not an IANA zone name the runtime knows.
 */
export const checkTimeZone = (zone: unknown): string => {
  // Intl also takes offsets such as "+05:30"; only names (and UTC) are zones with rules.
  if (typeof zone !== 'string' || !/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(zone)) {
    throw new ValidationError('timezone', 'must be an IANA time zone name such as Europe/Berlin or UTC');
  }
  try {
    formatterFor(zone);
  } catch {
    throw new ValidationError('timezone', `"${zone}" is not an IANA time zone name`);
  }
  return zone;
};

const SECOND = 1000;
const DAY = 86_400_000;

/** The zone's offset from UTC at `instant`, in ms (east positive). */
export const offsetAt = (zone: string, instant: number): number => {
  const whole = Math.floor(instant / SECOND) * SECOND;
  const p: Record<string, string> = {};
  for (const { type, value } of formatterFor(zone).formatToParts(new Date(whole))) p[type] = value;
  let y = Number(p.year);
  if (p.era === 'BC' || p.era === 'B') y = 1 - y;
  const wall = Date.UTC(y, Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return wall - whole;
};

/** The zone's wall clock at `instant`. */
export const wallOf = (zone: string, instant: number): number => instant + offsetAt(zone, instant);

/**
 * Where a wall-clock time falls: once (`exists`), twice on a fall-back day (`repeated`: `instant` is
 * the first), or not at all on a spring-forward day (`gap`: `gapEnd` is the first instant after it).
 */
export type WallResolution = { kind: 'exists' | 'repeated'; instant: number } | { kind: 'gap'; gapEnd: number };

/** The instants a wall-clock time of `zone` names. Offset changes are assumed at least two days apart. */
export const resolveWall = (zone: string, wall: number): WallResolution => {
  const before = offsetAt(zone, wall - DAY);
  const after = offsetAt(zone, wall + DAY);
  const instants = [...new Set([before, after])]
    .map((o) => wall - o)
    .filter((t) => offsetAt(zone, t) === wall - t)
    .sort((a, b) => a - b);
  const first = instants[0];
  if (first !== undefined) return { kind: instants.length > 1 ? 'repeated' : 'exists', instant: first };
  // In a gap the clock jumped from `before` to `after` between these two instants: find the jump.
  let lo = Math.floor((wall - after) / SECOND);
  let hi = Math.ceil((wall - before) / SECOND);
  const offsetLo = offsetAt(zone, lo * SECOND);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetAt(zone, mid * SECOND) === offsetLo) lo = mid;
    else hi = mid;
  }
  return { kind: 'gap', gapEnd: hi * SECOND };
};

/** `instant` as ISO 8601 in the zone's local time with its offset, e.g. `2025-03-09T03:00:00-04:00`. */
export const localIso = (zone: string, instant: number): string => {
  const offset = offsetAt(zone, instant);
  const wall = new Date(Math.floor(instant / SECOND) * SECOND + offset).toISOString().slice(0, 19);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset) / 60_000;
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${wall}${sign}${hh}:${mm}`;
};
