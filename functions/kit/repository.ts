/**
 * Building blocks for the domain repositories: versioned writes that take part in the request's
 * transaction, reads, and Query-only pages with signed cursors. Domain repositories own their
 * keys and expressions and build them with these; nothing here knows a resource type.
 */
import { GetCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { decodeCursor, encodeCursor } from './cursor';
import { documentClient } from './db';
import { PreconditionFailed } from './errors';
import type { IfMatch } from './etag';
import type { Write } from './transaction';

export type Key = Record<string, string | number>;
export type Item = Record<string, unknown>;

/**
 * The query of every list operation. A function, not a constant: only a list operation's handler
 * builds it (when its declaration is first read), not every bundle that imports this module.
 */
export const pageQuery = () =>
  z.strictObject({
    limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 20).check(z.describe('Items per page, 1 to 100.')),
    cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(4096))).check(z.describe('The nextCursor of the previous page.')),
  });
export type PageQuery = z.output<ReturnType<typeof pageQuery>>;

export function pageOf<T extends z.core.$ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    nextCursor: z.optional(z.string()).check(z.describe('Absent on the last page.')),
  });
}

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export async function getItem(table: string, key: Key, consistent = false): Promise<Item | undefined> {
  const out = await documentClient().send(new GetCommand({ TableName: table, Key: key, ConsistentRead: consistent }));
  return out.Item;
}

/** A put that creates the item and fails if it exists; `onExists` says what that means to the client. */
export function createItem(table: string, item: Item & { version?: number }, keyName: string, onExists: Write['onConditionFailed']): Write {
  return {
    item: {
      Put: {
        TableName: table,
        Item: { version: 1, ...item },
        ConditionExpression: 'attribute_not_exists(#key)',
        ExpressionAttributeNames: { '#key': keyName },
      },
    },
    onConditionFailed: onExists,
  };
}

function versionLost(ifMatch: IfMatch | undefined): Write['onConditionFailed'] {
  // Without If-Match the caller did not pin a version: run the request again on the new one.
  return ifMatch ? new PreconditionFailed() : 'retry';
}

/** `SET <assignments>, <set's fields> [REMOVE <remove's fields>]`, adding the fields' names and values. */
export function updateClauses(change: { set?: Item; remove?: string[] }, assignments: string[], names: Record<string, string>, values: Record<string, unknown>): string {
  const sets = [...assignments];
  Object.entries(change.set ?? {}).forEach(([field, value], index) => {
    names[`#s${index}`] = field;
    values[`:s${index}`] = value;
    sets.push(`#s${index} = :s${index}`);
  });
  const removals = (change.remove ?? []).map((field, index) => {
    names[`#r${index}`] = field;
    return `#r${index}`;
  });
  return `SET ${sets.join(', ')}${removals.length ? ` REMOVE ${removals.join(', ')}` : ''}`;
}

/**
 * An update of the fields in `set` (and removal of those in `remove`), on condition that the item
 * is still at `version`; it moves to version + 1 and takes `updatedAt`.
 */
export function updateVersioned(
  table: string,
  key: Key,
  version: number,
  change: { set?: Item; remove?: string[]; now: Date; ifMatch?: IfMatch },
): Write {
  const names: Record<string, string> = { '#version': 'version', '#updatedAt': 'updatedAt' };
  const values: Record<string, unknown> = {
    ':expected': version,
    ':next': version + 1,
    ':updatedAt': change.now.toISOString(),
  };
  return {
    item: {
      Update: {
        TableName: table,
        Key: key,
        UpdateExpression: updateClauses(change, ['#version = :next', '#updatedAt = :updatedAt'], names, values),
        ConditionExpression: '#version = :expected',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    },
    onConditionFailed: versionLost(change.ifMatch),
  };
}

export function deleteVersioned(table: string, key: Key, version: number, ifMatch?: IfMatch): Write {
  return {
    item: {
      Delete: {
        TableName: table,
        Key: key,
        ConditionExpression: '#version = :expected',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':expected': version },
      },
    },
    onConditionFailed: versionLost(ifMatch),
  };
}

export interface PageRequest {
  query: Omit<QueryCommandInput, 'Limit' | 'ExclusiveStartKey'>;
  /** The attributes that make up a position in this query: the table's key and the index's. */
  keyAttributes: string[];
  page: PageQuery;
  /** Binds cursors to this list (tenant, operation, filters): a cursor from another list is refused. */
  scope: string;
}

/**
 * One page of a Query. It asks for one item more than the page holds, so `nextCursor` is present
 * exactly when there is a next page, and the cursor is the signed key of the page's last item.
 */
export async function queryPage(request: PageRequest): Promise<Page<Item>> {
  const { query, keyAttributes, page, scope } = request;
  const start = page.cursor ? await decodeCursor(page.cursor, scope) : undefined;
  const out = await documentClient().send(
    new QueryCommand({ ...query, Limit: page.limit + 1, ...(start ? { ExclusiveStartKey: start } : {}) }),
  );
  const found = out.Items ?? [];
  const items = found.slice(0, page.limit);
  const last = items[items.length - 1];
  // A page cut short by DynamoDB's 1 MB limit still has a next page.
  if (!last || (found.length <= page.limit && !out.LastEvaluatedKey)) return { items };
  const position = Object.fromEntries(keyAttributes.map((name) => [name, last[name]]));
  return { items, nextCursor: await encodeCursor(position, scope) };
}
