/**
 * Job runs. Every run of a manifest job, whether its schedule fired or an operator asked for it
 * (`POST /v1/admin/jobs/{name}/runs`), is recorded: a run item per run and one `RUNNING` lock item
 * per job, so that two runs of one job never overlap. The lock is taken with a conditional put and
 * carries a deadline: a run whose function died leaves a lock that the next run may take once the
 * deadline has passed, and a run still `running` after its deadline is reported `failed`.
 *
 * Job handlers are wrapped in `jobHandler(name, work)`: a scheduled run claims the lock itself (and
 * skips if another run holds it); an on-demand run arrives with the `runId` the operation claimed.
 */
import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { documentClient } from './db';
import { newId } from './ids';
import { logger } from './logger';
import type { ScheduledJobEvent } from './scheduler';
import { expiryAttributes, tableName } from './tables';
import { commitWrites, type Write } from './transaction';
import { Conflict } from './errors';
import { checkFault } from './faults';

export type JobRunStatus = 'running' | 'succeeded' | 'failed';
export type JobTrigger = 'schedule' | 'api';

/** Longest a run may take before its lock can be taken over (the Lambda timeout is lower). */
export const JOB_RUN_DEADLINE_MS = 15 * 60_000;
/** Run records are kept as long as the outbox keeps events (90 days), then the cleanup job deletes them. */
export const JOB_RUN_RETENTION_SECONDS = 90 * 24 * 3600;
/** A summary longer than this (as JSON) is cut to its first keys' worth. */
const MAX_SUMMARY_CHARS = 4000;

export interface JobRun {
  id: string;
  job: string;
  status: JobRunStatus;
  trigger: JobTrigger;
  startedAt: string;
  endedAt?: string;
  summary: Record<string, unknown>;
}

/** The event a job's function receives: Scheduler's, or the same with the run the API started. */
export type JobEvent = Partial<Omit<ScheduledJobEvent, 'source'>> & { source?: string; runId?: string };

/** A job as operations see it: the manifest's declaration, handed over in the environment. */
export interface JobDescription {
  name: string;
  schedule: string;
  description: string;
}

export const JOBS_ENV = 'PLATFORM_JOBS';
/** In the cloud, job name → the ARN of the job's function, for the operation that starts runs. */
export const JOB_FUNCTIONS_ENV = 'JOB_FUNCTION_ARNS';

/** `PLATFORM_JOBS`'s value for these jobs: what the jobs operations show of each. */
export function jobsEnvironmentValue(jobs: readonly JobDescription[]): string {
  return JSON.stringify(jobs.map(({ name, schedule, description }) => ({ name, schedule, description })));
}

/** The manifest's jobs, from `PLATFORM_JOBS` (the stack and the local runtime write it from the manifest). */
export function declaredJobs(env: NodeJS.ProcessEnv = process.env): JobDescription[] {
  return env[JOBS_ENV] ? (JSON.parse(env[JOBS_ENV]) as JobDescription[]) : [];
}

const jobKey = (job: string) => `JOB#${job}`;
const runKey = (job: string, runId: string) => ({ pk: jobKey(job), sk: `RUN#${runId}` });
const lockKey = (job: string) => ({ pk: jobKey(job), sk: 'RUNNING' });

function runItem(job: string, runId: string, trigger: JobTrigger, now: Date) {
  return {
    ...runKey(job, runId),
    id: runId,
    job,
    status: 'running' as JobRunStatus,
    trigger,
    startedAt: now.toISOString(),
    deadlineAt: now.getTime() + JOB_RUN_DEADLINE_MS,
    summary: {},
    ...expiryAttributes('expiresAt', Math.floor(now.getTime() / 1000) + JOB_RUN_RETENTION_SECONDS),
  };
}

function lockPut(job: string, runId: string, now: Date) {
  return {
    TableName: tableName('resources'),
    Item: { ...lockKey(job), runId, until: now.getTime() + JOB_RUN_DEADLINE_MS },
    ConditionExpression: 'attribute_not_exists(pk) OR #until < :now',
    ExpressionAttributeNames: { '#until': 'until' },
    ExpressionAttributeValues: { ':now': now.getTime() },
  };
}

export const jobAlreadyRunning = (job: string) => new Conflict('JobAlreadyRunning', `A run of ${job} is in progress; wait for it to end.`);

/** The writes that start a run: the lock (409 JobAlreadyRunning if another run holds it) and the run record. */
export function claimRunWrites(job: string, runId: string, now: Date, trigger: JobTrigger = 'api'): Write[] {
  return [
    { item: { Put: lockPut(job, runId, now) }, onConditionFailed: jobAlreadyRunning(job) },
    { item: { Put: { TableName: tableName('resources'), Item: runItem(job, runId, trigger, now) } } },
  ];
}

