/** The TenantProvisioning state machine and the rule that starts it, as the manifest lists them. */
import type { EventRuleSpec, StateMachineSpec } from '../../kit/declarations';
import { tenantCreated } from '../events';
import { tenantProvisioning } from './saga';

export const tenantProvisioningMachine: StateMachineSpec = {
  name: tenantProvisioning.name,
  definition: 'statemachines/tenant-provisioning.asl.json',
  tasks: {
    ApplyQuotasFn: 'tenancy/provisioning/apply-quotas',
    GrantCreditsFn: 'tenancy/provisioning/grant-credits',
    CreateDefaultVpcFn: 'tenancy/provisioning/create-default-vpc',
    ActivateFn: 'tenancy/provisioning/activate',
    UndoCreateDefaultVpcFn: 'tenancy/provisioning/undo-create-default-vpc',
    UndoGrantCreditsFn: 'tenancy/provisioning/undo-grant-credits',
    UndoApplyQuotasFn: 'tenancy/provisioning/undo-apply-quotas',
    MarkFailedFn: 'tenancy/provisioning/mark-failed',
  },
  description: "Provisions a new tenant: plan quotas, starting credits, default VPC, activation; compensates in reverse on failure.",
};

export const startTenantProvisioning: EventRuleSpec = {
  name: 'StartTenantProvisioning',
  pattern: { source: [tenantCreated.source], 'detail-type': [tenantCreated.detailType] },
  target: { stateMachine: tenantProvisioning.name },
  description: 'tenant.created starts the TenantProvisioning saga with the event as its input.',
};
