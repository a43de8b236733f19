/**
 * The outbox relay: reads the outbox table's stream and publishes each new event to the bus.
 *
 * Cloud: a Lambda on the stream (event source mapping: INSERT filter, bisect on error, retries,
 * SQS on-failure destination, ReportBatchItemFailures). Locally: the stream poller
 * (lib/local/stream-relay.ts) feeds this same handler from DynamoDB Local's stream.
 *
 * Only committed items reach a stream, so nothing uncommitted is ever published. Entries go out in
 * order, in PutEvents calls of at most 10 entries and 256 KB; entries EventBridge refuses are
 * retried with backoff. When a call still fails, the handler reports the first record not
 * published as a batch item failure: the stream is read again from there (so what follows is
 * redelivered, never skipped), and after the retry limit the batch goes to the dead-letter queue.
 * Delivery is therefore at least once; a redelivered event carries the same `eventId`.
 */
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { logger } from '../kit/logger';
import { busEntry, chunkEntries, type BusEntry, type EventBusClient } from './bus';
import type { DomainEvent } from './define';
import { eventBridgeBus } from './eventbridge';

export interface RelayOptions {
  /** The bus to publish to; called once per invocation (lazy, so importing this module is free). */
  bus: () => EventBusClient;
  /** The EventBridge bus name put on every entry; the local bus ignores it. */
  eventBusName?: () => string | undefined;
  /** PutEvents attempts per call before the handler gives up on the batch. Default 4. */
  attempts?: number;
  /** First retry delay; doubles per attempt, with full jitter. Default 100 ms. */
  baseDelayMs?: number;
}

export type RelayHandler = (event: DynamoDBStreamEvent, context?: Context) => Promise<DynamoDBBatchResponse>;

interface Pending {
  record: DynamoDBRecord;
  entry: BusEntry;
  eventId: string;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The domain event an outbox INSERT carries, or undefined for anything else. */
export function outboxEvent(record: DynamoDBRecord): DomainEvent | undefined {
  if (record.eventName !== 'INSERT' || !record.dynamodb?.NewImage) return undefined;
  const item = unmarshall(record.dynamodb.NewImage as Record<string, AttributeValue>);
  const detail = item.detail as DomainEvent['detail'] | undefined;
  if (typeof item.source !== 'string' || typeof item.detailType !== 'string' || typeof detail?.eventId !== 'string') return undefined;
  return { source: item.source, detailType: item.detailType, detail };
}

/**
 * Publishes one call's entries, retrying the ones refused. Returns the index of the first entry
 * still not accepted after every attempt, or -1 when all were.
 */
async function publish(bus: EventBusClient, chunk: Pending[], attempts: number, baseDelayMs: number): Promise<number> {
  let outstanding = chunk.map((_, index) => index);
  for (let attempt = 1; ; attempt++) {
    try {
      const out = await bus.putEvents(outstanding.map((index) => chunk[index]!.entry));
      const results = out.Entries ?? [];
      const refused = outstanding.filter((_, position) => {
        const result = results[position];
        // Accepted means an EventId: a missing result is never assumed to be a success.
        return !result?.EventId || Boolean(result.ErrorCode);
      });
      if (refused.length > 0) {
        logger.warn('bus refused entries', {
          attempt,
          refused: refused.map((index) => ({
            eventId: chunk[index]!.eventId,
            errorCode: results[outstanding.indexOf(index)]?.ErrorCode,
          })),
        });
      }
      outstanding = refused;
    } catch (error) {
      logger.warn('PutEvents failed', { attempt, entries: outstanding.length, error: error as Error });
    }
    if (outstanding.length === 0) return -1;
    if (attempt >= attempts) return Math.min(...outstanding);
    await pause(Math.random() * baseDelayMs * 2 ** (attempt - 1));
  }
}

export function createRelayHandler(options: RelayOptions): RelayHandler {
  const attempts = options.attempts ?? 4;
  const baseDelayMs = options.baseDelayMs ?? 100;
  return async (event) => {
    const busName = options.eventBusName?.();
    const pending: Pending[] = [];
    for (const record of event.Records ?? []) {
      if (record.eventName !== 'INSERT') continue;
      const domainEvent = outboxEvent(record);
      if (!domainEvent) {
        // Not an outbox event: a bug elsewhere, not a reason to hold up every event behind it.
        logger.error('outbox record without an event, skipped', { keys: record.dynamodb?.Keys, sequenceNumber: record.dynamodb?.SequenceNumber });
        continue;
      }
      pending.push({ record, entry: busEntry(domainEvent, busName), eventId: domainEvent.detail.eventId });
    }
    if (pending.length === 0) return { batchItemFailures: [] };
    const bus = options.bus();
    let published = 0;
    for (const chunk of chunkEntries(pending, (p) => p.entry)) {
      const failedAt = await publish(bus, chunk, attempts, baseDelayMs);
      if (failedAt >= 0) {
        const first = chunk[failedAt]!;
        logger.error('relay gave up on the batch; the stream will be read again from the first event not published', {
          published,
          eventId: first.eventId,
          sequenceNumber: first.record.dynamodb?.SequenceNumber,
        });
        return { batchItemFailures: [{ itemIdentifier: first.record.dynamodb?.SequenceNumber ?? '' }] };
      }
      published += chunk.length;
    }
    logger.debug('relayed', { published });
    return { batchItemFailures: [] };
  };
}

let cloudBus: EventBusClient | undefined;

/** The Lambda: publishes to the bus named by EVENT_BUS_NAME. */
export const handler: RelayHandler = createRelayHandler({
  bus: () => (cloudBus ??= eventBridgeBus()),
  eventBusName: () => {
    const name = process.env.EVENT_BUS_NAME;
    if (!name) throw new Error('EVENT_BUS_NAME is not set');
    return name;
  },
});
