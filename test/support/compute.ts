/** Compute test helpers: a tenant with a VPC and subnet to launch into, waiting on instance states, instances written directly. */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Instance, InstanceState } from '../../functions/compute/instance';
import { instanceItem } from '../../functions/compute/instance-repository';
import { documentClient } from '../../functions/kit/db';
import { newId } from '../../functions/kit/ids';
import { tableName } from '../../functions/kit/tables';
import type { Platform } from '../../lib/local/runtime';
import type { QuotaName } from '../../functions/tenancy/plans';
import { ownerOfProvisionedTenant, type client } from './platform';

type Call = ReturnType<typeof client>;

export interface ComputeTenant {
  tenantId: string;
  token: string;
  vpcId: string;
  subnetId: string;
  defaultGroupId: string;
}

/** A provisioned tenant (plan quotas, `limits` overriding) with a 10.0.0.0/16 VPC and a 10.0.1.0/24 subnet. */
export async function computeTenant(platform: Platform, call: Call, limits: Partial<Record<QuotaName, number>> = {}, subnetCidr = '10.0.1.0/24'): Promise<ComputeTenant> {
  const { token, tenantId } = await ownerOfProvisionedTenant(platform, limits);
  const vpc = await call('POST', '/v1/vpcs', { token, body: { cidrBlock: '10.0.0.0/16' } });
  if (vpc.status !== 201) throw new Error(`creating a VPC answered ${vpc.status}`);
  const subnet = await call('POST', '/v1/subnets', { token, body: { vpcId: vpc.body.id, cidrBlock: subnetCidr } });
  if (subnet.status !== 201) throw new Error(`creating a subnet answered ${subnet.status}`);
  return { tenantId, token, vpcId: vpc.body.id, subnetId: subnet.body.id, defaultGroupId: vpc.body.defaultSecurityGroupId };
}

export async function launch(call: Call, t: ComputeTenant, body: Record<string, unknown> = {}) {
  return call('POST', '/v1/instances', { token: t.token, body: { name: 'web', flavorId: 't3.micro', imageId: 'img-ubuntu-24.04', subnetId: t.subnetId, ...body } });
}

/** Polls the instance until it is in `status` (or fails the test after `timeoutMs`). */
export async function waitForStatus(call: Call, token: string, id: string, status: string, timeoutMs = 90_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  let last: any;
  while (Date.now() < deadline) {
    last = await call('GET', `/v1/instances/${id}`, { token });
    if (last.body?.status === status) return last.body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`instance ${id} is ${last?.body?.status}, not ${status}, after ${timeoutMs} ms`);
}

/** Polls the operation until it leaves `running` (and `failed`, on its way to `compensated`). */
export async function waitForOperation(call: Call, token: string, id: string, timeoutMs = 90_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  let last: any;
  while (Date.now() < deadline) {
    last = await call('GET', `/v1/operations/${id}`, { token });
    if (last.body?.status === 'succeeded' || last.body?.status === 'compensated') return last.body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`operation ${id} is ${last?.body?.status} after ${timeoutMs} ms`);
}

export async function quotaUsed(call: Call, token: string): Promise<Record<string, number>> {
  const quotas = await call('GET', '/v1/quotas', { token });
  return Object.fromEntries((quotas.body.items as { name: string; used: number }[]).map((quota) => [quota.name, quota.used]));
}

/** Writes an instance item straight into the table (no saga, no quota): for tests of what reads instances. */
export async function putInstance(tenantId: string, status: InstanceState = 'running'): Promise<Instance> {
  const now = new Date().toISOString();
  const instance: Instance = {
    id: newId('i'),
    tenantId,
    name: 'web',
    status,
    flavorId: 't3.micro',
    vcpus: 2,
    memoryMib: 1024,
    imageId: 'img-ubuntu-24.04',
    vpcId: 'vpc-x',
    subnetId: 'subnet-x',
    availabilityZone: 'eu-central-1a',
    securityGroupIds: [],
    rootVolumeGb: 8,
    disableApiTermination: false,
    disableApiStop: false,
    runningMillis: 0,
    createdAt: now,
    updatedAt: now,
    version: 1,
    tags: {},
  };
  await documentClient().send(new PutCommand({ TableName: tableName('resources'), Item: instanceItem(instance) }));
  return instance;
}
