import { change } from '../events/outbox';
import { assertIfMatch } from '../kit/etag';
import { httpHandler } from '../wiring/http';
// Instances (compute) as route targets: networking's registry is filled by the wiring.
import '../wiring/route-targets';
import { removeRoute } from './route-operations';
import { changeRoutesWrite, getRouteTable, releaseRouteTargetWrites } from './route-table-repository';
import { withoutRoute } from './routes';
import { routeTableRouteRemoved } from './security-events';

export const handler = httpHandler(removeRoute, async ({ caller, params, query, ifMatch, now }) => {
  const tenantId = caller.tenantId as string;
  const table = await getRouteTable(tenantId, params.id);
  assertIfMatch(ifMatch, table.version);
  const { routes, removed } = withoutRoute(table.routes, query.destination);
  const { origin: _origin, state: _state, ...data } = removed;
  return {
    writes: [changeRoutesWrite(table, routes, now, ifMatch), ...releaseRouteTargetWrites(tenantId, [removed])],
    events: [change(routeTableRouteRemoved, { tenantId, resourceId: table.id, data })],
  };
});
