/**
 * API.md's common rules for requests that change things, through the gateway on DynamoDB Local:
 * creates, ETag and If-Match, idempotency, pages and cursors, and bad input that changes nothing.
 */
import type { Platform } from '../../lib/local/runtime';
import { client, ownerOfNewTenant, startTestPlatform, tokenFor } from '../support/platform';

let platform: Platform;
let call: ReturnType<typeof client>;
let owner: string;

beforeAll(async () => {
  platform = await startTestPlatform('contract');
  call = client(platform.url);
  owner = await tokenFor(platform, ['owner']);
});
afterAll(() => platform.stop());

const freshTenant = () => ownerOfNewTenant(platform);

async function widgetCount(token: string): Promise<number> {
  const page = await call('GET', '/v1/widgets?limit=100', { token });
  return page.body.items.length;
}

describe('create', () => {
  it('answers 201 with the resource, Location and ETag', async () => {
    const response = await call('POST', '/v1/widgets', { token: owner, body: { name: 'first', tags: { env: 'test' } } });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ name: 'first', size: 1, version: 1, tenantId: platform.demoTenantId, tags: { env: 'test' } });
    expect(response.body.id).toMatch(/^wgt-[0-9a-z]{26}$/);
    expect(response.headers.get('location')).toBe(`/v1/widgets/${response.body.id}`);
    expect(response.headers.get('etag')).toBe('"1"');
    const read = await call('GET', `/v1/widgets/${response.body.id}`, { token: owner });
    expect(read.body).toEqual(response.body);
  });

  it('keeps a uniqueness rule under concurrency: ten creates of one name give one 201 and nine 409', async () => {
    const token = await freshTenant();
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => call('POST', '/v1/widgets', { token, body: { name: 'only-one' } })),
    );
    expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
    expect(responses.filter((r) => r.status === 409).map((r) => r.body.code)).toEqual(Array(9).fill('InvalidWidget.Duplicate'));
    expect(await widgetCount(token)).toBe(1);
  });
});

describe('Idempotency-Key', () => {
  it('replays the first response for a retry, with Idempotent-Replayed, and creates once', async () => {
    // Prepare
    const token = await freshTenant();
    const request = { token, body: { name: 'retried', size: 3 }, headers: { 'idempotency-key': 'key-1' } };
    // Act
    const first = await call('POST', '/v1/widgets', request);
    const second = await call('POST', '/v1/widgets', request);
    // Assess
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('location')).toBe(first.headers.get('location'));
    expect(second.headers.get('etag')).toBe('"1"');
    expect(await widgetCount(token)).toBe(1);
  });

  it('treats the same body with keys in another order as the same request', async () => {
    const token = await freshTenant();
    const headers = { 'idempotency-key': 'order' };
    const first = await call('POST', '/v1/widgets', { token, headers, rawBody: '{"name":"n","size":2}', });
    const second = await call('POST', '/v1/widgets', { token, headers: { ...headers, 'content-type': 'application/json' }, rawBody: '{"size":2,"name":"n"}' });
    expect(first.status).toBe(415);
    expect(second.status).toBe(201);
    const third = await call('POST', '/v1/widgets', { token, headers, body: { name: 'n', size: 2 } });
    expect(third.headers.get('idempotent-replayed')).toBe('true');
  });

  it('answers 422 IdempotencyKeyReused for another body under the same key, and changes nothing', async () => {
    const token = await freshTenant();
    const headers = { 'idempotency-key': 'shared-key' };
    await call('POST', '/v1/widgets', { token, headers, body: { name: 'a' } });
    const reused = await call('POST', '/v1/widgets', { token, headers, body: { name: 'b' } });
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('IdempotencyKeyReused');
    expect(await widgetCount(token)).toBe(1);
  });

  it('gives twenty concurrent duplicates one effect and twenty identical responses', async () => {
    const token = await freshTenant();
    const request = { token, body: { name: 'raced' }, headers: { 'idempotency-key': 'race' } };
    const responses = await Promise.all(Array.from({ length: 20 }, () => call('POST', '/v1/widgets', request)));
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(201));
    expect(new Set(responses.map((r) => r.body.id)).size).toBe(1);
    expect(responses.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(19);
    expect(await widgetCount(token)).toBe(1);
  });

  it('scopes keys by tenant: the same key in two tenants makes two resources', async () => {
    const [a, b] = [await freshTenant(), await freshTenant()];
    const headers = { 'idempotency-key': 'same' };
    const first = await call('POST', '/v1/widgets', { token: a, headers, body: { name: 'x' } });
    const second = await call('POST', '/v1/widgets', { token: b, headers, body: { name: 'x' } });
    expect(second.headers.get('idempotent-replayed')).toBeNull();
    expect(second.body.id).not.toBe(first.body.id);
  });

  it('records nothing for a rejected request: the key stays usable', async () => {
    const token = await freshTenant();
    const headers = { 'idempotency-key': 'after-400' };
    const rejected = await call('POST', '/v1/widgets', { token, headers, body: { name: '' } });
    const accepted = await call('POST', '/v1/widgets', { token, headers, body: { name: 'fine' } });
    expect(rejected.status).toBe(400);
    expect(accepted.status).toBe(201);
    expect(accepted.headers.get('idempotent-replayed')).toBeNull();
  });

  it('refuses a key longer than 255 characters', async () => {
    const response = await call('POST', '/v1/widgets', { token: owner, body: { name: 'k' }, headers: { 'idempotency-key': 'k'.repeat(256) } });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('InvalidIdempotencyKey');
  });
});

