import { httpHandler } from '../wiring/http';
import { getVpc as getVpcOperation } from './operations';
import { publicVpc } from './vpc';
import { getVpc } from './vpc-repository';

export const handler = httpHandler(getVpcOperation, async ({ caller, params }) => {
  const vpc = await getVpc(caller.tenantId as string, params.id);
  return { body: publicVpc(vpc), etag: vpc.version };
});
