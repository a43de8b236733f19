/**
 * EventBridge Scheduler's expressions, parsed by us so the local scheduler (croner) runs exactly
 * what the cloud runs:
 *
 *   rate(value unit)            unit minute|minutes|hour|hours|day|days; singular only for 1
 *   cron(min hour dom month dow year)
 *                               six fields, UTC; exactly one of day-of-month and day-of-week is `?`;
 *                               day-of-week 1-7 = SUN-SAT (or the names); `L` (last day of month,
 *                               `LW` last weekday, `nL` last weekday n of the month, `L` alone in
 *                               day-of-week = SAT), `W` (nearest weekday), `#` (nth weekday), `/`
 *                               with `*` or a number before it; year 1970-2199
 *   at(yyyy-mm-ddThh:mm:ss)     one time, UTC
 *
 * A cron expression becomes a croner 7-part pattern (seconds first) with Quartz weekday numbering.
 * Pure: no timers here, `nextRun` answers from a given instant.
 */
import { Cron, type CronOptions } from 'croner';

export type ScheduleExpression =
  | { kind: 'rate'; expression: string; everyMs: number }
  | { kind: 'cron'; expression: string; pattern: string }
  | { kind: 'at'; expression: string; at: Date };

export class InvalidScheduleExpression extends Error {
  constructor(expression: string, reason: string) {
    super(`${JSON.stringify(expression)} is not a valid schedule expression: ${reason}`);
    this.name = 'InvalidScheduleExpression';
  }
}

const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

/** What croner needs to read our patterns the AWS way. */
export const CRONER_OPTIONS: CronOptions = {
  mode: '7-part',
  // AWS numbers weekdays 1-7 from Sunday, as Quartz does.
  alternativeWeekdays: true,
  // AWS accepts `5/15` (from 5, every 15) as well as `*/15`.
  sloppyRanges: true,
  // Day-of-month OR day-of-week; one of them is always `*` once `?` is translated, so this only
  // lets the other one decide.
  domAndDow: false,
  utcOffset: 0,
};

const MONTHS = 'JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC';
const DAYS = 'SUN|MON|TUE|WED|THU|FRI|SAT';

/** Characters each AWS field may hold (names are checked separately). */
const FIELDS: { name: string; allowed: RegExp; min: number; max: number }[] = [
  { name: 'minutes', allowed: /^[0-9,\-*/]+$/, min: 0, max: 59 },
  { name: 'hours', allowed: /^[0-9,\-*/]+$/, min: 0, max: 23 },
  { name: 'day-of-month', allowed: /^([0-9,\-*/LW]+|\?)$/, min: 1, max: 31 },
  { name: 'month', allowed: new RegExp(`^([0-9,\\-*/]|${MONTHS})+$`), min: 1, max: 12 },
  { name: 'day-of-week', allowed: new RegExp(`^(([1-7,\\-*/#L]|${DAYS})+|\\?)$`), min: 1, max: 7 },
  { name: 'year', allowed: /^[0-9,\-*/]+$/, min: 1970, max: 2199 },
];

