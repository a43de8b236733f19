/** The networking domain's security group and route table events (source `platform.networking`), listed in manifest.events. */
import * as z from 'zod/mini';
import { defineEvent } from '../events/define';
import { RULE_DIRECTIONS, ruleFields } from './rules';

const source = 'platform.networking' as const;

const ruleData = z.lazy(() => z.object({ direction: z.enum(RULE_DIRECTIONS), ...ruleFields() }));

export const securityGroupCreated = defineEvent({
  source,
  detailType: 'security_group.created',
  resourceType: 'security_group',
  description: 'A security group was created in a VPC (with no ingress rule and one egress rule to everywhere).',
  data: z.lazy(() => z.object({ vpcId: z.string(), name: z.string(), description: z.string(), tags: z.record(z.string(), z.string()) })),
});

export const securityGroupDeleted = defineEvent({
  source,
  detailType: 'security_group.deleted',
  resourceType: 'security_group',
  description: 'A security group was deleted.',
  data: z.lazy(() => z.object({ vpcId: z.string(), name: z.string() })),
});

export const securityGroupRuleAdded = defineEvent({
  source,
  detailType: 'security_group.rule_added',
  resourceType: 'security_group',
  description: 'A rule was added to a security group; `data` is the rule in its normal form.',
  data: ruleData,
});

export const securityGroupRuleRemoved = defineEvent({
  source,
  detailType: 'security_group.rule_removed',
  resourceType: 'security_group',
  description: 'A rule was removed from a security group; `data` is the rule as it was.',
  data: ruleData,
});

export const routeTableCreated = defineEvent({
  source,
  detailType: 'route_table.created',
  resourceType: 'route_table',
  description: 'A (non-main) route table was created in a VPC, with the local route.',
  data: z.lazy(() => z.object({ vpcId: z.string(), tags: z.record(z.string(), z.string()) })),
});

export const routeTableDeleted = defineEvent({
  source,
  detailType: 'route_table.deleted',
  resourceType: 'route_table',
  description: 'A route table was deleted.',
  data: z.lazy(() => z.object({ vpcId: z.string() })),
});

const routeData = z.lazy(() => z.object({
  destinationCidrBlock: z.string(),
  gatewayId: z.optional(z.string()),
  natGatewayId: z.optional(z.string()),
  instanceId: z.optional(z.string()),
}));

export const routeTableRouteAdded = defineEvent({
  source,
  detailType: 'route_table.route_added',
  resourceType: 'route_table',
  description: 'A route was added to a route table.',
  data: routeData,
});

export const routeTableRouteRemoved = defineEvent({
  source,
  detailType: 'route_table.route_removed',
  resourceType: 'route_table',
  description: 'A route was removed from a route table.',
  data: routeData,
});

export const routeTableAssociated = defineEvent({
  source,
  detailType: 'route_table.associated',
  resourceType: 'route_table',
  description: 'A subnet was associated with a route table (it no longer uses the main table).',
  data: z.lazy(() => z.object({ subnetId: z.string(), associationId: z.string() })),
});

export const routeTableDisassociated = defineEvent({
  source,
  detailType: 'route_table.disassociated',
  resourceType: 'route_table',
  description: 'A subnet was disassociated from a route table (it uses the main table again).',
  data: z.lazy(() => z.object({ subnetId: z.string(), associationId: z.string() })),
});

export const securityGroupEvents = [securityGroupCreated, securityGroupDeleted, securityGroupRuleAdded, securityGroupRuleRemoved];
export const routeTableEvents = [
  routeTableCreated,
  routeTableDeleted,
  routeTableRouteAdded,
  routeTableRouteRemoved,
  routeTableAssociated,
  routeTableDisassociated,
];
