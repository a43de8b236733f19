import { httpHandler } from '../wiring/http';
import { getInternetGateway } from './internet-gateway-repository';
import { getInternetGateway as getInternetGatewayOperation } from './operations';

export const handler = httpHandler(getInternetGatewayOperation, async ({ caller, params }) => {
  const gateway = await getInternetGateway(caller.tenantId as string, params.id);
  return { body: gateway, etag: gateway.version };
});
