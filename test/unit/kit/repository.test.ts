import { documentClient } from '../../../functions/kit/db';
import { PreconditionFailed, Conflict } from '../../../functions/kit/errors';
import { createItem, deleteVersioned, pageOf, pageQuery, updateVersioned } from '../../../functions/kit/repository';
import { tableName, tables } from '../../../functions/kit/tables';
import { commitWrites, MAX_TRANSACTION_ITEMS, type Write } from '../../../functions/kit/transaction';
import * as z from 'zod';

jest.mock('../../../functions/kit/db', () => ({
  documentClient: jest.fn(() => {
    throw new Error('unit tests never reach DynamoDB');
  }),
  resetDocumentClient: jest.fn(),
}));

const databaseCalls = documentClient as unknown as jest.Mock;

beforeEach(() => databaseCalls.mockClear());

describe('pageQuery()', () => {
  it.each<[Record<string, string>, { limit: number; cursor?: string }]>([
    [{}, { limit: 20 }],
    [{ limit: '1' }, { limit: 1 }],
    [{ limit: '100', cursor: 'abc.def' }, { limit: 100, cursor: 'abc.def' }],
  ])('reads %j', (query, expected) => {
    // Prepare: the query string parameters as API Gateway hands them over

    // Act
    const parsed = pageQuery().parse(query);

    // Assess
    expect(parsed).toEqual(expected);
  });

  it.each<[string, Record<string, string>]>([
    ['limit 0', { limit: '0' }],
    ['limit 101', { limit: '101' }],
    ['a fractional limit', { limit: '2.5' }],
    ['a non-numeric limit', { limit: 'ten' }],
    ['an empty cursor', { cursor: '' }],
    ['a cursor over 4096 characters', { cursor: 'c'.repeat(4097) }],
    ['an unknown parameter', { page: '2' }],
  ])('refuses %s', (_label, query) => {
    // Prepare: the query, in the table

    // Act
    const result = pageQuery().safeParse(query);

    // Assess
    expect(result.success).toBe(false);
  });

  it('pageOf makes nextCursor optional', () => {
    // Prepare
    const page = pageOf(z.object({ id: z.string() }));

    // Act
    const last = page.safeParse({ items: [{ id: 'a' }] });
    const middle = page.safeParse({ items: [], nextCursor: 'x.y' });
    const wrong = page.safeParse({ items: [{ id: 1 }] });

    // Assess
    expect([last.success, middle.success, wrong.success]).toEqual([true, true, false]);
  });
});

describe('versioned writes', () => {
  const table = 'unit-Resources';
  const key = { pk: 'tenant#t1', sk: 'vpc#vpc-1' };
  const now = new Date('2026-05-06T07:08:09.000Z');

  it('createItem puts version 1 on condition the key is free', () => {
    // Prepare
    const onExists = new Conflict('Duplicate', 'exists');

    // Act
    const write = createItem(table, { ...key, name: 'web' }, 'pk', onExists);

    // Assess
    expect(write).toEqual({
      item: {
        Put: {
          TableName: table,
          Item: { version: 1, pk: 'tenant#t1', sk: 'vpc#vpc-1', name: 'web' },
          ConditionExpression: 'attribute_not_exists(#key)',
          ExpressionAttributeNames: { '#key': 'pk' },
        },
      },
      onConditionFailed: onExists,
    });
  });

  it('updateVersioned sets, removes, bumps the version and stamps updatedAt, conditioned on the version', () => {
    // Prepare
    const change = { set: { name: 'db', size: 3 }, remove: ['description'], now };

    // Act
    const write = updateVersioned(table, key, 4, change);

    // Assess
    expect(write.item).toEqual({
      Update: {
        TableName: table,
        Key: key,
        UpdateExpression: 'SET #version = :next, #updatedAt = :updatedAt, #s0 = :s0, #s1 = :s1 REMOVE #r0',
        ConditionExpression: '#version = :expected',
        ExpressionAttributeNames: { '#version': 'version', '#updatedAt': 'updatedAt', '#s0': 'name', '#s1': 'size', '#r0': 'description' },
        ExpressionAttributeValues: { ':expected': 4, ':next': 5, ':updatedAt': '2026-05-06T07:08:09.000Z', ':s0': 'db', ':s1': 3 },
      },
    });
    expect(write.onConditionFailed).toBe('retry');
  });

  it('a lost version is a 412 when the caller pinned one with If-Match, a retry otherwise', () => {
    // Prepare
    const ifMatch = { any: false as const, versions: ['4'] };

    // Act
    const pinnedUpdate = updateVersioned(table, key, 4, { now, ifMatch });
    const pinnedDelete = deleteVersioned(table, key, 4, ifMatch);
    const looseDelete = deleteVersioned(table, key, 4);

    // Assess
    expect(pinnedUpdate.onConditionFailed).toBeInstanceOf(PreconditionFailed);
    expect(pinnedDelete.onConditionFailed).toBeInstanceOf(PreconditionFailed);
    expect(looseDelete.onConditionFailed).toBe('retry');
    expect(looseDelete.item).toEqual({
      Delete: {
        TableName: table,
        Key: key,
        ConditionExpression: '#version = :expected',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':expected': 4 },
      },
    });
  });
});

describe('commitWrites', () => {
  const write: Write = { item: { Put: { TableName: 't', Item: { pk: 'x' } } } };

  it('does nothing, and touches no database, when there is nothing to write', async () => {
    // Prepare
    const writes: Write[] = [];

    // Act
    await commitWrites(writes);

    // Assess
    expect(databaseCalls).not.toHaveBeenCalled();
  });

  it('refuses more than 100 items before reaching the database', async () => {
    // Prepare
    const writes = Array.from({ length: MAX_TRANSACTION_ITEMS + 1 }, () => write);

    // Act
    const attempt = commitWrites(writes);

    // Assess
    await expect(attempt).rejects.toThrow('A request may write at most 100 items; this one wrote 101');
    expect(databaseCalls).not.toHaveBeenCalled();
  });
});

describe('tableName', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of ['RESOURCES_TABLE', 'TABLE_PREFIX']) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  it.each<[string, Record<string, string | undefined>, string]>([
    ['the deployed name from the environment', { RESOURCES_TABLE: 'prod-Resources-ABC', TABLE_PREFIX: 'x-' }, 'prod-Resources-ABC'],
    ['the prefix plus the logical name locally', { RESOURCES_TABLE: undefined, TABLE_PREFIX: 'tdead-' }, 'tdead-Resources'],
    ['the default prefix', { RESOURCES_TABLE: undefined, TABLE_PREFIX: undefined }, 'ccp-local-Resources'],
  ])('gives %s', (_label, env, expected) => {
    // Prepare
    for (const [name, value] of Object.entries(env)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }

    // Act
    const name = tableName('resources');

    // Assess
    expect(name).toBe(expected);
  });

  it('declares the idempotency table with its TTL attribute, the one idempotencyWrite sets', () => {
    // Prepare: the table declarations

    // Act
    const spec = tables.idempotency;

    // Assess
    expect(spec.partitionKey).toEqual({ name: 'id', type: 'S' });
    expect(spec.timeToLiveAttribute).toBe('expiration');
  });
});
