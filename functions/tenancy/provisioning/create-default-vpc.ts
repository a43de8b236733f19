/**
 * CreateDefaultVpc: creates the tenant's default VPC (172.31.0.0/16, a default subnet per zone, an
 * attached internet gateway and a default route to it) in one transaction with its `DEFAULTVPC`
 * record. A run that finds the record has nothing left to do.
 */
import { settings } from '../../kit/config';
import { buildDefaultVpc, createDefaultVpcWrites, defaultVpcEvents, findDefaultVpcRecord } from '../../networking/default-vpc';
import { sagaStep } from '../../sagas/step';
import { tenantProvisioning } from './saga';

export const handler = sagaStep({ saga: tenantProvisioning, step: 'CreateDefaultVpc' }, async ({ input, now }) => {
  const existing = await findDefaultVpcRecord(input.tenantId);
  if (existing) return { output: { vpcId: existing.vpcId } };
  const built = buildDefaultVpc(input.tenantId, settings.region(), now);
  return {
    writes: createDefaultVpcWrites(built, input.operationId),
    events: defaultVpcEvents(built),
    output: { vpcId: built.vpc.id },
  };
});
