/** AWS schedule expressions, parsed by us and run by croner: the same instants the cloud would pick. */
import {
  atExpression,
  InvalidScheduleExpression,
  nextRun,
  parseScheduleExpression,
} from '../../functions/kit/schedule-expression';
import { manifest } from '../../functions/manifest';

const at = (iso: string) => new Date(iso);

describe('parseScheduleExpression: rate()', () => {
  it.each([
    ['rate(1 minute)', 60_000],
    ['rate(5 minutes)', 300_000],
    ['rate(1 hour)', 3_600_000],
    ['rate(12 hours)', 43_200_000],
    ['rate(1 day)', 86_400_000],
    ['rate(7 days)', 604_800_000],
  ])('%s runs every %d ms', (expression, everyMs) => {
    expect(parseScheduleExpression(expression)).toEqual({ kind: 'rate', expression, everyMs });
  });

  it('counts periods from the anchor, strictly after the given instant', () => {
    // Prepare
    const schedule = parseScheduleExpression('rate(5 minutes)');
    const anchor = at('2025-01-01T10:00:00Z');
    // Act / Assess
    expect(nextRun(schedule, anchor, anchor)).toEqual(at('2025-01-01T10:05:00Z'));
    expect(nextRun(schedule, at('2025-01-01T10:12:00Z'), anchor)).toEqual(at('2025-01-01T10:15:00Z'));
    expect(nextRun(schedule, at('2025-01-01T10:15:00Z'), anchor)).toEqual(at('2025-01-01T10:20:00Z'));
    expect(nextRun(schedule, at('2025-01-01T09:00:00Z'), anchor)).toEqual(anchor);
  });
});

describe('parseScheduleExpression: cron() runs when AWS would', () => {
  it.each([
    ['every day at noon', 'cron(0 12 * * ? *)', '2025-01-01T13:00:00Z', '2025-01-02T12:00:00Z'],
    ['every 15 minutes from 0', 'cron(0/15 * * * ? *)', '2025-01-01T10:07:00Z', '2025-01-01T10:15:00Z'],
    ['every 20 minutes from 5', 'cron(5/20 * * * ? *)', '2025-01-01T10:26:00Z', '2025-01-01T10:45:00Z'],
    ['*/10 stepping', 'cron(*/10 * * * ? *)', '2025-01-01T10:01:00Z', '2025-01-01T10:10:00Z'],
    ['weekdays by name, from a Saturday', 'cron(0 18 ? * MON-FRI *)', '2025-01-04T19:00:00Z', '2025-01-06T18:00:00Z'],
    ['weekdays by number (1 = Sunday)', 'cron(0 18 ? * 2-6 *)', '2025-01-04T19:00:00Z', '2025-01-06T18:00:00Z'],
    ['Sunday is 1', 'cron(0 0 ? * 1 *)', '2025-01-01T00:00:00Z', '2025-01-05T00:00:00Z'],
    ['a list of days', 'cron(0 12 ? * SUN,SAT *)', '2025-01-01T00:00:00Z', '2025-01-04T12:00:00Z'],
    ['first of the month', 'cron(0 8 1 * ? *)', '2025-01-01T09:00:00Z', '2025-02-01T08:00:00Z'],
    ['month by name', 'cron(0 0 1 MAR ? *)', '2025-01-01T00:00:00Z', '2025-03-01T00:00:00Z'],
    ['L: last day of the month', 'cron(0 0 L * ? *)', '2025-02-01T00:00:00Z', '2025-02-28T00:00:00Z'],
    ['L: last day of a leap February', 'cron(0 0 L * ? *)', '2028-02-01T00:00:00Z', '2028-02-29T00:00:00Z'],
    ['W: nearest weekday to the 15th (a Saturday)', 'cron(0 0 15W * ? *)', '2025-02-01T00:00:00Z', '2025-02-14T00:00:00Z'],
    ['LW: last weekday of the month', 'cron(0 0 LW * ? *)', '2025-05-01T00:00:00Z', '2025-05-30T00:00:00Z'],
    ['6L: last Friday of the month', 'cron(0 10 ? * 6L *)', '2025-01-01T00:00:00Z', '2025-01-31T10:00:00Z'],
    ['L alone in day-of-week: Saturday', 'cron(0 0 ? * L *)', '2025-01-01T00:00:00Z', '2025-01-04T00:00:00Z'],
    ['#: first Monday', 'cron(0 9 ? * 2#1 *)', '2025-01-01T00:00:00Z', '2025-01-06T09:00:00Z'],
    ['#: second Monday by name', 'cron(0 9 ? * MON#2 *)', '2025-01-01T00:00:00Z', '2025-01-13T09:00:00Z'],
    ['a year', 'cron(30 3 1 JAN ? 2030)', '2025-06-01T00:00:00Z', '2030-01-01T03:30:00Z'],
    ['a list of years', 'cron(0 0 1 1 ? 2026,2028)', '2026-01-01T00:00:00Z', '2028-01-01T00:00:00Z'],
    ['a range of hours', 'cron(0 9-11 * * ? *)', '2025-01-01T11:30:00Z', '2025-01-02T09:00:00Z'],
    ['lower case', 'cron(0 18 ? * mon-fri *)', '2025-01-04T19:00:00Z', '2025-01-06T18:00:00Z'],
  ])('%s: %s after %s is %s', (_label, expression, after, expected) => {
    // Prepare
    const schedule = parseScheduleExpression(expression);
    // Act
    const next = nextRun(schedule, at(after));
    // Assess
    expect(schedule.kind).toBe('cron');
    expect(next?.toISOString()).toBe(new Date(expected).toISOString());
  });

  it('has no next run once its years are over', () => {
    expect(nextRun(parseScheduleExpression('cron(0 0 1 1 ? 1999)'), at('2025-01-01T00:00:00Z'))).toBeNull();
  });

  it('runs in UTC whatever the machine zone', () => {
    const schedule = parseScheduleExpression('cron(0 0 * * ? *)');
    expect(nextRun(schedule, at('2025-01-01T23:59:00Z'))?.toISOString()).toBe('2025-01-02T00:00:00.000Z');
  });
});

