import { change } from '../events/outbox';
import { BadRequest } from '../kit/errors';
import { httpHandler } from '../wiring/http';
import { securityGroupCreated } from './security-events';
import { buildSecurityGroup } from './security-group';
import { createSecurityGroupWrites } from './security-group-repository';
import { createSecurityGroup } from './security-operations';
import { assertPerVpcQuota, perVpcLimit } from './subnet-repository';
import { findVpc } from './vpc-repository';

export const handler = httpHandler(createSecurityGroup, async ({ caller, body, now }) => {
  const tenantId = caller.tenantId as string;
  const group = buildSecurityGroup({ tenantId, vpcId: body.vpcId, name: body.name, now, ...(body.description !== undefined ? { description: body.description } : {}), ...(body.tags ? { tags: body.tags } : {}) });
  const vpc = await findVpc(tenantId, body.vpcId);
  if (!vpc) throw new BadRequest('InvalidVpcID.NotFound', `The VPC ${body.vpcId} does not exist.`);
  // The VPC's version condition in the writes makes this check hold at commit time.
  assertPerVpcQuota('securityGroupsPerVpc', vpc.id, vpc.counts.securityGroups, await perVpcLimit(tenantId, 'securityGroupsPerVpc'));
  return {
    body: group,
    etag: group.version,
    location: `/v1/security-groups/${group.id}`,
    writes: createSecurityGroupWrites(group, vpc, now),
    events: [
      change(securityGroupCreated, { tenantId, resourceId: group.id, data: { vpcId: vpc.id, name: group.name, description: group.description, tags: group.tags } }),
    ],
  };
});
