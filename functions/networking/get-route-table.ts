import { httpHandler } from '../wiring/http';
import { getRouteTable } from './route-operations';
import { getRouteTableWithAssociations } from './route-table-repository';

export const handler = httpHandler(getRouteTable, async ({ caller, params }) => {
  const tenantId = caller.tenantId as string;
  // One strongly consistent read: the associations live on the table item.
  const { table, associations: found } = await getRouteTableWithAssociations(tenantId, params.id);
  const associations = found.map(({ associationId, subnetId }) => ({ associationId, subnetId }));
  return { body: { ...table, associations }, etag: table.version };
});
