/**
 * Writes and reads of route tables (keys in keys.ts):
 *
 *   RTB#<id>              the table, its routes on the item, `associationCount`, and `associationSet`
 *                         (`<subnetId>/<associationId>` strings): its associations, read exactly
 *                         with the table in one strongly consistent GetItem
 *   RTBASSOC#<subnetId>   the subnet's one association: routeTableId, associationId (rtbassoc-...)
 *
 * Routes change conditioned on the table's version. A route to a gateway moves the gateway's
 * `routeCount` (and version) in the same transaction, conditioned on the gateway being attached to
 * the table's VPC, so a detach (conditioned on the gateway's version) cannot pass while a route
 * to it is being added. An association moves the subnet's version (its `routeTableAssociationId`),
 * so a subnet delete cannot miss it.
 */
import { BadRequest, Conflict, NotFound, PreconditionFailed } from '../kit/errors';
import type { IfMatch } from '../kit/etag';
import { createItem, getItem, updateVersioned, type Item, type PageQuery } from '../kit/repository';
import type { Write } from '../kit/transaction';
import { findInternetGateway } from './internet-gateway-repository';
import { attachedVpcId } from './internet-gateway';
import { associationKey, internetGatewayKey, networkTable, routeTableKey, stripKeys } from './keys';
import type { Association, RouteTable } from './route-table';
import type { Route, TargetType } from './routes';
import type { Subnet } from './subnet';
import { updateSubnetWrite } from './subnet-repository';
import type { Vpc } from './vpc';
import { registerRouteTarget, routeTargetResolver, type RouteTargetResolver } from './route-targets';
import { listByType, listByVpc, routeTableItem, vpcChildWrite } from './vpc-repository';
import { associationSetWrite } from './association-writes';

export function routeTableNotFound(id: string): NotFound {
  return new NotFound('InvalidRouteTableID.NotFound', `No route table ${id} in this tenant.`);
}

export async function findRouteTable(tenantId: string, id: string): Promise<RouteTable | undefined> {
  const item = await getItem(networkTable(), routeTableKey(tenantId, id), true);
  return item ? stripKeys<RouteTable>(item) : undefined;
}

function associationsOfItem(item: Item, routeTableId: string): Association[] {
  const members = item.associationSet instanceof Set ? [...(item.associationSet as Set<string>)] : [];
  return members
    .map((member) => {
      const [subnetId = '', associationId = ''] = member.split('/');
      return { associationId, routeTableId, subnetId };
    })
    .sort((a, b) => a.subnetId.localeCompare(b.subnetId));
}

/** The table and its associations, exactly, from one read. */
export async function getRouteTableWithAssociations(tenantId: string, id: string): Promise<{ table: RouteTable; associations: Association[] }> {
  const item = await getItem(networkTable(), routeTableKey(tenantId, id), true);
  if (!item) throw routeTableNotFound(id);
  return { table: stripKeys<RouteTable>(item), associations: associationsOfItem(item, id) };
}

export async function getRouteTable(tenantId: string, id: string): Promise<RouteTable> {
  const table = await findRouteTable(tenantId, id);
  if (!table) throw routeTableNotFound(id);
  return table;
}

export async function listRouteTablePage(tenantId: string, page: PageQuery, vpcId?: string) {
  return vpcId ? listByVpc<RouteTable>(tenantId, vpcId, 'RTB', page, 'listRouteTables') : listByType<RouteTable>(tenantId, 'RTB', page, 'listRouteTables');
}

/** A new non-main table of `vpc`, and the VPC's counter (on the VPC's version). */
export function createRouteTableWrites(table: RouteTable, vpc: Vpc, now: Date): Write[] {
  return [
    createItem(networkTable(), routeTableItem(table), 'pk', new Conflict('ResourceAlreadyExists', `Route table ${table.id} exists.`)),
    vpcChildWrite(vpc, { delta: { routeTables: 1 }, now }),
  ];
}

// --- Route targets (the registry is ./route-targets.ts) -----------------------------------------

export { routeTargetResolver, type RouteTargetResolver } from './route-targets';

function notFound(code: string, what: string): RouteTargetResolver {
  return {
    onAdd: (_tenantId, _vpcId, id) => Promise.reject(new BadRequest(code, `No ${what} ${id} in this tenant.`)),
    onRemove: () => [],
  };
}

function gatewayRouteCount(tenantId: string, id: string, delta: number, vpcId?: string): Write {
  return {
    item: {
      Update: {
        TableName: networkTable(),
        Key: internetGatewayKey(tenantId, id),
        UpdateExpression: 'ADD #routeCount :delta, #version :one',
        ConditionExpression: vpcId ? 'attachments[0].vpcId = :vpcId' : 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#routeCount': 'routeCount', '#version': 'version' },
        ExpressionAttributeValues: { ':delta': delta, ':one': 1, ...(vpcId ? { ':vpcId': vpcId } : {}) },
      },
    },
    // Detached (or deleted) meanwhile: run again, and the check below answers.
    onConditionFailed: 'retry',
  };
}

const internetGateways: RouteTargetResolver = {
  async onAdd(tenantId, vpcId, id) {
    const gateway = await findInternetGateway(tenantId, id);
    if (!gateway) throw new BadRequest('InvalidGatewayID.NotFound', `No internet gateway ${id} in this tenant.`);
    if (attachedVpcId(gateway) !== vpcId) {
      throw new BadRequest('InvalidParameterValue', `Internet gateway ${id} is not attached to ${vpcId}, the VPC of the route table.`);
    }
    return [gatewayRouteCount(tenantId, id, 1, vpcId)];
  },
  onRemove: (tenantId, id, count) => [gatewayRouteCount(tenantId, id, -count)],
};

