import { httpHandler } from '../wiring/http';
import type { InternetGateway } from './internet-gateway';
import { listInternetGateways } from './operations';
import { listByType } from './vpc-repository';

export const handler = httpHandler(listInternetGateways, async ({ caller, query }) => ({
  body: await listByType<InternetGateway>(caller.tenantId as string, 'IGW', query, 'listInternetGateways'),
}));
