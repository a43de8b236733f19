import { change } from '../events/outbox';
import { assertIfMatch } from '../kit/etag';
import { BadRequest, Conflict } from '../kit/errors';
import { httpHandler } from '../wiring/http';
import { newId } from '../kit/ids';
import { associateRouteTable } from './route-operations';
import type { Association } from './route-table';
import { associateWrites, getRouteTable } from './route-table-repository';
import { routeTableAssociated } from './security-events';
import { findSubnet } from './subnet-repository';

export const handler = httpHandler(associateRouteTable, async ({ caller, params, body, ifMatch, now }) => {
  const tenantId = caller.tenantId as string;
  const table = await getRouteTable(tenantId, params.id);
  assertIfMatch(ifMatch, table.version);
  const subnet = await findSubnet(tenantId, body.subnetId);
  if (!subnet) throw new BadRequest('InvalidSubnetID.NotFound', `The subnet ${body.subnetId} does not exist.`);
  if (subnet.vpcId !== table.vpcId) {
    throw new BadRequest('InvalidParameterValue', `Subnet ${subnet.id} is in ${subnet.vpcId} and route table ${table.id} in ${table.vpcId}.`);
  }
  if (subnet.routeTableAssociationId) {
    throw new Conflict('Resource.AlreadyAssociated', `Subnet ${subnet.id} is already associated (${subnet.routeTableAssociationId}); disassociate it first.`);
  }
  const association: Association = { associationId: newId('rtbassoc'), routeTableId: table.id, subnetId: subnet.id };
  return {
    body: association,
    location: `/v1/route-tables/${table.id}`,
    writes: associateWrites(table, subnet, association, now),
    events: [change(routeTableAssociated, { tenantId, resourceId: table.id, data: { subnetId: subnet.id, associationId: association.associationId } })],
  };
});
