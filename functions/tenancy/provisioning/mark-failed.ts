/** MarkFailed: after the compensations, the tenant is failed and the operation compensated. */
import { change } from '../../events/outbox';
import { sagaFailed } from '../../sagas/step';
import { tenantProvisioningFailed } from '../events';
import { provisionedTenant, settleTenant, tenantProvisioning } from './saga';

export const handler = sagaFailed({ saga: tenantProvisioning }, async ({ input, operation, now }) => {
  const tenant = await provisionedTenant(input.tenantId);
  const error = operation.error ?? { code: input.error?.Error ?? 'Error', message: input.error?.Cause ?? 'Provisioning failed.' };
  return {
    writes: [settleTenant(tenant, 'failed', now)],
    events: [change(tenantProvisioningFailed, { tenantId: tenant.id, resourceId: tenant.id, data: { operationId: input.operationId, error } })],
  };
});
