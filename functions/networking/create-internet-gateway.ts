import { change } from '../events/outbox';
import { httpHandler } from '../wiring/http';
import { newId } from '../kit/ids';
import { internetGatewayCreated } from './events';
import type { InternetGateway } from './internet-gateway';
import { createInternetGatewayWrite } from './internet-gateway-repository';
import { createInternetGateway } from './operations';

export const handler = httpHandler(createInternetGateway, async ({ caller, body, now }) => {
  const tenantId = caller.tenantId as string;
  const at = now.toISOString();
  const gateway: InternetGateway = {
    id: newId('igw'),
    tenantId,
    ...(body.name !== undefined ? { name: body.name } : {}),
    attachments: [],
    routeCount: 0,
    createdAt: at,
    updatedAt: at,
    version: 1,
    tags: body.tags ?? {},
  };
  return {
    body: gateway,
    etag: gateway.version,
    location: `/v1/internet-gateways/${gateway.id}`,
    writes: [createInternetGatewayWrite(gateway)],
    events: [change(internetGatewayCreated, { tenantId, resourceId: gateway.id, data: gateway.name !== undefined ? { name: gateway.name } : {} })],
  };
});
