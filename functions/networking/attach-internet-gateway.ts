import { change } from '../events/outbox';
import { httpHandler } from '../wiring/http';
import { internetGatewayAttached } from './events';
import { assertCanAttach, type InternetGateway } from './internet-gateway';
import { attachWrites, getInternetGateway } from './internet-gateway-repository';
import { attachInternetGateway } from './operations';
import { getVpc } from './vpc-repository';

export const handler = httpHandler(attachInternetGateway, async ({ caller, params, body, now }) => {
  const tenantId = caller.tenantId as string;
  const gateway = await getInternetGateway(tenantId, params.id);
  const vpc = await getVpc(tenantId, body.vpcId);
  assertCanAttach(gateway, vpc);
  const attached: InternetGateway = {
    ...gateway,
    attachments: [{ vpcId: vpc.id, state: 'available' }],
    version: gateway.version + 1,
    updatedAt: now.toISOString(),
  };
  return {
    body: attached,
    etag: attached.version,
    writes: attachWrites(gateway, vpc, now),
    events: [change(internetGatewayAttached, { tenantId, resourceId: gateway.id, data: { vpcId: vpc.id } })],
  };
});
