/** The route table API: tables of a VPC, their routes, subnet associations and route lookup (AWS semantics). */
import * as z from 'zod/mini';
import { defineOperation } from '../kit/operation';
import { pageOf, pageQuery } from '../kit/repository';
import { tags } from '../projects/project';
import { associationSchema, routeTableSchema } from './route-table';
import { routeInput, routeSchema } from './routes';

const params = () => z.strictObject({ id: z.string().check(z.minLength(1), z.maxLength(64), z.describe('A route table id: rtb-...')) });
const notFound = { status: 404, code: 'InvalidRouteTableID.NotFound', description: 'No route table has this id in the tenant.' };

export const createRouteTable = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'createRouteTable',
  method: 'POST',
  path: '/v1/route-tables',
  handler: 'networking/create-route-table',
  domain: 'networking',
  summary: 'Create a route table in a VPC',
  description: 'The table starts with the local route (the VPC\'s block, gateway `local`). Emits `route_table.created`.',
  access: 'member',
  body: z.strictObject({ vpcId: z.string().check(z.minLength(1), z.maxLength(64)), tags: z.optional(tags) }),
  status: 201,
  response: routeTableSchema,
  errors: [{ status: 400, code: 'InvalidVpcID.NotFound', description: 'No VPC has this vpcId in the tenant.' }],
}));

export const listRouteTables = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'listRouteTables',
  method: 'GET',
  path: '/v1/route-tables',
  handler: 'networking/list-route-tables',
  domain: 'networking',
  summary: "List the tenant's route tables, oldest first (?vpcId= for one VPC's)",
  access: 'viewer',
  query: z.extend(pageQuery(), { vpcId: z.optional(z.string().check(z.minLength(1), z.maxLength(64))).check(z.describe('Only the tables of this VPC.')) }),
  status: 200,
  response: pageOf(routeTableSchema).check(z.meta({ id: 'RouteTableList' })),
  needs: ['cursorSecret'],
}));

export const getRouteTable = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'getRouteTable',
  method: 'GET',
  path: '/v1/route-tables/{id}',
  handler: 'networking/get-route-table',
  domain: 'networking',
  summary: 'Get a route table with its routes',
  access: 'viewer',
  params: params(),
  status: 200,
  response: routeTableSchema,
  errors: [notFound],
}));

export const deleteRouteTable = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'deleteRouteTable',
  method: 'DELETE',
  path: '/v1/route-tables/{id}',
  handler: 'networking/delete-route-table',
  domain: 'networking',
  summary: 'Delete a route table',
  description: 'Honours If-Match. Emits `route_table.deleted`.',
  access: 'member',
  params: params(),
  status: 204,
  response: z.never(),
  errors: [notFound, { status: 409, code: 'DependencyViolation', description: 'The table is the VPC\'s main table, or subnets are associated with it.' }],
}));

export const addRoute = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'addRoute',
  method: 'POST',
  path: '/v1/route-tables/{id}/routes',
  handler: 'networking/add-route',
  domain: 'networking',
  summary: 'Add a route to a route table',
  description:
    'Honours If-Match (the table\'s ETag; the answer carries the new one). Exactly one target: `gatewayId` (an internet gateway attached to the table\'s VPC), `natGatewayId` or `instanceId`. The destination\'s host bits are cleared. Emits `route_table.route_added`.',
  access: 'member',
  params: params(),
  body: routeInput,
  status: 201,
  response: routeTableSchema,
  errors: [
    notFound,
    { status: 400, code: 'InvalidParameterValue', description: 'A malformed destination, the gateway `local`, or a gateway not attached to the table\'s VPC.' },
    { status: 400, code: 'InvalidParameterCombination', description: 'Not exactly one target.' },
    { status: 400, code: 'InvalidGatewayID.NotFound', description: 'No internet gateway has this id in the tenant.' },
    { status: 400, code: 'InvalidNatGatewayID.NotFound', description: 'No NAT gateway has this id in the tenant.' },
    { status: 400, code: 'InvalidInstanceID.NotFound', description: 'No instance has this id in the tenant.' },
    { status: 400, code: 'RouteLimitExceeded', description: 'The table has 50 routes besides the local one.' },
    { status: 409, code: 'RouteAlreadyExists', description: 'The table already has a route to this destination.' },
  ],
}));

