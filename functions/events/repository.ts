/**
 * Reads of the outbox (the tenant's events) and of the audit trail: every list is a Query on the
 * tenant's partition or on an index, newest first (sort keys end in a ULID).
 *
 * With two filters, the Query goes to the narrower index (the resource's) and the other filter is a
 * FilterExpression. DynamoDB applies `Limit` before filtering, so such a page is read in as many
 * Queries as it takes to fill it, and its cursor is the key of the last item returned, never
 * DynamoDB's LastEvaluatedKey: no item is skipped and none is shown twice. A page that has read
 * its budget without filling up ends early, with a cursor where the reading stopped.
 */
import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { decodeCursor, encodeCursor } from '../kit/cursor';
import { documentClient } from '../kit/db';
import { queryPage, type Item, type Page, type PageQuery } from '../kit/repository';
import { tableName } from '../kit/tables';
import type { EventDetail } from './define';

/** How much a filtered page may read: Queries before it ends early, and items each evaluates. */
export interface ReadBudget {
  reads: number;
  size: number;
}
export const FILTERED_READ_BUDGET: ReadBudget = { reads: 10, size: 100 };

export interface ListRequest {
  query: Omit<QueryCommandInput, 'Limit' | 'ExclusiveStartKey' | 'ScanIndexForward'>;
  keyAttributes: string[];
  page: PageQuery;
  scope: string;
}

const keyOf = (item: Item, attributes: string[]) => Object.fromEntries(attributes.map((name) => [name, item[name]]));

async function filteredPage(request: ListRequest, budget: ReadBudget): Promise<Page<Item>> {
  const { query, keyAttributes, page, scope } = request;
  let start = page.cursor ? await decodeCursor(page.cursor, scope) : undefined;
  const matched: Item[] = [];
  for (let reads = 0; reads < budget.reads; reads++) {
    const out = await documentClient().send(
      new QueryCommand({ ...query, ScanIndexForward: false, Limit: budget.size, ...(start ? { ExclusiveStartKey: start } : {}) }),
    );
    matched.push(...(out.Items ?? []));
    if (matched.length > page.limit) {
      const items = matched.slice(0, page.limit);
      return { items, nextCursor: await encodeCursor(keyOf(items.at(-1)!, keyAttributes), scope) };
    }
    if (!out.LastEvaluatedKey) return { items: matched };
    start = out.LastEvaluatedKey;
  }
  return { items: matched, nextCursor: await encodeCursor(start!, scope) };
}

/** One page, newest first; `query.FilterExpression` makes it a filtered page. */
export function newestFirstPage(request: ListRequest, budget = FILTERED_READ_BUDGET): Promise<Page<Item>> {
  if (request.query.FilterExpression) return filteredPage(request, budget);
  return queryPage({ ...request, query: { ...request.query, ScanIndexForward: false } });
}

const tenantPk = (tenantId: string) => `T#${tenantId}`;
const resourceKey = (tenantId: string, resourceId: string) => `${tenantPk(tenantId)}#RES#${resourceId}`;

export interface EventView {
  id: string;
  source: string;
  type: string;
  resourceType: string;
  resourceId: string;
  occurredAt: string;
  actor: string;
  data: unknown;
}

export function toEventView(item: Item): EventView {
  const detail = item.detail as EventDetail;
  return {
    id: detail.eventId,
    source: item.source as string,
    type: item.detailType as string,
    resourceType: detail.resourceType,
    resourceId: detail.resourceId,
    occurredAt: detail.occurredAt,
    actor: detail.actor,
    data: detail.data,
  };
}

export async function listTenantEvents(
  tenantId: string,
  filters: { type?: string | undefined; resourceId?: string | undefined },
  page: PageQuery,
): Promise<Page<EventView>> {
  const scope = `listEvents#${tenantId}#${filters.type ?? ''}#${filters.resourceId ?? ''}`;
  const table = tableName('outbox');
  let request: ListRequest;
  if (filters.resourceId) {
    request = {
      query: {
        TableName: table,
        IndexName: 'byResource',
        KeyConditionExpression: 'resourceKey = :key',
        ExpressionAttributeValues: { ':key': resourceKey(tenantId, filters.resourceId), ...(filters.type ? { ':type': filters.type } : {}) },
        ...(filters.type ? { FilterExpression: 'detailType = :type' } : {}),
      },
      keyAttributes: ['pk', 'sk', 'resourceKey', 'eventId'],
      page,
      scope,
    };
  } else if (filters.type) {
    request = {
      query: {
        TableName: table,
        IndexName: 'byType',
        KeyConditionExpression: 'typeKey = :key',
        ExpressionAttributeValues: { ':key': `${tenantPk(tenantId)}#TYPE#${filters.type}` },
      },
      keyAttributes: ['pk', 'sk', 'typeKey', 'eventId'],
      page,
      scope,
    };
  } else {
    request = {
      query: {
        TableName: table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': tenantPk(tenantId), ':prefix': 'EVT#' },
      },
      keyAttributes: ['pk', 'sk'],
      page,
      scope,
    };
  }
  const result = await newestFirstPage(request);
  return { ...result, items: result.items.map(toEventView) };
}

export interface AuditEntryView {
  id: string;
  at: string;
  actor: string;
  action: string;
  resourceType: string;
  resourceId: string;
  requestId: string;
  eventId?: string;
  changes: unknown;
}

export function toAuditEntryView(item: Item): AuditEntryView {
  return {
    id: item.id as string,
    at: item.at as string,
    actor: item.actor as string,
    action: item.action as string,
    resourceType: item.resourceType as string,
    resourceId: item.resourceId as string,
    requestId: item.requestId as string,
    ...(typeof item.eventId === 'string' ? { eventId: item.eventId } : {}),
    changes: item.changes ?? null,
  };
}

export async function listAuditEntries(
  tenantId: string,
  filters: { resourceId?: string | undefined; actor?: string | undefined },
  page: PageQuery,
): Promise<Page<AuditEntryView>> {
  const scope = `listAuditLog#${tenantId}#${filters.resourceId ?? ''}#${filters.actor ?? ''}`;
  const table = tableName('audit');
  let request: ListRequest;
  if (filters.resourceId) {
    request = {
      query: {
        TableName: table,
        IndexName: 'byResource',
        KeyConditionExpression: 'resourceKey = :key',
        ExpressionAttributeValues: { ':key': resourceKey(tenantId, filters.resourceId), ...(filters.actor ? { ':actor': filters.actor } : {}) },
        ...(filters.actor ? { FilterExpression: 'actor = :actor' } : {}),
      },
      keyAttributes: ['pk', 'sk', 'resourceKey'],
      page,
      scope,
    };
  } else if (filters.actor) {
    request = {
      query: {
        TableName: table,
        IndexName: 'byActor',
        KeyConditionExpression: 'actorKey = :key',
        ExpressionAttributeValues: { ':key': `${tenantPk(tenantId)}#ACT#${filters.actor}` },
      },
      keyAttributes: ['pk', 'sk', 'actorKey'],
      page,
      scope,
    };
  } else {
    request = {
      query: {
        TableName: table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': tenantPk(tenantId), ':prefix': 'AUD#' },
      },
      keyAttributes: ['pk', 'sk'],
      page,
      scope,
    };
  }
  const result = await newestFirstPage(request);
  return { ...result, items: result.items.map(toAuditEntryView) };
}
