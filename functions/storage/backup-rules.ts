/**
 * The rules of backup policies, pure (AWS Backup's, with the contract's bounds): a schedule is one of
 * four shorthands or a `cron()`/`rate()` expression that runs at most hourly; a policy selects volumes
 * by id and/or by tags; it keeps a number of recovery points or keeps them a number of days; a run
 * ends completed, partial or failed by how its volumes fared.
 */
import { BadRequest } from '../kit/errors';
import { InvalidScheduleExpression, parseScheduleExpression, type ScheduleExpression } from '../kit/schedule-expression';

/** The shorthands and what they mean (UTC): hourly on the hour, daily and monthly at 05:00, weekly on Sunday at 05:00. */
export const SCHEDULE_SHORTHANDS = {
  hourly: 'cron(0 * * * ? *)',
  daily: 'cron(0 5 * * ? *)',
  weekly: 'cron(0 5 ? * SUN *)',
  monthly: 'cron(0 5 1 * ? *)',
} as const;

const HOUR_MS = 3_600_000;
const invalid = (detail: string) => new BadRequest('InvalidParameterValue', detail);

/**
 * A policy's schedule as the scheduler takes it. A rate is at least an hour; a cron expression names
 * one minute of the hour (more than one would run twice within an hour, and one minute keeps any two
 * runs at least an hour apart); `at()` is a single run, not a schedule.
 */
export function backupSchedule(schedule: string): ScheduleExpression {
  const expression = (SCHEDULE_SHORTHANDS as Record<string, string>)[schedule] ?? schedule;
  let parsed: ScheduleExpression;
  try {
    parsed = parseScheduleExpression(expression);
  } catch (error) {
    if (error instanceof InvalidScheduleExpression) throw invalid(`${error.message}; or use hourly, daily, weekly or monthly.`);
    throw error;
  }
  if (parsed.kind === 'at') throw invalid('A backup schedule repeats: at() runs once.');
  if (parsed.kind === 'rate' && parsed.everyMs < HOUR_MS) throw invalid('A backup schedule runs at most hourly.');
  if (parsed.kind === 'cron') {
    const minutes = /^cron\(\s*(\S+)/.exec(parsed.expression)?.[1] ?? '';
    if (!/^\d{1,2}$/.test(minutes)) throw invalid(`A backup schedule runs at most hourly: its minutes field names one minute, not "${minutes}".`);
  }
  return parsed;
}

export type Retention = { count: number } | { days: number };
export const MAX_RETAINED_COUNT = 1000;
export const MAX_RETAINED_DAYS = 36_500;
export const MAX_POLICY_VOLUMES = 100;

/**
 * What a policy keeps and what it backs up: exactly one of `count` (1-1,000) and `days` (1-36,500)
 * (both or neither: 400 InvalidParameterCombination), and volume ids (at most 100) and/or selection
 * tags (neither: 400 MissingParameter).
 */
export function assertPolicyShape(policy: {
  retention?: { count?: number | undefined; days?: number | undefined } | undefined;
  volumeIds?: readonly string[] | undefined;
  selectionTags?: Readonly<Record<string, string>> | undefined;
}): Retention {
  const count = policy.retention?.count;
  const days = policy.retention?.days;
  if ((count === undefined) === (days === undefined)) throw new BadRequest('InvalidParameterCombination', 'The retention is a count or a number of days: one of them.');
  const noIds = !policy.volumeIds || policy.volumeIds.length === 0;
  const noTags = !policy.selectionTags || Object.keys(policy.selectionTags).length === 0;
  if (noIds && noTags) throw new BadRequest('MissingParameter', 'A policy selects volumes by volumeIds, selectionTags or both.');
  if ((policy.volumeIds?.length ?? 0) > MAX_POLICY_VOLUMES) throw invalid(`A policy names at most ${MAX_POLICY_VOLUMES} volumes.`);
  if (count !== undefined) {
    if (!Number.isInteger(count) || count < 1 || count > MAX_RETAINED_COUNT) throw invalid(`retention.count is 1 to ${MAX_RETAINED_COUNT}.`);
    return { count };
  }
  if (!Number.isInteger(days) || (days as number) < 1 || (days as number) > MAX_RETAINED_DAYS) throw invalid(`retention.days is 1 to ${MAX_RETAINED_DAYS}.`);
  return { days: days as number };
}

/** Whether a volume's tags hold every selection tag (key and value). */
export function matchesSelection(volumeTags: Readonly<Record<string, string>>, selectionTags: Readonly<Record<string, string>>): boolean {
  return Object.entries(selectionTags).every(([key, value]) => volumeTags[key] === value);
}

/**
 * The recovery points of one volume a run purges after it recorded its own: beyond the newest
 * `count`, or older than `days` (as of `now`), oldest first.
 */
export function recoveryPointsToPurge<P extends { createdAt: string }>(points: readonly P[], retention: Retention, now: Date): P[] {
  const newestFirst = [...points].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
  const purged = 'count' in retention ? newestFirst.slice(retention.count) : newestFirst.filter((p) => Date.parse(p.createdAt) < now.getTime() - retention.days * 24 * HOUR_MS);
  return purged.reverse();
}

export type BackupRunStatus = 'running' | 'completed' | 'partial' | 'failed';

/** How a run ended by its volumes: all backed up (or none selected) completed, some partial, none failed. */
export function runOutcome(volumes: readonly { status: 'completed' | 'failed' }[]): Exclude<BackupRunStatus, 'running'> {
  const failed = volumes.filter((v) => v.status === 'failed').length;
  if (failed === 0) return 'completed';
  return failed === volumes.length ? 'failed' : 'partial';
}
