/** The cleanup job on DynamoDB Local: what expired goes, what lives stays, twice is once. */
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, resetDocumentClient } from '../../functions/kit/db';
import { getItem } from '../../functions/kit/repository';
import { expiryAttributes, tableName } from '../../functions/kit/tables';
import { CHECKPOINT_KEY, handler, purgeExpired, type CleanupResult } from '../../functions/jobs/cleanup';
import { ensureTables } from '../../lib/local/create-tables';
import { uniquePrefix } from '../support/platform';

const endpoint = process.env.DYNAMODB_ENDPOINT as string;
const prefix = uniquePrefix('cleanup');
const HOUR = 3_600_000;
// DynamoDB Local deletes expired items itself (TTL), within seconds: the test's "now" lies 30
// days ahead, so what is expired for the job is not yet expired for DynamoDB Local.
const NOW = new Date(Math.ceil(Date.now() / HOUR) * HOUR + 30 * 24 * HOUR + 30 * 60_000);
const nowSeconds = NOW.getTime() / 1000;
const hour = (offsetHours: number) => new Date(NOW.getTime() - 30 * 60_000 + offsetHours * HOUR);
const bucket = (offsetHours: number) => `EXP#${hour(offsetHours).toISOString().slice(0, 13)}`;

beforeAll(async () => {
  process.env.TABLE_PREFIX = prefix;
  resetDocumentClient();
  await ensureTables(endpoint, prefix);
});
afterAll(() => resetDocumentClient());

async function put(table: 'resources' | 'idempotency' | 'outbox', item: Record<string, unknown>) {
  await documentClient().send(new PutCommand({ TableName: tableName(table), Item: item }));
}

const idem = (id: string, expiresAt: number) => ({ id, fingerprint: 'f', response: { statusCode: 200, headers: {} }, ...expiryAttributes('expiration', expiresAt) });
const event = (id: string, expiresAt: number) => ({ pk: 'T#tnt-clean', sk: `EVT#${id}`, eventId: id, ...expiryAttributes('expiresAt', expiresAt) });
const resource = (id: string, expiresAt?: number) => ({ pk: 'T#tnt-clean', sk: `INSTANCE#${id}`, id, ...(expiresAt ? expiryAttributes('expiresAt', expiresAt) : {}) });