/** A scheduled run claims the job itself, lock and record together; false when another run holds it. */
async function claimScheduledRun(job: string, runId: string, now: Date): Promise<boolean> {
  try {
    await commitWrites(claimRunWrites(job, runId, now, 'schedule'));
    return true;
  } catch (error) {
    if (error instanceof Conflict && error.code === 'JobAlreadyRunning') return false;
    throw error;
  }
}

function boundedSummary(result: unknown): Record<string, unknown> {
  const summary = result && typeof result === 'object' && !Array.isArray(result) ? (result as Record<string, unknown>) : { result };
  const text = JSON.stringify(summary) ?? '{}';
  return text.length <= MAX_SUMMARY_CHARS ? (JSON.parse(text) as Record<string, unknown>) : { truncated: true, chars: text.length };
}

/**
 * Records the end of a run and frees the job's lock, in one transaction, so that whoever reads the
 * run ended finds the job free. A run whose lock another run took over (after its deadline) only
 * records its end.
 */
export async function finishRun(job: string, runId: string, status: Exclude<JobRunStatus, 'running'>, summary: Record<string, unknown>, now = new Date()): Promise<void> {
  const record = {
    TableName: tableName('resources'),
    Key: runKey(job, runId),
    UpdateExpression: 'SET #status = :status, endedAt = :endedAt, summary = :summary',
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':status': status, ':endedAt': now.toISOString(), ':summary': summary },
  };
  const release = {
    TableName: tableName('resources'),
    Key: lockKey(job),
    ConditionExpression: 'runId = :runId',
    ExpressionAttributeValues: { ':runId': runId },
  };
  try {
    await documentClient().send(new TransactWriteCommand({ TransactItems: [{ Update: record }, { Delete: release }] }));
  } catch (error) {
    const lockTaken = error instanceof TransactionCanceledException && error.CancellationReasons?.[1]?.Code === 'ConditionalCheckFailed';
    if (!lockTaken) throw error;
    await documentClient().send(new UpdateCommand(record));
  }
}

type StoredRun = JobRun & { deadlineAt: number };

function publicRun(stored: StoredRun, now: Date): JobRun {
  const overdue = stored.status === 'running' && now.getTime() > stored.deadlineAt;
  return {
    id: stored.id,
    job: stored.job,
    status: overdue ? 'failed' : stored.status,
    trigger: stored.trigger,
    startedAt: stored.startedAt,
    ...(stored.endedAt ? { endedAt: stored.endedAt } : {}),
    summary: overdue ? { error: 'The run did not finish before its deadline.' } : stored.summary,
  };
}

export async function getRun(job: string, runId: string, now = new Date()): Promise<JobRun | undefined> {
  const out = await documentClient().send(new GetCommand({ TableName: tableName('resources'), Key: runKey(job, runId), ConsistentRead: true }));
  return out.Item ? publicRun(out.Item as StoredRun, now) : undefined;
}

export async function lastRun(job: string, now = new Date()): Promise<JobRun | undefined> {
  const out = await documentClient().send(
    new QueryCommand({
      TableName: tableName('resources'),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :run)',
      ExpressionAttributeValues: { ':pk': jobKey(job), ':run': 'RUN#' },
      // Run ids are ULIDs: the newest sorts last.
      ScanIndexForward: false,
      Limit: 1,
      ConsistentRead: true,
    }),
  );
  const item = out.Items?.[0];
  return item ? publicRun(item as StoredRun, now) : undefined;
}

export const newRunId = () => newId('run');

/**
 * A job's function: runs `work` as a recorded run of `job`. Its result becomes the run's summary;
 * a thrown error marks the run failed (and is thrown on, so the platform's retries and alarms see it).
 */
export function jobHandler<R>(job: string, work: (event: JobEvent) => Promise<R>) {
  return async (event: JobEvent = {}): Promise<R | { skipped: string }> => {
    let runId = event.runId;
    if (!runId) {
      runId = newRunId();
      if (!(await claimScheduledRun(job, runId, new Date()))) {
        logger.info('job run skipped: another run is in progress', { job });
        return { skipped: 'another run is in progress' };
      }
    }
    let result: R;
    try {
      // A fault point per job (`Job.cleanup`), for tests and `npm start --faults`.
      checkFault(`Job.${job}`);
      result = await work(event);
    } catch (error) {
      await finishRun(job, runId, 'failed', { error: error instanceof Error ? error.message : String(error) });
      throw error;
    }
    await finishRun(job, runId, 'succeeded', boundedSummary(result));
    return result;
  };
}

/** Starts a job's function without waiting for it: Lambda's asynchronous invoke, or in-process locally. */
export type JobInvoker = (job: string, event: JobEvent) => Promise<void>;

let invoker: JobInvoker | undefined;

/** The local runtime registers its in-process invoker; the cloud's is the Lambda client's. */
export function useJobInvoker(port: JobInvoker | undefined): void {
  invoker = port;
}

export function registeredJobInvoker(): JobInvoker | undefined {
  return invoker;
}
