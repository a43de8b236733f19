/** The security group API: groups of a VPC and their ingress and egress rules (AWS semantics). */
import * as z from 'zod/mini';
import { defineOperation } from '../kit/operation';
import { pageOf, pageQuery } from '../kit/repository';
import { tags } from '../projects/project';
import { ruleFields, ruleInput } from './rules';
import { securityGroupDescription, securityGroupName, securityGroupSchema } from './security-group';

const params = () => z.strictObject({ id: z.string().check(z.minLength(1), z.maxLength(64), z.describe('A security group id: sg-...')) });
const notFound = { status: 404, code: 'InvalidGroup.NotFound', description: 'No security group has this id in the tenant.' };
const vpcNotFound = { status: 400, code: 'InvalidVpcID.NotFound', description: 'No VPC has this vpcId in the tenant.' };

export const createSecurityGroup = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'createSecurityGroup',
  method: 'POST',
  path: '/v1/security-groups',
  handler: 'networking/create-security-group',
  domain: 'networking',
  summary: 'Create a security group in a VPC',
  description:
    'A new group has no ingress rule and one egress rule (all traffic to 0.0.0.0/0). Counts against the tenant\'s `securityGroupsPerVpc` quota (non-default groups of the VPC; 429 `QuotaExceeded`). Emits `security_group.created`.',
  access: 'member',
  body: z.strictObject({
    name: securityGroupName,
    description: z.optional(securityGroupDescription).check(z.describe('Defaults to the name.')),
    vpcId: z.string().check(z.minLength(1), z.maxLength(64)),
    tags: z.optional(tags),
  }),
  status: 201,
  response: securityGroupSchema,
  errors: [
    vpcNotFound,
    { status: 400, code: 'InvalidGroup.Reserved', description: 'The name `default` belongs to the VPC\'s default group.' },
    { status: 409, code: 'InvalidGroup.Duplicate', description: 'The VPC already has a group of this name (case-insensitive).' },
    { status: 429, code: 'QuotaExceeded', description: 'The VPC has as many security groups as the tenant\'s `securityGroupsPerVpc` quota allows.' },
  ],
}));

export const listSecurityGroups = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'listSecurityGroups',
  method: 'GET',
  path: '/v1/security-groups',
  handler: 'networking/list-security-groups',
  domain: 'networking',
  summary: "List the tenant's security groups, oldest first (?vpcId= for one VPC's)",
  access: 'viewer',
  query: z.extend(pageQuery(), { vpcId: z.optional(z.string().check(z.minLength(1), z.maxLength(64))).check(z.describe('Only the groups of this VPC.')) }),
  status: 200,
  response: pageOf(securityGroupSchema).check(z.meta({ id: 'SecurityGroupList' })),
  needs: ['cursorSecret'],
}));

export const getSecurityGroup = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'getSecurityGroup',
  method: 'GET',
  path: '/v1/security-groups/{id}',
  handler: 'networking/get-security-group',
  domain: 'networking',
  summary: 'Get a security group with its rules',
  access: 'viewer',
  params: params(),
  status: 200,
  response: securityGroupSchema,
  errors: [notFound],
}));

export const deleteSecurityGroup = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'deleteSecurityGroup',
  method: 'DELETE',
  path: '/v1/security-groups/{id}',
  handler: 'networking/delete-security-group',
  domain: 'networking',
  summary: 'Delete a security group',
  description: 'Honours If-Match. Gives back the references its rules held on other groups. Emits `security_group.deleted`.',
  access: 'member',
  params: params(),
  status: 204,
  response: z.never(),
  errors: [
    notFound,
    { status: 400, code: 'CannotDelete', description: 'The VPC\'s default group goes with the VPC only.' },
    { status: 409, code: 'DependencyViolation', description: 'An instance uses the group, or a rule of another group names it.' },
  ],
}));

const ruleCreated = z.lazy(() =>
  z.object({ ...ruleFields(), direction: z.enum(['ingress', 'egress']), securityGroupId: z.string() }).check(z.meta({ id: 'SecurityGroupRuleCreated' })),
);

export const addSecurityGroupRule = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'addSecurityGroupRule',
  method: 'POST',
  path: '/v1/security-groups/{id}/rules',
  handler: 'networking/add-security-group-rule',
  domain: 'networking',
  summary: 'Add an ingress or egress rule to a security group',
  description:
    'Honours If-Match (the group\'s ETag; the answer carries the group\'s new one). The protocol is stored by name (6 → tcp, 17 → udp, 1 → icmp, 58 → icmpv6, -1 → all); tcp/udp need 0 ≤ fromPort ≤ toPort ≤ 65535; icmp/icmpv6 take the type in fromPort and the code in toPort (-1 = all, the default); other protocols take no ports. Exactly one of `cidr` (host bits cleared) and `sourceSecurityGroupId` (a group of the same VPC, possibly this one). Emits `security_group.rule_added`.',
  access: 'member',
  params: params(),
  body: ruleInput,
  status: 201,
  response: ruleCreated,
  errors: [
    notFound,
    { status: 400, code: 'InvalidParameterValue', description: 'A malformed protocol, port range, ICMP type/code or CIDR block.' },
    { status: 400, code: 'InvalidParameterCombination', description: 'Not exactly one of cidr and sourceSecurityGroupId, a source group of another VPC, or an address family the protocol does not take.' },
    { status: 400, code: 'InvalidGroup.NotFound', description: 'The sourceSecurityGroupId does not exist in the tenant.' },
    { status: 400, code: 'RulesPerSecurityGroupLimitExceeded', description: 'The group already has 60 rules in this direction.' },
    { status: 409, code: 'InvalidPermission.Duplicate', description: 'The group already has this rule (same direction, protocol, ports and source).' },
  ],
}));

export const removeSecurityGroupRule = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'removeSecurityGroupRule',
  method: 'DELETE',
  path: '/v1/security-groups/{id}/rules/{ruleId}',
  handler: 'networking/remove-security-group-rule',
  domain: 'networking',
  summary: 'Remove a rule from a security group',
  description: 'Honours If-Match (the group\'s ETag). Emits `security_group.rule_removed`.',
  access: 'member',
  params: z.extend(params(), { ruleId: z.string().check(z.minLength(1), z.maxLength(64), z.describe('A rule id: sgr-...')) }),
  status: 204,
  response: z.never(),
  errors: [notFound, { status: 404, code: 'InvalidPermission.NotFound', description: 'The group has no rule with this id.' }],
}));

export const securityOperations = [
  createSecurityGroup,
  listSecurityGroups,
  getSecurityGroup,
  deleteSecurityGroup,
  addSecurityGroupRule,
  removeSecurityGroupRule,
];
