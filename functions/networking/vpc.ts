/**
 * VPCs, pure: the record, its schemas, the CIDR rules, and the one builder that computes every
 * item a new VPC is made of (the VPC, its `default` security group and its main route table),
 * used by the API and by the tenant provisioning saga's default VPC alike.
 */
import * as z from 'zod/mini';
import { BadRequest } from '../kit/errors';
import { newId } from '../kit/ids';
import { isPrivateIpv4, parseCidrBlock } from './cidr';
import type { Rule } from './rules';

export const VPC_MIN_PREFIX = 16;
export const VPC_MAX_PREFIX = 28;

/** A VPC's dependency counters: children that keep it from being deleted (default group and main table excluded). */
export interface VpcCounts {
  subnets: number;
  securityGroups: number;
  routeTables: number;
  instances: number;
}

/** What the VPC item records of each subnet, so sibling checks read one item consistently. */
export interface SubnetSlot {
  cidrBlock: string;
  availabilityZone: string;
}

export interface Vpc {
  id: string;
  tenantId: string;
  name?: string;
  cidrBlock: string;
  enableDnsSupport: boolean;
  enableDnsHostnames: boolean;
  isDefault: boolean;
  state: 'available';
  defaultSecurityGroupId: string;
  mainRouteTableId: string;
  internetGatewayId?: string;
  projectId?: string;
  counts: VpcCounts;
  /** Internal: moves with every change of a child (serialises siblings); not the client's `version`. */
  childVersion?: number;
  /** Internal: subnet id → its block and zone (overlap checks, zone choice). Not in responses. */
  subnetSlots: Record<string, SubnetSlot>;
  createdAt: string;
  updatedAt: string;
  version: number;
  tags: Record<string, string>;
}

export const resourceName = z.lazy(() => z.string().check(z.minLength(1), z.maxLength(255), z.describe('A display name (AWS keeps it as the `Name` tag).')));

export const vpcSchema = z.lazy(() => z
  .object({
    id: z.string(),
    tenantId: z.string(),
    name: z.optional(z.string()),
    cidrBlock: z.string(),
    enableDnsSupport: z.boolean(),
    enableDnsHostnames: z.boolean(),
    isDefault: z.boolean(),
    state: z.literal('available'),
    defaultSecurityGroupId: z.string(),
    mainRouteTableId: z.string(),
    internetGatewayId: z.optional(z.string()),
    projectId: z.optional(z.string()),
    counts: z
      .object({ subnets: z.int(), securityGroups: z.int(), routeTables: z.int(), instances: z.int() })
      .check(z.describe('Dependencies that keep the VPC from being deleted (its default group and main route table do not count).')),
    createdAt: z.string(),
    updatedAt: z.string(),
    version: z.int().check(z.describe("Moves, with the ETag, only when the VPC's own attributes change: a child's create or delete moves `counts` or `internetGatewayId`, not this.")),
    tags: z.record(z.string(), z.string()),
  })
  .check(z.meta({ id: 'Vpc' })));

/** The VPC as a client sees it: the internal slots left out. */
export function publicVpc(vpc: Vpc): Omit<Vpc, 'subnetSlots' | 'childVersion'> {
  const { subnetSlots: _slots, childVersion: _children, ...rest } = vpc;
  return rest;
}

/**
 * A VPC block: malformed → 400 InvalidParameterValue; outside RFC 1918 or not /16–/28 → 400
 * InvalidVpc.Range. Returns the block with its host bits cleared.
 */
export function vpcCidr(text: string): string {
  const block = parseCidrBlock(text, 4);
  if (!block) throw new BadRequest('InvalidParameterValue', `${text} is not an IPv4 CIDR block (a.b.c.d/n).`);
  if (block.prefix < VPC_MIN_PREFIX || block.prefix > VPC_MAX_PREFIX || !isPrivateIpv4(block.cidr)) {
    throw new BadRequest(
      'InvalidVpc.Range',
      `The CIDR ${block.cidr} is invalid: a VPC takes a /${VPC_MIN_PREFIX} to /${VPC_MAX_PREFIX} block inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16.`,
    );
  }
  return block.cidr;
}

/** AWS: DNS hostnames need DNS support. */
export function assertDnsSettings(enableDnsSupport: boolean, enableDnsHostnames: boolean): void {
  if (enableDnsHostnames && !enableDnsSupport) {
    throw new BadRequest('InvalidParameterCombination', 'enableDnsHostnames needs enableDnsSupport: DNS hostnames are resolved by the VPC\'s DNS.');
  }
}

