/** Everything stored under one tenant's partition, for "nothing changed" assertions. */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../functions/kit/db';
import { tableName, type TableKey } from '../../functions/kit/tables';

const SNAPSHOT_TABLES: TableKey[] = ['resources', 'outbox', 'audit'];

async function queryAll(table: TableKey, pk: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(
      new QueryCommand({
        TableName: tableName(table),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    items.push(...((page.Items ?? []) as Record<string, unknown>[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** The tenant's items in the Resources, Outbox and Audit tables, as one comparable value. */
export async function tenantSnapshot(tenantId: string): Promise<Record<string, Record<string, unknown>[]>> {
  const pk = `T#${tenantId}`;
  const parts = await Promise.all(SNAPSHOT_TABLES.map(async (table) => [table, await queryAll(table, pk)] as const));
  return Object.fromEntries(parts);
}

/** The audit actions recorded for one resource of the tenant, oldest first (read from the table, consistently). */
export async function auditActions(tenantId: string, resourceId: string): Promise<string[]> {
  const entries = await queryAll('audit', `T#${tenantId}`);
  return entries.filter((entry) => entry.resourceId === resourceId && String(entry.sk).startsWith('AUD#')).map((entry) => entry.action as string);
}

/** Commands that change nothing: every other command counts as a write. */
const READ_COMMANDS = new Set(['GetItemCommand', 'BatchGetItemCommand', 'QueryCommand', 'ScanCommand', 'TransactGetItemsCommand', 'DescribeTableCommand', 'ListTablesCommand']);

export interface WriteWatch {
  /** DynamoDB commands other than reads that this process sent and DynamoDB accepted, since the watch began. */
  readonly accepted: number;
}

/**
 * Counts the writes DynamoDB accepts from this process's DocumentClient (the one every handler of an
 * in-process platform sends through). A write refused (a failed condition, a cancelled transaction)
 * changed nothing and is not counted. While the count stands still, nothing this process sent changed
 * a table: a caller may skip a snapshot then. Start it after the platform, which builds a fresh client.
 */
export function watchWrites(): WriteWatch {
  let accepted = 0;
  documentClient().middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (!READ_COMMANDS.has(context.commandName ?? '')) accepted += 1;
      return result;
    },
    { step: 'initialize', name: 'testWriteWatch' },
  );
  return {
    get accepted() {
      return accepted;
    },
  };
}
