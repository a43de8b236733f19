import { change } from '../events/outbox';
import { assertIfMatch } from '../kit/etag';
import { Conflict } from '../kit/errors';
import { httpHandler } from '../wiring/http';
import { internetGatewayDeleted } from './events';
import { attachedVpcId } from './internet-gateway';
import { deleteInternetGatewayWrite, getInternetGateway } from './internet-gateway-repository';
import { deleteInternetGateway } from './operations';

export const handler = httpHandler(deleteInternetGateway, async ({ caller, params, ifMatch }) => {
  const gateway = await getInternetGateway(caller.tenantId as string, params.id);
  assertIfMatch(ifMatch, gateway.version);
  const vpcId = attachedVpcId(gateway);
  if (vpcId) throw new Conflict('DependencyViolation', `Internet gateway ${gateway.id} is attached to ${vpcId}; detach it first.`);
  return {
    writes: [deleteInternetGatewayWrite(gateway, ifMatch)],
    events: [change(internetGatewayDeleted, { tenantId: gateway.tenantId, resourceId: gateway.id, data: {} })],
  };
});
