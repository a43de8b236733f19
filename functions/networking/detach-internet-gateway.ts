import { change } from '../events/outbox';
import { httpHandler } from '../wiring/http';
import { internetGatewayDetached } from './events';
import { assertCanDetach, type InternetGateway } from './internet-gateway';
import { detachWrites, getInternetGateway } from './internet-gateway-repository';
import { detachInternetGateway } from './operations';
import { getVpc } from './vpc-repository';

export const handler = httpHandler(detachInternetGateway, async ({ caller, params, body, now }) => {
  const tenantId = caller.tenantId as string;
  const gateway = await getInternetGateway(tenantId, params.id);
  assertCanDetach(gateway, body.vpcId);
  const vpc = await getVpc(tenantId, body.vpcId);
  const detached: InternetGateway = { ...gateway, attachments: [], version: gateway.version + 1, updatedAt: now.toISOString() };
  return {
    body: detached,
    etag: detached.version,
    writes: detachWrites(gateway, vpc, now),
    events: [change(internetGatewayDetached, { tenantId, resourceId: gateway.id, data: { vpcId: vpc.id } })],
  };
});
