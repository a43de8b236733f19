/** The data layer on DynamoDB Local: table creation from the declarations, transactions, pages. */
import { DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { resetCursorSecret } from '../../functions/kit/cursor';
import { documentClient, resetDocumentClient } from '../../functions/kit/db';
import { Conflict, PreconditionFailed } from '../../functions/kit/errors';
import { idempotencyWrite } from '../../functions/kit/idempotency';
import { createItem, getItem, queryPage, updateVersioned } from '../../functions/kit/repository';
import { tableName, tables, type TableSpec } from '../../functions/kit/tables';
import { commitWrites, ConditionLost, RetryRequest } from '../../functions/kit/transaction';
import { ensureTables } from '../../lib/local/create-tables';
import { uniquePrefix } from '../support/platform';

const endpoint = process.env.DYNAMODB_ENDPOINT as string;
const prefix = uniquePrefix('data');
const raw = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });

beforeAll(async () => {
  process.env.TABLE_PREFIX = prefix;
  process.env.CURSOR_SECRET = 'integration-secret';
  resetDocumentClient();
  resetCursorSecret();
  await ensureTables(endpoint, prefix);
});
afterAll(() => {
  raw.destroy();
  resetDocumentClient();
});

describe('ensureTables', () => {
  it('creates every declared table with its keys, indexes, stream and TTL', async () => {
    for (const spec of Object.values(tables) as TableSpec[]) {
      // Act
      const { Table } = await raw.send(new DescribeTableCommand({ TableName: `${prefix}${spec.logicalName}` }));
      const ttl = await raw.send(new DescribeTimeToLiveCommand({ TableName: `${prefix}${spec.logicalName}` }));
      // Assess
      expect(Table?.KeySchema?.[0]).toEqual({ AttributeName: spec.partitionKey.name, KeyType: 'HASH' });
      expect((Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName).sort()).toEqual(spec.globalIndexes.map((i) => i.name).sort());
      expect(Table?.StreamSpecification?.StreamViewType).toBe(spec.stream);
      expect(ttl.TimeToLiveDescription?.AttributeName).toBe(spec.timeToLiveAttribute);
    }
  });

  it('is safe to run again and creates nothing the second time', async () => {
    expect(await ensureTables(endpoint, prefix)).toEqual([]);
  });
});

describe('commitWrites', () => {
  const key = (sk: string) => ({ pk: 'T#integration', sk });

  it('writes all items or none', async () => {
    // Prepare: one item exists, so a transaction that creates it again must fail whole
    await commitWrites([createItem(tableName('resources'), { ...key('A'), n: 1 }, 'pk', new Conflict('Taken', 'taken'))]);
    // Act
    const attempt = commitWrites([
      createItem(tableName('resources'), { ...key('B'), n: 2 }, 'pk', new Conflict('Taken', 'taken')),
      createItem(tableName('resources'), { ...key('A'), n: 3 }, 'pk', new Conflict('Taken', 'A is taken')),
    ]);
    // Assess
    await expect(attempt).rejects.toMatchObject({ status: 409, code: 'Taken', message: 'A is taken' });
    expect(await getItem(tableName('resources'), key('B'))).toBeUndefined();
    expect(await getItem(tableName('resources'), key('A'))).toMatchObject({ n: 1, version: 1 });
  });

  it('reports a lost version as a retry without If-Match and as 412 with it', async () => {
    await commitWrites([createItem(tableName('resources'), { ...key('V') }, 'pk', 'retry')]);
    const now = new Date();
    await expect(commitWrites([updateVersioned(tableName('resources'), key('V'), 7, { now, set: { x: 1 } })])).rejects.toBeInstanceOf(RetryRequest);
    await expect(
      commitWrites([updateVersioned(tableName('resources'), key('V'), 7, { now, set: { x: 1 }, ifMatch: { any: false, versions: ['7'] } })]),
    ).rejects.toBeInstanceOf(PreconditionFailed);
    await commitWrites([updateVersioned(tableName('resources'), key('V'), 1, { now, set: { x: 1 } })]);
    expect(await getItem(tableName('resources'), key('V'))).toMatchObject({ x: 1, version: 2, updatedAt: now.toISOString() });
  });

  it('hands back the current item of a watched write whose condition was lost, with no extra read', async () => {
    // Prepare
    const id = 'req#integration#op#key';
    await commitWrites([idempotencyWrite(id, 'fingerprint-1', { statusCode: 201, headers: {} })]);
    // Act
    const attempt = commitWrites(
      [createItem(tableName('resources'), { ...key('W2') }, 'pk', 'retry'), idempotencyWrite(id, 'fingerprint-2', { statusCode: 201, headers: {} })],
      new Set([1]),
    );
    // Assess
    const lost = (await attempt.catch((error: unknown) => error)) as ConditionLost;
    expect(lost).toBeInstanceOf(ConditionLost);
    expect(lost.index).toBe(1);
    expect(lost.current).toMatchObject({ id, fingerprint: 'fingerprint-1', response: { statusCode: 201 } });
    expect(await getItem(tableName('resources'), key('W2'))).toBeUndefined();
  });
});

describe('queryPage', () => {
  const pk = 'T#pages';
  beforeAll(async () => {
    for (let i = 0; i < 7; i++) {
      await documentClient().send(new PutCommand({ TableName: tableName('resources'), Item: { pk, sk: `ITEM#${i}`, i } }));
    }
  });
  const request = (limit: number, cursor?: string) => ({
    query: {
      TableName: tableName('resources'),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
    },
    keyAttributes: ['pk', 'sk'],
    page: { limit, ...(cursor ? { cursor } : {}) },
    scope: 'pages',
  });

  it('walks every item once and ends without a cursor', async () => {
    const seen: number[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await queryPage(request(3, cursor));
      seen.push(...page.items.map((item) => item.i as number));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(pages).toBe(3);
  });

  it('gives no cursor when the page holds exactly the rest', async () => {
    const page = await queryPage(request(7));
    expect(page.items).toHaveLength(7);
    expect(page.nextCursor).toBeUndefined();
  });

  it('refuses a cursor of another scope', async () => {
    const page = await queryPage(request(2));
    await expect(queryPage({ ...request(2, page.nextCursor), scope: 'other' })).rejects.toMatchObject({ status: 400, code: 'InvalidCursor' });
  });
});
