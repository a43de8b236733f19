/** Backup policies: schedules at most hourly, retention and selection, what a run purges, how it ends. */
import { nextRun } from '../../../functions/kit/schedule-expression';
import { assertPolicyShape, backupSchedule, matchesSelection, recoveryPointsToPurge, runOutcome } from '../../../functions/storage/backup-rules';
import { errorOf } from '../support/error-of';

const INVALID = { status: 400, code: 'InvalidParameterValue' };

describe('backupSchedule', () => {
  const now = new Date('2026-12-04T12:34:00.000Z');

  it.each([
    ['hourly', 'cron(0 * * * ? *)', '2026-12-04T13:00:00.000Z'],
    ['daily', 'cron(0 5 * * ? *)', '2026-12-05T05:00:00.000Z'],
    ['weekly', 'cron(0 5 ? * SUN *)', '2026-12-06T05:00:00.000Z'],
    ['monthly', 'cron(0 5 1 * ? *)', '2027-01-01T05:00:00.000Z'],
  ])('%s is %s, next at %s', (shorthand, expression, next) => {
    // Act
    const schedule = backupSchedule(shorthand);

    // Assess
    expect(schedule.expression).toBe(expression);
    expect(nextRun(schedule, now)?.toISOString()).toBe(next);
  });

  it.each([
    ['rate(1 hour)', true],
    ['rate(2 hours)', true],
    ['rate(1 day)', true],
    ['rate(59 minutes)', false],
    ['rate(60 minutes)', true],
    ['cron(15 */2 * * ? *)', true],
    ['cron(59 23 L * ? *)', true],
    ['cron(0,30 * * * ? *)', false],
    ['cron(*/15 * * * ? *)', false],
    ['cron(* 5 * * ? *)', false],
    ['cron(0-1 5 * * ? *)', false],
    ['at(2027-01-01T00:00:00)', false],
    ['every day', false],
    ['cron(0 5 * * * *)', false],
  ])('%s: accepted %s', (expression, accepted) => {
    // Act
    const error = errorOf(() => backupSchedule(expression));

    // Assess
    expect(error).toEqual(accepted ? undefined : INVALID);
  });
});

describe('assertPolicyShape', () => {
  const ids = ['vol-1'];

  it.each([
    ['a count', { retention: { count: 7 }, volumeIds: ids }, { count: 7 }],
    ['days', { retention: { days: 30 }, selectionTags: { backup: 'daily' } }, { days: 30 }],
    ['ids and tags together', { retention: { count: 1 }, volumeIds: ids, selectionTags: { backup: 'daily' } }, { count: 1 }],
    ['a count of 1,000', { retention: { count: 1000 }, volumeIds: ids }, { count: 1000 }],
    ['36,500 days', { retention: { days: 36_500 }, volumeIds: ids }, { days: 36_500 }],
  ])('takes %s', (_name, policy, retention) => {
    // Act
    const kept = assertPolicyShape(policy);

    // Assess
    expect(kept).toEqual(retention);
  });

  it.each([
    ['both a count and days', { retention: { count: 7, days: 7 }, volumeIds: ids }, { status: 400, code: 'InvalidParameterCombination' }],
    ['no retention', { volumeIds: ids }, { status: 400, code: 'InvalidParameterCombination' }],
    ['an empty retention', { retention: {}, volumeIds: ids }, { status: 400, code: 'InvalidParameterCombination' }],
    ['no selection', { retention: { count: 7 } }, { status: 400, code: 'MissingParameter' }],
    ['an empty selection', { retention: { count: 7 }, volumeIds: [], selectionTags: {} }, { status: 400, code: 'MissingParameter' }],
    ['a count of 0', { retention: { count: 0 }, volumeIds: ids }, INVALID],
    ['a count of 1,001', { retention: { count: 1001 }, volumeIds: ids }, INVALID],
    ['0 days', { retention: { days: 0 }, volumeIds: ids }, INVALID],
    ['36,501 days', { retention: { days: 36_501 }, volumeIds: ids }, INVALID],
    ['101 volumes', { retention: { count: 7 }, volumeIds: Array.from({ length: 101 }, (_, i) => `vol-${i}`) }, INVALID],
  ])('refuses %s', (_name, policy, expected) => {
    // Act
    const error = errorOf(() => assertPolicyShape(policy));

    // Assess
    expect(error).toEqual(expected);
  });

  it('takes 100 volumes', () => {
    // Act
    const error = errorOf(() => assertPolicyShape({ retention: { count: 7 }, volumeIds: Array.from({ length: 100 }, (_, i) => `vol-${i}`) }));

    // Assess
    expect(error).toBeUndefined();
  });
});

describe('matchesSelection', () => {
  it('needs every selection tag, key and value', () => {
    // Act
    const verdicts = [
      matchesSelection({ backup: 'daily', team: 'db' }, { backup: 'daily' }),
      matchesSelection({ backup: 'daily' }, { backup: 'daily', team: 'db' }),
      matchesSelection({ backup: 'weekly' }, { backup: 'daily' }),
      matchesSelection({}, { backup: 'daily' }),
    ];

    // Assess
    expect(verdicts).toEqual([true, false, false, false]);
  });
});

describe('recoveryPointsToPurge', () => {
  const now = new Date('2026-12-04T12:00:00.000Z');
  const point = (id: string, daysAgo: number) => ({ id, createdAt: new Date(now.getTime() - daysAgo * 86_400_000).toISOString() });
  const points = [point('p3', 3), point('p1', 10), point('p0', 0), point('p2', 5)];

  it('keeps the newest count, and purges the rest oldest first', () => {
    // Act
    const purged = recoveryPointsToPurge(points, { count: 2 }, now);

    // Assess
    expect(purged.map((p) => p.id)).toEqual(['p1', 'p2']);
  });

  it('purges what is older than the days, oldest first', () => {
    // Act
    const purged = recoveryPointsToPurge(points, { days: 4 }, now);

    // Assess
    expect(purged.map((p) => p.id)).toEqual(['p1', 'p2']);
  });

  it('purges nothing while a count is not reached or nothing is old enough', () => {
    // Act
    const byCount = recoveryPointsToPurge(points, { count: 4 }, now);
    const byDays = recoveryPointsToPurge(points, { days: 10 }, now);

    // Assess: a point exactly 10 days old is kept.
    expect([byCount, byDays]).toEqual([[], []]);
  });
});

describe('runOutcome', () => {
  it.each([
    [[{ status: 'completed' }, { status: 'completed' }], 'completed'],
    [[], 'completed'],
    [[{ status: 'completed' }, { status: 'failed' }], 'partial'],
    [[{ status: 'failed' }, { status: 'failed' }], 'failed'],
  ] as const)('%o ends %s', (volumes, outcome) => {
    // Act
    const status = runOutcome(volumes);

    // Assess
    expect(status).toBe(outcome);
  });
});
