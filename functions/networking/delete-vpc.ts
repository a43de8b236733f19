import { change } from '../events/outbox';
import { assertIfMatch } from '../kit/etag';
import { Conflict } from '../kit/errors';
import { httpHandler } from '../wiring/http';
import { vpcDeleted } from './events';
import { deleteVpc } from './operations';
import { vpcDependency } from './vpc';
import { deleteVpcWrites, getVpc } from './vpc-repository';

export const handler = httpHandler(deleteVpc, async ({ caller, params, ifMatch }) => {
  const vpc = await getVpc(caller.tenantId as string, params.id);
  assertIfMatch(ifMatch, vpc.version);
  const dependency = vpcDependency(vpc);
  if (dependency) throw new Conflict('DependencyViolation', `The VPC ${vpc.id} has dependencies and cannot be deleted: ${dependency}.`);
  return {
    writes: deleteVpcWrites(vpc, ifMatch ? { ifMatch } : {}),
    events: [change(vpcDeleted, { tenantId: vpc.tenantId, resourceId: vpc.id, data: { cidrBlock: vpc.cidrBlock, isDefault: vpc.isDefault } })],
  };
});
