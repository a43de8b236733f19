/** The operators' tenant API: create (through the provisioning saga), list, get, change. */
import * as z from 'zod/mini';
import { defineOperation } from '../kit/operation';
import { pageOf, pageQuery } from '../kit/repository';
import { PLAN_NAMES } from './plans';
import { tenantSchema } from './tenant';

/** Tags as every resource takes them: at most 50, keys 1–128 characters, values up to 256. */
export const tagsSchema = z
  .record(z.string().check(z.minLength(1), z.maxLength(128)), z.string().check(z.maxLength(256)))
  .check(z.refine((tags) => Object.keys(tags).length <= 50, { message: 'At most 50 tags' }));

const tenantParams = () => z.strictObject({ id: z.string().check(z.regex(/^tnt-[0-9a-z]{26}$/, 'Not a tenant id')) });

const tenantNotFound = { status: 404, code: 'TenantNotFound', description: 'No tenant has this id.' };

export const createTenant = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'createTenant',
  method: 'POST',
  path: '/v1/admin/tenants',
  handler: 'tenancy/create-tenant',
  domain: 'tenancy',
  summary: 'Create a tenant (provisioned by a saga)',
  description:
    'Answers 202 with the tenant `provisioning` and its `operationId`. The TenantProvisioning saga, started by the `tenant.created` event, applies the plan\'s quotas, grants the starting credits, creates the default VPC and activates the tenant (`tenant.activated`); if a step fails, the ones before it are compensated and the tenant ends `failed`. Follow it with `GET /v1/operations/{operationId}`.',
  access: 'platform-admin',
  body: z.strictObject({
    name: z.string().check(z.trim(), z.minLength(1), z.maxLength(64), z.describe('Unique among tenants, ignoring case.')),
    plan: z.enum(PLAN_NAMES),
    ownerEmail: z.email(),
    tags: z.optional(tagsSchema),
  }),
  status: 202,
  response: tenantSchema,
  errors: [{ status: 409, code: 'TenantNameTaken', description: 'Another tenant has this name.' }],
}));

export const listTenants = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'listTenants',
  method: 'GET',
  path: '/v1/admin/tenants',
  handler: 'tenancy/list-tenants',
  domain: 'tenancy',
  summary: 'List tenants, oldest first',
  access: 'platform-admin',
  query: pageQuery(),
  status: 200,
  response: pageOf(tenantSchema).check(z.meta({ id: 'TenantList' })),
  needs: ['cursorSecret'],
}));

export const getTenant = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'getTenant',
  method: 'GET',
  path: '/v1/admin/tenants/{id}',
  handler: 'tenancy/get-tenant',
  domain: 'tenancy',
  summary: 'Get a tenant',
  access: 'platform-admin',
  params: tenantParams(),
  status: 200,
  response: tenantSchema,
  errors: [tenantNotFound],
}));

export const updateTenant = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'updateTenant',
  method: 'PATCH',
  path: '/v1/admin/tenants/{id}',
  handler: 'tenancy/update-tenant',
  domain: 'tenancy',
  summary: 'Change plan, status (suspend or reactivate) or tags',
  description:
    'Honours If-Match. `status: suspended` suspends an active tenant (`tenant.suspended`): it may still read, but every write answers 403 `TenantSuspended`; `status: active` lifts it (`tenant.reactivated`). Asking for the status the tenant has is a no-op. A new `plan` sets every quota limit to the plan\'s, except the ones an operator overrode (`tenant.plan_changed`). `tags` replaces the tag set (`tenant.updated`).',
  access: 'platform-admin',
  params: tenantParams(),
  body: z.strictObject({
    plan: z.optional(z.enum(PLAN_NAMES)),
    status: z.optional(z.enum(['active', 'suspended'])),
    tags: z.optional(tagsSchema),
  }),
  status: 200,
  response: tenantSchema,
  errors: [
    tenantNotFound,
    { status: 409, code: 'IncorrectTenantState', description: 'A provisioning or failed tenant cannot be suspended, reactivated or moved to another plan.' },
  ],
}));

export const tenantAdminOperations = [createTenant, listTenants, getTenant, updateTenant];
