/** What an operator's PATCH of a tenant changes: pure rules, so they are tested without a table. */
import type { ChangeDraft } from '../events/outbox';
import { change } from '../events/outbox';
import { Conflict } from '../kit/errors';
import { tenantPlanChanged, tenantReactivated, tenantSuspended, tenantUpdated } from './events';
import { PLANS, QUOTA_NAMES, type PlanName, type QuotaName } from './plans';
import { canSetStatus, type Tenant } from './tenant';

export interface TenantPatch {
  plan?: PlanName;
  status?: 'active' | 'suspended';
  tags?: Record<string, string>;
}

/** A quota counter as stored: its limit, and whether an operator set it by hand. */
export interface StoredQuota {
  name: QuotaName;
  limit: number;
  overridden?: boolean;
}

export interface TenantChanges {
  set: Partial<Pick<Tenant, 'plan' | 'status' | 'tags'>>;
  events: ChangeDraft[];
  /** Quota names whose limit moves to the new plan's. */
  quotaLimits: { name: QuotaName; limit: number }[];
}

function incorrectState(tenant: Tenant, what: string): Conflict {
  return new Conflict('IncorrectTenantState', `Tenant ${tenant.id} is ${tenant.status}: it cannot ${what}.`);
}

/** The limits a plan change moves: every quota the tenant has, except overridden ones, to the new plan's. */
export function planQuotaLimits(plan: PlanName, quotas: StoredQuota[]): { name: QuotaName; limit: number }[] {
  const stored = new Map(quotas.map((quota) => [quota.name, quota]));
  return QUOTA_NAMES.flatMap((name) => {
    const quota = stored.get(name);
    const limit = PLANS[plan].quotas[name];
    if (quota?.overridden || quota?.limit === limit) return [];
    return [{ name, limit }];
  });
}

function sameTags(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => b[key] === a[key]);
}

export function tenantChanges(tenant: Tenant, patch: TenantPatch, quotas: StoredQuota[]): TenantChanges {
  const result: TenantChanges = { set: {}, events: [], quotaLimits: [] };
  const draft = { tenantId: tenant.id, resourceId: tenant.id };

  if (patch.status !== undefined && patch.status !== tenant.status) {
    if (!canSetStatus(tenant.status)) throw incorrectState(tenant, `become ${patch.status}`);
    result.set.status = patch.status;
    result.events.push(
      patch.status === 'suspended'
        ? change(tenantSuspended, { ...draft, data: { from: 'active' } })
        : change(tenantReactivated, { ...draft, data: { from: 'suspended' } }),
    );
  }

  if (patch.plan !== undefined && patch.plan !== tenant.plan) {
    if (!canSetStatus(tenant.status)) throw incorrectState(tenant, 'change plans');
    result.set.plan = patch.plan;
    result.quotaLimits = planQuotaLimits(patch.plan, quotas);
    result.events.push(
      change(tenantPlanChanged, {
        ...draft,
        data: { from: tenant.plan, to: patch.plan, quotasChanged: result.quotaLimits.map((quota) => quota.name) },
      }),
    );
  }

  if (patch.tags !== undefined && !sameTags(patch.tags, tenant.tags)) {
    result.set.tags = patch.tags;
    result.events.push(change(tenantUpdated, { ...draft, data: { tags: patch.tags } }));
  }
  return result;
}
