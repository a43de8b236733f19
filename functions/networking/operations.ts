/** The networking API for VPCs, subnets and internet gateways (AWS VPC semantics). */
import * as z from 'zod/mini';
import { defineOperation } from '../kit/operation';
import { pageOf, pageQuery } from '../kit/repository';
import { tags, tagsPatch } from '../projects/project';
import { internetGatewaySchema } from './internet-gateway';
import { subnetSchema } from './subnet';
import { resourceName, vpcSchema } from './vpc';

const domain = 'networking';
const idParams = (what: string) => z.strictObject({ id: z.string().check(z.minLength(1), z.maxLength(64), z.describe(what)) });
const vpcParams = () => idParams('A VPC id: vpc-...');
const subnetParams = () => idParams('A subnet id: subnet-...');
const gatewayParams = () => idParams('An internet gateway id: igw-...');

const vpcNotFound = { status: 404, code: 'InvalidVpcID.NotFound', description: 'No VPC has this id in the tenant.' };
const subnetNotFound = { status: 404, code: 'InvalidSubnetID.NotFound', description: 'No subnet has this id in the tenant.' };
const gatewayNotFound = { status: 404, code: 'InvalidInternetGatewayID.NotFound', description: 'No internet gateway has this id in the tenant.' };
const malformed = { status: 400, code: 'InvalidParameterValue', description: 'A CIDR block or zone that is not valid.' };
const quota = (name: string) => ({ status: 429, code: 'QuotaExceeded', description: `The ${name} quota is used up.` });
const dependency = (what: string) => ({ status: 409, code: 'DependencyViolation', description: what });
const cidrText = () => z.string().check(z.minLength(1), z.maxLength(64));
const vpcIdBody = () => z.strictObject({ vpcId: z.string().check(z.minLength(1), z.maxLength(64)) });

// --- VPCs --------------------------------------------------------------------------------------

export const createVpc = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'createVpc',
  method: 'POST',
  path: '/v1/vpcs',
  handler: 'networking/create-vpc',
  domain,
  summary: 'Create a VPC',
  description:
    'Creates the VPC with its security group `default` (ingress from itself, all egress) and its main route table (the local route), in one transaction. ' +
    '`cidrBlock` must be inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16 and /16 to /28; host bits are cleared. Takes one of the `vpcs` quota. Emits `vpc.created`.',
  access: 'member',
  body: z.strictObject({
    cidrBlock: cidrText().check(z.describe('e.g. 10.0.0.0/16')),
    name: z.optional(resourceName),
    enableDnsSupport: z.optional(z.boolean()).check(z.describe('Default true.')),
    enableDnsHostnames: z.optional(z.boolean()).check(z.describe('Default false; needs enableDnsSupport.')),
    projectId: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
    tags: z.optional(tags),
  }),
  status: 201,
  response: vpcSchema,
  errors: [
    malformed,
    { status: 400, code: 'InvalidVpc.Range', description: 'The block is not /16–/28 inside a private range.' },
    { status: 400, code: 'InvalidParameterCombination', description: 'enableDnsHostnames without enableDnsSupport.' },
    { status: 404, code: 'ProjectNotFound', description: 'No project has this projectId.' },
    quota('vpcs'),
  ],
}));

export const listVpcs = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'listVpcs',
  method: 'GET',
  path: '/v1/vpcs',
  handler: 'networking/list-vpcs',
  domain,
  summary: "List the tenant's VPCs, oldest first",
  access: 'viewer',
  query: pageQuery(),
  status: 200,
  response: pageOf(vpcSchema).check(z.meta({ id: 'VpcList' })),
  needs: ['cursorSecret'],
}));

export const getVpc = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'getVpc',
  method: 'GET',
  path: '/v1/vpcs/{id}',
  handler: 'networking/get-vpc',
  domain,
  summary: 'Get a VPC',
  access: 'viewer',
  params: vpcParams(),
  status: 200,
  response: vpcSchema,
  errors: [vpcNotFound],
}));

