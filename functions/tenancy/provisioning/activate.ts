/** Activate: the tenant becomes active and `tenant.activated` is emitted; the operation succeeds. */
import { change } from '../../events/outbox';
import { sagaStep } from '../../sagas/step';
import { tenantActivated } from '../events';
import { provisionedTenant, settleTenant, tenantProvisioning } from './saga';

export const handler = sagaStep({ saga: tenantProvisioning, step: 'Activate' }, async ({ input, now }) => {
  const tenant = await provisionedTenant(input.tenantId);
  return {
    writes: [settleTenant(tenant, 'active', now)],
    events: [change(tenantActivated, { tenantId: tenant.id, resourceId: tenant.id, data: { name: tenant.name, plan: tenant.plan, operationId: input.operationId } })],
  };
});
