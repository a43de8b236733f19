/** Subnets, pure: the record, its schema, the CIDR and zone rules, and the address count. */
import * as z from 'zod/mini';
import { BadRequest, Conflict } from '../kit/errors';
import { cidrContains, cidrsOverlap, parseCidrBlock, usableAddressCount } from './cidr';
import type { SubnetSlot, Vpc } from './vpc';

export const SUBNET_MIN_PREFIX = 16;
export const SUBNET_MAX_PREFIX = 28;

export interface Subnet {
  id: string;
  tenantId: string;
  vpcId: string;
  name?: string;
  cidrBlock: string;
  availabilityZone: string;
  mapPublicIpOnLaunch: boolean;
  /** Private addresses handed out (instances, interfaces); moved with each allocation item. */
  addressesInUse: number;
  state: 'available';
  routeTableAssociationId?: string;
  createdAt: string;
  updatedAt: string;
  version: number;
  tags: Record<string, string>;
}

export const subnetSchema = z.lazy(() => z
  .object({
    id: z.string(),
    tenantId: z.string(),
    vpcId: z.string(),
    name: z.optional(z.string()),
    cidrBlock: z.string(),
    availabilityZone: z.string(),
    availableIpAddressCount: z.int().check(z.describe('2^(32−prefix) − 5 (AWS reserves five), less the addresses in use.')),
    mapPublicIpOnLaunch: z.boolean(),
    state: z.literal('available'),
    routeTableAssociationId: z.optional(z.string()),
    createdAt: z.string(),
    updatedAt: z.string(),
    version: z.int(),
    tags: z.record(z.string(), z.string()),
  })
  .check(z.meta({ id: 'Subnet' })));
export type SubnetView = z.output<typeof subnetSchema>;

export function prefixOf(cidr: string): number {
  return Number(cidr.split('/')[1]);
}

export function availableIpAddressCount(subnet: Pick<Subnet, 'cidrBlock' | 'addressesInUse'>): number {
  return usableAddressCount(prefixOf(subnet.cidrBlock)) - subnet.addressesInUse;
}

/** The subnet as a client sees it: the address count derived, the counter left out. */
export function publicSubnet(subnet: Subnet): SubnetView {
  const { addressesInUse: _used, ...rest } = subnet;
  return { ...rest, availableIpAddressCount: availableIpAddressCount(subnet) };
}

/**
 * A subnet block of this VPC: malformed → 400 InvalidParameterValue; not /16–/28 or not inside
 * the VPC's block → 400 InvalidSubnet.Range; overlapping a sibling → 409 InvalidSubnet.Conflict.
 */
export function subnetCidr(vpc: Pick<Vpc, 'id' | 'cidrBlock' | 'subnetSlots'>, text: string): string {
  const block = parseCidrBlock(text, 4);
  if (!block) throw new BadRequest('InvalidParameterValue', `${text} is not an IPv4 CIDR block (a.b.c.d/n).`);
  if (block.prefix < SUBNET_MIN_PREFIX || block.prefix > SUBNET_MAX_PREFIX || !cidrContains(vpc.cidrBlock, block.cidr)) {
    throw new BadRequest(
      'InvalidSubnet.Range',
      `The CIDR ${block.cidr} is invalid: a subnet takes a /${SUBNET_MIN_PREFIX} to /${SUBNET_MAX_PREFIX} block inside its VPC's ${vpc.cidrBlock}.`,
    );
  }
  for (const [id, slot] of Object.entries(vpc.subnetSlots)) {
    if (cidrsOverlap(slot.cidrBlock, block.cidr)) {
      throw new Conflict('InvalidSubnet.Conflict', `The CIDR ${block.cidr} conflicts with subnet ${id} (${slot.cidrBlock}) of VPC ${vpc.id}.`);
    }
  }
  return block.cidr;
}

/** The zone with the fewest subnets of the VPC; ties go to the first alphabetically. */
export function chooseZone(zones: string[], slots: Record<string, SubnetSlot>): string {
  const counts = new Map(zones.map((zone) => [zone, 0]));
  for (const slot of Object.values(slots)) {
    if (counts.has(slot.availabilityZone)) counts.set(slot.availabilityZone, (counts.get(slot.availabilityZone) ?? 0) + 1);
  }
  const [best] = [...counts.entries()].sort(([a, m], [b, n]) => m - n || (a < b ? -1 : a > b ? 1 : 0));
  if (!best) throw new Error('no availability zones');
  return best[0];
}
