/**
 * The start of a tenant's provisioning, as one transaction: the tenant (`provisioning`), its
 * name's uniqueness item, the operation record with every step pending, and `tenant.created`,
 * whose rule starts the saga. `POST /v1/admin/tenants` returns these to the handler kit; the local
 * runtime commits them itself for the demo tenant.
 */
import type { Actor } from '../../events/define';
import { change, changesWrites, type ChangeDraft } from '../../events/outbox';
import { Conflict } from '../../kit/errors';
import { createItem } from '../../kit/repository';
import { tableName } from '../../kit/tables';
import { commitWrites, type Write } from '../../kit/transaction';
import { createOperationWrite, newOperation, type Operation } from '../../sagas/operation';
import { tenantCreated } from '../events';
import type { PlanName } from '../plans';
import { tenantItem } from '../repository';
import type { Tenant } from '../tenant';
import { tenantProvisioning } from './saga';

export interface NewTenant {
  id: string;
  name: string;
  plan: PlanName;
  ownerEmail: string;
  tags?: Record<string, string>;
}

/** Tenant names are unique ignoring case and surrounding spaces. */
export const tenantNameKey = (name: string) => ({ pk: `TENANTNAME#${name.trim().toLowerCase()}`, sk: 'TENANTNAME' });

export function tenantNameTaken(name: string): Conflict {
  return new Conflict('TenantNameTaken', `A tenant named "${name}" already exists.`);
}

export function provisioningStart(fields: NewTenant, now: Date): { tenant: Tenant; operation: Operation; writes: Write[]; events: ChangeDraft[] } {
  const at = now.toISOString();
  const operation = newOperation(tenantProvisioning, { tenantId: fields.id, resourceId: fields.id, now });
  const tenant: Tenant = {
    id: fields.id,
    tenantId: fields.id,
    name: fields.name.trim(),
    plan: fields.plan,
    ownerEmail: fields.ownerEmail,
    status: 'provisioning',
    operationId: operation.id,
    createdAt: at,
    updatedAt: at,
    version: 1,
    tags: fields.tags ?? {},
  };
  const writes = [
    createItem(tableName('resources'), tenantItem(tenant), 'pk', 'retry'),
    createItem(tableName('resources'), { ...tenantNameKey(tenant.name), tenantId: tenant.id, name: tenant.name }, 'pk', tenantNameTaken(tenant.name)),
    createOperationWrite(operation),
  ];
  const events = [
    change(tenantCreated, {
      tenantId: tenant.id,
      resourceId: tenant.id,
      data: { name: tenant.name, plan: tenant.plan, ownerEmail: tenant.ownerEmail, operationId: operation.id, tags: tenant.tags },
    }),
  ];
  return { tenant, operation, writes, events };
}

/** Commits a provisioning start outside a request (the local runtime's demo tenant). */
export async function startProvisioning(fields: NewTenant, actor: Actor, now = new Date()): Promise<{ tenant: Tenant; operation: Operation }> {
  const { tenant, operation, writes, events } = provisioningStart(fields, now);
  await commitWrites([...writes, ...changesWrites(events, { actor, requestId: operation.id, now })]);
  return { tenant, operation };
}
