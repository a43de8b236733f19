/** The tenant: its record and the rules of its status. */
import * as z from 'zod/mini';
import { PLAN_NAMES, type PlanName } from './plans';

export const TENANT_STATUSES = ['provisioning', 'active', 'suspended', 'failed'] as const;
export type TenantStatus = (typeof TENANT_STATUSES)[number];

export interface Tenant {
  id: string;
  tenantId: string;
  name: string;
  plan: PlanName;
  ownerEmail: string;
  status: TenantStatus;
  /** The provisioning saga's operation. */
  operationId?: string;
  createdAt: string;
  updatedAt: string;
  version: number;
  tags: Record<string, string>;
}

export const tenantSchema = z.lazy(() => z
  .object({
    id: z.string(),
    tenantId: z.string(),
    name: z.string(),
    plan: z.enum(PLAN_NAMES),
    ownerEmail: z.string(),
    status: z.enum(TENANT_STATUSES),
    operationId: z.optional(z.string()),
    createdAt: z.string(),
    updatedAt: z.string(),
    version: z.int(),
    tags: z.record(z.string(), z.string()),
  })
  .check(z.meta({ id: 'Tenant' })));

/**
 * Operators move a tenant between active and suspended (asking for the status it has is a no-op);
 * provisioning ends in active or failed by the saga alone, and a failed tenant stays failed.
 */
export function canSetStatus(from: TenantStatus): boolean {
  return from === 'active' || from === 'suspended';
}
