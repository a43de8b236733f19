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

/** Sets a quota's limit, creating the counter at zero use if it does not exist yet. */
export function setQuotaLimit(tenantId: string, name: QuotaName, limit: number, now: Date): Write {
  return {
    item: {
      Update: {
        TableName: tableName('resources'),
        Key: quotaKey(tenantId, name),
        UpdateExpression:
          'SET #name = :name, #limit = :limit, #used = if_not_exists(#used, :zero), #remaining = :limit - if_not_exists(#used, :zero), #updatedAt = :now',
        ExpressionAttributeNames: { '#name': 'name', '#limit': 'limit', '#used': 'used', '#remaining': 'remaining', '#updatedAt': 'updatedAt' },
        ExpressionAttributeValues: { ':name': name, ':limit': limit, ':zero': 0, ':now': now.toISOString() },
      },
    },
  };
}

/** Removes a tenant's counter (compensation of a provisioning that set it). */
export function deleteQuota(tenantId: string, name: QuotaName): Write {
  return { item: { Delete: { TableName: tableName('resources'), Key: quotaKey(tenantId, name) } } };
}

/** Takes `amount` of a quota, or fails the whole transaction with 429 QuotaExceeded. */
export function reserveQuota(tenantId: string, name: QuotaName, amount = 1): Write {
  return {
    item: {
      Update: {
        TableName: tableName('resources'),
        Key: quotaKey(tenantId, name),
        UpdateExpression: 'SET #used = #used + :amount, #remaining = #remaining - :amount',
        ConditionExpression: '#remaining >= :amount',
        ExpressionAttributeNames: { '#used': 'used', '#remaining': 'remaining' },
        ExpressionAttributeValues: { ':amount': amount },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
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
  return {
    item: {
      Update: {
        TableName: tableName('resources'),
        Key: quotaKey(tenantId, name),
        UpdateExpression: 'SET #used = #used - :amount, #remaining = #remaining + :amount',
        ConditionExpression: '#used >= :amount',
        ExpressionAttributeNames: { '#used': 'used', '#remaining': 'remaining' },
        ExpressionAttributeValues: { ':amount': amount },
      },
    },
  };
}

export async function listQuotas(tenantId: string): Promise<Quota[]> {
  const out = await documentClient().send(
    new QueryCommand({
      TableName: tableName('resources'),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': `T#${tenantId}`, ':prefix': 'QUOTA#' },
      ConsistentRead: true,
    }),
  );
  const found = new Map((out.Items ?? []).map((item) => [item.name as QuotaName, item]));
  return QUOTA_NAMES.filter((name) => found.has(name)).map((name) => {
    const item = found.get(name) as Record<string, number>;
    return { name, limit: item.limit as number, used: item.used as number };
  });
}
