/**
 * Routes of a route table, pure: the local route, the target of a route, adding and removing
 * routes, and the longest-prefix match that picks the route for an address.
 */
import * as z from 'zod/mini';
import { BadRequest, Conflict, NotFound } from '../kit/errors';
import { cidrHasAddress, parseAddress, parseCidrBlock } from './cidr';

/** AWS's default limit of non-propagated routes in one table. */
export const MAX_ROUTES_PER_TABLE = 50;

export const TARGET_TYPES = ['gatewayId', 'natGatewayId', 'instanceId'] as const;
export type TargetType = (typeof TARGET_TYPES)[number];

export interface Route {
  destinationCidrBlock: string;
  /** `local` for the VPC's own block, or an internet gateway `igw-…`. */
  gatewayId?: string;
  natGatewayId?: string;
  instanceId?: string;
  /** `CreateRouteTable` for the local route, `CreateRoute` for the others (AWS's names). */
  origin: 'CreateRouteTable' | 'CreateRoute';
  state: 'active';
}

export const routeSchema = z.lazy(() => z
  .object({
    destinationCidrBlock: z.string(),
    gatewayId: z.optional(z.string()),
    natGatewayId: z.optional(z.string()),
    instanceId: z.optional(z.string()),
    origin: z.enum(['CreateRouteTable', 'CreateRoute']),
    state: z.enum(['active']),
  })
  .check(z.meta({ id: 'Route' })));

export const routeInput = z.lazy(() => z.strictObject({
  destinationCidrBlock: z.string().check(z.minLength(1), z.maxLength(64), z.describe('An IPv4 or IPv6 block; host bits are cleared.')),
  gatewayId: z.optional(z.string().check(z.minLength(1), z.maxLength(64))).check(z.describe('An internet gateway attached to the VPC of the table.')),
  natGatewayId: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  instanceId: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
}));
export type RouteInput = z.output<typeof routeInput>;

export function localRoute(vpcCidr: string): Route {
  return { destinationCidrBlock: vpcCidr, gatewayId: 'local', origin: 'CreateRouteTable', state: 'active' };
}

export function isLocal(route: Route): boolean {
  return route.gatewayId === 'local';
}

/** A destination in its normal form (host bits cleared), or 400 InvalidParameterValue. */
export function normaliseDestination(text: string): string {
  const block = parseCidrBlock(text);
  if (!block) throw new BadRequest('InvalidParameterValue', `${text} is not an IPv4 or IPv6 CIDR block (address/prefix).`);
  return block.cidr;
}

/** The one target of a route input, or 400 InvalidParameterCombination when there is not exactly one. */
export function routeTarget(input: Partial<Record<TargetType, string>>): { type: TargetType; id: string } {
  const given = TARGET_TYPES.filter((type) => input[type] !== undefined);
  if (given.length !== 1) {
    throw new BadRequest('InvalidParameterCombination', 'A route takes exactly one target: gatewayId, natGatewayId or instanceId.');
  }
  const type = given[0] as TargetType;
  const id = input[type] as string;
  if (type === 'gatewayId' && id === 'local') throw new BadRequest('InvalidParameterValue', 'The local route is made with the table; it cannot be added.');
  return { type, id };
}

/** The routes after adding `route`, or 409 RouteAlreadyExists / 400 RouteLimitExceeded. */
export function withRoute(routes: readonly Route[], route: Route): Route[] {
  if (routes.some((existing) => existing.destinationCidrBlock === route.destinationCidrBlock)) {
    throw new Conflict('RouteAlreadyExists', `The table already has a route to ${route.destinationCidrBlock}.`);
  }
  if (routes.filter((existing) => !isLocal(existing)).length >= MAX_ROUTES_PER_TABLE) {
    throw new BadRequest('RouteLimitExceeded', `A route table has at most ${MAX_ROUTES_PER_TABLE} routes besides the local one.`);
  }
  return [...routes, route];
}

/**
 * The routes after removing the one to `destination` (normalised first), with the removed route;
 * 400 InvalidParameterValue for the local route, 404 InvalidRoute.NotFound when there is none.
 */
export function withoutRoute(routes: readonly Route[], destination: string): { routes: Route[]; removed: Route } {
  const cidr = normaliseDestination(destination);
  const removed = routes.find((route) => route.destinationCidrBlock === cidr);
  if (!removed) throw new NotFound('InvalidRoute.NotFound', `The table has no route to ${cidr}.`);
  if (isLocal(removed)) throw new BadRequest('InvalidParameterValue', 'The local route cannot be deleted.');
  return { routes: routes.filter((route) => route !== removed), removed };
}

function prefixOf(cidr: string): number {
  return Number(cidr.slice(cidr.lastIndexOf('/') + 1));
}

/**
 * The route an address takes: among the routes whose destination holds it (same IP version), the
 * one with the longest prefix. Undefined when none does. 400 when `ip` is not an address.
 */
export function longestPrefixMatch(routes: readonly Route[], ip: string): Route | undefined {
  const address = parseAddress(ip);
  if (!address) throw new BadRequest('InvalidParameterValue', `${ip} is not an IPv4 or IPv6 address.`);
  let best: Route | undefined;
  for (const route of routes) {
    if (!cidrHasAddress(route.destinationCidrBlock, address.address)) continue;
    if (!best || prefixOf(route.destinationCidrBlock) > prefixOf(best.destinationCidrBlock)) best = route;
  }
  return best;
}
