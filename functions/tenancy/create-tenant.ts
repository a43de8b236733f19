import { httpHandler } from '../wiring/http';
import { newId } from '../kit/ids';
import { createTenant } from './admin-operations';
import { provisioningStart } from './provisioning/start';

export const handler = httpHandler(createTenant, async ({ body, now }) => {
  const { tenant, writes, events } = provisioningStart({ id: newId('tnt'), ...body }, now);
  return { body: tenant, etag: tenant.version, location: `/v1/admin/tenants/${tenant.id}`, writes, events };
});
