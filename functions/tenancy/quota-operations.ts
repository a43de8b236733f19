/**
 * The quotas API: a tenant reads its limits and use; an operator overrides limits. An override is
 * marked on the quota item (`overridden: true`), so provisioning and plan changes leave it alone;
 * `null` lifts it (the limit goes back to the plan's). A limit below the current use is allowed,
 * as AWS allows lowering a quota: nothing is taken away, new creates fail until use drops under it.
 */
import * as z from 'zod/mini';
import { defineEvent } from '../events/define';
import { defineOperation } from '../kit/operation';
import { QUOTA_NAMES, type QuotaName } from './plans';

const quota = z.object({ name: z.enum(QUOTA_NAMES), limit: z.int(), used: z.int() }).check(z.meta({ id: 'Quota' }));

export const listQuotasOperation = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'listQuotas',
  method: 'GET',
  path: '/v1/quotas',
  handler: 'tenancy/list-quotas',
  domain: 'tenancy',
  summary: "The tenant's quotas: limit and use of each",
  description:
    'Over a limit, creates answer 429 `QuotaExceeded`. `used` may exceed `limit` after an operator lowered it; ' +
    'then creates fail until use drops below the limit.',
  access: 'viewer',
  status: 200,
  response: z.object({ items: z.array(quota) }).check(z.meta({ id: 'QuotaList' })),
}));

const limit = z.int().check(z.gte(0), z.lte(1_000_000_000));

/** Every quota name, optional, each a limit or null (lift the override). Unknown names are refused. */
const overrides = z
  .strictObject(Object.fromEntries(QUOTA_NAMES.map((name) => [name, z.optional(z.nullable(limit))])) as Record<QuotaName, z.ZodMiniOptional<z.ZodMiniNullable<typeof limit>>>)
  .check(z.refine((body) => Object.values(body).some((value) => value !== undefined), { message: 'Name at least one quota' }));

export const tenantQuotaView = z.lazy(() => z
  .object({
    name: z.enum(QUOTA_NAMES),
    limit: z.int(),
    used: z.int(),
    overridden: z.boolean().check(z.describe('Set by an operator: plan changes keep it.')),
  })
  .check(z.meta({ id: 'TenantQuota' })));

export const setTenantQuotasOperation = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'setTenantQuotas',
  method: 'PUT',
  path: '/v1/admin/tenants/{id}/quotas',
  handler: 'tenancy/set-tenant-quotas',
  domain: 'tenancy',
  summary: "Override a tenant's quota limits",
  description:
    'The body names quotas and their new limits: `{ "vcpus": 64, "instances": 20 }`. The quotas named become overrides, kept when the plan changes; ' +
    '`null` lifts an override and sets the plan\'s limit again. Quotas not named do not change. A limit below current use is allowed ' +
    '(use is never taken away; new creates fail until it drops below). Answers with every quota of the tenant. Emits `tenant.quotas_changed`.',
  access: 'platform-admin',
  params: z.strictObject({ id: z.string().check(z.regex(/^tnt-[0-9a-z]{26}$/, 'Not a tenant id')) }),
  body: overrides,
  status: 200,
  response: z.object({ tenantId: z.string(), items: z.array(tenantQuotaView) }).check(z.meta({ id: 'TenantQuotaList' })),
  errors: [{ status: 404, code: 'TenantNotFound', description: 'No tenant has this id.' }],
}));

export const quotaOperations = [listQuotasOperation, setTenantQuotasOperation];

export const tenantQuotasChanged = defineEvent({
  source: 'platform.tenancy',
  detailType: 'tenant.quotas_changed',
  resourceType: 'tenant',
  description: 'An operator overrode quota limits of the tenant (or lifted overrides: the plan\'s limit again).',
  data: z.lazy(() => z.object({
    quotas: z.record(z.string(), z.object({ limit: z.int(), overridden: z.boolean() })).check(z.describe('Quota name → its new limit.')),
  })),
});