export interface SecurityGroupRecord {
  id: string;
  tenantId: string;
  vpcId: string;
  name: string;
  description: string;
  isDefault: boolean;
  ingress: Rule[];
  egress: Rule[];
  referencedBy: number;
  instanceCount: number;
  createdAt: string;
  updatedAt: string;
  version: number;
  tags: Record<string, string>;
}

export interface Route {
  destinationCidrBlock: string;
  gatewayId?: string;
  natGatewayId?: string;
  instanceId?: string;
  origin: 'CreateRouteTable' | 'CreateRoute';
  state: 'active';
}

export interface RouteTableRecord {
  id: string;
  tenantId: string;
  vpcId: string;
  isMain: boolean;
  routes: Route[];
  associationCount: number;
  createdAt: string;
  updatedAt: string;
  version: number;
  tags: Record<string, string>;
}

/** The local route every table of the VPC has: traffic inside the VPC stays in it. */
export function localRoute(vpcCidrBlock: string): Route {
  return { destinationCidrBlock: vpcCidrBlock, gatewayId: 'local', origin: 'CreateRouteTable', state: 'active' };
}

/** AWS's default group: all traffic from members of the group itself in, all traffic out. */
export function defaultGroupRules(groupId: string): { ingress: Rule[]; egress: Rule[] } {
  return {
    ingress: [{ ruleId: newId('sgr'), protocol: 'all', sourceSecurityGroupId: groupId }],
    egress: [{ ruleId: newId('sgr'), protocol: 'all', cidr: '0.0.0.0/0' }],
  };
}

export interface NewVpc {
  tenantId: string;
  cidrBlock: string;
  name?: string;
  enableDnsSupport?: boolean;
  enableDnsHostnames?: boolean;
  isDefault?: boolean;
  projectId?: string;
  tags?: Record<string, string>;
  now: Date;
}

export interface VpcParts {
  vpc: Vpc;
  defaultSecurityGroup: SecurityGroupRecord;
  mainRouteTable: RouteTableRecord;
}

/** Computes a new VPC with its default security group and main route table (nothing is written). */
export function buildVpc(input: NewVpc): VpcParts {
  const at = input.now.toISOString();
  const id = newId('vpc');
  const groupId = newId('sg');
  const tableId = newId('rtb');
  const enableDnsSupport = input.enableDnsSupport ?? true;
  const enableDnsHostnames = input.enableDnsHostnames ?? Boolean(input.isDefault);
  assertDnsSettings(enableDnsSupport, enableDnsHostnames);
  const common = { tenantId: input.tenantId, createdAt: at, updatedAt: at, version: 1 };
  const vpc: Vpc = {
    id,
    ...common,
    ...(input.name !== undefined ? { name: input.name } : {}),
    cidrBlock: input.cidrBlock,
    enableDnsSupport,
    enableDnsHostnames,
    isDefault: Boolean(input.isDefault),
    state: 'available',
    defaultSecurityGroupId: groupId,
    mainRouteTableId: tableId,
    ...(input.projectId !== undefined ? { projectId: input.projectId } : {}),
    counts: { subnets: 0, securityGroups: 0, routeTables: 0, instances: 0 },
    childVersion: 0,
    subnetSlots: {},
    tags: input.tags ?? {},
  };
  const defaultSecurityGroup: SecurityGroupRecord = {
    id: groupId,
    ...common,
    vpcId: id,
    name: 'default',
    description: 'default VPC security group',
    isDefault: true,
    ...defaultGroupRules(groupId),
    referencedBy: 0,
    instanceCount: 0,
    tags: {},
  };
  const mainRouteTable: RouteTableRecord = {
    id: tableId,
    ...common,
    vpcId: id,
    isMain: true,
    routes: [localRoute(input.cidrBlock)],
    associationCount: 0,
    tags: {},
  };
  return { vpc, defaultSecurityGroup, mainRouteTable };
}

/** Whether the VPC still has something that keeps it from being deleted; the reason if so. */
export function vpcDependency(vpc: Vpc): string | undefined {
  const { subnets, securityGroups, routeTables, instances } = vpc.counts;
  if (vpc.internetGatewayId) return `internet gateway ${vpc.internetGatewayId} is attached`;
  if (subnets > 0) return `${subnets} subnet(s)`;
  if (instances > 0) return `${instances} instance(s)`;
  if (securityGroups > 0) return `${securityGroups} non-default security group(s)`;
  if (routeTables > 0) return `${routeTables} non-main route table(s)`;
  return undefined;
}
