import { httpHandler } from '../wiring/http';
import { listSubnets } from './operations';
import { publicSubnet, type Subnet } from './subnet';
import { listByType, listByVpc } from './vpc-repository';

export const handler = httpHandler(listSubnets, async ({ caller, query }) => {
  const tenantId = caller.tenantId as string;
  const { vpcId, ...page } = query;
  const result = vpcId
    ? await listByVpc<Subnet>(tenantId, vpcId, 'SUBNET', page, 'listSubnets')
    : await listByType<Subnet>(tenantId, 'SUBNET', page, 'listSubnets');
  return { body: { ...result, items: result.items.map(publicSubnet) } };
});
