/**
 * VPC items and writes (keys in ./keys). A child (subnet, security group, route table, gateway)
 * changes the VPC's `counts` with `vpcChildWrite` in its own transaction, conditioned on the VPC's
 * `childVersion`: that serialises sibling checks (subnet overlap, per-VPC quotas) and makes a VPC
 * delete (conditioned on both versions) fail while a child is being created. `childVersion` is
 * internal: the `version` a client sees, and so the ETag, moves only when the VPC's own attributes do,
 * so a PATCH with a just-read ETag never loses to an unrelated subnet create.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../kit/db';
import type { IfMatch } from '../kit/etag';
import { Conflict, NotFound, PreconditionFailed } from '../kit/errors';
import { createItem, getItem, queryPage, updateClauses, updateVersioned, type Item, type PageQuery } from '../kit/repository';
import type { Write } from '../kit/transaction';
import { projectUsageWrites } from '../projects/repository';
import { releaseQuota, reserveQuota } from '../tenancy/quotas';
import {
  listIndexKeys,
  networkTable,
  partition,
  routeTableKey,
  securityGroupKey,
  securityGroupNameKey,
  stripKeys,
  byVpcPartition,
  vpcKey,
} from './keys';
import type { RouteTableRecord, SecurityGroupRecord, Vpc, VpcCounts, VpcParts } from './vpc';

export function vpcNotFound(id: string): NotFound {
  return new NotFound('InvalidVpcID.NotFound', `The VPC ${id} does not exist.`);
}

export async function findVpc(tenantId: string, id: string): Promise<Vpc | undefined> {
  const item = await getItem(networkTable(), vpcKey(tenantId, id), true);
  return item ? stripKeys<Vpc>(item) : undefined;
}

/** The VPC, or 404 InvalidVpcID.NotFound. */
export async function getVpc(tenantId: string, id: string): Promise<Vpc> {
  const vpc = await findVpc(tenantId, id);
  if (!vpc) throw vpcNotFound(id);
  return vpc;
}

export function vpcItem(vpc: Vpc): Item {
  return { ...vpcKey(vpc.tenantId, vpc.id), ...listIndexKeys(vpc.tenantId, 'VPC', vpc.createdAt, vpc.id), ...vpc };
}

export function securityGroupItem(group: SecurityGroupRecord): Item {
  return {
    ...securityGroupKey(group.tenantId, group.id),
    ...listIndexKeys(group.tenantId, 'SG', group.createdAt, group.id),
    gsi2pk: byVpcPartition(group.tenantId, group.vpcId, 'SG'),
    gsi2sk: `${group.createdAt}#${group.id}`,
    ...group,
  };
}

export function routeTableItem(table: RouteTableRecord): Item {
  return {
    ...routeTableKey(table.tenantId, table.id),
    ...listIndexKeys(table.tenantId, 'RTB', table.createdAt, table.id),
    gsi2pk: byVpcPartition(table.tenantId, table.vpcId, 'RTB'),
    gsi2sk: `${table.createdAt}#${table.id}`,
    ...table,
  };
}

const exists = (what: string) => new Conflict('ResourceAlreadyExists', `${what} exists.`);

/**
 * The writes that create a VPC with its default security group (and its name item) and its main
 * route table; `quota` takes one of the tenant's `vpcs`; a `projectId` joins the project.
 */
export function createVpcWrites(parts: VpcParts, options: { quota?: boolean } = {}): Write[] {
  const { vpc, defaultSecurityGroup, mainRouteTable } = parts;
  const writes: Write[] = [
    createItem(networkTable(), vpcItem(vpc), 'pk', exists(`VPC ${vpc.id}`)),
    createItem(networkTable(), securityGroupItem(defaultSecurityGroup), 'pk', exists(`Security group ${defaultSecurityGroup.id}`)),
    createItem(
      networkTable(),
      { ...securityGroupNameKey(vpc.tenantId, vpc.id, defaultSecurityGroup.name), vpcId: vpc.id, groupId: defaultSecurityGroup.id },
      'pk',
      exists(`The default group of ${vpc.id}`),
    ),
    createItem(networkTable(), routeTableItem(mainRouteTable), 'pk', exists(`Route table ${mainRouteTable.id}`)),
  ];
  if (options.quota !== false) writes.push(reserveQuota(vpc.tenantId, 'vpcs'));
  if (vpc.projectId) {
    writes.push(
      ...projectUsageWrites({ tenantId: vpc.tenantId, projectId: vpc.projectId, resourceType: 'vpc', resourceId: vpc.id, to: 'available', live: 1 }),
    );
  }
  return writes;
}

export function updateVpcWrite(vpc: Vpc, change: { set: Partial<Vpc>; remove?: string[]; now: Date; ifMatch?: IfMatch }): Write {
  return updateVersioned(networkTable(), vpcKey(vpc.tenantId, vpc.id), vpc.version, {
    set: change.set,
    ...(change.remove ? { remove: change.remove } : {}),
    now: change.now,
    ...(change.ifMatch ? { ifMatch: change.ifMatch } : {}),
  });
}

/**
 * A child's change to its VPC, conditioned on the VPC's version: `delta` moves the counters
 * (never below zero), `set` sets other fields (e.g. subnetSlots, internetGatewayId).
 */
