/**
 * The `cleanup` job: deletes what has expired (idempotency records after 24 h, outbox events after
 * 90 days, resources that carry `expiresAt`, such as terminated instances after their hour, metric
 * samples after 15 days). DynamoDB's TTL deletes within days rather than on time, and DynamoDB
 * Local never does, so this job does it on time, with Queries only:
 *
 * every item that expires carries `expiryBucket` = the hour it expires in (tables.ts,
 * `expiryAttributes`), and every such table has the `expiry` index on (expiryBucket, ttl). A run
 * queries each hour bucket from its checkpoint up to the current hour (the current one only up to
 * now) and deletes what it finds, in transactions of conditional deletes: an item whose expiry
 * moved meanwhile (an idempotency key reused after expiry) is left alone. The checkpoint (the first
 * hour not yet fully purged) lives in the Resources table; a run that could not finish a bucket
 * leaves it there, so the next run tries again. Running twice deletes nothing twice.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../kit/db';
import { logger } from '../kit/logger';
import { jobHandler } from '../kit/job';
import { tableName, tables, type TableKey, type TableSpec } from '../kit/tables';
import { cleanupJob } from './jobs';

const HOUR_MS = 3_600_000;
/** On the first run, look this far back for buckets (a new platform has nothing older). */
export const FIRST_RUN_LOOKBACK_HOURS = 48;
/** Buckets before the checkpoint queried again each run: writers' clocks are not ours. */
export const OVERLAP_HOURS = 1;
/** Most hour buckets one run walks (a month): a long-stopped platform catches up over a few runs. */
export const MAX_BUCKETS_PER_RUN = 31 * 24;
const DELETE_BATCH = 25;
const DELETE_ATTEMPTS = 5;

export const CHECKPOINT_KEY = { pk: 'JOB#cleanup', sk: 'CHECKPOINT' };

interface ExpiringTable {
  key: TableKey;
  ttlAttribute: string;
  keyNames: string[];
}

/** Every table with an `expiry` index, read from the declarations. */
export function expiringTables(): ExpiringTable[] {
  return (Object.entries(tables) as [TableKey, TableSpec][])
    .filter(([, spec]) => spec.timeToLiveAttribute && spec.globalIndexes.some((index) => index.name === 'expiry'))
    .map(([key, spec]) => ({
      key,
      ttlAttribute: spec.timeToLiveAttribute as string,
      keyNames: [spec.partitionKey.name, ...(spec.sortKey ? [spec.sortKey.name] : [])],
    }));
}

const hourOf = (ms: number) => Math.floor(ms / HOUR_MS) * HOUR_MS;
const bucketOf = (hourMs: number) => `EXP#${new Date(hourMs).toISOString().slice(0, 13)}`;

export interface CleanupOptions {
  now?: Date;
  /** Where to start when there is no checkpoint yet (default FIRST_RUN_LOOKBACK_HOURS). */
  lookbackHours?: number;
  maxBuckets?: number;
}

export interface CleanupResult {
  /** Items deleted per table. */
  deleted: Partial<Record<TableKey, number>>;
  /** The first and last hour bucket queried. */
  from: string;
  through: string;
  /** The first hour not fully purged after this run: where the next run starts. */
  checkpoint: string;
}

async function readCheckpoint(): Promise<number | undefined> {
  const out = await documentClient().send(new GetCommand({ TableName: tableName('resources'), Key: CHECKPOINT_KEY, ConsistentRead: true }));
  const value = out.Item?.purgedBefore;
  return typeof value === 'string' ? Date.parse(value) : undefined;
}

