import '../support/env';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { BusEntry, EventBusClient, PutEventsOutcome } from '../../../functions/events/bus';
import { createRelayHandler, handler as cloudHandler } from '../../../functions/events/relay';

function outboxRecord(n: number, overrides: Partial<DynamoDBRecord> = {}, detailBytes = 0): DynamoDBRecord {
  const detail = { eventId: `evt-${n}`, tenantId: 't', resourceType: 'widget', resourceId: `w-${n}`, occurredAt: '2026-01-01T00:00:00.000Z', actor: 'user:u', data: { pad: 'x'.repeat(detailBytes) } };
  const item = { pk: 'T#t', sk: `EVT#evt-${n}`, eventId: `evt-${n}`, source: 'platform.widgets', detailType: 'widget.created', detail };
  return {
    eventName: 'INSERT',
    eventSource: 'aws:dynamodb',
    dynamodb: { SequenceNumber: String(1000 + n), NewImage: marshall(item) as never, Keys: marshall({ pk: item.pk, sk: item.sk }) as never },
    ...overrides,
  };
}

/** A bus that records calls and answers with `answer` (default: everything accepted). */
function fakeBus(answer?: (entries: BusEntry[], call: number) => PutEventsOutcome | Promise<PutEventsOutcome>) {
  const calls: BusEntry[][] = [];
  const bus: EventBusClient = {
    async putEvents(entries) {
      calls.push(entries);
      if (answer) return answer(entries, calls.length);
      return { FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `id-${calls.length}-${i}` })) };
    },
  };
  return { bus, calls };
}

const ids = (entries: BusEntry[]) => entries.map((e) => JSON.parse(e.Detail!).eventId);

describe('the relay handler', () => {
  it('publishes outbox inserts in order, 10 per call, with the bus name and the event time', async () => {
    // Prepare
    const { bus, calls } = fakeBus();
    const relay = createRelayHandler({ bus: () => bus, eventBusName: () => 'platform-bus' });
    const records = Array.from({ length: 23 }, (_, i) => outboxRecord(i));
    // Act
    const result = await relay({ Records: records });
    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(calls.map((c) => c.length)).toEqual([10, 10, 3]);
    expect(calls.flat().map((e) => JSON.parse(e.Detail!).eventId)).toEqual(records.map((_, i) => `evt-${i}`));
    expect(calls[0]![0]).toMatchObject({ Source: 'platform.widgets', DetailType: 'widget.created', EventBusName: 'platform-bus', Time: new Date('2026-01-01T00:00:00.000Z') });
  });

  it('keeps each call under 256 KB', async () => {
    // Prepare: 60 KB events: four fit in a call, five do not
    const { bus, calls } = fakeBus();
    const relay = createRelayHandler({ bus: () => bus });
    // Act
    await relay({ Records: Array.from({ length: 9 }, (_, i) => outboxRecord(i, {}, 60 * 1024)) });
    // Assess
    expect(calls.map((c) => c.length)).toEqual([4, 4, 1]);
  });

  it('ignores modifications and removals (the cleanup job deleting old events)', async () => {
    // Prepare
    const { bus, calls } = fakeBus();
    const relay = createRelayHandler({ bus: () => bus });
    // Act
    const result = await relay({ Records: [outboxRecord(1, { eventName: 'REMOVE' }), outboxRecord(2, { eventName: 'MODIFY' }), outboxRecord(3)] });
    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(calls.map(ids)).toEqual([['evt-3']]);
  });

  it('retries only the entries the bus refused', async () => {
    // Prepare: the first call refuses the second entry
    const { bus, calls } = fakeBus((entries, call) =>
      call === 1
        ? { FailedEntryCount: 1, Entries: entries.map((_, i) => (i === 1 ? { ErrorCode: 'InternalFailure' } : { EventId: `ok-${i}` })) }
        : { FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `retry-${i}` })) },
    );
    const relay = createRelayHandler({ bus: () => bus, baseDelayMs: 1 });
    // Act
    const result = await relay({ Records: [outboxRecord(1), outboxRecord(2), outboxRecord(3)] });
    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(calls.map(ids)).toEqual([['evt-1', 'evt-2', 'evt-3'], ['evt-2']]);
  });

  it('treats an answer without an EventId as refused: at least once never assumes success', async () => {
    // Prepare
    const { bus, calls } = fakeBus((entries, call) => (call === 1 ? { FailedEntryCount: 0, Entries: [] } : { Entries: entries.map(() => ({ EventId: 'x' })) }));
    const relay = createRelayHandler({ bus: () => bus, baseDelayMs: 1 });
    // Act
    await relay({ Records: [outboxRecord(1)] });
    // Assess
    expect(calls).toHaveLength(2);
  });

  it('after the last attempt reports the first record not published, so the stream is read again from there', async () => {
    // Prepare: the second call (records 10..19) always throws
    const { bus, calls } = fakeBus((entries, call) => {
      if (ids(entries).includes('evt-10')) throw new Error('EventBridge is down');
      return { Entries: entries.map(() => ({ EventId: `ok-${call}` })) };
    });
    const relay = createRelayHandler({ bus: () => bus, attempts: 3, baseDelayMs: 1 });
    // Act
    const result = await relay({ Records: Array.from({ length: 25 }, (_, i) => outboxRecord(i)) });
    // Assess: records 0..9 went out, 10.. did not, and nothing after the failure was tried
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: '1010' }] });
    expect(calls).toHaveLength(1 + 3);
    expect(calls.slice(1).every((c) => ids(c)[0] === 'evt-10')).toBe(true);
  });

  it('reports the earliest entry still refused within a call', async () => {
    // Prepare: entries 3 and 5 of the first call are always refused
    const { bus } = fakeBus((entries) => ({
      FailedEntryCount: 1,
      Entries: entries.map((e) => (['evt-3', 'evt-5'].includes(JSON.parse(e.Detail!).eventId) ? { ErrorCode: 'ThrottlingException' } : { EventId: 'ok' })),
    }));
    const relay = createRelayHandler({ bus: () => bus, attempts: 2, baseDelayMs: 1 });
    // Act
    const result = await relay({ Records: Array.from({ length: 8 }, (_, i) => outboxRecord(i)) });
    // Assess
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: '1003' }] });
  });

  it('in the cloud refuses to run without EVENT_BUS_NAME rather than publish to the default bus', async () => {
    // Prepare
    delete process.env.EVENT_BUS_NAME;
    // Act
    const attempt = cloudHandler({ Records: [outboxRecord(1)] });
    // Assess
    await expect(attempt).rejects.toThrow('EVENT_BUS_NAME is not set');
  });
});
