/**
 * The local stand-in for Lambda's DynamoDB Streams event source mapping: polls DynamoDB Local's
 * stream of the outbox table and feeds each batch of records to the relay handler, the same
 * function the cloud runs.
 *
 * Like the event source mapping it keeps a position per shard, reads parents before children, and
 * moves the position on only after the handler has published the batch. The position is persisted
 * (Resources table, pk `RELAY`, sk `SHARD#<shardId>`), so a relay killed mid-batch (or between
 * publishing and persisting) resumes after its last persisted position and publishes that batch
 * again: at least once, and a repeated event carries the same `eventId`. A batch item failure
 * from the handler moves the position to just before the failed record and retries from there
 * with backoff.
 */
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
  type _Record,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { InvokeStore, InvokeStoreBase } from '@aws/lambda-invoke-store';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { logger } from '../../functions/kit/logger';

export type StreamHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>;

export interface StreamRelayOptions {
  endpoint: string;
  region?: string;
  /** The table whose stream is read (the outbox). */
  tableName: string;
  /** Where positions are kept (the Resources table). */
  checkpointTable: string;
  handler: StreamHandler;
  /** Pause between polls when there was nothing to read. Default 200 ms. */
  pollMs?: number;
  /** Records per handler invocation (the mapping's BatchSize). Default 100. */
  batchSize?: number;
  /** Delay before retrying a failed batch, doubled per failure up to 5 s. Default 200 ms. */
  retryDelayMs?: number;
  /** Re-read the shard list this often. Default 5 s. */
  shardRefreshMs?: number;
  /** Test hook: runs after the handler published a batch and before its position is persisted. */
  afterPublish?: (batch: { shardId: string; lastSequenceNumber: string; records: number }) => void | Promise<void>;
}

export interface StreamRelay {
  /** Stops after the batch in hand (its position persisted), and waits for that. */
  stop(): Promise<void>;
  /**
   * Dies at once, as a crashed process would: nothing more is published or persisted. The promise
   * resolves when the dead loop has unwound (do not await it from inside the handler).
   */
  kill(): Promise<void>;
  /** Resolves after a full pass over every shard that found nothing new to relay. */
  idle(): Promise<void>;
  readonly stopped: boolean;
}

interface ShardState {
  id: string;
  parentId?: string;
  iterator?: string;
  ended: boolean;
  failures: number;
  retryAt: number;
}

export const CHECKPOINT_PK = 'RELAY';
const checkpointKey = (shardId: string) => ({ pk: CHECKPOINT_PK, sk: `SHARD#${shardId}` });

/**
 * An AttributeValue as Lambda hands it over (binary as base64), from the SDK's shape. DynamoDB
 * Local's stream gives an empty map as `{}` rather than `{ M: {} }`: restored here.
 */
function lambdaValue(value: Record<string, unknown>): Record<string, unknown> {
  if ('M' in value) return { M: lambdaImage(value.M as Record<string, Record<string, unknown>>) };
  if ('L' in value) return { L: (value.L as Record<string, unknown>[]).map(lambdaValue) };
  if ('B' in value) return { B: Buffer.from(value.B as Uint8Array).toString('base64') };
  if ('BS' in value) return { BS: (value.BS as Uint8Array[]).map((b) => Buffer.from(b).toString('base64')) };
  if (Object.keys(value).length === 0) return { M: {} };
  return value;
}

function lambdaImage(image: Record<string, Record<string, unknown>> | undefined) {
  return image && Object.fromEntries(Object.entries(image).map(([name, value]) => [name, lambdaValue(value)]));
}

