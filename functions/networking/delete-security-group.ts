import { change } from '../events/outbox';
import { assertIfMatch } from '../kit/etag';
import { BadRequest, Conflict } from '../kit/errors';
import { httpHandler } from '../wiring/http';
import { securityGroupDeleted } from './security-events';
import { deleteSecurityGroupWrites, getSecurityGroup } from './security-group-repository';
import { deleteSecurityGroup } from './security-operations';
import { findVpc } from './vpc-repository';

export const handler = httpHandler(deleteSecurityGroup, async ({ caller, params, ifMatch, now }) => {
  const tenantId = caller.tenantId as string;
  const group = await getSecurityGroup(tenantId, params.id);
  assertIfMatch(ifMatch, group.version);
  if (group.isDefault) throw new BadRequest('CannotDelete', `Security group ${group.id} is the default group of ${group.vpcId}; it goes with the VPC.`);
  if (group.referencedBy > 0) throw new Conflict('DependencyViolation', `Security group ${group.id} is referenced by ${group.referencedBy} rule(s) of other groups.`);
  if (group.instanceCount > 0) throw new Conflict('DependencyViolation', `Security group ${group.id} is used by ${group.instanceCount} instance(s).`);
  const vpc = await findVpc(tenantId, group.vpcId);
  return {
    writes: deleteSecurityGroupWrites(group, vpc, now, ifMatch),
    events: [change(securityGroupDeleted, { tenantId, resourceId: group.id, data: { vpcId: group.vpcId, name: group.name } })],
  };
});
