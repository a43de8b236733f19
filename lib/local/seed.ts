/** What a first user of the local platform needs: the demo tenant, active. */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../functions/kit/db';
import { tableName } from '../../functions/kit/tables';
import { findTenant, tenantItem } from '../../functions/tenancy/repository';
import type { Tenant } from '../../functions/tenancy/tenant';

export const DEMO_OWNER_EMAIL = 'owner@demo.example';

/** Writes an active tenant record directly (no saga): for the demo tenant and for tests. */
export async function putActiveTenant(id: string, fields: Partial<Tenant> = {}): Promise<Tenant> {
  const now = new Date().toISOString();
  const tenant: Tenant = {
    id,
    tenantId: id,
    name: 'Demo',
    plan: 'pro',
    ownerEmail: DEMO_OWNER_EMAIL,
    status: 'active',
    createdAt: now,
    updatedAt: now,
    version: 1,
    tags: {},
    ...fields,
  };
  await documentClient().send(new PutCommand({ TableName: tableName('resources'), Item: tenantItem(tenant) }));
  return tenant;
}

export async function seedDemoTenant(id: string): Promise<void> {
  if (!(await findTenant(id, true))) await putActiveTenant(id);
}
