import { change } from '../events/outbox';
import { BadRequest } from '../kit/errors';
import { httpHandler } from '../wiring/http';
import { createRouteTable } from './route-operations';
import { buildRouteTable } from './route-table';
import { createRouteTableWrites } from './route-table-repository';
import { routeTableCreated } from './security-events';
import { findVpc } from './vpc-repository';

export const handler = httpHandler(createRouteTable, async ({ caller, body, now }) => {
  const tenantId = caller.tenantId as string;
  const vpc = await findVpc(tenantId, body.vpcId);
  if (!vpc) throw new BadRequest('InvalidVpcID.NotFound', `The VPC ${body.vpcId} does not exist.`);
  const table = buildRouteTable({ tenantId, vpcId: vpc.id, vpcCidrBlock: vpc.cidrBlock, now, ...(body.tags ? { tags: body.tags } : {}) });
  return {
    body: table,
    etag: table.version,
    location: `/v1/route-tables/${table.id}`,
    writes: createRouteTableWrites(table, vpc, now),
    events: [change(routeTableCreated, { tenantId, resourceId: table.id, data: { vpcId: vpc.id, tags: table.tags } })],
  };
});