describe('parseScheduleExpression: at()', () => {
  it('is one instant, in UTC', () => {
    // Act
    const schedule = parseScheduleExpression('at(2030-05-01T10:00:00)');
    // Assess
    expect(schedule).toEqual({ kind: 'at', expression: 'at(2030-05-01T10:00:00)', at: at('2030-05-01T10:00:00Z') });
    expect(nextRun(schedule, at('2030-05-01T09:59:59Z'))).toEqual(at('2030-05-01T10:00:00Z'));
    expect(nextRun(schedule, at('2030-05-01T10:00:00Z'))).toBeNull();
  });

  it('is written back the way it is read', () => {
    expect(atExpression(at('2030-05-01T10:00:00.789Z'))).toBe('at(2030-05-01T10:00:00)');
  });
});

describe('parseScheduleExpression refuses what AWS refuses', () => {
  it.each([
    ['not an expression', '0 12 * * ? *'],
    ['an unknown kind', 'every(5 minutes)'],
    ['plural unit for 1', 'rate(1 minutes)'],
    ['singular unit for 5', 'rate(5 minute)'],
    ['zero', 'rate(0 minutes)'],
    ['seconds', 'rate(30 seconds)'],
    ['a fraction', 'rate(1.5 hours)'],
    ['five cron fields', 'cron(0 12 * * ?)'],
    ['seven cron fields', 'cron(0 0 12 * * ? *)'],
    ['both day fields given', 'cron(0 12 * * * *)'],
    ['both day fields ?', 'cron(0 12 ? * ? *)'],
    ['minute 60', 'cron(60 12 * * ? *)'],
    ['hour 24', 'cron(0 24 * * ? *)'],
    ['day 32', 'cron(0 0 32 * ? *)'],
    ['month 13', 'cron(0 0 1 13 ? *)'],
    ['weekday 0', 'cron(0 0 ? * 0 *)'],
    ['weekday 8', 'cron(0 0 ? * 8 *)'],
    ['year 2200', 'cron(0 0 1 1 ? 2200)'],
    ['year 1969', 'cron(0 0 1 1 ? 1969)'],
    ['# 6', 'cron(0 0 ? * 2#6 *)'],
    ['W in day-of-week', 'cron(0 0 ? * 2W *)'],
    ['# in day-of-month', 'cron(0 0 1#2 * ? *)'],
    ['letters in minutes', 'cron(a 0 * * ? *)'],
    ['an impossible date', 'at(2025-02-30T00:00:00)'],
    ['a date with a zone', 'at(2025-02-01T00:00:00Z)'],
    ['a date without seconds', 'at(2025-02-01T00:00)'],
  ])('%s: %s', (_label, expression) => {
    expect(() => parseScheduleExpression(expression)).toThrow(InvalidScheduleExpression);
  });
});

describe('the manifest jobs', () => {
  it('every job has a valid recurring expression and a unique name', () => {
    // Act
    const kinds = manifest.jobs.map((job) => parseScheduleExpression(job.schedule).kind);
    // Assess
    expect(manifest.jobs.length).toBeGreaterThan(0);
    expect(kinds.every((kind) => kind === 'rate' || kind === 'cron')).toBe(true);
    expect(new Set(manifest.jobs.map((job) => job.name)).size).toBe(manifest.jobs.length);
  });
});