export const updateVpc = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'updateVpc',
  method: 'PATCH',
  path: '/v1/vpcs/{id}',
  handler: 'networking/update-vpc',
  domain,
  summary: "Change a VPC's name, DNS settings or tags",
  description:
    'Honours If-Match. `name: null` removes the name; `tags` is a JSON Merge Patch. DNS hostnames need DNS support (400 `InvalidParameterCombination`). Emits `vpc.updated`.',
  access: 'member',
  params: vpcParams(),
  body: z.strictObject({
    name: z.optional(z.nullable(resourceName)),
    enableDnsSupport: z.optional(z.boolean()),
    enableDnsHostnames: z.optional(z.boolean()),
    tags: z.optional(tagsPatch),
  }),
  status: 200,
  response: vpcSchema,
  errors: [
    vpcNotFound,
    { status: 400, code: 'InvalidParameterCombination', description: 'enableDnsHostnames without enableDnsSupport.' },
    { status: 400, code: 'TagLimitExceeded', description: 'More than 50 tags.' },
  ],
}));

export const deleteVpc = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'deleteVpc',
  method: 'DELETE',
  path: '/v1/vpcs/{id}',
  handler: 'networking/delete-vpc',
  domain,
  summary: 'Delete a VPC',
  description:
    'Honours If-Match. Deletes the VPC with its default security group and main route table, and gives the `vpcs` quota back. Emits `vpc.deleted`.',
  access: 'member',
  params: vpcParams(),
  status: 204,
  response: z.never(),
  errors: [vpcNotFound, dependency('The VPC still has subnets, instances, non-default security groups, extra route tables or an attached internet gateway.')],
}));

// --- Subnets -----------------------------------------------------------------------------------

export const createSubnet = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'createSubnet',
  method: 'POST',
  path: '/v1/subnets',
  handler: 'networking/create-subnet',
  domain,
  summary: 'Create a subnet in a VPC',
  description:
    "`cidrBlock` must be /16 to /28 inside the VPC's block (400 `InvalidSubnet.Range`) and overlap no other subnet of the VPC (409 `InvalidSubnet.Conflict`, race-free). " +
    'Without `availabilityZone` the platform picks the zone with the fewest subnets of the VPC. At most `subnetsPerVpc` per VPC. Emits `subnet.created`.',
  access: 'member',
  body: z.strictObject({
    vpcId: z.string().check(z.minLength(1), z.maxLength(64)),
    cidrBlock: cidrText().check(z.describe('e.g. 10.0.1.0/24')),
    availabilityZone: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
    name: z.optional(resourceName),
    mapPublicIpOnLaunch: z.optional(z.boolean()).check(z.describe('Default false.')),
    tags: z.optional(tags),
  }),
  status: 201,
  response: subnetSchema,
  errors: [
    malformed,
    { status: 400, code: 'InvalidSubnet.Range', description: "The block is not /16–/28 inside the VPC's block." },
    vpcNotFound,
    { status: 409, code: 'InvalidSubnet.Conflict', description: 'The block overlaps another subnet of the VPC.' },
    quota('subnetsPerVpc'),
  ],
}));

export const listSubnets = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'listSubnets',
  method: 'GET',
  path: '/v1/subnets',
  handler: 'networking/list-subnets',
  domain,
  summary: "List the tenant's subnets (oldest first), or a VPC's (by CIDR)",
  access: 'viewer',
  query: z.extend(pageQuery(), { vpcId: z.optional(z.string().check(z.minLength(1), z.maxLength(64))).check(z.describe("Only this VPC's subnets, ordered by block.")) }),
  status: 200,
  response: pageOf(subnetSchema).check(z.meta({ id: 'SubnetList' })),
  needs: ['cursorSecret'],
}));

export const getSubnet = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'getSubnet',
  method: 'GET',
  path: '/v1/subnets/{id}',
  handler: 'networking/get-subnet',
  domain,
  summary: 'Get a subnet',
  access: 'viewer',
  params: subnetParams(),
  status: 200,
  response: subnetSchema,
  errors: [subnetNotFound],
}));

export const updateSubnet = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'updateSubnet',
  method: 'PATCH',
  path: '/v1/subnets/{id}',
  handler: 'networking/update-subnet',
  domain,
  summary: "Change a subnet's mapPublicIpOnLaunch, name or tags",
  description: 'Honours If-Match. `name: null` removes the name; `tags` is a JSON Merge Patch. Emits `subnet.updated`.',
  access: 'member',
  params: subnetParams(),
  body: z.strictObject({ mapPublicIpOnLaunch: z.optional(z.boolean()), name: z.optional(z.nullable(resourceName)), tags: z.optional(tagsPatch) }),
  status: 200,
  response: subnetSchema,
  errors: [subnetNotFound, { status: 400, code: 'TagLimitExceeded', description: 'More than 50 tags.' }],
}));

