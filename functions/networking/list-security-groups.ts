import { httpHandler } from '../wiring/http';
import { listSecurityGroupPage } from './security-group-repository';
import { listSecurityGroups } from './security-operations';

export const handler = httpHandler(listSecurityGroups, async ({ caller, query }) => {
  const { vpcId, ...page } = query;
  return { body: await listSecurityGroupPage(caller.tenantId as string, page, vpcId) };
});
