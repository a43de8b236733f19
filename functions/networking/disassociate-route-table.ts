import { change } from '../events/outbox';
import { assertIfMatch } from '../kit/etag';
import { NotFound } from '../kit/errors';
import { httpHandler } from '../wiring/http';
import { disassociateRouteTable } from './route-operations';
import { disassociateWrites, findAssociationOf, getRouteTable } from './route-table-repository';
import { routeTableDisassociated } from './security-events';
import { findSubnet } from './subnet-repository';

export const handler = httpHandler(disassociateRouteTable, async ({ caller, params, query, ifMatch, now }) => {
  const tenantId = caller.tenantId as string;
  const table = await getRouteTable(tenantId, params.id);
  assertIfMatch(ifMatch, table.version);
  const association = await findAssociationOf(tenantId, query.subnetId);
  if (!association || association.routeTableId !== table.id) {
    throw new NotFound('InvalidAssociationID.NotFound', `Subnet ${query.subnetId} is not associated with route table ${table.id}.`);
  }
  const subnet = await findSubnet(tenantId, query.subnetId);
  return {
    writes: disassociateWrites(table, subnet, association, now),
    events: [change(routeTableDisassociated, { tenantId, resourceId: table.id, data: { subnetId: association.subnetId, associationId: association.associationId } })],
  };
});
