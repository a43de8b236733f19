import { change } from '../events/outbox';
import { NotFound } from '../kit/errors';
import { httpHandler } from '../wiring/http';
import { tableName } from '../kit/tables';
import type { Write } from '../kit/transaction';
import { PLANS, QUOTA_NAMES, type QuotaName } from './plans';
import { setTenantQuotasOperation, tenantQuotasChanged } from './quota-operations';
import { overrideQuotaLimit, quotaItems } from './quotas';
import { findTenant, tenantKey } from './repository';

interface StoredQuota {
  name: QuotaName;
  limit: number;
  used: number;
  overridden: boolean;
}

async function storedQuotas(tenantId: string): Promise<Map<QuotaName, StoredQuota>> {
  return new Map(
    (await quotaItems(tenantId)).map((item) => [
      item.name as QuotaName,
      { name: item.name as QuotaName, limit: item.limit as number, used: item.used as number, overridden: item.overridden === true },
    ]),
  );
}

const notFound = (id: string) => new NotFound('TenantNotFound', `No tenant ${id}.`);

export const handler = httpHandler(setTenantQuotasOperation, async ({ params, body, now }) => {
  const tenant = await findTenant(params.id, true);
  if (!tenant) throw notFound(params.id);
  const quotas = await storedQuotas(tenant.id);

  const changed: Record<string, { limit: number; overridden: boolean }> = {};
  const writes: Write[] = [
    // The tenant must still exist when the limits are written.
    {
      item: {
        ConditionCheck: {
          TableName: tableName('resources'),
          Key: tenantKey(tenant.id),
          ConditionExpression: 'attribute_exists(pk)',
        },
      },
      onConditionFailed: notFound(tenant.id),
    },
  ];
  for (const name of QUOTA_NAMES) {
    const requested = body[name];
    if (requested === undefined) continue;
    const overridden = requested !== null;
    const limit = requested ?? PLANS[tenant.plan].quotas[name];
    changed[name] = { limit, overridden };
    writes.push(overrideQuotaLimit(tenant.id, name, limit, overridden, now));
  }

  const items = QUOTA_NAMES.filter((name) => quotas.has(name) || changed[name]).map((name) => {
    const stored = quotas.get(name);
    return { name, limit: changed[name]?.limit ?? stored!.limit, used: stored?.used ?? 0, overridden: changed[name]?.overridden ?? stored!.overridden };
  });
  return {
    body: { tenantId: tenant.id, items },
    writes,
    events: [change(tenantQuotasChanged, { tenantId: tenant.id, resourceId: tenant.id, data: { quotas: changed } })],
  };
});