describe('ETag and If-Match', () => {
  it('updates with a matching If-Match and answers 412 for a stale one without changing anything', async () => {
    // Prepare
    const created = await call('POST', '/v1/widgets', { token: owner, body: { name: 'versioned' } });
    const path = `/v1/widgets/${created.body.id}`;
    // Act
    const updated = await call('PATCH', path, { token: owner, body: { size: 5 }, headers: { 'if-match': '"1"' } });
    const stale = await call('PATCH', path, { token: owner, body: { size: 9 }, headers: { 'if-match': '"1"' } });
    // Assess
    expect(updated.status).toBe(200);
    expect(updated.headers.get('etag')).toBe('"2"');
    expect(updated.body).toMatchObject({ size: 5, version: 2 });
    expect(stale.status).toBe(412);
    expect(stale.body.code).toBe('PreconditionFailed');
    const read = await call('GET', path, { token: owner });
    expect(read.body).toMatchObject({ size: 5, version: 2 });
  });

  it('applies concurrent updates without If-Match one after another, losing none', async () => {
    const created = await call('POST', '/v1/widgets', { token: owner, body: { name: 'contended' } });
    const path = `/v1/widgets/${created.body.id}`;
    const responses = await Promise.all([2, 3, 4, 5, 6].map((size) => call('PATCH', path, { token: owner, body: { size } })));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const read = await call('GET', path, { token: owner });
    expect(read.body.version).toBe(6);
    expect(responses.map((r) => r.body.version).sort()).toEqual([2, 3, 4, 5, 6]);
  });

  it('deletes with If-Match and answers 404 afterwards', async () => {
    const created = await call('POST', '/v1/widgets', { token: owner, body: { name: 'doomed' } });
    const path = `/v1/widgets/${created.body.id}`;
    expect((await call('DELETE', path, { token: owner, headers: { 'if-match': '"7"' } })).status).toBe(412);
    const deleted = await call('DELETE', path, { token: owner, headers: { 'if-match': '"1"' } });
    expect(deleted.status).toBe(204);
    expect((await call('GET', path, { token: owner })).status).toBe(404);
  });
});

