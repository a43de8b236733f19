import { httpHandler } from '../wiring/http';
import { listAuditLog } from './operations';
import { listAuditEntries } from './repository';

export const handler = httpHandler(listAuditLog, async ({ caller, query }) => {
  const { resourceId, actor, ...page } = query;
  return { body: await listAuditEntries(caller.tenantId as string, { resourceId, actor }, page) };
});