async function writeCheckpoint(hourMs: number, now: Date): Promise<void> {
  await documentClient().send(
    new PutCommand({
      TableName: tableName('resources'),
      Item: { ...CHECKPOINT_KEY, purgedBefore: new Date(hourMs).toISOString(), updatedAt: now.toISOString() },
      // Two runs at once: the one that got further keeps its checkpoint.
      ConditionExpression: 'attribute_not_exists(pk) OR purgedBefore <= :at',
      ExpressionAttributeValues: { ':at': new Date(hourMs).toISOString() },
    }),
  ).catch((error: unknown) => {
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
  });
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Deletes `keys` on condition that each is still expired; true when every item is gone or no
 * longer expired, false when some could not be deleted (conflicts that outlasted the retries).
 */
async function deleteExpired(table: ExpiringTable, keys: Record<string, unknown>[], nowSeconds: number): Promise<{ deleted: number; complete: boolean }> {
  let pending = keys;
  for (let attempt = 1; pending.length > 0; attempt++) {
    try {
      await documentClient().send(
        new TransactWriteCommand({
          TransactItems: pending.map((key) => ({
            Delete: {
              TableName: tableName(table.key),
              Key: key,
              // Still expired: an item whose expiry moved on (or went) meanwhile stays.
              ConditionExpression: '#ttl <= :now',
              ExpressionAttributeNames: { '#ttl': table.ttlAttribute },
              ExpressionAttributeValues: { ':now': nowSeconds },
            },
          })),
        }),
      );
      return { deleted: pending.length, complete: true };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      // Items whose expiry moved are not ours to delete: drop them and commit the rest.
      pending = pending.filter((_, index) => reasons[index]?.Code !== 'ConditionalCheckFailed');
      if (attempt >= DELETE_ATTEMPTS) return { deleted: 0, complete: false };
      if (reasons.some((reason) => reason.Code === 'TransactionConflict')) await pause(20 * attempt * Math.random());
    }
  }
  return { deleted: 0, complete: true };
}

/** Purges one table's bucket; true when everything expired in it is gone. */
async function purgeBucket(table: ExpiringTable, bucket: string, nowSeconds: number, counts: CleanupResult['deleted']): Promise<boolean> {
  let complete = true;
  let start: QueryCommandOutput['LastEvaluatedKey'];
  do {
    const out: QueryCommandOutput = await documentClient().send(
      new QueryCommand({
        TableName: tableName(table.key),
        IndexName: 'expiry',
        KeyConditionExpression: 'expiryBucket = :bucket AND #ttl <= :now',
        ExpressionAttributeNames: { '#ttl': table.ttlAttribute },
        ExpressionAttributeValues: { ':bucket': bucket, ':now': nowSeconds },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    const keys = (out.Items ?? []).map((item) => Object.fromEntries(table.keyNames.map((name) => [name, item[name]])));
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const result = await deleteExpired(table, keys.slice(i, i + DELETE_BATCH), nowSeconds);
      counts[table.key] = (counts[table.key] ?? 0) + result.deleted;
      complete &&= result.complete;
    }
    start = out.LastEvaluatedKey;
  } while (start);
  return complete;
}

export async function purgeExpired(options: CleanupOptions = {}): Promise<CleanupResult> {
  const now = options.now ?? new Date();
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const currentHour = hourOf(now.getTime());
  const checkpoint = await readCheckpoint();
  const first =
    checkpoint !== undefined
      ? checkpoint - OVERLAP_HOURS * HOUR_MS
      : currentHour - (options.lookbackHours ?? FIRST_RUN_LOOKBACK_HOURS) * HOUR_MS;
  const last = Math.min(currentHour, first + ((options.maxBuckets ?? MAX_BUCKETS_PER_RUN) - 1) * HOUR_MS);
  const targets = expiringTables();
  const deleted: CleanupResult['deleted'] = {};
  // The first hour that may still hold expired items after this run.
  let purgedBefore: number | undefined;
  for (let hour = first; hour <= last; hour += HOUR_MS) {
    let complete = true;
    for (const table of targets) complete = (await purgeBucket(table, bucketOf(hour), nowSeconds, deleted)) && complete;
    // The current hour is never fully purged: more of it expires after now.
    if ((!complete || hour === currentHour) && purgedBefore === undefined) purgedBefore = hour;
  }
  const next = Math.max(purgedBefore ?? last + HOUR_MS, checkpoint ?? 0);
  await writeCheckpoint(next, now);
  return { deleted, from: bucketOf(first), through: bucketOf(last), checkpoint: new Date(next).toISOString() };
}

export const handler = jobHandler(cleanupJob.name, async (event): Promise<CleanupResult> => {
  const result = await purgeExpired();
  logger.info('cleanup finished', { job: event.job, scheduledTime: event.scheduledTime, ...result });
  return result;
});