describe('purgeExpired', () => {
  it('the job handler runs a purge on the wall clock and says what it did', async () => {
    // Act
    const result = (await handler({ source: 'platform.scheduler', job: 'cleanup', scheduledTime: new Date().toISOString(), executionId: 'x', attemptNumber: '1' })) as CleanupResult;
    // Assess: a first run looks back 48 hours and stops at the current hour, which stays open
    const current = Math.floor(Date.now() / HOUR) * HOUR;
    expect(result.through).toBe(`EXP#${new Date(current).toISOString().slice(0, 13)}`);
    expect(result.from).toBe(`EXP#${new Date(current - 48 * HOUR).toISOString().slice(0, 13)}`);
    expect(result.checkpoint).toBe(new Date(current).toISOString());
  });

  it('deletes the expired items of every expiring table and keeps the live ones', async () => {
    // Prepare: no checkpoint, so the run looks back 48 hours from NOW
    await documentClient().send(new DeleteCommand({ TableName: tableName('resources'), Key: CHECKPOINT_KEY }));
    await put('idempotency', idem('req#expired-2h-ago', nowSeconds - 2 * 3600));
    await put('idempotency', idem('req#expired-a-minute-ago', nowSeconds - 60));
    await put('idempotency', idem('req#expires-in-a-minute', nowSeconds + 60));
    await put('idempotency', idem('req#expires-tomorrow', nowSeconds + 86400));
    await put('outbox', event('evt-old', nowSeconds - 5 * 3600));
    await put('outbox', event('evt-new', nowSeconds + 90 * 86400));
    await put('resources', resource('i-terminated', nowSeconds - 30 * 60));
    await put('resources', resource('i-terminated-recently', nowSeconds + 30 * 60));
    await put('resources', resource('i-running'));
    // 30 expired records in one bucket: more than one delete batch
    for (let i = 0; i < 30; i++) await put('idempotency', idem(`req#batch-${i}`, nowSeconds - 3 * 3600 - i));

    // Act
    const result = await purgeExpired({ now: NOW });

    // Assess
    expect(result.deleted).toEqual({ idempotency: 32, outbox: 1, resources: 1 });
    const idempotency = tableName('idempotency');
    const resources = tableName('resources');
    expect(await getItem(idempotency, { id: 'req#expired-2h-ago' })).toBeUndefined();
    expect(await getItem(idempotency, { id: 'req#expired-a-minute-ago' })).toBeUndefined();
    expect(await getItem(idempotency, { id: 'req#batch-7' })).toBeUndefined();
    expect(await getItem(idempotency, { id: 'req#expires-in-a-minute' })).toBeDefined();
    expect(await getItem(idempotency, { id: 'req#expires-tomorrow' })).toBeDefined();
    expect(await getItem(tableName('outbox'), { pk: 'T#tnt-clean', sk: 'EVT#evt-old' })).toBeUndefined();
    expect(await getItem(tableName('outbox'), { pk: 'T#tnt-clean', sk: 'EVT#evt-new' })).toBeDefined();
    expect(await getItem(resources, { pk: 'T#tnt-clean', sk: 'INSTANCE#i-terminated' })).toBeUndefined();
    expect(await getItem(resources, { pk: 'T#tnt-clean', sk: 'INSTANCE#i-terminated-recently' })).toBeDefined();
    expect(await getItem(resources, { pk: 'T#tnt-clean', sk: 'INSTANCE#i-running' })).toBeDefined();
    // The current hour is not done: more of it expires after now
    expect(result.checkpoint).toBe(hour(0).toISOString());
    expect(await getItem(resources, CHECKPOINT_KEY)).toMatchObject({ purgedBefore: hour(0).toISOString() });
  });

  it('is idempotent, and the next run starts at its checkpoint (less an hour) instead of looking back', async () => {
    // Act
    const again = await purgeExpired({ now: NOW });
    const later = await purgeExpired({ now: new Date(NOW.getTime() + 2 * HOUR) });
    // Assess
    expect(again.deleted).toEqual({});
    expect(again.from).toBe(bucket(-1));
    expect(later.from).toBe(bucket(-1));
    expect(later.through).toBe(bucket(2));
    // Both expired in the two hours since
    expect(later.deleted).toEqual({ idempotency: 1, resources: 1 });
    expect(await getItem(tableName('idempotency'), { id: 'req#expires-in-a-minute' })).toBeUndefined();
    expect(await getItem(tableName('resources'), { pk: 'T#tnt-clean', sk: 'INSTANCE#i-terminated-recently' })).toBeUndefined();
    expect(later.checkpoint).toBe(hour(2).toISOString());
  });

  it('catches up over several runs when it walks at most maxBuckets hours', async () => {
    // Prepare: the platform was stopped for three days
    const back = new Date(NOW.getTime() + 3 * 24 * HOUR);
    await put('idempotency', idem('req#while-stopped', nowSeconds + 24 * 3600 + 60));
    // Act: the checkpoint is at +2 h, so the first run walks +1 h .. +24 h
    const first = await purgeExpired({ now: back, maxBuckets: 24 });
    const second = await purgeExpired({ now: back, maxBuckets: 100 });
    // Assess
    expect(first.from).toBe(bucket(1));
    expect(first.through).toBe(bucket(24));
    expect(first.deleted).toEqual({ idempotency: 2 });
    expect(await getItem(tableName('idempotency'), { id: 'req#expires-tomorrow' })).toBeUndefined();
    expect(first.checkpoint).toBe(hour(25).toISOString());
    expect(second.from).toBe(bucket(24));
    expect(second.through).toBe(bucket(72));
    expect(second.checkpoint).toBe(hour(72).toISOString());
  });

});
