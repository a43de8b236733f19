import { change } from '../events/outbox';
import { assertIfMatch } from '../kit/etag';
import { httpHandler } from '../wiring/http';
import { subnetDeleted } from './events';
import { deleteSubnet } from './operations';
import { deleteSubnetWrites, findAssociation, getSubnet, subnetInUse } from './subnet-repository';
import { getVpc } from './vpc-repository';

export const handler = httpHandler(deleteSubnet, async ({ caller, params, ifMatch, now }) => {
  const tenantId = caller.tenantId as string;
  const subnet = await getSubnet(tenantId, params.id);
  assertIfMatch(ifMatch, subnet.version);
  if (subnet.addressesInUse > 0) throw subnetInUse(subnet.id, subnet.addressesInUse);
  const vpc = await getVpc(tenantId, subnet.vpcId);
  const association = await findAssociation(tenantId, subnet.id);
  return {
    writes: deleteSubnetWrites(vpc, subnet, { now, ...(association ? { association } : {}), ...(ifMatch ? { ifMatch } : {}) }),
    events: [change(subnetDeleted, { tenantId, resourceId: subnet.id, data: { vpcId: vpc.id, cidrBlock: subnet.cidrBlock } })],
  };
});
