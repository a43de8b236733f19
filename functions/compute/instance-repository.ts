/** Instance items and reads (keys in ./keys). */
import { Conflict, NotFound } from '../kit/errors';
import type { IfMatch } from '../kit/etag';
import { createItem, getItem, queryPage, updateVersioned, type Item, type PageQuery } from '../kit/repository';
import { expiryAttributes } from '../kit/tables';
import type { Write } from '../kit/transaction';
import { allocateAddressWrites, releaseAddressWrites } from '../networking/addresses';
import { networkTable, vpcKey } from '../networking/keys';
import { securityGroupUseWrite } from '../networking/security-group-repository';
import type { Subnet } from '../networking/subnet';
import { projectUsageWrites } from '../projects/repository';
import { createOperationWrite, type Operation } from '../sagas/operation';
import { releaseQuota, reserveQuota } from '../tenancy/quotas';
import { holdsResources, isLegalTransition, VISIBLE_AFTER_END_SECONDS, type Instance, type InstanceState } from './instance';
import { computeTable, instanceKey, listIndexKeys, runningIndexKeys, stripKeys } from './keys';
import { releasePublicIpWrite, takePublicIpWrite } from './public-addresses';

export function instanceNotFound(id: string): NotFound {
  return new NotFound('InvalidInstanceID.NotFound', `The instance ${id} does not exist.`);
}

export async function findInstance(tenantId: string, id: string): Promise<Instance | undefined> {
  const item = await getItem(computeTable(), instanceKey(tenantId, id), true);
  return item ? stripKeys<Instance>(item) : undefined;
}

/** The instance, or 404 InvalidInstanceID.NotFound (also for another tenant's). */
export async function getInstance(tenantId: string, id: string): Promise<Instance> {
  const instance = await findInstance(tenantId, id);
  if (!instance) throw instanceNotFound(id);
  return instance;
}

/** The stored item: list index always, running index only while running. */
export function instanceItem(instance: Instance): Item {
  return {
    ...instanceKey(instance.tenantId, instance.id),
    ...listIndexKeys(instance.tenantId, 'INSTANCE', instance.createdAt, instance.id),
    ...(instance.status === 'running' ? runningIndexKeys(instance.tenantId, instance.id) : {}),
    ...instance,
  };
}

// --- Writes -------------------------------------------------------------------------------------

/**
 * An instance's share of its VPC's `counts.instances`. Not conditioned on the VPC's version (that
 * would serialise every launch in a VPC): the VPC cannot go meanwhile, because its subnet cannot,
 * because the instance's address item holds the subnet's `addressesInUse` above zero.
 */
function vpcInstanceCount(tenantId: string, vpcId: string, delta: 1 | -1): Write {
  return {
    item: {
      Update: {
        TableName: networkTable(),
        Key: vpcKey(tenantId, vpcId),
        UpdateExpression: 'SET #counts.#instances = #counts.#instances + :delta',
        ConditionExpression: delta > 0 ? 'attribute_exists(pk)' : 'attribute_exists(pk) AND #counts.#instances > :zero',
        ExpressionAttributeNames: { '#counts': 'counts', '#instances': 'instances' },
        ExpressionAttributeValues: { ':delta': delta, ...(delta < 0 ? { ':zero': 0 } : {}) },
      },
    },
    onConditionFailed: 'retry',
  };
}

const projectShare = (instance: Instance, sign: 1 | -1) => ({
  vcpus: sign * instance.vcpus,
  memoryMib: sign * instance.memoryMib,
  storageGb: sign * instance.rootVolumeGb,
});

/**
 * Everything a launch takes, for the create request's one transaction: the instance, its quota
 * (`instances` and `vcpus`), its private address (and public one), its groups' and VPC's counters,
 * its project's counts, and the operation record of the saga its `instance.pending` starts.
 */
export function createInstanceWrites(instance: Instance, subnet: Pick<Subnet, 'tenantId' | 'id' | 'cidrBlock'>, operation: Operation): Write[] {
  const { tenantId, id } = instance;
  const writes: Write[] = [
    createItem(computeTable(), instanceItem(instance), 'pk', new Conflict('ResourceAlreadyExists', `Instance ${id} exists.`)),
    reserveQuota(tenantId, 'instances', 1),
    reserveQuota(tenantId, 'vcpus', instance.vcpus),
    ...allocateAddressWrites(subnet, instance.privateIpAddress as string, id),
    ...instance.securityGroupIds.map((groupId) => securityGroupUseWrite(tenantId, groupId, instance.vpcId, 1)),
    vpcInstanceCount(tenantId, instance.vpcId, 1),
    createOperationWrite(operation),
  ];
  if (instance.publicIpAddress) writes.push(takePublicIpWrite(instance.publicIpAddress, { tenantId, instanceId: id }));
  if (instance.projectId) {
    writes.push(
      ...projectUsageWrites({ tenantId, projectId: instance.projectId, resourceType: 'instance', resourceId: id, to: instance.status, live: 1, ...projectShare(instance, 1) }),
    );
  }
  return writes;
}

