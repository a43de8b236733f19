/** Internet gateways, pure: the record, its schema and the attachment rules. */
import * as z from 'zod/mini';
import { BadRequest, Conflict } from '../kit/errors';

export interface InternetGatewayAttachment {
  vpcId: string;
  state: 'available';
}

export interface InternetGateway {
  id: string;
  tenantId: string;
  name?: string;
  /** At most one. */
  attachments: InternetGatewayAttachment[];
  /** Routes that target the gateway (route tables move it in their own transactions). */
  routeCount: number;
  createdAt: string;
  updatedAt: string;
  version: number;
  tags: Record<string, string>;
}

export const internetGatewaySchema = z.lazy(() => z
  .object({
    id: z.string(),
    tenantId: z.string(),
    name: z.optional(z.string()),
    attachments: z.array(z.object({ vpcId: z.string(), state: z.literal('available') })).check(z.describe('At most one VPC.')),
    routeCount: z.int().check(z.describe('Routes that target the gateway: it cannot be detached while there are any.')),
    createdAt: z.string(),
    updatedAt: z.string(),
    version: z.int(),
    tags: z.record(z.string(), z.string()),
  })
  .check(z.meta({ id: 'InternetGateway' })));

export function attachedVpcId(gateway: InternetGateway): string | undefined {
  return gateway.attachments[0]?.vpcId;
}

/** A gateway attaches to one VPC, and a VPC takes one gateway: 409 Resource.AlreadyAssociated otherwise. */
export function assertCanAttach(gateway: InternetGateway, vpc: { id: string; internetGatewayId?: string }): void {
  const current = attachedVpcId(gateway);
  if (current === vpc.id) throw new Conflict('Resource.AlreadyAssociated', `Internet gateway ${gateway.id} is already attached to ${vpc.id}.`);
  if (current) throw new Conflict('Resource.AlreadyAssociated', `Internet gateway ${gateway.id} is attached to ${current}; detach it first.`);
  if (vpc.internetGatewayId) {
    throw new Conflict('Resource.AlreadyAssociated', `VPC ${vpc.id} already has internet gateway ${vpc.internetGatewayId} attached.`);
  }
}

/** Detaching: 400 Gateway.NotAttached unless attached to that VPC; 409 DependencyViolation while routes target it. */
export function assertCanDetach(gateway: InternetGateway, vpcId: string): void {
  if (attachedVpcId(gateway) !== vpcId) throw new BadRequest('Gateway.NotAttached', `Internet gateway ${gateway.id} is not attached to ${vpcId}.`);
  if (gateway.routeCount > 0) {
    throw new Conflict('DependencyViolation', `Internet gateway ${gateway.id} is the target of ${gateway.routeCount} route(s); delete them first.`);
  }
}
