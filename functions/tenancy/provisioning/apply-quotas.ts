/** ApplyQuotas: a counter per quota with the plan's limit (an operator's override is kept). */
import { getItem } from '../../kit/repository';
import { tableName } from '../../kit/tables';
import { sagaStep } from '../../sagas/step';
import { PLANS, QUOTA_NAMES } from '../plans';
import { setQuotaLimit } from '../quotas';
import { provisionedTenant, tenantProvisioning } from './saga';

export const handler = sagaStep({ saga: tenantProvisioning, step: 'ApplyQuotas' }, async ({ input, now }) => {
  const tenant = await provisionedTenant(input.tenantId);
  const limits = PLANS[tenant.plan].quotas;
  const writes = [];
  for (const name of QUOTA_NAMES) {
    const current = await getItem(tableName('resources'), { pk: `T#${tenant.id}`, sk: `QUOTA#${name}` }, true);
    if (current?.overridden === true) continue;
    writes.push(setQuotaLimit(tenant.id, name, limits[name], now));
  }
  return { writes, output: { plan: tenant.plan } };
});
