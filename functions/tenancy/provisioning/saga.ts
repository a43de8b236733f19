/**
 * The TenantProvisioning saga: ApplyQuotas → GrantCredits → CreateDefaultVpc → Activate, each
 * compensated in reverse order when a later one fails, then MarkFailed. It starts from the
 * `tenant.created` event (statemachines/tenant-provisioning.asl.json); each Task's handler is a
 * module of this folder.
 */
import { updateVersioned } from '../../kit/repository';
import { tableName } from '../../kit/tables';
import type { Write } from '../../kit/transaction';
import { defineSaga } from '../../sagas/define';
import { StepError } from '../../sagas/errors';
import { findTenant, tenantKey } from '../repository';
import type { Tenant, TenantStatus } from '../tenant';

export const tenantProvisioning = defineSaga({
  name: 'TenantProvisioning',
  resourceType: 'tenant',
  steps: ['ApplyQuotas', 'GrantCredits', 'CreateDefaultVpc', 'Activate'],
});

export const STARTING_CREDITS_REASON = 'starting credits';

/** The tenant the saga provisions, read consistently; a missing one is a non-retryable failure. */
export async function provisionedTenant(tenantId: string): Promise<Tenant> {
  const tenant = await findTenant(tenantId, true);
  if (!tenant) throw new StepError('TenantNotFound', `Tenant ${tenantId} does not exist.`);
  return tenant;
}

/** Moves the tenant from `provisioning` to `to`, on its version (a lost race computes again). */
export function settleTenant(tenant: Tenant, to: TenantStatus, now: Date): Write {
  if (tenant.status !== 'provisioning') {
    throw new StepError('IncorrectTenantState', `Tenant ${tenant.id} is ${tenant.status}, not provisioning.`);
  }
  return updateVersioned(tableName('resources'), tenantKey(tenant.id), tenant.version, { set: { status: to }, now });
}
