/**
 * The route-target registry: what a route's target contributes to the route's transaction, by
 * target type. Networking owns it and registers its own targets (internet gateways; NAT gateways,
 * refused until they exist: see route-table-repository.ts). A higher domain whose resources can be
 * a route's target registers its resolver here with `registerRouteTarget` at its module's load;
 * networking never imports that domain (compute registers `instanceId` in compute/route-target.ts).
 *
 * A handler that adds or removes routes loads every registration through the composition module
 * functions/wiring/route-targets.ts, so each separately bundled Lambda has them. Asking for an
 * unregistered type is a programming error (the handler's bundle lacks the wiring), not a 400.
 */
import type { Write } from '../kit/transaction';
import type { TargetType } from './routes';

/** What a route's target contributes to the route's transaction: checks and counters. */
export interface RouteTargetResolver {
  /** Checks the target exists and belongs to the VPC (400 otherwise); the writes that hold it at commit. */
  onAdd(tenantId: string, vpcId: string, id: string): Promise<Write[]>;
  /** The writes that give back what onAdd took, for `count` routes to the target. */
  onRemove(tenantId: string, id: string, count: number): Write[];
}

const resolvers = new Map<TargetType, RouteTargetResolver>();

/** Registers the resolver of a target type (again: the newer one wins, for tests). */
export function registerRouteTarget(type: TargetType, resolver: RouteTargetResolver): void {
  resolvers.set(type, resolver);
}

export function routeTargetResolver(type: TargetType): RouteTargetResolver {
  const resolver = resolvers.get(type);
  if (!resolver) {
    throw new Error(`No route target resolver for ${type}: the handler must import functions/wiring/route-targets`);
  }
  return resolver;
}
