import { httpHandler } from '../wiring/http';
import { listVpcs } from './operations';
import { publicVpc, type Vpc } from './vpc';
import { listByType } from './vpc-repository';

export const handler = httpHandler(listVpcs, async ({ caller, query }) => {
  const page = await listByType<Vpc>(caller.tenantId as string, 'VPC', query, 'listVpcs');
  return { body: { ...page, items: page.items.map(publicVpc) } };
});
