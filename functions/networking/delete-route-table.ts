import { change } from '../events/outbox';
import { assertIfMatch } from '../kit/etag';
import { Conflict } from '../kit/errors';
import { httpHandler } from '../wiring/http';
// Instances (compute) as route targets: networking's registry is filled by the wiring.
import '../wiring/route-targets';
import { deleteRouteTable } from './route-operations';
import { deleteRouteTableWrites, getRouteTable } from './route-table-repository';
import { routeTableDeleted } from './security-events';
import { findVpc } from './vpc-repository';

export const handler = httpHandler(deleteRouteTable, async ({ caller, params, ifMatch, now }) => {
  const tenantId = caller.tenantId as string;
  const table = await getRouteTable(tenantId, params.id);
  assertIfMatch(ifMatch, table.version);
  if (table.isMain) throw new Conflict('DependencyViolation', `Route table ${table.id} is the main table of ${table.vpcId}; it goes with the VPC.`);
  if (table.associationCount > 0) {
    throw new Conflict('DependencyViolation', `Route table ${table.id} has ${table.associationCount} subnet association(s); disassociate them first.`);
  }
  const vpc = await findVpc(tenantId, table.vpcId);
  return {
    writes: deleteRouteTableWrites(table, vpc, now, ifMatch),
    events: [change(routeTableDeleted, { tenantId, resourceId: table.id, data: { vpcId: table.vpcId } })],
  };
});
