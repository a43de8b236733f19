/**
 * Quota counters: one item per tenant and quota, holding `limit`, `used` and `remaining`. A
 * resource reserves in the same transaction that creates it, on condition that `remaining` covers
 * it, so concurrent creates can never pass the limit, and the counter never needs a recount.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../kit/db';
import { TooManyRequests } from '../kit/errors';
import { tableName } from '../kit/tables';
import type { Write } from '../kit/transaction';
import { QUOTA_NAMES, type QuotaName } from './plans';

export interface Quota {
  name: QuotaName;
  limit: number;
  used: number;
}

const quotaKey = (tenantId: string, name: QuotaName) => ({ pk: `T#${tenantId}`, sk: `QUOTA#${name}` });

/**
 * Sets a quota's limit, creating the counter at zero use if it does not exist yet. With
 * `overridden`, also marks whether an operator set it (or set it back to the plan's).
 */
function limitWrite(tenantId: string, name: QuotaName, limit: number, now: Date, overridden?: boolean): Write {
  const marked = overridden !== undefined;
  const assignments = [
    '#name = :name',
    '#limit = :limit',
    '#used = if_not_exists(#used, :zero)',
    '#remaining = :limit - if_not_exists(#used, :zero)',
    ...(marked ? ['#overridden = :overridden'] : []),
    '#updatedAt = :now',
  ];
  return {
    item: {
      Update: {
        TableName: tableName('resources'),
        Key: quotaKey(tenantId, name),
        UpdateExpression: `SET ${assignments.join(', ')}`,
        ExpressionAttributeNames: {
          '#name': 'name',
          '#limit': 'limit',
          '#used': 'used',
          '#remaining': 'remaining',
          ...(marked ? { '#overridden': 'overridden' } : {}),
          '#updatedAt': 'updatedAt',
        },
        ExpressionAttributeValues: { ':name': name, ':limit': limit, ':zero': 0, ...(marked ? { ':overridden': overridden } : {}), ':now': now.toISOString() },
      },
    },
  };
}

/** Sets a quota's limit, creating the counter at zero use if it does not exist yet. */
export function setQuotaLimit(tenantId: string, name: QuotaName, limit: number, now: Date): Write {
  return limitWrite(tenantId, name, limit, now);
}

/**
 * Sets a quota's limit as an operator's override (or, with `overridden: false`, back to the plan's),
 * creating the counter at zero use if the tenant has none yet. `remaining` may go negative.
 */
export function overrideQuotaLimit(tenantId: string, name: QuotaName, limitValue: number, overridden: boolean, now: Date): Write {
  return limitWrite(tenantId, name, limitValue, now, overridden);
}

/** Removes a tenant's counter (compensation of a provisioning that set it). */
export function deleteQuota(tenantId: string, name: QuotaName): Write {
  return { item: { Delete: { TableName: tableName('resources'), Key: quotaKey(tenantId, name) } } };
}

/**
 * Moves `amount` of a quota between its counters: from `remaining` to `used` takes it, from `used`
 * to `remaining` gives it back; the counter it leaves must cover it.
 */
function moveAmount(tenantId: string, name: QuotaName, amount: number, from: 'remaining' | 'used') {
  const [usedSign, remainingSign] = from === 'remaining' ? ['+', '-'] : ['-', '+'];
  return {
    TableName: tableName('resources'),
    Key: quotaKey(tenantId, name),
    UpdateExpression: `SET #used = #used ${usedSign} :amount, #remaining = #remaining ${remainingSign} :amount`,
    ConditionExpression: `#${from} >= :amount`,
    ExpressionAttributeNames: { '#used': 'used', '#remaining': 'remaining' },
    ExpressionAttributeValues: { ':amount': amount },
  };
}

/** Takes `amount` of a quota, or fails the whole transaction with 429 QuotaExceeded. */
export function reserveQuota(tenantId: string, name: QuotaName, amount = 1): Write {
  return {
    item: { Update: { ...moveAmount(tenantId, name, amount, 'remaining'), ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } },
    onConditionFailed: (current) =>
      new TooManyRequests(
        'QuotaExceeded',
        current
          ? `Quota ${name} is ${String(current.limit)} and ${String(current.used)} are in use; this needs ${amount} more.`
          : `The tenant has no ${name} quota.`,
      ),
  };
}

/** Gives back `amount` of a quota when the resource that held it goes. */
export function releaseQuota(tenantId: string, name: QuotaName, amount = 1): Write {
  return { item: { Update: moveAmount(tenantId, name, amount, 'used') } };
}

/** The tenant's quota items, as stored (strongly consistent). */
export async function quotaItems(tenantId: string): Promise<Record<string, unknown>[]> {
  const out = await documentClient().send(
    new QueryCommand({
      TableName: tableName('resources'),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': `T#${tenantId}`, ':prefix': 'QUOTA#' },
      ConsistentRead: true,
    }),
  );
  return out.Items ?? [];
}

export async function listQuotas(tenantId: string): Promise<Quota[]> {
  const found = new Map((await quotaItems(tenantId)).map((item) => [item.name as QuotaName, item]));
  return QUOTA_NAMES.filter((name) => found.has(name)).map((name) => {
    const item = found.get(name) as Record<string, number>;
    return { name, limit: item.limit as number, used: item.used as number };
  });
}