export const deleteSubnet = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'deleteSubnet',
  method: 'DELETE',
  path: '/v1/subnets/{id}',
  handler: 'networking/delete-subnet',
  domain,
  summary: 'Delete a subnet',
  description: 'Honours If-Match. Its route table association goes with it. Emits `subnet.deleted`.',
  access: 'member',
  params: subnetParams(),
  status: 204,
  response: z.never(),
  errors: [subnetNotFound, dependency('Addresses of the subnet are in use (instances).')],
}));

// --- Internet gateways -------------------------------------------------------------------------

export const createInternetGateway = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'createInternetGateway',
  method: 'POST',
  path: '/v1/internet-gateways',
  handler: 'networking/create-internet-gateway',
  domain,
  summary: 'Create an internet gateway (detached)',
  description: 'Emits `internet_gateway.created`.',
  access: 'member',
  body: z.strictObject({ name: z.optional(resourceName), tags: z.optional(tags) }),
  status: 201,
  response: internetGatewaySchema,
}));

export const listInternetGateways = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'listInternetGateways',
  method: 'GET',
  path: '/v1/internet-gateways',
  handler: 'networking/list-internet-gateways',
  domain,
  summary: "List the tenant's internet gateways, oldest first",
  access: 'viewer',
  query: pageQuery(),
  status: 200,
  response: pageOf(internetGatewaySchema).check(z.meta({ id: 'InternetGatewayList' })),
  needs: ['cursorSecret'],
}));

export const getInternetGateway = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'getInternetGateway',
  method: 'GET',
  path: '/v1/internet-gateways/{id}',
  handler: 'networking/get-internet-gateway',
  domain,
  summary: 'Get an internet gateway',
  access: 'viewer',
  params: gatewayParams(),
  status: 200,
  response: internetGatewaySchema,
  errors: [gatewayNotFound],
}));

export const deleteInternetGateway = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'deleteInternetGateway',
  method: 'DELETE',
  path: '/v1/internet-gateways/{id}',
  handler: 'networking/delete-internet-gateway',
  domain,
  summary: 'Delete a detached internet gateway',
  description: 'Honours If-Match. Emits `internet_gateway.deleted`.',
  access: 'member',
  params: gatewayParams(),
  status: 204,
  response: z.never(),
  errors: [gatewayNotFound, dependency('The gateway is attached to a VPC; detach it first.')],
}));

export const attachInternetGateway = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'attachInternetGateway',
  method: 'POST',
  path: '/v1/internet-gateways/{id}/attach',
  handler: 'networking/attach-internet-gateway',
  domain,
  summary: 'Attach an internet gateway to a VPC',
  description: 'A VPC takes one gateway and a gateway attaches to one VPC. Emits `internet_gateway.attached`.',
  access: 'member',
  params: gatewayParams(),
  body: vpcIdBody(),
  status: 200,
  response: internetGatewaySchema,
  errors: [
    gatewayNotFound,
    vpcNotFound,
    { status: 409, code: 'Resource.AlreadyAssociated', description: 'The VPC has a gateway, or the gateway is attached (to this or another VPC).' },
  ],
}));

export const detachInternetGateway = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'detachInternetGateway',
  method: 'POST',
  path: '/v1/internet-gateways/{id}/detach',
  handler: 'networking/detach-internet-gateway',
  domain,
  summary: 'Detach an internet gateway from its VPC',
  description: 'Refused while a route targets the gateway. Emits `internet_gateway.detached`.',
  access: 'member',
  params: gatewayParams(),
  body: vpcIdBody(),
  status: 200,
  response: internetGatewaySchema,
  errors: [
    gatewayNotFound,
    { status: 400, code: 'Gateway.NotAttached', description: 'The gateway is not attached to this VPC.' },
    dependency('Routes target the gateway; delete them first.'),
  ],
}));

export const networkingOperations = [
  createVpc,
  listVpcs,
  getVpc,
  updateVpc,
  deleteVpc,
  createSubnet,
  listSubnets,
  getSubnet,
  updateSubnet,
  deleteSubnet,
  createInternetGateway,
  listInternetGateways,
  getInternetGateway,
  deleteInternetGateway,
  attachInternetGateway,
  detachInternetGateway,
];
