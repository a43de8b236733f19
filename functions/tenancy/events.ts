/** The tenancy domain's events (source `platform.tenancy`), listed in manifest.events. */
import * as z from 'zod/mini';
import { defineEvent } from '../events/define';
import { PLAN_NAMES } from './plans';

const source = 'platform.tenancy' as const;
const plan = () => z.enum(PLAN_NAMES);

export const tenantCreated = defineEvent({
  source,
  detailType: 'tenant.created',
  resourceType: 'tenant',
  description: 'An operator created a tenant; it is provisioning. Starts the TenantProvisioning saga.',
  data: z.lazy(() => z.object({
    name: z.string(),
    plan: plan(),
    ownerEmail: z.string(),
    operationId: z.string().check(z.describe('The provisioning operation (GET /v1/operations/{id}).')),
    tags: z.record(z.string(), z.string()),
  })),
});

export const tenantActivated = defineEvent({
  source,
  detailType: 'tenant.activated',
  resourceType: 'tenant',
  description: 'Provisioning finished: quotas applied, starting credits granted, default VPC created; the tenant is active.',
  data: z.lazy(() => z.object({ name: z.string(), plan: plan(), operationId: z.string() })),
});

export const tenantProvisioningFailed = defineEvent({
  source,
  detailType: 'tenant.provisioning_failed',
  resourceType: 'tenant',
  description: 'A provisioning step failed; the steps done before it were compensated and the tenant is failed.',
  data: z.lazy(() => z.object({
    operationId: z.string(),
    error: z.object({ code: z.string(), message: z.string(), step: z.optional(z.string()) }),
  })),
});

export const tenantSuspended = defineEvent({
  source,
  detailType: 'tenant.suspended',
  resourceType: 'tenant',
  description: 'An operator suspended the tenant: it may read but not change anything.',
  data: z.lazy(() => z.object({ from: z.literal('active') })),
});

export const tenantReactivated = defineEvent({
  source,
  detailType: 'tenant.reactivated',
  resourceType: 'tenant',
  description: 'An operator lifted the suspension: the tenant is active again.',
  data: z.lazy(() => z.object({ from: z.literal('suspended') })),
});

export const tenantPlanChanged = defineEvent({
  source,
  detailType: 'tenant.plan_changed',
  resourceType: 'tenant',
  description: "The tenant moved to another plan; its quota limits follow the plan, except the ones an operator overrode.",
  data: z.lazy(() => z.object({ from: plan(), to: plan(), quotasChanged: z.array(z.string()) })),
});

export const tenantUpdated = defineEvent({
  source,
  detailType: 'tenant.updated',
  resourceType: 'tenant',
  description: "An operator changed the tenant's tags.",
  data: z.lazy(() => z.object({ tags: z.record(z.string(), z.string()) })),
});

export const creditGranted = defineEvent({
  source,
  detailType: 'credit.granted',
  resourceType: 'credit',
  description: "Credits were added to the tenant's ledger (starting credits at provisioning).",
  data: z.lazy(() => z.object({ amount: z.string(), currency: z.literal('USD'), reason: z.string(), operationId: z.optional(z.string()) })),
});

export const creditReversed = defineEvent({
  source,
  detailType: 'credit.reversed',
  resourceType: 'credit',
  description: 'A ledger entry was reversed by a negative entry of the same amount (a compensated provisioning).',
  data: z.lazy(() => z.object({ amount: z.string(), currency: z.literal('USD'), reason: z.string(), reverses: z.string() })),
});

export const tenancyEvents = [
  tenantCreated,
  tenantActivated,
  tenantProvisioningFailed,
  tenantSuspended,
  tenantReactivated,
  tenantPlanChanged,
  tenantUpdated,
  creditGranted,
  creditReversed,
];
