/** Internet gateway items and writes (keys in ./keys). Attach and detach update the gateway and the VPC together, each on its version. */
import type { IfMatch } from '../kit/etag';
import { Conflict, NotFound, PreconditionFailed } from '../kit/errors';
import { createItem, getItem, updateVersioned, type Item } from '../kit/repository';
import type { Write } from '../kit/transaction';
import type { InternetGateway } from './internet-gateway';
import { internetGatewayKey, listIndexKeys, networkTable, stripKeys } from './keys';
import type { Vpc } from './vpc';
import { vpcChildWrite } from './vpc-repository';

export function internetGatewayNotFound(id: string): NotFound {
  return new NotFound('InvalidInternetGatewayID.NotFound', `The internet gateway ${id} does not exist.`);
}

export async function findInternetGateway(tenantId: string, id: string): Promise<InternetGateway | undefined> {
  const item = await getItem(networkTable(), internetGatewayKey(tenantId, id), true);
  return item ? stripKeys<InternetGateway>(item) : undefined;
}

export async function getInternetGateway(tenantId: string, id: string): Promise<InternetGateway> {
  const gateway = await findInternetGateway(tenantId, id);
  if (!gateway) throw internetGatewayNotFound(id);
  return gateway;
}

export function internetGatewayItem(gateway: InternetGateway): Item {
  return { ...internetGatewayKey(gateway.tenantId, gateway.id), ...listIndexKeys(gateway.tenantId, 'IGW', gateway.createdAt, gateway.id), ...gateway };
}

export function createInternetGatewayWrite(gateway: InternetGateway): Write {
  return createItem(networkTable(), internetGatewayItem(gateway), 'pk', new Conflict('ResourceAlreadyExists', `Internet gateway ${gateway.id} exists.`));
}

function gatewayWrite(gateway: InternetGateway, set: Partial<InternetGateway>, now: Date, ifMatch?: IfMatch): Write {
  return updateVersioned(networkTable(), internetGatewayKey(gateway.tenantId, gateway.id), gateway.version, {
    set,
    now,
    ...(ifMatch ? { ifMatch } : {}),
  });
}

export function attachWrites(gateway: InternetGateway, vpc: Vpc, now: Date): Write[] {
  return [
    gatewayWrite(gateway, { attachments: [{ vpcId: vpc.id, state: 'available' }] }, now),
    vpcChildWrite(vpc, { set: { internetGatewayId: gateway.id }, now }),
  ];
}

/**
 * Detaches on the gateway's version and on no route targeting it: route tables may move
 * `routeCount` without the version, so the count is part of the condition.
 */
export function detachWrites(gateway: InternetGateway, vpc: Vpc, now: Date): Write[] {
  const write = gatewayWrite(gateway, { attachments: [] }, now);
  const update = write.item.Update as NonNullable<typeof write.item.Update>;
  const guarded: Write = {
    item: {
      Update: {
        ...update,
        ConditionExpression: `${update.ConditionExpression} AND (attribute_not_exists(#routeCount) OR #routeCount = :noRoutes)`,
        ExpressionAttributeNames: { ...update.ExpressionAttributeNames, '#routeCount': 'routeCount' },
        ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ':noRoutes': 0 },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
    onConditionFailed: (current) =>
      typeof current?.routeCount === 'number' && current.routeCount > 0
        ? new Conflict('DependencyViolation', `Internet gateway ${gateway.id} is the target of ${current.routeCount} route(s); delete them first.`)
        : 'retry',
  };
  return [guarded, vpcChildWrite(vpc, { remove: ['internetGatewayId'], now })];
}

export function updateInternetGatewayWrite(gateway: InternetGateway, set: Partial<InternetGateway>, now: Date, ifMatch?: IfMatch): Write {
  return gatewayWrite(gateway, set, now, ifMatch);
}

/** Deletes a detached gateway on its version (an attach meanwhile moved it: the request runs again). */
export function deleteInternetGatewayWrite(gateway: InternetGateway, ifMatch?: IfMatch): Write {
  return {
    item: {
      Delete: {
        TableName: networkTable(),
        Key: internetGatewayKey(gateway.tenantId, gateway.id),
        ConditionExpression: '#version = :version',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':version': gateway.version },
      },
    },
    onConditionFailed: ifMatch ? new PreconditionFailed() : 'retry',
  };
}
