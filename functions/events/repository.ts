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
import { tableName, type TableKey } from '../kit/tables';
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

/** A kind of tenant list (events, audit entries): where its items are, and how it filters. */
interface TenantListKind {
  table: TableKey;
  /** The sort-key prefix of its items in the tenant's partition. */
  prefix: string;
  /** The filter beside the resource: an index of its own, or a FilterExpression on the resource's. */
  other: {
    /** The item attribute it filters on, and the placeholder of its value. */
    attribute: string;
    placeholder: string;
    /** Its own index, keyed `T#<tenant>#<keyTag>#<value>` in `keyAttribute`. */
    index: string;
    keyAttribute: string;
    keyTag: string;
  };
  /** Attributes that complete the key of an index's items, after the index's own. */
  indexKeyAttributes?: string[];
}

/** One list request: the tenant, the filters' values, the page. */
interface TenantListQuery {
  tenantId: string;
  resourceId: string | undefined;
  other: string | undefined;
  page: PageQuery;
  scope: string;
}

/**
 * The Query of a tenant's list: by the resource's index (the other filter, if any, a
 * FilterExpression), else by the other filter's index, else the tenant's partition.
 */
function tenantListRequest(kind: TenantListKind, request: TenantListQuery): ListRequest {
  const { tenantId, resourceId, other: value, page, scope } = request;
  const { other } = kind;
  const table = tableName(kind.table);
  const indexKey = (attribute: string) => ['pk', 'sk', attribute, ...(kind.indexKeyAttributes ?? [])];
  if (resourceId) {
    return {
      query: {
        TableName: table,
        IndexName: 'byResource',
        KeyConditionExpression: 'resourceKey = :key',
        ExpressionAttributeValues: { ':key': resourceKey(tenantId, resourceId), ...(value ? { [other.placeholder]: value } : {}) },
        ...(value ? { FilterExpression: `${other.attribute} = ${other.placeholder}` } : {}),
      },
      keyAttributes: indexKey('resourceKey'),
      page,
      scope,
    };
  }
  if (value) {
    return {
      query: {
        TableName: table,
        IndexName: other.index,
        KeyConditionExpression: `${other.keyAttribute} = :key`,
        ExpressionAttributeValues: { ':key': `${tenantPk(tenantId)}#${other.keyTag}#${value}` },
      },
      keyAttributes: indexKey(other.keyAttribute),
      page,
      scope,
    };
  }
  return {
    query: {
      TableName: table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': tenantPk(tenantId), ':prefix': kind.prefix },
    },
    keyAttributes: ['pk', 'sk'],
    page,
    scope,
  };
}

/** One page of a tenant's list, newest first, each item as `view` shows it. */
async function tenantListPage<T>(kind: TenantListKind, request: TenantListQuery, view: (item: Item) => T): Promise<Page<T>> {
  const result = await newestFirstPage(tenantListRequest(kind, request));
  return { ...result, items: result.items.map(view) };
}

/** The outbox: a tenant's events by resource, by detail-type, or all. */
const EVENTS: TenantListKind = {
  table: 'outbox',
  prefix: 'EVT#',
  other: { attribute: 'detailType', placeholder: ':type', index: 'byType', keyAttribute: 'typeKey', keyTag: 'TYPE' },
  indexKeyAttributes: ['eventId'],
};

/** The audit trail: a tenant's entries by resource, by actor, or all. */
const AUDIT_ENTRIES: TenantListKind = {
  table: 'audit',
  prefix: 'AUD#',
  other: { attribute: 'actor', placeholder: ':actor', index: 'byActor', keyAttribute: 'actorKey', keyTag: 'ACT' },
};

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
  return tenantListPage(EVENTS, { tenantId, resourceId: filters.resourceId, other: filters.type, page, scope }, toEventView);
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
  return tenantListPage(AUDIT_ENTRIES, { tenantId, resourceId: filters.resourceId, other: filters.actor, page, scope }, toAuditEntryView);
}
