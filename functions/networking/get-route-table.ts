import { httpHandler } from '../wiring/http';
import { getRouteTable } from './route-operations';
import { getRouteTable as getRouteTableRecord, listAssociations } from './route-table-repository';

export const handler = httpHandler(getRouteTable, async ({ caller, params }) => {
  const tenantId = caller.tenantId as string;
  const table = await getRouteTableRecord(tenantId, params.id);
  const associations = (await listAssociations(tenantId, table.id)).map(({ associationId, subnetId }) => ({ associationId, subnetId }));
  return { body: { ...table, associations }, etag: table.version };
});
