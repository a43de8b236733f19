/**
 * Security groups, pure: the response schema, the name rules and the builder of a new (non-default)
 * group. The record type and the default group come from vpc.ts (built with the VPC).
 */
import * as z from 'zod/mini';
import { BadRequest } from '../kit/errors';
import { newId } from '../kit/ids';
import { ruleSchema, type Rule } from './rules';
import type { SecurityGroupRecord } from './vpc';

export type SecurityGroup = SecurityGroupRecord;

export const DEFAULT_GROUP_NAME = 'default';

export const securityGroupName = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(255),
    z.regex(/^[A-Za-z0-9 ._\-:/()#,@[\]+=&;{}!$*]+$/, 'Letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*'),
    z.describe('Unique in the VPC, case-insensitive; `default` is reserved.'),
  );

export const securityGroupDescription = z.lazy(() => z.string().check(z.maxLength(255)));

export const securityGroupSchema = z.lazy(() => z
  .object({
    id: z.string(),
    tenantId: z.string(),
    vpcId: z.string(),
    name: z.string(),
    description: z.string(),
    isDefault: z.boolean(),
    ingress: z.array(ruleSchema),
    egress: z.array(ruleSchema),
    referencedBy: z.int().check(z.describe('Rules of other groups that name this group; while > 0 it cannot be deleted.')),
    instanceCount: z.int().check(z.describe('Instances that use this group; while > 0 it cannot be deleted.')),
    createdAt: z.string(),
    updatedAt: z.string(),
    version: z.int(),
    tags: z.record(z.string(), z.string()),
  })
  .check(z.meta({ id: 'SecurityGroup' })));

/** `default` is the VPC's own group's name: 400 InvalidGroup.Reserved (any case, as AWS). */
export function assertNameAllowed(name: string): void {
  if (name.toLowerCase() === DEFAULT_GROUP_NAME) {
    throw new BadRequest('InvalidGroup.Reserved', 'The name default is reserved for the VPC\'s default security group.');
  }
}

/** A new group's one egress rule: all traffic to anywhere (AWS). No ingress. */
export function newGroupEgress(): Rule[] {
  return [{ ruleId: newId('sgr'), protocol: 'all', cidr: '0.0.0.0/0' }];
}

export interface NewSecurityGroup {
  tenantId: string;
  vpcId: string;
  name: string;
  description?: string;
  tags?: Record<string, string>;
  now: Date;
}

export function buildSecurityGroup(input: NewSecurityGroup): SecurityGroup {
  assertNameAllowed(input.name);
  const at = input.now.toISOString();
  return {
    id: newId('sg'),
    tenantId: input.tenantId,
    vpcId: input.vpcId,
    name: input.name,
    description: input.description ?? input.name,
    isDefault: false,
    ingress: [],
    egress: newGroupEgress(),
    referencedBy: 0,
    instanceCount: 0,
    createdAt: at,
    updatedAt: at,
    version: 1,
    tags: input.tags ?? {},
  };
}