export function vpcChildWrite(vpc: Vpc, change: { delta?: Partial<VpcCounts>; set?: Partial<Vpc>; remove?: string[]; now: Date }): Write {
  const counts: VpcCounts = { ...vpc.counts };
  for (const [name, value] of Object.entries(change.delta ?? {}) as [keyof VpcCounts, number][]) counts[name] = Math.max(0, counts[name] + value);
  const set: Record<string, unknown> = { ...(change.delta ? { counts } : {}), ...change.set };
  const names: Record<string, string> = { '#childVersion': 'childVersion' };
  const values: Record<string, unknown> = { ':nextChild': (vpc.childVersion ?? 0) + 1 };
  const condition = childVersionCondition(vpc);
  return {
    item: {
      Update: {
        TableName: networkTable(),
        Key: vpcKey(vpc.tenantId, vpc.id),
        UpdateExpression: updateClauses({ set, ...(change.remove ? { remove: change.remove } : {}) }, ['#childVersion = :nextChild'], names, values),
        ConditionExpression: condition.expression,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ...values, ...condition.values },
      },
    },
    // A sibling changed the VPC meanwhile: run again on what it left.
    onConditionFailed: 'retry',
  };
}

/** The VPC's children are as they were read (a VPC written before `childVersion` existed has none). */
function childVersionCondition(vpc: Vpc): { expression: string; values: Record<string, unknown> } {
  return vpc.childVersion === undefined
    ? { expression: 'attribute_not_exists(#childVersion)', values: {} }
    : { expression: '#childVersion = :childVersion', values: { ':childVersion': vpc.childVersion } };
}

/** Deletes the VPC item on both its versions: 412 if If-Match named another one, else run again. */
function deleteVpcWrite(vpc: Vpc, ifMatch: IfMatch | undefined): Write {
  const condition = childVersionCondition(vpc);
  return {
    item: {
      Delete: {
        TableName: networkTable(),
        Key: vpcKey(vpc.tenantId, vpc.id),
        ConditionExpression: `#version = :version AND ${condition.expression}`,
        ExpressionAttributeNames: { '#version': 'version', '#childVersion': 'childVersion' },
        ExpressionAttributeValues: { ':version': vpc.version, ...condition.values },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
    onConditionFailed: (current) => (ifMatch && current && current.version !== vpc.version ? new PreconditionFailed() : 'retry'),
  };
}

/**
 * Deletes the VPC with its default group (and name item) and main route table, on the VPC's
 * version (a child created meanwhile moved it: the request runs again and sees the child).
 */
export function deleteVpcWrites(vpc: Vpc, options: { ifMatch?: IfMatch; quota?: boolean } = {}): Write[] {
  const { tenantId, id } = vpc;
  const writes: Write[] = [
    deleteVpcWrite(vpc, options.ifMatch),
    { item: { Delete: { TableName: networkTable(), Key: securityGroupKey(tenantId, vpc.defaultSecurityGroupId) } } },
    { item: { Delete: { TableName: networkTable(), Key: securityGroupNameKey(tenantId, id, 'default') } } },
    { item: { Delete: { TableName: networkTable(), Key: routeTableKey(tenantId, vpc.mainRouteTableId) } } },
  ];
  if (options.quota !== false) writes.push(releaseQuota(tenantId, 'vpcs'));
  if (vpc.projectId) {
    writes.push(...projectUsageWrites({ tenantId, projectId: vpc.projectId, resourceType: 'vpc', resourceId: id, from: 'available', live: -1 }));
  }
  return writes;
}

/** One page of a list index (gsi1) of the tenant: every resource of a type, oldest first. */
export async function listByType<T>(tenantId: string, type: 'VPC' | 'SUBNET' | 'SG' | 'RTB' | 'IGW', page: PageQuery, scope: string) {
  const result = await queryPage({
    query: {
      TableName: networkTable(),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': `${partition(tenantId)}#${type}` },
    },
    keyAttributes: ['pk', 'sk', 'gsi1pk', 'gsi1sk'],
    page,
    scope: `${scope}#${tenantId}`,
  });
  return { ...result, items: result.items.map((item) => stripKeys<T>(item)) };
}

/** One page of a VPC's children of a type (gsi2). */
export async function listByVpc<T>(tenantId: string, vpcId: string, type: 'SUBNET' | 'SG' | 'RTB', page: PageQuery, scope: string) {
  const result = await queryPage({
    query: {
      TableName: networkTable(),
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk',
      ExpressionAttributeValues: { ':pk': byVpcPartition(tenantId, vpcId, type) },
    },
    keyAttributes: ['pk', 'sk', 'gsi2pk', 'gsi2sk'],
    page,
    scope: `${scope}#${tenantId}#${vpcId}`,
  });
  return { ...result, items: result.items.map((item) => stripKeys<T>(item)) };
}

/** Every child of a type of the VPC (gsi2), all pages: for the work that must see them all (a project's cascade deletion). */
export async function allOfVpc<T>(tenantId: string, vpcId: string, type: 'SUBNET' | 'SG' | 'RTB'): Promise<T[]> {
  const items: T[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await documentClient().send(
      new QueryCommand({
        TableName: networkTable(),
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :pk',
        ExpressionAttributeValues: { ':pk': byVpcPartition(tenantId, vpcId, type) },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    items.push(...(out.Items ?? []).map((item) => stripKeys<T>(item)));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}