describe('lists', () => {
  it('pages with an opaque cursor, nextCursor absent exactly on the last page', async () => {
    // Prepare: exactly 6 widgets in a tenant of their own
    const token = await freshTenant();
    for (let i = 0; i < 6; i++) await call('POST', '/v1/widgets', { token, body: { name: `w${i}` } });
    // Act
    const first = await call('GET', '/v1/widgets?limit=3', { token });
    const second = await call('GET', `/v1/widgets?limit=3&cursor=${encodeURIComponent(first.body.nextCursor)}`, { token });
    // Assess
    expect(first.body.items).toHaveLength(3);
    expect(typeof first.body.nextCursor).toBe('string');
    expect(second.body.items).toHaveLength(3);
    expect(second.body).not.toHaveProperty('nextCursor');
    const names = [...first.body.items, ...second.body.items].map((w: { name: string }) => w.name).sort();
    expect(names).toEqual(['w0', 'w1', 'w2', 'w3', 'w4', 'w5']);
  });

  it('defaults to 20 items', async () => {
    const token = await freshTenant();
    await Promise.all(Array.from({ length: 21 }, (_, i) => call('POST', '/v1/widgets', { token, body: { name: `d${i}` } })));
    const page = await call('GET', '/v1/widgets', { token });
    expect(page.body.items).toHaveLength(20);
    expect(page.body.nextCursor).toBeDefined();
  });

  it.each([
    ['a forged cursor', 'eyJrIjp7fX0.AAAAAAAAAAAAAAAAAAAAAA'],
    ['a corrupted cursor', 'not-a-cursor'],
  ])('answers 400 InvalidCursor for %s', async (_label, cursor) => {
    const response = await call('GET', `/v1/widgets?cursor=${cursor}`, { token: owner });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('InvalidCursor');
  });

  it("refuses another tenant's cursor", async () => {
    const [a, b] = [await freshTenant(), await freshTenant()];
    for (let i = 0; i < 2; i++) await call('POST', '/v1/widgets', { token: a, body: { name: `c${i}` } });
    const page = await call('GET', '/v1/widgets?limit=1', { token: a });
    const stolen = await call('GET', `/v1/widgets?limit=1&cursor=${encodeURIComponent(page.body.nextCursor)}`, { token: b });
    expect(stolen.status).toBe(400);
  });

  it.each([['0'], ['101'], ['ten'], ['1.5']])('refuses limit=%s', async (limit) => {
    const response = await call('GET', `/v1/widgets?limit=${limit}`, { token: owner });
    expect(response.status).toBe(400);
    expect(response.body.errors[0].path).toBe('query.limit');
  });
});

describe('bad input is a 4xx problem and changes nothing', () => {
  let token: string;
  beforeAll(async () => {
    token = await freshTenant();
  });

  it.each([
    ['malformed JSON', { rawBody: '{"name":', headers: { 'content-type': 'application/json' } }, 400, 'InvalidJson'],
    ['a wrong type', { body: { name: 42 } }, 400, 'ValidationError'],
    ['an unknown field', { body: { name: 'x', colour: 'red' } }, 400, 'ValidationError'],
    ['a missing field', { body: { size: 2 } }, 400, 'ValidationError'],
    ['a prototype-polluting key', { rawBody: '{"name":"x","__proto__":{"admin":true}}', headers: { 'content-type': 'application/json' } }, 400, 'ValidationError'],
    ['a body that is not JSON', { rawBody: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 415, 'UnsupportedMediaType'],
    ['a body over 1 MiB', { body: { name: 'x', tags: { big: 'y'.repeat(1024 * 1024) } } }, 413, 'PayloadTooLarge'],
    ['a JSON array', { body: [1, 2] }, 400, 'ValidationError'],
    ['JSON null', { rawBody: 'null', headers: { 'content-type': 'application/json' } }, 400, 'ValidationError'],
  ])('%s', async (_label, request, status, code) => {
    const response = await call('POST', '/v1/widgets', { token, ...request });
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body).toMatchObject({ status, code });
    expect(await widgetCount(token)).toBe(0);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('lists every invalid field with its path', async () => {
    const response = await call('POST', '/v1/widgets', { token, body: { name: 7, size: 'big', extra: 1 } });
    expect(response.status).toBe(400);
    expect(response.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['body.extra', 'body.name', 'body.size']);
  });

  it('answers 400 for a malformed id and 404 for an unknown one', async () => {
    expect((await call('GET', '/v1/widgets/..%2F..%2Fetc', { token })).status).toBe(400);
    const unknown = await call('GET', '/v1/widgets/wgt-01jd5f3w3t9k8m2x0c4s6v7b8n', { token });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('InvalidWidgetID.NotFound');
  });

  it("answers 404, not 403, for another tenant's resource", async () => {
    const created = await call('POST', '/v1/widgets', { token: owner, body: { name: 'mine' } });
    const other = await freshTenant();
    const response = await call('GET', `/v1/widgets/${created.body.id}`, { token: other });
    expect(response.status).toBe(404);
  });

  it('refuses a body over the gateway limit of 10 MB before reading it all', async () => {
    const response = await call('POST', '/v1/widgets', { token, rawBody: Buffer.alloc(11 * 1024 * 1024, 32), headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(413);
  });
});
