/**
 * Filtered lists of events on DynamoDB Local: a page filtered on a second attribute is read in as
 * many Queries as it takes, so pages are full, and nothing is skipped or repeated across pages.
 */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { resetCursorSecret } from '../../functions/kit/cursor';
import { documentClient, resetDocumentClient } from '../../functions/kit/db';
import { tableName } from '../../functions/kit/tables';
import { listTenantEvents, newestFirstPage, type ListRequest } from '../../functions/events/repository';
import { ensureTables } from '../../lib/local/create-tables';
import { uniquePrefix } from '../support/platform';

const endpoint = process.env.DYNAMODB_ENDPOINT as string;
const TENANT = 'tnt-queries';
const RESOURCE = 'wgt-busy';
const TOTAL = 230;

/** Event n of the busy resource: every 10th is `widget.rare`, the others `widget.common`. */
function outboxItem(n: number) {
  const eventId = `evt-${String(n).padStart(6, '0')}`;
  const detailType = n % 10 === 0 ? 'widget.rare' : 'widget.common';
  return {
    pk: `T#${TENANT}`,
    sk: `EVT#${eventId}`,
    typeKey: `T#${TENANT}#TYPE#${detailType}`,
    resourceKey: `T#${TENANT}#RES#${RESOURCE}`,
    eventId,
    source: 'platform.widgets',
    detailType,
    detail: { eventId, tenantId: TENANT, resourceType: 'widget', resourceId: RESOURCE, occurredAt: new Date(n * 1000).toISOString(), actor: 'user:u', data: { n } },
  };
}

beforeAll(async () => {
  const prefix = uniquePrefix('evq');
  process.env.TABLE_PREFIX = prefix;
  process.env.CURSOR_SECRET = 'queries-secret';
  resetDocumentClient();
  resetCursorSecret();
  await ensureTables(endpoint, prefix);
  const items = Array.from({ length: TOTAL }, (_, n) => outboxItem(n));
  for (let i = 0; i < items.length; i += 25) {
    await documentClient().send(
      new BatchWriteCommand({ RequestItems: { [tableName('outbox')]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }),
    );
  }
});
afterAll(() => resetDocumentClient());

async function walk(fetchPage: (cursor?: string) => Promise<{ items: { n: number }[]; nextCursor?: string }>) {
  const seen: number[] = [];
  const sizes: number[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const page = await fetchPage(cursor);
    seen.push(...page.items.map((item) => item.n));
    sizes.push(page.items.length);
    cursor = page.nextCursor;
    if (!cursor) return { seen, sizes };
  }
  throw new Error('too many pages');
}

describe('filtered event pages', () => {
  it('fills every page across several Queries and ends without a cursor', async () => {
    // Act: 23 rare events among 230, 100 evaluated per Query
    const { seen, sizes } = await walk(async (cursor) => {
      const page = await listTenantEvents(TENANT, { resourceId: RESOURCE, type: 'widget.rare' }, { limit: 5, ...(cursor ? { cursor } : {}) });
      return { ...page, items: page.items.map((event) => event.data as { n: number }) };
    });
    // Assess
    expect(sizes).toEqual([5, 5, 5, 5, 3]);
    expect(seen).toEqual(Array.from({ length: 23 }, (_, i) => (22 - i) * 10));
  });

  it('ends a page early with a cursor when its read budget is spent, and the next page goes on from there', async () => {
    // Prepare: 20 items per Query, at most 2 Queries per page: 40 evaluated hold 4 rare events
    const request = (cursor?: string): ListRequest => ({
      query: {
        TableName: tableName('outbox'),
        IndexName: 'byResource',
        KeyConditionExpression: 'resourceKey = :key',
        FilterExpression: 'detailType = :type',
        ExpressionAttributeValues: { ':key': `T#${TENANT}#RES#${RESOURCE}`, ':type': 'widget.rare' },
      },
      keyAttributes: ['pk', 'sk', 'resourceKey', 'eventId'],
      page: { limit: 10, ...(cursor ? { cursor } : {}) },
      scope: 'budget-test',
    });
    // Act
    const { seen, sizes } = await walk(async (cursor) => {
      const page = await newestFirstPage(request(cursor), { reads: 2, size: 20 });
      return { ...page, items: page.items.map((item) => ({ n: (item.detail as { data: { n: number } }).data.n })) };
    });
    // Assess
    expect(sizes.slice(0, 5)).toEqual([4, 4, 4, 4, 4]);
    expect(seen).toEqual(Array.from({ length: 23 }, (_, i) => (22 - i) * 10));
  });

  it('pages an unfiltered index newest first', async () => {
    // Act
    const { seen, sizes } = await walk(async (cursor) => {
      const page = await listTenantEvents(TENANT, { type: 'widget.common' }, { limit: 100, ...(cursor ? { cursor } : {}) });
      return { ...page, items: page.items.map((event) => event.data as { n: number }) };
    });
    // Assess
    expect(sizes).toEqual([100, 100, 7]);
    expect(seen[0]).toBe(229);
    expect(new Set(seen).size).toBe(207);
  });
});
