import { httpHandler } from '../wiring/http';
import { getSubnet as getSubnetOperation } from './operations';
import { publicSubnet } from './subnet';
import { getSubnet } from './subnet-repository';

export const handler = httpHandler(getSubnetOperation, async ({ caller, params }) => {
  const subnet = await getSubnet(caller.tenantId as string, params.id);
  return { body: publicSubnet(subnet), etag: subnet.version };
});
