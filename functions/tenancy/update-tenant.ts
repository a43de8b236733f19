import { assertIfMatch } from '../kit/etag';
import { httpHandler } from '../wiring/http';
import { updateVersioned } from '../kit/repository';
import { tableName } from '../kit/tables';
import type { Write } from '../kit/transaction';
import { updateTenant } from './admin-operations';
import { tenantNotFound } from './get-tenant';
import type { QuotaName } from './plans';
import { quotaItems, setQuotaLimit } from './quotas';
import { findTenant, tenantKey } from './repository';
import { tenantChanges, type StoredQuota } from './tenant-changes';
import type { Tenant } from './tenant';

async function storedQuotas(tenantId: string): Promise<StoredQuota[]> {
  return (await quotaItems(tenantId)).map((item) => ({ name: item.name as QuotaName, limit: item.limit as number, overridden: item.overridden === true }));
}

/** The plan's limit, unless an operator overrides the quota meanwhile (then the request runs again and keeps it). */
function planLimit(tenantId: string, name: QuotaName, limit: number, now: Date): Write {
  const write = setQuotaLimit(tenantId, name, limit, now);
  const update = write.item.Update!;
  return {
    item: {
      Update: {
        ...update,
        ConditionExpression: 'attribute_not_exists(#overridden) OR #overridden = :false',
        ExpressionAttributeNames: { ...update.ExpressionAttributeNames, '#overridden': 'overridden' },
        ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ':false': false },
      },
    },
    onConditionFailed: 'retry',
  };
}

export const handler = httpHandler(updateTenant, async ({ params, body, ifMatch, now }) => {
  const tenant = await findTenant(params.id, true);
  if (!tenant) throw tenantNotFound(params.id);
  assertIfMatch(ifMatch, tenant.version);
  const changes = tenantChanges(tenant, body, body.plan && body.plan !== tenant.plan ? await storedQuotas(tenant.id) : []);
  if (Object.keys(changes.set).length === 0) return { body: tenant, etag: tenant.version };
  const updated: Tenant = { ...tenant, ...changes.set, version: tenant.version + 1, updatedAt: now.toISOString() };
  return {
    body: updated,
    etag: updated.version,
    writes: [
      updateVersioned(tableName('resources'), tenantKey(tenant.id), tenant.version, { set: changes.set, now, ...(ifMatch ? { ifMatch } : {}) }),
      ...changes.quotaLimits.map(({ name, limit }) => planLimit(tenant.id, name, limit, now)),
    ],
    events: changes.events,
  };
});
