import { type ApiError, BadRequest } from '../../../functions/kit/errors';
import {
  IDEMPOTENCY_TTL_SECONDS,
  idempotencyRecordId,
  idempotencyWrite,
  liveRecord,
  parseIdempotencyKey,
  requestFingerprint,
  type StoredResponse,
} from '../../../functions/kit/idempotency';

describe('parseIdempotencyKey', () => {
  it.each<[string, string | undefined]>([
    ['absent', undefined],
    ['one character', 'a'],
    ['a UUID', '5f0c3b8e-7d1a-4c2e-9b6f-1a2b3c4d5e6f'],
    ['255 characters', 'k'.repeat(255)],
    ['every printable ASCII character', Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).join('')],
  ])('accepts %s', (_label, key) => {
    // Prepare: the header value

    // Act
    const parsed = parseIdempotencyKey(key);

    // Assess
    expect(parsed).toBe(key);
  });

  it.each<[string, string]>([
    ['empty', ''],
    ['256 characters', 'k'.repeat(256)],
    ['a newline', 'abc\ndef'],
    ['a trailing newline', 'abc\n'],
    ['a tab', 'abc\tdef'],
    ['a NUL', 'abc\u0000'],
    ['DEL', 'abc\u007f'],
    ['non-ASCII', 'clé'],
    ['an emoji', 'key-🔑'],
  ])('refuses %s with 400 InvalidIdempotencyKey', (_label, key) => {
    // Prepare: a malformed header value
    let error: unknown;

    // Act
    try {
      parseIdempotencyKey(key);
    } catch (caught) {
      error = caught;
    }

    // Assess
    expect(error).toBeInstanceOf(BadRequest);
    expect((error as ApiError).status).toBe(400);
    expect((error as ApiError).code).toBe('InvalidIdempotencyKey');
    expect((error as ApiError).errors).toEqual([
      { path: 'header.Idempotency-Key', message: 'Must be 1 to 255 printable ASCII characters' },
    ]);
  });
});

describe('requestFingerprint', () => {
  it('does not depend on the order of keys, at any depth', () => {
    // Prepare
    const one = { name: 'web', tags: { b: '2', a: '1' }, list: [{ y: 1, x: 2 }] };
    const two = { list: [{ x: 2, y: 1 }], tags: { a: '1', b: '2' }, name: 'web' };

    // Act
    const first = requestFingerprint('POST', '/v1/vpcs', one);
    const second = requestFingerprint('POST', '/v1/vpcs', two);

    // Assess
    expect(first).toBe(second);
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it.each<[string, [string, string, unknown]]>([
    ['another body value', ['POST', '/v1/vpcs', { name: 'db' }]],
    ['an extra field', ['POST', '/v1/vpcs', { name: 'web', size: 1 }]],
    ['another path', ['POST', '/v1/subnets', { name: 'web' }]],
    ['another method', ['PUT', '/v1/vpcs', { name: 'web' }]],
    ['no body', ['POST', '/v1/vpcs', undefined]],
    ['the value as a number', ['POST', '/v1/vpcs', { name: 1 }]],
  ])('changes with %s', (_label, [method, path, body]) => {
    // Prepare
    const base = requestFingerprint('POST', '/v1/vpcs', { name: 'web' });

    // Act
    const other = requestFingerprint(method, path, body);

    // Assess
    expect(other).not.toBe(base);
  });

  it('keeps the order of array elements', () => {
    // Prepare
    const ordered = { securityGroupIds: ['sg-a', 'sg-b'] };
    const reversed = { securityGroupIds: ['sg-b', 'sg-a'] };

    // Act
    const first = requestFingerprint('POST', '/v1/instances', ordered);
    const second = requestFingerprint('POST', '/v1/instances', reversed);

    // Assess
    expect(first).not.toBe(second);
  });

  it('is the same for the same request', () => {
    // Prepare
    const body = { name: 'web', size: 3 };

    // Act
    const fingerprints = [1, 2, 3].map(() => requestFingerprint('POST', '/v1/vpcs', structuredClone(body)));

    // Assess
    expect(new Set(fingerprints).size).toBe(1);
  });
});

describe('idempotencyRecordId', () => {
  it('is scoped by tenant, operation and key', () => {
    // Prepare
    const base = idempotencyRecordId('t1', 'createVpc', 'k1');

    // Act
    const variants = [
      idempotencyRecordId('t2', 'createVpc', 'k1'),
      idempotencyRecordId('t1', 'createSubnet', 'k1'),
      idempotencyRecordId('t1', 'createVpc', 'k2'),
      idempotencyRecordId('user:u1', 'createVpc', 'k1'),
    ];

    // Assess
    expect(base).toBe('req#t1#createVpc#k1');
    expect(idempotencyRecordId('t1', 'createVpc', 'k1')).toBe(base);
    for (const variant of variants) expect(variant).not.toBe(base);
    expect(new Set(variants).size).toBe(variants.length);
  });
});

describe('idempotencyWrite', () => {
  const saved = process.env.IDEMPOTENCY_TABLE;
  beforeAll(() => {
    process.env.IDEMPOTENCY_TABLE = 'unit-Idempotency';
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.IDEMPOTENCY_TABLE;
    else process.env.IDEMPOTENCY_TABLE = saved;
  });

  it('puts the record on condition that no live record holds the key, expiring 24 h later', () => {
    // Prepare
    const now = new Date('2026-01-02T03:04:05.678Z');
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const response: StoredResponse = { statusCode: 201, headers: { Location: '/v1/vpcs/vpc-1' }, body: '{"id":"vpc-1"}' };

    // Act
    const write = idempotencyWrite('req#t1#createVpc#k1', 'fp', response, now);

    // Assess
    expect(IDEMPOTENCY_TTL_SECONDS).toBe(86400);
    expect(write.onConditionFailed).toBeUndefined();
    expect(write.item).toEqual({
      Put: {
        TableName: 'unit-Idempotency',
        Item: {
          id: 'req#t1#createVpc#k1',
          fingerprint: 'fp',
          response,
          createdAt: '2026-01-02T03:04:05.678Z',
          expiration: nowSeconds + 24 * 60 * 60,
          expiryBucket: `EXP#${new Date((nowSeconds + 24 * 60 * 60) * 1000).toISOString().slice(0, 13)}`,
        },
        ConditionExpression: 'attribute_not_exists(id) OR expiration <= :now',
        ExpressionAttributeValues: { ':now': nowSeconds },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    });
  });
});

describe('liveRecord', () => {
  const now = Date.parse('2026-01-02T00:00:00Z');
  const record = {
    id: 'req#t1#op#k',
    fingerprint: 'fp',
    response: { statusCode: 200, headers: {} },
    createdAt: '2026-01-01T00:00:00Z',
    expiration: now / 1000 + 1,
  };

  it.each<[string, Record<string, unknown> | undefined, boolean]>([
    ['a record one second from expiry', record, true],
    ['a record at its expiry', { ...record, expiration: now / 1000 }, false],
    ['an expired record', { ...record, expiration: now / 1000 - 3600 }, false],
    ['nothing', undefined, false],
    ['an item without a response', { id: 'x', expiration: now / 1000 + 100 }, false],
  ])('with %s gives the record: %p', (_label, item, live) => {
    // Prepare: the item and the time

    // Act
    const found = liveRecord(item, now);

    // Assess
    expect(found).toBe(live ? item : undefined);
  });
});