function checkNumbers(expression: string, field: (typeof FIELDS)[number], value: string): void {
  // Step sizes (after `/`) and nth (after `#`) are not field values.
  const values = value.replace(/\/\d+/g, '').replace(/#\d+/g, '').match(/\d+/g) ?? [];
  for (const text of values) {
    const n = Number(text);
    if (n < field.min || n > field.max) throw new InvalidScheduleExpression(expression, `${field.name} ${n} is outside ${field.min}-${field.max}`);
  }
  const nth = /#(\d+)/.exec(value);
  if (nth && (Number(nth[1]) < 1 || Number(nth[1]) > 5)) throw new InvalidScheduleExpression(expression, '# takes 1 to 5');
}

function parseRate(expression: string, body: string): ScheduleExpression {
  const match = /^(\d+) (minute|minutes|hour|hours|day|days)$/.exec(body.trim());
  if (!match) throw new InvalidScheduleExpression(expression, 'rate() takes "<value> <minute(s)|hour(s)|day(s)>"');
  const value = Number(match[1]);
  const unit = match[2] as string;
  if (!Number.isSafeInteger(value) || value < 1) throw new InvalidScheduleExpression(expression, 'the rate must be a positive whole number');
  const singular = !unit.endsWith('s');
  if (singular !== (value === 1)) throw new InvalidScheduleExpression(expression, 'the unit is singular for 1 and plural otherwise');
  const base = unit.replace(/s$/, '') as keyof typeof UNIT_MS;
  return { kind: 'rate', expression, everyMs: value * UNIT_MS[base] };
}

function parseCron(expression: string, body: string): ScheduleExpression {
  const fields = body.trim().toUpperCase().split(/\s+/);
  if (fields.length !== 6) throw new InvalidScheduleExpression(expression, `cron() takes 6 fields, not ${fields.length}`);
  fields.forEach((value, index) => {
    const field = FIELDS[index]!;
    if (!field.allowed.test(value)) throw new InvalidScheduleExpression(expression, `${field.name} "${value}" has characters it may not`);
    checkNumbers(expression, field, value);
  });
  const [minutes, hours, dom, month, dow, year] = fields as [string, string, string, string, string, string];
  if ((dom === '?') === (dow === '?')) {
    throw new InvalidScheduleExpression(expression, 'exactly one of day-of-month and day-of-week must be ?');
  }
  // `?` means "no constraint from this field": croner's `*`, which leaves the decision to the other.
  const croneDom = dom === '?' ? '*' : dom;
  // `L` alone in day-of-week is its last day, Saturday (7); `nL` stays croner's "last n".
  const croneDow = dow === '?' ? '*' : dow.replace(/(^|,)L(?=,|$)/g, (_all, before: string) => `${before}7`);
  const pattern = ['0', minutes, hours, croneDom, month, croneDow, year].join(' ');
  try {
    new Cron(pattern, CRONER_OPTIONS);
  } catch (error) {
    throw new InvalidScheduleExpression(expression, (error as Error).message);
  }
  return { kind: 'cron', expression, pattern };
}

function parseAt(expression: string, body: string): ScheduleExpression {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(body.trim());
  if (!match) throw new InvalidScheduleExpression(expression, 'at() takes yyyy-mm-ddThh:mm:ss');
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const at = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  const roundTrip =
    at.getUTCFullYear() === year &&
    at.getUTCMonth() === month - 1 &&
    at.getUTCDate() === day &&
    at.getUTCHours() === hour &&
    at.getUTCMinutes() === minute &&
    at.getUTCSeconds() === second;
  if (!roundTrip) throw new InvalidScheduleExpression(expression, 'no such date or time');
  return { kind: 'at', expression, at };
}

export function parseScheduleExpression(expression: string): ScheduleExpression {
  const match = /^(rate|cron|at)\((.*)\)$/.exec(expression.trim());
  if (!match) throw new InvalidScheduleExpression(expression, 'expected rate(...), cron(...) or at(...)');
  const [, kind, body] = match as unknown as [string, 'rate' | 'cron' | 'at', string];
  if (kind === 'rate') return parseRate(expression, body);
  if (kind === 'cron') return parseCron(expression, body);
  return parseAt(expression, body);
}

/** `at(...)` for an instant (seconds precision, UTC), as EventBridge Scheduler takes it. */
export function atExpression(at: Date): string {
  return `at(${at.toISOString().slice(0, 19)})`;
}

/**
 * The first run strictly after `after`. Rates count from `anchor` (when the schedule started;
 * default `after`), as EventBridge Scheduler counts from the schedule's creation.
 */
export function nextRun(schedule: ScheduleExpression, after: Date, anchor: Date = after): Date | null {
  switch (schedule.kind) {
    case 'rate': {
      const elapsed = after.getTime() - anchor.getTime();
      const periods = elapsed < 0 ? 0 : Math.floor(elapsed / schedule.everyMs) + 1;
      return new Date(anchor.getTime() + periods * schedule.everyMs);
    }
    case 'cron':
      return new Cron(schedule.pattern, CRONER_OPTIONS).nextRun(after);
    case 'at':
      return schedule.at.getTime() > after.getTime() ? schedule.at : null;
  }
}
