/**
 * THE PROJECT TERMINATOR REGISTRY: how a project's cascade deletion terminates a resource of each
 * type. The projects domain owns it and imports no resource domain; each resource domain whose
 * resources take a `projectId` (and so join the project's members with `projectUsageWrites`)
 * registers its terminator here, in a module of its own, when that module loads:
 *
 *   registerTerminator('instance', terminateProjectInstance);                 // compute/project-terminator.ts
 *   registerTerminator('vpc', terminateProjectVpc, { after: ['instance'] });  // networking/project-terminator.ts
 *
 * and adds that module to functions/wiring/project-terminators.ts, which the TerminateResources
 * step imports, so every bundle of the step holds every registration. A new domain (volumes,
 * buckets, clusters, ...) does the same two things; nothing in projects/ changes.
 *
 * A terminator asks for the resource's termination the way its own DELETE does (its own
 * transaction, its own events, its own saga if termination is asynchronous), and must be
 * idempotent: a resource already terminating or gone is a success. The resource leaves the
 * project's members (`projectUsageWrites` with `live: -1`) when it is terminated; the saga waits
 * for that. `after` names the resource types of the same project that must be gone before this
 * one is asked (a VPC after its instances: they hold its addresses). A member whose type nothing
 * registered fails the deletion with UnsupportedResourceType, and the project opens again.
 */
import type { Actor } from '../../events/define';

export interface TerminationRequest {
  tenantId: string;
  projectId: string;
  resourceType: string;
  resourceId: string;
  /** The cascade deletion's operation, as the request id of the changes it makes. */
  operationId: string;
  actor: Actor;
  now: Date;
}

export type ResourceTerminator = (request: TerminationRequest) => Promise<void>;

export interface TerminatorOptions {
  /** Resource types that must have left the project before resources of this type are asked. */
  after?: readonly string[];
}

interface Registration {
  terminate: ResourceTerminator;
  after: readonly string[];
}

const registry = new Map<string, Registration>();

/** Registers (or replaces) the terminator of a resource type (`instance`, `vpc`, `volume`, ...). */
export function registerTerminator(resourceType: string, terminate: ResourceTerminator, options: TerminatorOptions = {}): void {
  registry.set(resourceType, { terminate, after: options.after ?? [] });
}

/** For tests that register a type of their own. */
export function unregisterTerminator(resourceType: string): void {
  registry.delete(resourceType);
}

export function terminatorOf(resourceType: string): ResourceTerminator | undefined {
  return registry.get(resourceType)?.terminate;
}

/**
 * The resource types in the order the deletion asks them: waves, each after every type its
 * members' `after` names (when the project has such members). Types in one wave are asked
 * together; a cycle of `after`s is a programming error.
 */
export function terminationWaves(resourceTypes: Iterable<string>): string[][] {
  const present = new Set(resourceTypes);
  const waves: string[][] = [];
  const placed = new Set<string>();
  while (placed.size < present.size) {
    const wave = [...present]
      .filter((type) => !placed.has(type))
      .filter((type) => (registry.get(type)?.after ?? []).every((before) => !present.has(before) || placed.has(before)))
      .sort();
    if (wave.length === 0) throw new Error(`The terminators' "after" form a cycle among ${[...present].filter((t) => !placed.has(t)).join(', ')}`);
    for (const type of wave) placed.add(type);
    waves.push(wave);
  }
  return waves;
}
