/** A tenant ready for networking tests: active, with the networking quotas set through the admin API. */
import { newId } from '../../functions/kit/ids';
import type { Platform } from '../../lib/local/runtime';
import { putActiveTenant } from '../../lib/local/seed';
import type { client } from './platform';

export interface NetworkTenant {
  tenantId: string;
  owner: string;
  viewer: string;
}

export async function networkTenant(
  platform: Platform,
  call: ReturnType<typeof client>,
  admin: string,
  quotas: { vpcs?: number; subnetsPerVpc?: number; securityGroupsPerVpc?: number } = {},
): Promise<NetworkTenant> {
  const tenant = await putActiveTenant(newId('tnt'), { name: 'Networking test' });
  const set = await call('PUT', `/v1/admin/tenants/${tenant.id}/quotas`, {
    token: admin,
    body: { vpcs: 5, subnetsPerVpc: 5, securityGroupsPerVpc: 5, ...quotas },
  });
  if (set.status !== 200) throw new Error(`setting quotas answered ${set.status}`);
  return {
    tenantId: tenant.id,
    owner: await platform.token({ roles: ['owner'], tenantId: tenant.id, userId: 'usr-owner' }),
    viewer: await platform.token({ roles: ['viewer'], tenantId: tenant.id }),
  };
}

export async function createVpc<T = { id: string }>(call: ReturnType<typeof client>, t: NetworkTenant, cidrBlock = '10.0.0.0/16'): Promise<T> {
  const vpc = await call('POST', '/v1/vpcs', { token: t.owner, body: { cidrBlock } });
  if (vpc.status !== 201) throw new Error(`creating a VPC answered ${vpc.status}`);
  return vpc.body as T;
}
