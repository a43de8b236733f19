/**
 * "Make me one" recipes for the security suite: for each path prefix of a tenant resource, how to
 * create one real resource of that kind, and for each operation on it that needs a body or query
 * to get past validation, a valid one. The suite fails when the manifest gains a path-parameter
 * operation whose prefix (or whose required body or query) has no recipe here, so a new
 * resource kind cannot be skipped silently.
 */
import * as z from 'zod/mini';
import { pathParameterNames, type AnyOperation } from '../../functions/kit/operation';
import type { client } from './platform';

export type Call = ReturnType<typeof client>;

/** A tenant's world: one real resource of every kind, created through the API. */
export interface World {
  tenantId: string;
  token: string;
  projectId: string;
  vpcId: string;
  vpcCidr: string;
  subnetId: string;
  internetGatewayId: string;
  securityGroupId: string;
  ruleId: string;
  routeTableId: string;
  operationId: string;
  templateId: string;
  instanceId: string;
  /** Every id above, for "lists never show it" checks. */
  ids: string[];
}

async function created(call: Call, token: string, method: string, path: string, body?: unknown): Promise<any> {
  const response = await call(method, path, { token, ...(body !== undefined ? { body } : {}) });
  if (response.status >= 300) throw new Error(`${method} ${path} → ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

/** Creates one resource of every kind in the tenant of `token` (an owner of a provisioned tenant). */
export async function buildWorld(call: Call, token: string, tenantId: string, octet = 10): Promise<World> {
  const project = await created(call, token, 'POST', '/v1/projects', { name: `security-${octet}` });
  const doomed = await created(call, token, 'POST', '/v1/projects', { name: `security-doomed-${octet}` });
  const deleting = await created(call, token, 'DELETE', `/v1/projects/${doomed.id}?cascade=true`);
  const vpcCidr = `10.${octet}.0.0/16`;
  const vpc = await created(call, token, 'POST', '/v1/vpcs', { cidrBlock: vpcCidr });
  const subnet = await created(call, token, 'POST', '/v1/subnets', { vpcId: vpc.id, cidrBlock: `10.${octet}.1.0/24` });
  const igw = await created(call, token, 'POST', '/v1/internet-gateways', {});
  const group = await created(call, token, 'POST', '/v1/security-groups', { vpcId: vpc.id, name: `sg-${octet}`, description: 'security suite' });
  const table = await created(call, token, 'POST', '/v1/route-tables', { vpcId: vpc.id });
  const template = await created(call, token, 'POST', '/v1/templates', { name: `tpl-${octet}`, flavorId: 't3.micro', subnetId: subnet.id });
  const instance = await created(call, token, 'POST', '/v1/instances', { name: `security-${octet}`, templateId: template.id, imageId: 'img-ubuntu-24.04' });
  const full = await created(call, token, 'GET', `/v1/security-groups/${group.id}`);
  const ruleId = (full.egress[0] ?? full.ingress[0])?.ruleId as string;
  if (!ruleId) throw new Error(`security group ${group.id} has no rule to name`);
  const world = {
    tenantId,
    token,
    projectId: project.id as string,
    vpcId: vpc.id as string,
    vpcCidr,
    subnetId: subnet.id as string,
    internetGatewayId: igw.id as string,
    securityGroupId: group.id as string,
    ruleId,
    routeTableId: table.id as string,
    operationId: deleting.operationId as string,
    templateId: template.id as string,
    instanceId: instance.id as string,
  };
  return { ...world, ids: [project.id, doomed.id, vpc.id, vpc.defaultSecurityGroupId, vpc.mainRouteTableId, subnet.id, igw.id, group.id, ruleId, table.id, deleting.operationId, template.id, instance.id] };
}

/** Path prefix (`/v1/<kind>`) → the path parameters naming the world's resource of that kind. */
export const resourceRecipes: Record<string, (world: World) => Record<string, string>> = {
  '/v1/projects': (w) => ({ id: w.projectId }),
  '/v1/vpcs': (w) => ({ id: w.vpcId }),
  '/v1/subnets': (w) => ({ id: w.subnetId }),
  '/v1/internet-gateways': (w) => ({ id: w.internetGatewayId }),
  '/v1/security-groups': (w) => ({ id: w.securityGroupId, ruleId: w.ruleId }),
  '/v1/route-tables': (w) => ({ id: w.routeTableId }),
  '/v1/operations': (w) => ({ id: w.operationId }),
  '/v1/templates': (w) => ({ id: w.templateId }),
  '/v1/instances': (w) => ({ id: w.instanceId }),
};

/**
 * operationId → a body and query that pass validation for the world's resource. Required where
 * `{}` would not pass on an operation that names a resource; elsewhere they let the fuzzer
 * mutate a valid request one part at a time instead of being stopped at the first field.
 */
export const requestRecipes: Record<string, (world: World) => { body?: unknown; query?: Record<string, string> }> = {
  createTenant: () => ({ body: { name: 'Fuzzed tenant', plan: 'pro', ownerEmail: 'owner@fuzz.example' } }),
  updateTenant: () => ({ body: { tags: { fuzz: 'yes' } } }),
  setTenantQuotas: () => ({ body: { projects: 50 } }),
  createProject: () => ({ body: { name: 'fuzzed', description: 'made by the fuzzer' } }),
  updateProject: () => ({ body: { description: 'patched', tags: { fuzz: 'yes' } } }),
  createVpc: () => ({ body: { cidrBlock: '10.99.0.0/16' } }),
  updateVpc: () => ({ body: { name: 'patched', tags: { fuzz: 'yes' } } }),
  createSubnet: (w) => ({ body: { vpcId: w.vpcId, cidrBlock: w.vpcCidr.replace('0.0/16', '200.0/24') } }),
  updateSubnet: () => ({ body: { name: 'patched', mapPublicIpOnLaunch: true } }),
  createInternetGateway: () => ({ body: { name: 'fuzzed' } }),
  createSecurityGroup: (w) => ({ body: { vpcId: w.vpcId, name: 'fuzzed', description: 'made by the fuzzer' } }),
  createRouteTable: (w) => ({ body: { vpcId: w.vpcId } }),
  listEvents: (w) => ({ query: { resourceId: w.vpcId } }),
  listAuditLog: (w) => ({ query: { resourceId: w.vpcId } }),
  deleteProject: () => ({ query: { cascade: 'true' } }),
  attachInternetGateway: (w) => ({ body: { vpcId: w.vpcId } }),
  detachInternetGateway: (w) => ({ body: { vpcId: w.vpcId } }),
  addSecurityGroupRule: () => ({ body: { direction: 'ingress', protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '10.0.0.0/8' } }),
  addRoute: (w) => ({ body: { destinationCidrBlock: '0.0.0.0/0', gatewayId: w.internetGatewayId } }),
  removeRoute: () => ({ query: { destination: '0.0.0.0/0' } }),
  associateRouteTable: (w) => ({ body: { subnetId: w.subnetId } }),
  disassociateRouteTable: (w) => ({ query: { subnetId: w.subnetId } }),
  createFlavor: () => ({ body: { id: 'fz1.large', vcpus: 2, memoryMib: 4096, hourlyPrice: '0.05' } }),
  createImage: () => ({ body: { name: 'Fuzzed image', os: 'linux', minDiskGb: 8 } }),
  createTemplate: (w) => ({ body: { name: 'fuzzed-template', flavorId: 't3.micro', subnetId: w.subnetId } }),
  createInstance: (w) => ({ body: { name: 'fuzzed', flavorId: 't3.nano', imageId: 'img-ubuntu-24.04', subnetId: w.subnetId } }),
  updateInstance: () => ({ body: { name: 'patched', tags: { fuzz: 'yes' } } }),
  resizeInstance: () => ({ body: { flavorId: 't3.small' } }),
  resolveRoute: (w) => ({ query: { ip: w.vpcCidr.replace('0.0/16', '0.5') } }),
};

/** `/v1/vpcs/{id}/x` → `/v1/vpcs`. */
export function pathPrefix(path: string): string {
  return path.split('/').slice(0, 3).join('/');
}

export const isAdmin = (op: AnyOperation) => op.path.startsWith('/v1/admin/');
export const hasPathParams = (op: AnyOperation) => pathParameterNames(op.path).length > 0;

/** Whether `{}` fails the schema: the operation needs a recipe for a valid one. */
export function needsValue(schema: z.core.$ZodType | undefined): boolean {
  return schema !== undefined && !z.safeParse(schema, {}).success;
}

/** What is missing from the recipes for this operation, if anything. */
export function missingRecipe(op: AnyOperation): string | undefined {
  if (isAdmin(op) || !hasPathParams(op)) return undefined;
  if (!resourceRecipes[pathPrefix(op.path)]) return `${op.operationId}: no resource recipe for ${pathPrefix(op.path)}`;
  if ((needsValue(op.body) || needsValue(op.query)) && !requestRecipes[op.operationId]) {
    return `${op.operationId}: needs a valid body or query, and requestRecipes has none`;
  }
  return undefined;
}

/** The operation's path with `params` filled in (URI-encoded), and its query string. */
export function buildPath(op: AnyOperation, params: Record<string, string>, query?: Record<string, string>): string {
  const path = op.path.replace(/\{([A-Za-z0-9_]+)\}/g, (_m, name: string) => encodeURIComponent(params[name] ?? 'x'));
  const qs = query && Object.keys(query).length ? `?${new URLSearchParams(query).toString()}` : '';
  return path + qs;
}