export const removeRoute = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'removeRoute',
  method: 'DELETE',
  path: '/v1/route-tables/{id}/routes',
  handler: 'networking/remove-route',
  domain: 'networking',
  summary: 'Remove the route to a destination',
  description: 'Honours If-Match (the table\'s ETag). Emits `route_table.route_removed`.',
  access: 'member',
  params: params(),
  query: z.strictObject({ destination: z.string().check(z.minLength(1), z.maxLength(64), z.describe('The route\'s destinationCidrBlock (host bits are cleared first).')) }),
  status: 204,
  response: z.never(),
  errors: [
    notFound,
    { status: 400, code: 'InvalidParameterValue', description: 'The local route cannot be deleted, or the destination is malformed.' },
    { status: 404, code: 'InvalidRoute.NotFound', description: 'The table has no route to this destination.' },
  ],
}));

export const associateRouteTable = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'associateRouteTable',
  method: 'POST',
  path: '/v1/route-tables/{id}/associations',
  handler: 'networking/associate-route-table',
  domain: 'networking',
  summary: 'Associate a subnet with the route table',
  description:
    'A subnet has at most one association; without one it uses its VPC\'s main table. The subnet\'s `routeTableAssociationId` is set (its version moves). Emits `route_table.associated`.',
  access: 'member',
  params: params(),
  body: z.strictObject({ subnetId: z.string().check(z.minLength(1), z.maxLength(64)) }),
  status: 201,
  response: associationSchema,
  errors: [
    notFound,
    { status: 400, code: 'InvalidSubnetID.NotFound', description: 'No subnet has this id in the tenant.' },
    { status: 400, code: 'InvalidParameterValue', description: 'The subnet is in another VPC than the table.' },
    { status: 409, code: 'Resource.AlreadyAssociated', description: 'The subnet is already associated with a route table (this one or another).' },
  ],
}));

export const disassociateRouteTable = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'disassociateRouteTable',
  method: 'DELETE',
  path: '/v1/route-tables/{id}/associations',
  handler: 'networking/disassociate-route-table',
  domain: 'networking',
  summary: 'Disassociate a subnet from the route table',
  description: 'The subnet uses its VPC\'s main table again. Emits `route_table.disassociated`.',
  access: 'member',
  params: params(),
  query: z.strictObject({ subnetId: z.string().check(z.minLength(1), z.maxLength(64)) }),
  status: 204,
  response: z.never(),
  errors: [notFound, { status: 404, code: 'InvalidAssociationID.NotFound', description: 'The subnet is not associated with this table.' }],
}));

export const resolveRoute = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'resolveRoute',
  method: 'GET',
  path: '/v1/route-tables/{id}/resolve',
  handler: 'networking/resolve-route',
  domain: 'networking',
  summary: 'The route the table chooses for an address (longest-prefix match)',
  access: 'viewer',
  params: params(),
  query: z.strictObject({ ip: z.string().check(z.minLength(1), z.maxLength(64), z.describe('An IPv4 or IPv6 address.')) }),
  status: 200,
  response: z.object({ ip: z.string(), route: routeSchema }).check(z.meta({ id: 'ResolvedRoute' })),
  errors: [
    notFound,
    { status: 400, code: 'InvalidParameterValue', description: '`ip` is not an IPv4 or IPv6 address.' },
    { status: 404, code: 'NoRoute', description: 'No route of the table holds the address.' },
  ],
}));

export const routeOperations = [
  createRouteTable,
  listRouteTables,
  getRouteTable,
  deleteRouteTable,
  addRoute,
  removeRoute,
  associateRouteTable,
  disassociateRouteTable,
  resolveRoute,
];
