import { httpHandler } from '../wiring/http';
import { listRouteTables } from './route-operations';
import { listRouteTablePage } from './route-table-repository';

export const handler = httpHandler(listRouteTables, async ({ caller, query }) => {
  const { vpcId, ...page } = query;
  return { body: await listRouteTablePage(caller.tenantId as string, page, vpcId) };
});
