/**
 * The tenant's default VPC, AWS's shape: 172.31.0.0/16, DNS hostnames on, one /20 default subnet
 * per zone (172.31.0.0/20, 172.31.16.0/20, 172.31.32.0/20) that maps public IPs on launch, an
 * internet gateway attached, and a 0.0.0.0/0 route to it in the main route table. Built by the same
 * `buildVpc` the API uses, created in one transaction by the provisioning saga with a `DEFAULTVPC`
 * item that names every part, so its compensation (and a second run) knows what is there.
 */
import type { ChangeDraft } from '../events/outbox';
import { change } from '../events/outbox';
import { Conflict } from '../kit/errors';
import { newId } from '../kit/ids';
import { createItem, getItem, type Item } from '../kit/repository';
import type { Write } from '../kit/transaction';
import { availabilityZones } from '../platform/zones';
import { releaseQuota } from '../tenancy/quotas';
import { internetGatewayAttached, internetGatewayCreated, subnetCreated, vpcCreated } from './events';
import { routeTableRouteAdded } from './security-events';
import type { InternetGateway } from './internet-gateway';
import { createInternetGatewayWrite } from './internet-gateway-repository';
import { defaultVpcKey, internetGatewayKey, networkTable, partition, routeTableKey, securityGroupKey, securityGroupNameKey, subnetKey, vpcKey } from './keys';
import type { Subnet } from './subnet';
import { subnetItem } from './subnet-repository';
import { buildVpc, type Vpc, type VpcParts } from './vpc';
import { createVpcWrites } from './vpc-repository';

export const DEFAULT_VPC_CIDR = '172.31.0.0/16';
/** One /20 per zone, in zone order, as AWS lays them out. */
export const DEFAULT_SUBNET_CIDRS = ['172.31.0.0/20', '172.31.16.0/20', '172.31.32.0/20', '172.31.48.0/20', '172.31.64.0/20', '172.31.80.0/20'];

export interface DefaultVpc extends VpcParts {
  subnets: Subnet[];
  internetGateway: InternetGateway;
}

/** The record the saga leaves: which items make up the default VPC. */
export interface DefaultVpcRecord {
  tenantId: string;
  operationId: string;
  vpcId: string;
  defaultSecurityGroupId: string;
  mainRouteTableId: string;
  subnetIds: string[];
  internetGatewayId: string;
  createdAt: string;
}

/** Computes the default VPC of a tenant in a region (nothing is written). */
export function buildDefaultVpc(tenantId: string, region: string, now: Date): DefaultVpc {
  const parts = buildVpc({ tenantId, cidrBlock: DEFAULT_VPC_CIDR, isDefault: true, enableDnsHostnames: true, now });
  const at = now.toISOString();
  const gatewayId = newId('igw');
  const subnets: Subnet[] = availabilityZones(region).map((zone, index) => ({
    id: newId('subnet'),
    tenantId,
    vpcId: parts.vpc.id,
    cidrBlock: DEFAULT_SUBNET_CIDRS[index] as string,
    availabilityZone: zone.name,
    mapPublicIpOnLaunch: true,
    addressesInUse: 0,
    state: 'available',
    createdAt: at,
    updatedAt: at,
    version: 1,
    tags: {},
  }));
  const vpc: Vpc = {
    ...parts.vpc,
    internetGatewayId: gatewayId,
    counts: { ...parts.vpc.counts, subnets: subnets.length },
    subnetSlots: Object.fromEntries(subnets.map((s) => [s.id, { cidrBlock: s.cidrBlock, availabilityZone: s.availabilityZone }])),
  };
  const mainRouteTable = {
    ...parts.mainRouteTable,
    routes: [...parts.mainRouteTable.routes, { destinationCidrBlock: '0.0.0.0/0', gatewayId, origin: 'CreateRoute' as const, state: 'active' as const }],
  };
  const internetGateway: InternetGateway = {
    id: gatewayId,
    tenantId,
    attachments: [{ vpcId: vpc.id, state: 'available' }],
    routeCount: 1,
    createdAt: at,
    updatedAt: at,
    version: 1,
    tags: {},
  };
  return { vpc, defaultSecurityGroup: parts.defaultSecurityGroup, mainRouteTable, subnets, internetGateway };
}

