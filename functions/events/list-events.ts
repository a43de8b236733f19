import { httpHandler } from '../wiring/http';
import { listEvents } from './operations';
import { listTenantEvents } from './repository';

export const handler = httpHandler(listEvents, async ({ caller, query }) => {
  const { type, resourceId, ...page } = query;
  return { body: await listTenantEvents(caller.tenantId as string, { type, resourceId }, page) };
});
