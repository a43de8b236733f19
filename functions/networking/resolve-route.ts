import { NotFound } from '../kit/errors';
import { httpHandler } from '../wiring/http';
import { resolveRoute } from './route-operations';
import { getRouteTable } from './route-table-repository';
import { longestPrefixMatch } from './routes';

export const handler = httpHandler(resolveRoute, async ({ caller, params, query }) => {
  const table = await getRouteTable(caller.tenantId as string, params.id);
  const route = longestPrefixMatch(table.routes, query.ip);
  if (!route) throw new NotFound('NoRoute', `No route of ${table.id} holds ${query.ip}.`);
  return { body: { ip: query.ip, route }, etag: table.version };
});
