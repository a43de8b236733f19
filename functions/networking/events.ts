/** The networking domain's events for VPCs, subnets and internet gateways (source `platform.networking`). */
import * as z from 'zod/mini';
import { defineEvent } from '../events/define';

const source = 'platform.networking' as const;
const tagsData = z.lazy(() => z.record(z.string(), z.string()));

export const vpcCreated = defineEvent({
  source,
  detailType: 'vpc.created',
  resourceType: 'vpc',
  description: 'A VPC was created, with its default security group and main route table.',
  data: z.lazy(() => z.object({
    cidrBlock: z.string(),
    name: z.optional(z.string()),
    isDefault: z.boolean(),
    defaultSecurityGroupId: z.string(),
    mainRouteTableId: z.string(),
    projectId: z.optional(z.string()),
  })),
});

export const vpcUpdated = defineEvent({
  source,
  detailType: 'vpc.updated',
  resourceType: 'vpc',
  description: 'A VPC was renamed, or its DNS settings or tags changed. `data` holds the new values of what changed.',
  data: z.lazy(() => z.object({
    name: z.optional(z.nullable(z.string())),
    enableDnsSupport: z.optional(z.boolean()),
    enableDnsHostnames: z.optional(z.boolean()),
    tags: z.optional(tagsData),
  })),
});

export const vpcDeleted = defineEvent({
  source,
  detailType: 'vpc.deleted',
  resourceType: 'vpc',
  description: 'A VPC was deleted, with its default security group and main route table.',
  data: z.lazy(() => z.object({ cidrBlock: z.string(), isDefault: z.boolean() })),
});

export const subnetCreated = defineEvent({
  source,
  detailType: 'subnet.created',
  resourceType: 'subnet',
  description: 'A subnet was created in a VPC.',
  data: z.lazy(() => z.object({ vpcId: z.string(), cidrBlock: z.string(), availabilityZone: z.string(), mapPublicIpOnLaunch: z.boolean() })),
});

export const subnetUpdated = defineEvent({
  source,
  detailType: 'subnet.updated',
  resourceType: 'subnet',
  description: 'A subnet was renamed, or its mapPublicIpOnLaunch or tags changed. `data` holds the new values of what changed.',
  data: z.lazy(() => z.object({ name: z.optional(z.nullable(z.string())), mapPublicIpOnLaunch: z.optional(z.boolean()), tags: z.optional(tagsData) })),
});

export const subnetDeleted = defineEvent({
  source,
  detailType: 'subnet.deleted',
  resourceType: 'subnet',
  description: 'A subnet was deleted (with its route table association, if it had one).',
  data: z.lazy(() => z.object({ vpcId: z.string(), cidrBlock: z.string() })),
});

export const internetGatewayCreated = defineEvent({
  source,
  detailType: 'internet_gateway.created',
  resourceType: 'internet_gateway',
  description: 'An internet gateway was created (detached).',
  data: z.lazy(() => z.object({ name: z.optional(z.string()) })),
});

export const internetGatewayAttached = defineEvent({
  source,
  detailType: 'internet_gateway.attached',
  resourceType: 'internet_gateway',
  description: 'An internet gateway was attached to a VPC.',
  data: z.lazy(() => z.object({ vpcId: z.string() })),
});

export const internetGatewayDetached = defineEvent({
  source,
  detailType: 'internet_gateway.detached',
  resourceType: 'internet_gateway',
  description: 'An internet gateway was detached from its VPC.',
  data: z.lazy(() => z.object({ vpcId: z.string() })),
});

export const internetGatewayDeleted = defineEvent({
  source,
  detailType: 'internet_gateway.deleted',
  resourceType: 'internet_gateway',
  description: 'An internet gateway was deleted.',
  data: z.lazy(() => z.object({})),
});

export const networkingEvents = [
  vpcCreated,
  vpcUpdated,
  vpcDeleted,
  subnetCreated,
  subnetUpdated,
  subnetDeleted,
  internetGatewayCreated,
  internetGatewayAttached,
  internetGatewayDetached,
  internetGatewayDeleted,
];
