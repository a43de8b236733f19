/** Tenant rules without a table: what a PATCH changes, plan quota limits, and ledger arithmetic. */
import { balanceOf, fromMicros, negate, sumAmounts, toMicros, unreversed, type CreditEntry } from '../../functions/tenancy/credits';
import { tagsSchema } from '../../functions/tenancy/admin-operations';
import { PLANS, QUOTA_NAMES } from '../../functions/tenancy/plans';
import { planQuotaLimits, tenantChanges, type StoredQuota } from '../../functions/tenancy/tenant-changes';
import type { Tenant, TenantStatus } from '../../functions/tenancy/tenant';

function tenant(status: TenantStatus, fields: Partial<Tenant> = {}): Tenant {
  return {
    id: 'tnt-1',
    tenantId: 'tnt-1',
    name: 'Acme',
    plan: 'starter',
    ownerEmail: 'o@acme.example',
    status,
    createdAt: '2030-01-01T00:00:00.000Z',
    updatedAt: '2030-01-01T00:00:00.000Z',
    version: 3,
    tags: { team: 'a' },
    ...fields,
  };
}

const starterQuotas: StoredQuota[] = QUOTA_NAMES.map((name) => ({ name, limit: PLANS.starter.quotas[name] }));
const types = (changes: ReturnType<typeof tenantChanges>) => changes.events.map((draft) => draft.event.detailType);

describe('tenantChanges', () => {
  it('suspends an active tenant and reactivates a suspended one, each with its event', () => {
    expect(tenantChanges(tenant('active'), { status: 'suspended' }, [])).toMatchObject({ set: { status: 'suspended' } });
    expect(types(tenantChanges(tenant('active'), { status: 'suspended' }, []))).toEqual(['tenant.suspended']);
    expect(types(tenantChanges(tenant('suspended'), { status: 'active' }, []))).toEqual(['tenant.reactivated']);
  });

  it('treats asking for the status a tenant has as a no-op', () => {
    expect(tenantChanges(tenant('suspended'), { status: 'suspended' }, [])).toEqual({ set: {}, events: [], quotaLimits: [] });
  });

  it.each(['provisioning', 'failed'] as const)('refuses to change the status or plan of a %s tenant with 409 IncorrectTenantState', (status) => {
    for (const patch of [{ status: 'active' as const }, { status: 'suspended' as const }, { plan: 'pro' as const }]) {
      expect(() => tenantChanges(tenant(status), patch, [])).toThrow(expect.objectContaining({ status: 409, code: 'IncorrectTenantState' }));
    }
  });

  it('moves every quota to the new plan except the overridden ones', () => {
    const quotas = starterQuotas.map((quota) => (quota.name === 'vpcs' ? { ...quota, limit: 7, overridden: true } : quota));
    const changes = tenantChanges(tenant('active'), { plan: 'pro' }, quotas);
    expect(changes.set).toEqual({ plan: 'pro' });
    expect(changes.quotaLimits.map((quota) => quota.name)).toEqual(QUOTA_NAMES.filter((name) => name !== 'vpcs'));
    expect(changes.quotaLimits.find((quota) => quota.name === 'instances')?.limit).toBe(PLANS.pro.quotas.instances);
    expect(changes.events[0]?.data).toMatchObject({ from: 'starter', to: 'pro' });
  });

  it('changes plan while suspended, and replaces tags only when they differ', () => {
    expect(tenantChanges(tenant('suspended'), { plan: 'enterprise' }, starterQuotas).set).toEqual({ plan: 'enterprise' });
    expect(tenantChanges(tenant('active'), { tags: { team: 'a' } }, []).events).toEqual([]);
    expect(types(tenantChanges(tenant('active'), { tags: {} }, []))).toEqual(['tenant.updated']);
  });
});

describe('planQuotaLimits', () => {
  it('skips quotas already at the plan limit and sets missing ones', () => {
    expect(planQuotaLimits('starter', starterQuotas)).toEqual([]);
    expect(planQuotaLimits('starter', [])).toHaveLength(QUOTA_NAMES.length);
  });
});

describe('tags', () => {
  it('takes at most 50, keys up to 128 and values up to 256 characters', () => {
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
    expect(tagsSchema.safeParse(Object.fromEntries(Object.entries(many).slice(0, 50))).success).toBe(true);
    expect(tagsSchema.safeParse(many).success).toBe(false);
    expect(tagsSchema.safeParse({ ['k'.repeat(129)]: 'v' }).success).toBe(false);
    expect(tagsSchema.safeParse({ k: 'v'.repeat(257) }).success).toBe(false);
    expect(tagsSchema.safeParse({ '': 'v' }).success).toBe(false);
  });
});

describe('ledger amounts', () => {
  it('adds decimal strings exactly, without floats', () => {
    expect(sumAmounts(['0.10', '0.20'])).toBe('0.30');
    expect(sumAmounts(['100.00', '-100.00'])).toBe('0.00');
    expect(sumAmounts(['2500.00', '0.000001'])).toBe('2500.000001');
    expect(negate('100.00')).toBe('-100.00');
    expect(fromMicros(toMicros('-0.5'))).toBe('-0.50');
    expect(() => toMicros('1e3')).toThrow(/Not a decimal/);
  });

  it('finds the grants not reversed yet and the balance', () => {
    const entry = (id: string, amount: string, reverses?: string): CreditEntry => ({
      id,
      tenantId: 't',
      amount,
      currency: 'USD',
      reason: 'r',
      createdAt: '2030-01-01T00:00:00Z',
      ...(reverses ? { reverses } : {}),
    });
    const entries = [entry('a', '100.00'), entry('b', '50.00'), entry('c', '-100.00', 'a')];
    expect(unreversed(entries).map((e) => e.id)).toEqual(['b']);
    expect(balanceOf(entries)).toBe('50.00');
  });
});