export interface InstanceChange {
  /** The state it enters; omit when the state stays. */
  to?: InstanceState;
  set?: Partial<Instance>;
  remove?: (keyof Instance)[];
  now: Date;
  ifMatch?: IfMatch;
}

/**
 * The update of an instance on its version (so on its state too: every transition moves the
 * version, and a lost race runs the request or step again on what won). Entering `running` puts
 * it on the running index; leaving takes it off. The project's counts follow the state.
 */
export function updateInstanceWrites(instance: Instance, change: InstanceChange): Write[] {
  const { tenantId, id } = instance;
  const to = change.to ?? instance.status;
  if (to !== instance.status && !isLegalTransition(instance.status, to)) {
    throw new Error(`${instance.status} → ${to} is not a transition of the instance state graph`);
  }
  const set: Item = { ...change.set, ...(to !== instance.status ? { status: to } : {}) };
  const remove: string[] = [...(change.remove ?? [])];
  if (to === 'running' && instance.status !== 'running') Object.assign(set, runningIndexKeys(tenantId, id));
  if (instance.status === 'running' && to !== 'running') remove.push('gsi2pk', 'gsi2sk');
  const writes: Write[] = [
    updateVersioned(computeTable(), instanceKey(tenantId, id), instance.version, {
      set,
      ...(remove.length ? { remove } : {}),
      now: change.now,
      ...(change.ifMatch ? { ifMatch: change.ifMatch } : {}),
    }),
  ];
  if (instance.projectId && to !== instance.status) {
    const leaving = !holdsResources(to);
    writes.push(
      ...projectUsageWrites({
        tenantId,
        projectId: instance.projectId,
        resourceType: 'instance',
        resourceId: id,
        from: instance.status,
        ...(leaving ? { live: -1 as const, ...projectShare(instance, -1) } : { to }),
      }),
    );
  }
  return writes;
}

/**
 * What a terminated or failed instance gives back, with its move to that state: its addresses,
 * its quota, its groups' and VPC's counters. It stays readable for an hour (the cleanup job
 * deletes it then).
 */
export function endInstanceWrites(instance: Instance, to: 'terminated' | 'failed', change: Omit<InstanceChange, 'to'>): Write[] {
  const { tenantId, id } = instance;
  const expiresAt = Math.floor(change.now.getTime() / 1000) + VISIBLE_AFTER_END_SECONDS;
  const writes: Write[] = [
    ...updateInstanceWrites(instance, {
      ...change,
      to,
      set: { ...change.set, ...expiryAttributes('expiresAt', expiresAt) },
      remove: [...(change.remove ?? []), 'privateIpAddress', 'publicIpAddress'],
    }),
    releaseQuota(tenantId, 'instances', 1),
    releaseQuota(tenantId, 'vcpus', instance.vcpus),
    ...instance.securityGroupIds.map((groupId) => securityGroupUseWrite(tenantId, groupId, instance.vpcId, -1)),
    vpcInstanceCount(tenantId, instance.vpcId, -1),
  ];
  if (instance.privateIpAddress) writes.push(...releaseAddressWrites({ tenantId, id: instance.subnetId }, instance.privateIpAddress));
  if (instance.publicIpAddress) writes.push(releasePublicIpWrite(instance.publicIpAddress, id));
  return writes;
}

/** The vcpus quota's move when a stopped instance takes a flavor with `delta` more (or fewer) vCPUs. */
export function resizeQuotaWrites(tenantId: string, delta: number): Write[] {
  if (delta > 0) return [reserveQuota(tenantId, 'vcpus', delta)];
  if (delta < 0) return [releaseQuota(tenantId, 'vcpus', -delta)];
  return [];
}

/** The project's totals when an instance of a project changes flavor. */
export function resizeProjectWrites(instance: Instance, vcpus: number, memoryMib: number): Write[] {
  if (!instance.projectId) return [];
  return projectUsageWrites({
    tenantId: instance.tenantId,
    projectId: instance.projectId,
    resourceType: 'instance',
    resourceId: instance.id,
    vcpus: vcpus - instance.vcpus,
    memoryMib: memoryMib - instance.memoryMib,
  });
}

/** One page of the tenant's instances, oldest first (terminated ones for their last hour too). */
export async function listInstancePage(tenantId: string, page: PageQuery) {
  const result = await queryPage({
    query: {
      TableName: computeTable(),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': listIndexKeys(tenantId, 'INSTANCE', '', '').gsi1pk },
    },
    keyAttributes: ['pk', 'sk', 'gsi1pk', 'gsi1sk'],
    page,
    scope: `listInstances#${tenantId}`,
  });
  return { ...result, items: result.items.map((item) => stripKeys<Instance>(item)) };
}