/** A stream record as the event source mapping delivers it to Lambda. */
export function toLambdaRecord(record: _Record, streamArn: string): DynamoDBRecord {
  const { ApproximateCreationDateTime, Keys, NewImage, OldImage, ...rest } = record.dynamodb ?? {};
  const image = (value: unknown) => lambdaImage(value as Record<string, Record<string, unknown>> | undefined);
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion,
    eventSource: record.eventSource,
    awsRegion: record.awsRegion,
    eventSourceARN: streamArn,
    dynamodb: {
      ...rest,
      ...(Keys ? { Keys: image(Keys) } : {}),
      ...(NewImage ? { NewImage: image(NewImage) } : {}),
      ...(OldImage ? { OldImage: image(OldImage) } : {}),
      ...(ApproximateCreationDateTime ? { ApproximateCreationDateTime: Math.floor(ApproximateCreationDateTime.getTime() / 1000) } : {}),
    },
  } as DynamoDBRecord;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startStreamRelay(options: StreamRelayOptions): Promise<StreamRelay> {
  const config = {
    endpoint: options.endpoint,
    region: options.region ?? 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 2,
  };
  const dynamodb = new DynamoDBClient(config);
  const documents = DynamoDBDocumentClient.from(dynamodb);
  const streams = new DynamoDBStreamsClient(config);
  const pollMs = options.pollMs ?? 200;
  const batchSize = options.batchSize ?? 100;
  const retryDelayMs = options.retryDelayMs ?? 200;
  const shardRefreshMs = options.shardRefreshMs ?? 5000;

  const table = await dynamodb.send(new DescribeTableCommand({ TableName: options.tableName }));
  const streamArn = table.Table?.LatestStreamArn;
  if (!streamArn) {
    dynamodb.destroy();
    streams.destroy();
    throw new Error(`${options.tableName} has no stream`);
  }

  const shards = new Map<string, ShardState>();
  let shardsReadAt = 0;
  let stopping = false;
  let killed = false;
  const idleWaiters = new Set<{ remaining: number; resolve: () => void }>();

  async function readCheckpoint(shardId: string): Promise<{ sequenceNumber?: string; ended?: boolean } | undefined> {
    const out = await documents.send(new GetCommand({ TableName: options.checkpointTable, Key: checkpointKey(shardId), ConsistentRead: true }));
    return out.Item as { sequenceNumber?: string; ended?: boolean } | undefined;
  }

  async function writeCheckpoint(shardId: string, fields: { sequenceNumber?: string; ended?: boolean }): Promise<void> {
    if (killed) return;
    await documents.send(
      new PutCommand({
        TableName: options.checkpointTable,
        Item: { ...checkpointKey(shardId), streamArn, ...fields, updatedAt: new Date().toISOString() },
      }),
    );
  }

  async function refreshShards(): Promise<void> {
    const found: Shard[] = [];
    let start: string | undefined;
    do {
      const out = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn, ...(start ? { ExclusiveStartShardId: start } : {}) }));
      found.push(...(out.StreamDescription?.Shards ?? []));
      start = out.StreamDescription?.LastEvaluatedShardId;
    } while (start);
    for (const shard of found) {
      if (!shard.ShardId || shards.has(shard.ShardId)) continue;
      const saved = await readCheckpoint(shard.ShardId);
      shards.set(shard.ShardId, {
        id: shard.ShardId,
        ...(shard.ParentShardId ? { parentId: shard.ParentShardId } : {}),
        ended: saved?.ended ?? false,
        failures: 0,
        retryAt: 0,
      });
    }
    shardsReadAt = Date.now();
  }

  /** An iterator just after the persisted position, or at the oldest record if there is none. */
  async function iteratorFor(shard: ShardState): Promise<string | undefined> {
    const saved = await readCheckpoint(shard.id);
    const request = saved?.sequenceNumber
      ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' as const, SequenceNumber: saved.sequenceNumber }
      : { ShardIteratorType: 'TRIM_HORIZON' as const };
    try {
      return (await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.id, ...request }))).ShardIterator;
    } catch (error) {
      if (!(error instanceof TrimmedDataAccessException)) throw error;
      // The position is older than the stream keeps (24 h): start at the oldest record kept.
      logger.warn('relay position trimmed from the stream; resuming at the oldest record', { shardId: shard.id });
      return (await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.id, ShardIteratorType: 'TRIM_HORIZON' })))
        .ShardIterator;
    }
  }

  function parentPending(shard: ShardState): boolean {
    const parent = shard.parentId ? shards.get(shard.parentId) : undefined;
    return Boolean(parent && !parent.ended);
  }

  function failed(shard: ShardState, reason: unknown): void {
    shard.iterator = undefined;
    shard.failures += 1;
    shard.retryAt = Date.now() + Math.min(5000, retryDelayMs * 2 ** (shard.failures - 1));
    logger.warn('relay batch failed; it will be read again', { shardId: shard.id, failures: shard.failures, error: reason as Error });
  }

  /** Reads and relays one batch of a shard; returns how many records it found. */
  async function pollShard(shard: ShardState): Promise<number> {
    shard.iterator ??= await iteratorFor(shard);
    if (!shard.iterator) {
      shard.ended = true;
      return 0;
    }
    let out: GetRecordsCommandOutput;
    try {
      out = await streams.send(new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: batchSize }));
    } catch (error) {
      // An iterator that expired (15 minutes) or points before the oldest record kept: take a new one.
      if (error instanceof ExpiredIteratorException || error instanceof TrimmedDataAccessException) {
        logger.debug('relay iterator refused; taking a new one', { shardId: shard.id, error: error.name });
        shard.iterator = undefined;
        return 0;
      }
      throw error;
    }
    const records = out.Records ?? [];
    if (records.length > 0) {
      let response: DynamoDBBatchResponse | void;
      try {
        response = await options.handler({ Records: records.map((r) => toLambdaRecord(r, streamArn!)) });
      } catch (error) {
        if (!killed) failed(shard, error);
        return records.length;
      }
      if (killed) return records.length;
      const failures = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
      const firstFailed = records.findIndex((r) => failures.has(r.dynamodb?.SequenceNumber ?? ''));
      if (firstFailed >= 0) {
        // Everything before the failed record is published: persist up to there, read again from it.
        const done = records[firstFailed - 1]?.dynamodb?.SequenceNumber;
        if (done) await writeCheckpoint(shard.id, { sequenceNumber: done });
        failed(shard, new Error(`batch item failure at ${records[firstFailed]!.dynamodb?.SequenceNumber}`));
        return records.length;
      }
      const last = records.at(-1)!.dynamodb!.SequenceNumber!;
      await options.afterPublish?.({ shardId: shard.id, lastSequenceNumber: last, records: records.length });
      if (killed) return records.length;
      await writeCheckpoint(shard.id, { sequenceNumber: last });
      shard.failures = 0;
    }
    shard.iterator = out.NextShardIterator;
    if (!shard.iterator) {
      shard.ended = true;
      await writeCheckpoint(shard.id, { ended: true, ...(records.length ? { sequenceNumber: records.at(-1)!.dynamodb!.SequenceNumber! } : {}) });
    }
    return records.length;
  }

  /** One pass over the shards: how many records it relayed, and whether a shard waits to retry. */
  async function pass(): Promise<{ found: number; waiting: boolean }> {
    if (Date.now() - shardsReadAt > shardRefreshMs || shards.size === 0) await refreshShards();
    let found = 0;
    let waiting = false;
    for (const shard of shards.values()) {
      if (killed || stopping) break;
      if (shard.ended || parentPending(shard)) continue;
      if (shard.retryAt > Date.now()) {
        waiting = true;
        continue;
      }
      try {
        found += await pollShard(shard);
      } catch (error) {
        if (!killed) failed(shard, error);
        waiting = true;
      }
      if (shard.retryAt > Date.now()) waiting = true;
      if (shard.ended) shardsReadAt = 0; // a closed shard has children to discover
    }
    return { found, waiting };
  }

  function settle(everyone: boolean): void {
    for (const waiter of [...idleWaiters]) {
      waiter.remaining -= 1;
      if (everyone || waiter.remaining <= 0) {
        idleWaiters.delete(waiter);
        waiter.resolve();
      }
    }
  }

  // The poller logs between invocations: give it an invocation context of its own, as the
  // Powertools logger needs one when many invocations share the process.
  const store = await InvokeStore.getInstanceAsync(Boolean(process.env.AWS_LAMBDA_MAX_CONCURRENCY));
  const loop = store.run({ [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: `stream-poller-${options.tableName}` }, async () => {
    while (!stopping && !killed) {
      let result = { found: 0, waiting: true };
      try {
        result = await pass();
      } catch (error) {
        if (!killed) logger.error('relay poll failed', { error: error as Error });
      }
      if (result.found === 0 && !result.waiting) settle(false);
      if (stopping || killed) break;
      // Straight on while batches are full; a short breath after a partial one; otherwise poll.
      if (result.found >= batchSize) continue;
      await pause(result.found > 0 ? Math.min(pollMs, 20) : pollMs);
    }
  });

  return {
    get stopped() {
      return stopping || killed;
    },
    async stop() {
      stopping = true;
      await loop;
      settle(true);
      dynamodb.destroy();
      streams.destroy();
    },
    kill() {
      killed = true;
      settle(true);
      return loop.finally(() => {
        dynamodb.destroy();
        streams.destroy();
      });
    },
    idle() {
      if (stopping || killed) return Promise.resolve();
      // The pass running now may have read the stream before the caller's last write: two idle
      // passes guarantee one that started after this call.
      return new Promise<void>((resolve) => idleWaiters.add({ remaining: 2, resolve }));
    },
  };
}
