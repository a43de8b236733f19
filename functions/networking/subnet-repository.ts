/**
 * Subnet items and writes (keys in ./keys). A subnet's create and delete update its VPC in the
 * same transaction, conditioned on the VPC's version: the overlap check and the per-VPC quota read
 * the VPC's `subnetSlots` and `counts`, so two concurrent creates cannot both pass.
 */
import { Conflict, NotFound, PreconditionFailed, TooManyRequests } from '../kit/errors';
import type { IfMatch } from '../kit/etag';
import { createItem, getItem, updateVersioned, type Item } from '../kit/repository';
import type { Write } from '../kit/transaction';
import type { QuotaName } from '../tenancy/plans';
import { sortableCidr } from './cidr';
import { associationSetWrite } from './association-writes';
import { associationKey, byVpcPartition, listIndexKeys, networkTable, partition, stripKeys, subnetKey } from './keys';
import type { Subnet } from './subnet';
import type { Vpc } from './vpc';
import { vpcChildWrite } from './vpc-repository';

export function subnetNotFound(id: string): NotFound {
  return new NotFound('InvalidSubnetID.NotFound', `The subnet ${id} does not exist.`);
}

export async function findSubnet(tenantId: string, id: string): Promise<Subnet | undefined> {
  const item = await getItem(networkTable(), subnetKey(tenantId, id), true);
  return item ? stripKeys<Subnet>(item) : undefined;
}

export async function getSubnet(tenantId: string, id: string): Promise<Subnet> {
  const subnet = await findSubnet(tenantId, id);
  if (!subnet) throw subnetNotFound(id);
  return subnet;
}

export function subnetItem(subnet: Subnet): Item {
  return {
    ...subnetKey(subnet.tenantId, subnet.id),
    ...listIndexKeys(subnet.tenantId, 'SUBNET', subnet.createdAt, subnet.id),
    gsi2pk: byVpcPartition(subnet.tenantId, subnet.vpcId, 'SUBNET'),
    gsi2sk: sortableCidr(subnet.cidrBlock),
    ...subnet,
  };
}

/** The tenant's limit of a per-VPC quota (`subnetsPerVpc`, `securityGroupsPerVpc`); 0 when it has none. */
export async function perVpcLimit(tenantId: string, name: QuotaName): Promise<number> {
  const item = await getItem(networkTable(), { pk: partition(tenantId), sk: `QUOTA#${name}` }, true);
  return typeof item?.limit === 'number' ? item.limit : 0;
}

/** 429 QuotaExceeded when the VPC already has `count` of a per-VPC quota's `limit`. */
export function assertPerVpcQuota(name: QuotaName, vpcId: string, count: number, limit: number): void {
  if (count >= limit) throw new TooManyRequests('QuotaExceeded', `Quota ${name} is ${limit} and VPC ${vpcId} has ${count}.`);
}

/** Writes that create the subnet and record it on its VPC (counter and slot), on the VPC's version. */
export function createSubnetWrites(vpc: Vpc, subnet: Subnet, now: Date): Write[] {
  return [
    createItem(networkTable(), subnetItem(subnet), 'pk', new Conflict('ResourceAlreadyExists', `Subnet ${subnet.id} exists.`)),
    vpcChildWrite(vpc, {
      delta: { subnets: 1 },
      set: { subnetSlots: { ...vpc.subnetSlots, [subnet.id]: { cidrBlock: subnet.cidrBlock, availabilityZone: subnet.availabilityZone } } },
      now,
    }),
  ];
}

export function updateSubnetWrite(subnet: Subnet, change: { set: Partial<Subnet>; remove?: string[]; now: Date; ifMatch?: IfMatch }): Write {
  return updateVersioned(networkTable(), subnetKey(subnet.tenantId, subnet.id), subnet.version, {
    set: change.set,
    ...(change.remove ? { remove: change.remove } : {}),
    now: change.now,
    ...(change.ifMatch ? { ifMatch: change.ifMatch } : {}),
  });
}

/** The subnet's route table association, if it has one (N2's associations). */
export async function findAssociation(tenantId: string, subnetId: string): Promise<Item | undefined> {
  return getItem(networkTable(), associationKey(tenantId, subnetId), true);
}

/**
 * Deletes the subnet on its version and on no address being in use (else 409
 * DependencyViolation), takes it off its VPC, and removes its route table association with it.
 */
export function deleteSubnetWrites(vpc: Vpc, subnet: Subnet, options: { association?: Item; now: Date; ifMatch?: IfMatch }): Write[] {
  const { tenantId, id } = subnet;
  const { [id]: _gone, ...slots } = vpc.subnetSlots;
  const writes: Write[] = [
    {
      item: {
        Delete: {
          TableName: networkTable(),
          Key: subnetKey(tenantId, id),
          ConditionExpression: '#version = :version AND #inUse = :zero',
          ExpressionAttributeNames: { '#version': 'version', '#inUse': 'addressesInUse' },
          ExpressionAttributeValues: { ':version': subnet.version, ':zero': 0 },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      onConditionFailed: (current) => {
        if (current && typeof current.addressesInUse === 'number' && current.addressesInUse > 0) return subnetInUse(id, current.addressesInUse);
        if (current && options.ifMatch) return new PreconditionFailed();
        return 'retry';
      },
    },
    vpcChildWrite(vpc, { delta: { subnets: -1 }, set: { subnetSlots: slots }, now: options.now }),
  ];
  const association = options.association;
  if (association) {
    writes.push(
      {
        item: {
          Delete: {
            TableName: networkTable(),
            Key: associationKey(tenantId, id),
            ConditionExpression: 'associationId = :association',
            ExpressionAttributeValues: { ':association': association.associationId },
          },
        },
      },
      associationSetWrite(tenantId, association.routeTableId as string, { subnetId: id, associationId: association.associationId as string }, -1),
    );
  }
  return writes;
}

export function subnetInUse(id: string, inUse: number): Conflict {
  return new Conflict('DependencyViolation', `The subnet ${id} has ${inUse} address(es) in use (instances or interfaces); release them first.`);
}
