import { NotFound } from '../kit/errors';
import { httpHandler } from '../wiring/http';
import { getTenant } from './admin-operations';
import { findTenant } from './repository';

export function tenantNotFound(id: string): NotFound {
  return new NotFound('TenantNotFound', `Tenant ${id} does not exist.`);
}

export const handler = httpHandler(getTenant, async ({ params }) => {
  const tenant = await findTenant(params.id, true);
  if (!tenant) throw tenantNotFound(params.id);
  return { body: tenant, etag: tenant.version };
});
