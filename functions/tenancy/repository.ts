/** Keys and expressions of tenant items, and the guard every tenant write carries. */
import { Forbidden } from '../kit/errors';
import { getItem, type Item } from '../kit/repository';
import { tableName } from '../kit/tables';
import type { Write } from '../kit/transaction';
import type { Tenant } from './tenant';

export const tenantKey = (tenantId: string) => ({ pk: `T#${tenantId}`, sk: 'TENANT' });
export const TENANT_LIST_KEY = 'TENANTS';

export function tenantItem(tenant: Tenant): Item {
  return { ...tenantKey(tenant.id), gsi1pk: TENANT_LIST_KEY, gsi1sk: `${tenant.createdAt}#${tenant.id}`, ...tenant };
}

export function toTenant(item: Item): Tenant {
  const { pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _s, ...tenant } = item;
  return tenant as unknown as Tenant;
}

export async function findTenant(tenantId: string, consistent = false): Promise<Tenant | undefined> {
  const item = await getItem(tableName('resources'), tenantKey(tenantId), consistent);
  return item ? toTenant(item) : undefined;
}

/**
 * Joins every write of a tenant caller's request: the transaction commits only while the tenant
 * is active, so a suspension takes effect between any two requests without an extra read.
 */
export function activeTenantGuard(tenantId: string): Write {
  return {
    item: {
      ConditionCheck: {
        TableName: tableName('resources'),
        Key: tenantKey(tenantId),
        ConditionExpression: '#status = :active',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':active': 'active' },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
    onConditionFailed: (current) => {
      if (current?.status === 'suspended') {
        return new Forbidden('The tenant is suspended: it may read but not change anything.', 'TenantSuspended');
      }
      return new Forbidden(`The tenant is ${String(current?.status ?? 'unknown')}, not active.`, 'TenantNotActive');
    },
  };
}
