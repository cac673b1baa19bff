import { ValidationError } from '../errors';

/**
 * A cron expression checked and rewritten for the wall-clock matcher (CronMatcher): seven croner
 * fields `second minute hour day-of-month month day-of-week year`, standard day numbers (0 = Sunday),
 * `?` written as `*`.
 */
export type CronPattern = string;

interface FieldRule {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  /** The number the first name stands for. */
  namesFrom?: number;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] as const;
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;

const minute: FieldRule = { name: 'minute', min: 0, max: 59 };
const hour: FieldRule = { name: 'hour', min: 0, max: 23 };
const dayOfMonth: FieldRule = { name: 'day-of-month', min: 1, max: 31 };
const month: FieldRule = { name: 'month', min: 1, max: 12, names: MONTHS, namesFrom: 1 };
const standardDow: FieldRule = { name: 'day-of-week', min: 0, max: 7, names: DAYS, namesFrom: 0 };
const awsDow: FieldRule = { name: 'day-of-week', min: 1, max: 7, names: DAYS, namesFrom: 1 };
const year: FieldRule = { name: 'year', min: 1970, max: 2199 };

const NICKNAMES: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const bad = (rule: FieldRule, text: string, why: string) => new ValidationError('cron', `${rule.name} field "${text}": ${why}`);

/** A number or name of the field, as its number (AWS day names count from 1). */
const valueOf = (rule: FieldRule, text: string, whole: string): number => {
  const upper = text.toUpperCase();
  const named = rule.names?.indexOf(upper) ?? -1;
  if (named >= 0) return named + (rule.namesFrom ?? 0);
  if (!/^\d+$/.test(text)) {
    const expected = rule.names
      ? `a number ${rule.min}-${rule.max} or a name ${rule.names[0]}-${rule.names.at(-1)}`
      : `a number ${rule.min}-${rule.max}`;
    throw bad(rule, whole, `"${text}" is not ${expected}`);
  }
  const n = Number(text);
  if (n < rule.min || n > rule.max) throw bad(rule, whole, `${n} is out of range (${rule.name} runs ${rule.min}-${rule.max})`);
  return n;
};

/** One comma-separated item: `*`, `n`, `a-b`, each with an optional `/step`. */
const checkItem = (rule: FieldRule, item: string, whole: string, shift: (n: number) => number): string => {
  const [base = '', step, extra] = item.split('/');
  if (extra !== undefined) throw bad(rule, whole, `"${item}" has more than one "/"`);
  let out: string;
  if (base === '*') out = '*';
  else if (base.includes('-')) {
    const [from = '', to = '', more] = base.split('-');
    if (more !== undefined || from === '' || to === '') throw bad(rule, whole, `"${base}" is not a range a-b`);
    const a = valueOf(rule, from, whole);
    const b = valueOf(rule, to, whole);
    if (a > b) throw bad(rule, whole, `range ${base} runs backwards`);
    out = `${shift(a)}-${shift(b)}`;
  } else {
    if (base === '') throw bad(rule, whole, 'an empty item');
    out = String(shift(valueOf(rule, base, whole)));
  }
  if (step === undefined) return out;
  if (!/^\d+$/.test(step) || Number(step) < 1 || Number(step) > rule.max) {
    throw bad(rule, whole, `step "/${step}" must be a whole number from 1 to ${rule.max}`);
  }
  return `${out}/${step}`;
};

const checkList = (rule: FieldRule, text: string, special: (item: string) => string | undefined, shift = (n: number) => n): string => {
  if (text === '') throw bad(rule, text, 'is empty');
  return text
    .split(',')
    .map((item) => special(item) ?? checkItem(rule, item, text, shift))
    .join(',');
};

const noSpecial = () => undefined;

const checkDayOfMonth = (text: string): string =>
  checkList(dayOfMonth, text, (item) => {
    if (item === '?') return '*';
    if (item.toUpperCase() === 'L') return 'L';
    const w = /^(\d+)W$/i.exec(item);
    if (w) return `${valueOf(dayOfMonth, w[1] ?? '', text)}W`;
    return undefined;
  });

const checkDayOfWeek = (text: string, aws: boolean): string => {
  const rule = aws ? awsDow : standardDow;
  // Croner counts days from 0 = Sunday; AWS counts from 1 = Sunday.
  const shift = aws ? (n: number) => n - 1 : (n: number) => n;
  return checkList(
    rule,
    text,
    (item) => {
      if (item === '?') return '*';
      const nth = /^([A-Za-z]+|\d+)#(\d+)$/.exec(item);
      if (nth) {
        const k = Number(nth[2]);
        if (k < 1 || k > 5) throw bad(rule, text, `"#${nth[2]}": the nth weekday of a month runs 1-5`);
        return `${shift(valueOf(rule, nth[1] ?? '', text))}#${k}`;
      }
      const last = /^([A-Za-z]+|\d+)L$/.exec(item);
      if (last) return `${shift(valueOf(rule, last[1] ?? '', text))}#L`;
      if (item.toUpperCase() === 'L') throw bad(rule, text, '"L" alone is ambiguous here: write nL for the last weekday n of the month');
      return undefined;
    },
    shift,
  );
};

/**
 * Checks a cron expression, standard 5-field (`min hour dom month dow`, days 0-7 with 0 and 7
 * Sunday) or AWS (`cron(min hour dom month dow year)`, days 1-7 with 1 Sunday, `?` in exactly one of
 * the day fields), and rewrites it for the matcher.
 * @throws ValidationError('cron') naming the wrong part and why.
 */
export const parseCron = (expression: string): CronPattern => {
  if (typeof expression !== 'string') throw new ValidationError('cron', 'must be a string');
  const trimmed = expression.trim();
  const aws = /^cron\((.*)\)$/i.exec(trimmed);
  const body = aws ? (aws[1] ?? '').trim() : (NICKNAMES[trimmed.toLowerCase()] ?? trimmed);
  const fields = body.split(/\s+/).filter((f) => f !== '');
  if (aws && fields.length !== 6) {
    throw new ValidationError('cron', `cron(…) needs 6 fields (minute hour day-of-month month day-of-week year); got ${fields.length}`);
  }
  if (!aws && fields.length !== 5) {
    throw new ValidationError(
      'cron',
      `needs 5 fields (minute hour day-of-month month day-of-week) or the AWS form cron(minute hour day-of-month month day-of-week year); got ${fields.length}`,
    );
  }
  const [min = '', hr = '', dom = '', mon = '', dow = '', yr = '*'] = fields;
  if (aws && (dom === '?') === (dow === '?')) {
    throw new ValidationError('cron', 'day-of-month and day-of-week: the AWS form needs "?" in exactly one of them');
  }
  return [
    '0',
    checkList(minute, min, noSpecial),
    checkList(hour, hr, noSpecial),
    checkDayOfMonth(dom),
    checkList(month, mon, noSpecial),
    checkDayOfWeek(dow, aws !== null),
    aws ? checkList(year, yr, noSpecial) : '*',
  ].join(' ');
};