// Networking's own targets. NAT gateways do not exist yet: their routes are refused as not found.
registerRouteTarget('gatewayId', internetGateways);
registerRouteTarget('natGatewayId', notFound('InvalidNatGatewayID.NotFound', 'NAT gateway'));

function targetOf(route: Route): { type: TargetType; id: string } | undefined {
  if (route.gatewayId === 'local') return undefined;
  if (route.gatewayId) return { type: 'gatewayId', id: route.gatewayId };
  if (route.natGatewayId) return { type: 'natGatewayId', id: route.natGatewayId };
  if (route.instanceId) return { type: 'instanceId', id: route.instanceId };
  return undefined;
}

/**
 * The writes that give back what the routes' targets took (a gateway's routeCount), one write per
 * target however many routes name it (a transaction may touch an item once); none for the local route.
 */
export function releaseRouteTargetWrites(tenantId: string, routes: readonly Route[]): Write[] {
  const counts = new Map<string, { type: TargetType; id: string; count: number }>();
  for (const route of routes) {
    const target = targetOf(route);
    if (!target) continue;
    const key = `${target.type}#${target.id}`;
    const entry = counts.get(key) ?? { ...target, count: 0 };
    entry.count += 1;
    counts.set(key, entry);
  }
  return [...counts.values()].flatMap(({ type, id, count }) => routeTargetResolver(type).onRemove(tenantId, id, count));
}

export function changeRoutesWrite(table: RouteTable, routes: Route[], now: Date, ifMatch?: IfMatch): Write {
  return updateVersioned(networkTable(), routeTableKey(table.tenantId, table.id), table.version, {
    set: { routes },
    now,
    ...(ifMatch ? { ifMatch } : {}),
  });
}

// --- Deletion ---------------------------------------------------------------------------------

function dependency(table: RouteTable, current: Item | undefined, ifMatch: IfMatch | undefined): Conflict | PreconditionFailed | 'retry' {
  if (current && Number(current.associationCount ?? 0) > 0) {
    return new Conflict('DependencyViolation', `Route table ${table.id} has ${String(current.associationCount)} subnet association(s).`);
  }
  return ifMatch ? new PreconditionFailed() : 'retry';
}

/** Deletes a non-main table on its version and on no subnet being associated; gives back its targets' counters and the VPC's. */
export function deleteRouteTableWrites(table: RouteTable, vpc: Vpc | undefined, now: Date, ifMatch?: IfMatch): Write[] {
  const writes: Write[] = [
    {
      item: {
        Delete: {
          TableName: networkTable(),
          Key: routeTableKey(table.tenantId, table.id),
          ConditionExpression: '#version = :version AND (attribute_not_exists(#count) OR #count = :zero)',
          ExpressionAttributeNames: { '#version': 'version', '#count': 'associationCount' },
          ExpressionAttributeValues: { ':version': table.version, ':zero': 0 },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      onConditionFailed: (current) => dependency(table, current, ifMatch),
    },
    ...releaseRouteTargetWrites(table.tenantId, table.routes),
  ];
  if (vpc) writes.push(vpcChildWrite(vpc, { delta: { routeTables: -1 }, now }));
  return writes;
}

// --- Associations -----------------------------------------------------------------------------

export async function findAssociationOf(tenantId: string, subnetId: string): Promise<Association | undefined> {
  const item = await getItem(networkTable(), associationKey(tenantId, subnetId), true);
  return item ? { associationId: item.associationId as string, routeTableId: item.routeTableId as string, subnetId } : undefined;
}

/** The table's associations, by subnet id (a table has at most one per subnet of its VPC); none if it is gone. */
export async function listAssociations(tenantId: string, routeTableId: string): Promise<Association[]> {
  const item = await getItem(networkTable(), routeTableKey(tenantId, routeTableId), true);
  return item ? associationsOfItem(item, routeTableId) : [];
}


function alreadyAssociated(subnetId: string): Conflict {
  return new Conflict('Resource.AlreadyAssociated', `Subnet ${subnetId} is already associated with a route table; disassociate it first.`);
}

/** Associates the subnet with the table: the association item (one per subnet), the table's counter, the subnet's association id. */
export function associateWrites(table: RouteTable, subnet: Subnet, association: Association, now: Date): Write[] {
  return [
    createItem(
      networkTable(),
      {
        ...associationKey(table.tenantId, subnet.id),
        ...association,
        vpcId: table.vpcId,
      },
      'pk',
      alreadyAssociated(subnet.id),
    ),
    associationSetWrite(table.tenantId, table.id, association, 1),
    updateSubnetWrite(subnet, { set: { routeTableAssociationId: association.associationId }, now }),
  ];
}

export function disassociateWrites(table: RouteTable, subnet: Subnet | undefined, association: Association, now: Date): Write[] {
  const writes: Write[] = [
    {
      item: {
        Delete: {
          TableName: networkTable(),
          Key: associationKey(table.tenantId, association.subnetId),
          ConditionExpression: 'associationId = :id',
          ExpressionAttributeValues: { ':id': association.associationId },
        },
      },
      onConditionFailed: 'retry',
    },
    associationSetWrite(table.tenantId, table.id, association, -1),
  ];
  if (subnet) writes.push(updateSubnetWrite(subnet, { set: {}, remove: ['routeTableAssociationId'], now }));
  return writes;
}
