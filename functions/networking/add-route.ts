import { change } from '../events/outbox';
import { assertIfMatch } from '../kit/etag';
import { httpHandler } from '../wiring/http';
// Instances (compute) as route targets: networking's registry is filled by the wiring.
import '../wiring/route-targets';
import { addRoute } from './route-operations';
import { changeRoutesWrite, getRouteTable, routeTargetResolver } from './route-table-repository';
import { normaliseDestination, routeTarget, withRoute, type Route } from './routes';
import { routeTableRouteAdded } from './security-events';

export const handler = httpHandler(addRoute, async ({ caller, params, body, ifMatch, now }) => {
  const tenantId = caller.tenantId as string;
  const table = await getRouteTable(tenantId, params.id);
  assertIfMatch(ifMatch, table.version);
  const destinationCidrBlock = normaliseDestination(body.destinationCidrBlock);
  const target = routeTarget(body);
  const route: Route = { destinationCidrBlock, [target.type]: target.id, origin: 'CreateRoute', state: 'active' };
  const routes = withRoute(table.routes, route);
  const targetWrites = await routeTargetResolver(target.type).onAdd(tenantId, table.vpcId, target.id);
  const updated = { ...table, routes, version: table.version + 1, updatedAt: now.toISOString() };
  return {
    body: updated,
    etag: updated.version,
    location: `/v1/route-tables/${table.id}`,
    writes: [changeRoutesWrite(table, routes, now, ifMatch), ...targetWrites],
    events: [change(routeTableRouteAdded, { tenantId, resourceId: table.id, data: { destinationCidrBlock, [target.type]: target.id } })],
  };
});
