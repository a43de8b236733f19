/** UndoCreateDefaultVpc: deletes the default VPC CreateDefaultVpc made, every part its record names. */
import { change } from '../../events/outbox';
import { deleteDefaultVpcWrites, findDefaultVpcRecord } from '../../networking/default-vpc';
import { internetGatewayDeleted, subnetDeleted, vpcDeleted } from '../../networking/events';
import { findVpc } from '../../networking/vpc-repository';
import { compensationStep } from '../../sagas/step';
import { tenantProvisioning } from './saga';

export const handler = compensationStep({ saga: tenantProvisioning, step: 'CreateDefaultVpc' }, async ({ input }) => {
  const record = await findDefaultVpcRecord(input.tenantId);
  if (!record) return {};
  const vpc = await findVpc(input.tenantId, record.vpcId);
  const tenantId = input.tenantId;
  return {
    writes: await deleteDefaultVpcWrites(record),
    events: vpc
      ? [
          ...record.subnetIds.map((id) =>
            change(subnetDeleted, { tenantId, resourceId: id, data: { vpcId: vpc.id, cidrBlock: vpc.subnetSlots[id]?.cidrBlock ?? '' } }),
          ),
          change(internetGatewayDeleted, { tenantId, resourceId: record.internetGatewayId, data: {} }),
          change(vpcDeleted, { tenantId, resourceId: vpc.id, data: { cidrBlock: vpc.cidrBlock, isDefault: true } }),
        ]
      : [],
  };
});
