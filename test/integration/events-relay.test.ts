/**
 * The outbox relay on DynamoDB Local's stream: the poller feeds the real relay handler, which
 * publishes to the local bus. A relay killed mid-batch and restarted delivers every committed
 * event at least once, repeats carry the same eventId, and nothing rolled back is ever published.
 */
import { resetCursorSecret } from '../../functions/kit/cursor';
import { resetDocumentClient } from '../../functions/kit/db';
import { Conflict } from '../../functions/kit/errors';
import { createItem } from '../../functions/kit/repository';
import { tableName } from '../../functions/kit/tables';
import { commitWrites } from '../../functions/kit/transaction';
import type { BusEntry, EventBusClient } from '../../functions/events/bus';
import { change, changeWrites } from '../../functions/events/outbox';
import { createRelayHandler } from '../../functions/events/relay';
import { ensureTables } from '../../lib/local/create-tables';
import { createLocalEventBus, type BusEvent, type LocalEventBus } from '../../lib/local/event-bus';
import { startStreamRelay, type StreamRelay, type StreamRelayOptions } from '../../lib/local/stream-relay';
import { widgetCreated, widgetUpdated } from '../fixtures/widgets/operations';
import { uniquePrefix } from '../support/platform';

const endpoint = process.env.DYNAMODB_ENDPOINT as string;
const TENANT = 'tnt-relay';

/** Fresh tables (so a fresh stream and no positions) for each test. */
async function freshTables(label: string): Promise<void> {
  const prefix = uniquePrefix(label);
  process.env.TABLE_PREFIX = prefix;
  resetDocumentClient();
  await ensureTables(endpoint, prefix);
}

beforeAll(() => {
  process.env.CURSOR_SECRET = 'relay-secret';
  resetCursorSecret();
});
afterAll(() => resetDocumentClient());

/** Commits one change (outbox event + audit entry) and returns its eventId. */
async function commitEvent(n: number): Promise<string> {
  const writes = changeWrites(change(widgetCreated, { tenantId: TENANT, resourceId: `wgt-${n}`, data: { name: `w${n}`, size: n } }), {
    actor: 'user:relay-test',
    requestId: `req-${n}`,
    now: new Date(),
  });
  await commitWrites(writes);
  return (writes[0]!.item.Put!.Item as { eventId: string }).eventId;
}

async function commitEvents(from: number, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let n = from; n < from + count; n++) ids.push(await commitEvent(n));
  return ids;
}

/** A local bus with no rules that records what it was given. */
function recordingBus(): { bus: LocalEventBus; seen: BusEvent[] } {
  const bus = createLocalEventBus({ rules: [] });
  const seen: BusEvent[] = [];
  bus.subscribe((event) => seen.push(event));
  return { bus, seen };
}

function relayOn(bus: EventBusClient, overrides: Partial<StreamRelayOptions> = {}): Promise<StreamRelay> {
  const handler = createRelayHandler({ bus: () => bus, attempts: 2, baseDelayMs: 1 });
  return startStreamRelay({
    endpoint,
    tableName: tableName('outbox'),
    checkpointTable: tableName('resources'),
    handler,
    pollMs: 25,
    retryDelayMs: 10,
    ...overrides,
  });
}

const counts = (events: BusEvent[]) => {
  const byId = new Map<string, number>();
  for (const event of events) byId.set(event.detail.eventId, (byId.get(event.detail.eventId) ?? 0) + 1);
  return byId;
};

