import { httpHandler } from '../wiring/http';
import { getSecurityGroup as getSecurityGroupRecord } from './security-group-repository';
import { getSecurityGroup } from './security-operations';

export const handler = httpHandler(getSecurityGroup, async ({ caller, params }) => {
  const group = await getSecurityGroupRecord(caller.tenantId as string, params.id);
  return { body: group, etag: group.version };
});
