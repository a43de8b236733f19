/**
 * The manifest: every operation, job, state machine and event rule of the platform, listed once.
 * The CDK stack, the local runtime, the OpenAPI document and the parity test are built from it.
 */
import type { AnyEventSpec } from './events/define';
import type { EventRuleSpec, JobSpec, StateMachineSpec } from './kit/declarations';
import type { AnyOperation } from './kit/operation';
import { platformOperations } from './platform/operations';
import { platformJobs } from './jobs/jobs';
import { jobOperations } from './jobs/operations';
import { projectDeletionMachine, startProjectDeletion } from './projects/deletion/machine';
import { projectEvents } from './projects/events';
import { projectOperations } from './projects/operations';
import { networkingEvents } from './networking/events';
import { networkingOperations } from './networking/operations';
import { routeOperations } from './networking/route-operations';
import { routeTableEvents, securityGroupEvents } from './networking/security-events';
import { securityOperations } from './networking/security-operations';
import { quotaOperations, tenantQuotasChanged } from './tenancy/quota-operations';
import { eventOperations } from './events/operations';
import { operationOperations } from './operations/operations';
import { tenantAdminOperations } from './tenancy/admin-operations';
import { tenancyEvents } from './tenancy/events';
import { startTenantProvisioning, tenantProvisioningMachine } from './tenancy/provisioning/machine';
import { catalogOperations } from './compute/catalog-operations';
import { instanceEvents } from './compute/events';
import { instanceLifecycleMachine, startInstanceLifecycle } from './compute/lifecycle/machine';
import { instanceOperations } from './compute/operations';
import { templateEvents, templateOperations } from './compute/template-operations';
import { metricsEvents, metricsJobs, metricsOperations } from './compute/metrics/operations';

export type { EventRuleSpec, JobSpec, StateMachineSpec } from './kit/declarations';

export interface Manifest {
  operations: AnyOperation[];
  jobs: JobSpec[];
  stateMachines: StateMachineSpec[];
  eventRules: EventRuleSpec[];
  /** Every domain event detail-type: the event catalog. */
  events: AnyEventSpec[];
}

export const manifest: Manifest = {
  operations: [...platformOperations, ...jobOperations, ...eventOperations, ...operationOperations, ...tenantAdminOperations, ...quotaOperations, ...projectOperations, ...networkingOperations, ...securityOperations, ...routeOperations, ...instanceOperations, ...catalogOperations, ...templateOperations, ...metricsOperations] as AnyOperation[],
  jobs: [...platformJobs, ...metricsJobs],
  stateMachines: [tenantProvisioningMachine, projectDeletionMachine, instanceLifecycleMachine],
  eventRules: [startTenantProvisioning, startProjectDeletion, startInstanceLifecycle],
  events: [...tenancyEvents, tenantQuotasChanged, ...projectEvents, ...networkingEvents, ...securityGroupEvents, ...routeTableEvents, ...instanceEvents, ...templateEvents, ...metricsEvents],
};

/** Declaration mistakes that would make two places disagree, found before anything is built. */
export function manifestProblems(candidate: Manifest): string[] {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const op of candidate.operations) {
    for (const key of [`id ${op.operationId}`, `route ${op.method} ${op.path}`, `handler ${op.handler}`]) {
      const other = seen.get(key);
      if (other) problems.push(`${key} is declared by both ${other} and ${op.operationId}`);
      seen.set(key, op.operationId);
    }
    if (!/^\/v1\//.test(op.path)) problems.push(`${op.operationId}: ${op.path} is not under /v1/`);
    // A feature may have its own folder in its domain (compute/metrics/): <domain>/<feature>/<module>.
    if (!/^[a-z][a-z0-9-]*\/([a-z0-9-]+\/)?[a-z0-9-]+$/.test(op.handler)) {
      problems.push(`${op.operationId}: handler ${op.handler} is not <domain>/<module> or <domain>/<feature>/<module>`);
    }
    if (!/^[a-z][A-Za-z0-9]+$/.test(op.operationId)) problems.push(`${op.operationId}: operationId is not camelCase`);
    if (op.path.startsWith('/v1/admin/') !== (op.access === 'platform-admin')) {
      problems.push(`${op.operationId}: /v1/admin/ routes, and only they, are for platform-admin`);
    }
  }
  return problems;
}