describe('the outbox relay', () => {
  it('publishes every committed event once and in commit order when nothing fails', async () => {
    // Prepare
    await freshTables('relay-order');
    const committed = await commitEvents(1, 25);
    const { bus, seen } = recordingBus();
    // Act
    const relay = await relayOn(bus, { batchSize: 10 });
    await relay.idle();
    await relay.stop();
    // Assess
    expect(seen.map((event) => event.detail.eventId)).toEqual(committed);
    expect(seen[0]).toMatchObject({ 'detail-type': 'widget.created', source: 'platform.widgets', detail: { tenantId: TENANT, actor: 'user:relay-test' } });
  });

  it('relays data holding empty maps, which DynamoDB Local\'s stream hands over as {}', async () => {
    // Prepare
    await freshTables('relay-empty');
    const writes = changeWrites(change(widgetUpdated, { tenantId: TENANT, resourceId: 'wgt-e', data: { tags: {} } }), {
      actor: 'user:relay-test',
      requestId: 'req-e',
      now: new Date(),
    });
    await commitWrites(writes);
    const { bus, seen } = recordingBus();
    // Act
    const relay = await relayOn(bus);
    await relay.idle();
    await relay.stop();
    // Assess
    expect(seen.map((event) => event.detail.data)).toEqual([{ tags: {} }]);
  });

  it('killed during a PutEvents call, a restarted relay delivers every event; repeats keep their eventId, persisted batches are not repeated', async () => {
    // Prepare: 20 events in batches of 10; the first relay dies after 15 entries reached the bus.
    await freshTables('relay-kill');
    const committed = await commitEvents(1, 20);
    const { bus, seen } = recordingBus();
    let delivered = 0;
    let first: StreamRelay | undefined;
    let dead: Promise<void> | undefined;
    const crashingBus: EventBusClient = {
      async putEvents(entries: BusEntry[]) {
        if (dead) throw new Error('the process is gone');
        const room = 15 - delivered;
        if (entries.length <= room) {
          delivered += entries.length;
          return bus.putEvents(entries);
        }
        // Half of this call reaches the bus, then the process dies.
        if (room > 0) await bus.putEvents(entries.slice(0, room));
        delivered += room;
        dead = first!.kill();
        throw new Error('killed mid-call');
      },
    };
    first = await relayOn(crashingBus, { batchSize: 10 });
    await waitFor(() => dead !== undefined);
    await dead;
    const late = await commitEvents(21, 5);
    // Act
    const second = await relayOn(bus, { batchSize: 10 });
    await second.idle();
    await second.stop();
    // Assess
    const times = counts(seen);
    expect([...times.keys()].sort()).toEqual([...committed, ...late].sort());
    expect(committed.slice(0, 10).map((id) => times.get(id))).toEqual(Array(10).fill(1));
    expect(committed.slice(10, 15).map((id) => times.get(id))).toEqual(Array(5).fill(2));
    expect([...committed.slice(15), ...late].map((id) => times.get(id))).toEqual(Array(10).fill(1));
    const repeated = seen.filter((event) => event.detail.eventId === committed[10]);
    expect(repeated[0]!.id).not.toBe(repeated[1]!.id);
    expect(repeated[0]!.detail).toEqual(repeated[1]!.detail);
  });

  it('killed after publishing a batch but before persisting its position, a restarted relay repeats that batch', async () => {
    // Prepare
    await freshTables('relay-checkpoint');
    const committed = await commitEvents(1, 20);
    const { bus, seen } = recordingBus();
    let batches = 0;
    let dead: Promise<void> | undefined;
    const first: StreamRelay = await relayOn(bus, {
      batchSize: 10,
      afterPublish: () => {
        batches += 1;
        if (batches === 2) dead = first.kill();
      },
    });
    await waitFor(() => dead !== undefined);
    await dead;
    // Act
    const second = await relayOn(bus, { batchSize: 10 });
    await second.idle();
    await second.stop();
    // Assess
    const times = counts(seen);
    expect(committed.map((id) => times.get(id))).toEqual([...Array(10).fill(1), ...Array(10).fill(2)]);
  });

  it('never publishes the event of a transaction that was rolled back', async () => {
    // Prepare: a change whose transaction fails on another item's condition
    await freshTables('relay-rollback');
    const before = await commitEvents(1, 3);
    await commitWrites([createItem(tableName('resources'), { pk: 'T#x', sk: 'TAKEN' }, 'pk', new Conflict('Taken', 'taken'))]);
    const doomed = changeWrites(change(widgetCreated, { tenantId: TENANT, resourceId: 'wgt-doomed', data: { name: 'doomed', size: 9 } }), {
      actor: 'user:relay-test',
      requestId: 'req-doomed',
      now: new Date(),
    });
    const doomedId = (doomed[0]!.item.Put!.Item as { eventId: string }).eventId;
    await expect(
      commitWrites([...doomed, createItem(tableName('resources'), { pk: 'T#x', sk: 'TAKEN' }, 'pk', new Conflict('Taken', 'taken'))]),
    ).rejects.toMatchObject({ code: 'Taken' });
    const after = await commitEvents(4, 1);
    const { bus, seen } = recordingBus();
    // Act
    const relay = await relayOn(bus);
    await relay.idle();
    await relay.stop();
    // Assess
    expect(seen.map((event) => event.detail.eventId)).toEqual([...before, ...after]);
    expect(seen.some((event) => event.detail.eventId === doomedId)).toBe(false);
  });

  it('retries an entry the bus refuses, then reads the stream again from it: nothing after it is lost', async () => {
    // Prepare: the bus refuses the 4th event three times in a row (more than the handler's 2 attempts)
    await freshTables('relay-refused');
    const committed = await commitEvents(1, 12);
    const { bus, seen } = recordingBus();
    let refusals = 0;
    const flakyBus: EventBusClient = {
      async putEvents(entries) {
        const victim = entries.findIndex((entry) => JSON.parse(entry.Detail!).eventId === committed[3]);
        if (victim < 0 || refusals >= 3) return bus.putEvents(entries);
        refusals += 1;
        const others = entries.filter((_, index) => index !== victim);
        const out = others.length ? await bus.putEvents(others) : { Entries: [] };
        const results = [...(out.Entries ?? [])];
        results.splice(victim, 0, { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' });
        return { FailedEntryCount: 1, Entries: results };
      },
    };
    // Act
    const relay = await relayOn(flakyBus, { batchSize: 100 });
    await relay.idle();
    await relay.stop();
    // Assess: all delivered; the chunk's other entries may repeat, with the same eventId
    const times = counts(seen);
    expect(refusals).toBe(3);
    expect([...times.keys()].sort()).toEqual([...committed].sort());
    expect(times.get(committed[3]!)).toBe(1);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
