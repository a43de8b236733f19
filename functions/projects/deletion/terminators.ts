/**
 * How the cascade deletion terminates a resource of each type. A resource domain whose resources
 * take a `projectId` adds its terminator here: it asks for the resource's termination the way its
 * own DELETE does (its own transaction, its own events, its own saga if termination is
 * asynchronous), and must be idempotent: a resource already terminating or gone is a success. The
 * resource leaves the project's counts (`projectUsageWrites` with `live: -1`) when it is
 * terminated; the saga waits for that.
 */
import type { Actor } from '../../events/define';
import { terminateProjectInstance } from '../../compute/project-terminator';

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

/** By resource type (`instance`, `volume`, ...). */
export const resourceTerminators: Record<string, ResourceTerminator> = {
  instance: terminateProjectInstance,
};