export function defaultVpcRecord(built: DefaultVpc, operationId: string): DefaultVpcRecord {
  return {
    tenantId: built.vpc.tenantId,
    operationId,
    vpcId: built.vpc.id,
    defaultSecurityGroupId: built.defaultSecurityGroup.id,
    mainRouteTableId: built.mainRouteTable.id,
    subnetIds: built.subnets.map((s) => s.id),
    internetGatewayId: built.internetGateway.id,
    createdAt: built.vpc.createdAt,
  };
}

/** The writes that create the default VPC, all its parts and its record, and take one `vpcs` quota. */
export function createDefaultVpcWrites(built: DefaultVpc, operationId: string): Write[] {
  const { tenantId } = built.vpc;
  return [
    createItem(networkTable(), { ...defaultVpcKey(tenantId), ...defaultVpcRecord(built, operationId) }, 'pk', new Conflict('ResourceAlreadyExists', 'The tenant has a default VPC.')),
    ...createVpcWrites(built),
    ...built.subnets.map((subnet) => createItem(networkTable(), subnetItem(subnet), 'pk', new Conflict('ResourceAlreadyExists', `Subnet ${subnet.id} exists.`))),
    createInternetGatewayWrite(built.internetGateway),
  ];
}

/** The events of a default VPC's creation. */
export function defaultVpcEvents(built: DefaultVpc): ChangeDraft[] {
  const { vpc, internetGateway } = built;
  const tenantId = vpc.tenantId;
  return [
    change(vpcCreated, {
      tenantId,
      resourceId: vpc.id,
      data: { cidrBlock: vpc.cidrBlock, isDefault: true, defaultSecurityGroupId: vpc.defaultSecurityGroupId, mainRouteTableId: vpc.mainRouteTableId },
    }),
    ...built.subnets.map((s) =>
      change(subnetCreated, {
        tenantId,
        resourceId: s.id,
        data: { vpcId: vpc.id, cidrBlock: s.cidrBlock, availabilityZone: s.availabilityZone, mapPublicIpOnLaunch: true },
      }),
    ),
    change(internetGatewayCreated, { tenantId, resourceId: internetGateway.id, data: {} }),
    change(internetGatewayAttached, { tenantId, resourceId: internetGateway.id, data: { vpcId: vpc.id } }),
    change(routeTableRouteAdded, { tenantId, resourceId: vpc.mainRouteTableId, data: { destinationCidrBlock: '0.0.0.0/0', gatewayId: internetGateway.id } }),
  ];
}

export async function findDefaultVpcRecord(tenantId: string): Promise<DefaultVpcRecord | undefined> {
  const item = await getItem(networkTable(), defaultVpcKey(tenantId), true);
  if (!item) return undefined;
  const { pk: _pk, sk: _sk, ...record } = item as Item;
  return record as unknown as DefaultVpcRecord;
}

/**
 * Deletes everything the record names (whatever is still there: deleting a missing item is a
 * no-op) and the record; gives the `vpcs` quota back when the counter still exists.
 */
export async function deleteDefaultVpcWrites(record: DefaultVpcRecord): Promise<Write[]> {
  const { tenantId } = record;
  const del = (key: { pk: string; sk: string }): Write => ({ item: { Delete: { TableName: networkTable(), Key: key } } });
  const writes: Write[] = [
    del(vpcKey(tenantId, record.vpcId)),
    del(securityGroupKey(tenantId, record.defaultSecurityGroupId)),
    del(securityGroupNameKey(tenantId, record.vpcId, 'default')),
    del(routeTableKey(tenantId, record.mainRouteTableId)),
    ...record.subnetIds.map((id) => del(subnetKey(tenantId, id))),
    del(internetGatewayKey(tenantId, record.internetGatewayId)),
    del(defaultVpcKey(tenantId)),
  ];
  const vpcStillThere = await getItem(networkTable(), vpcKey(tenantId, record.vpcId), true);
  const quota = await getItem(networkTable(), { pk: partition(tenantId), sk: 'QUOTA#vpcs' }, true);
  if (vpcStillThere && quota && typeof quota.used === 'number' && quota.used > 0) writes.push(releaseQuota(tenantId, 'vpcs'));
  return writes;
}
