/**
 * Tenants over HTTP against the local runtime: an operator's POST commits the tenant and
 * `tenant.created`; the relay publishes it, its rule starts the TenantProvisioning saga on the
 * local Step Functions, and GET /v1/operations/{id} follows it to the end. Then list, get, patch
 * (suspend, reactivate, plan) and what a suspended tenant may still do.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../functions/kit/db';
import { clearFaults, injectFault } from '../../functions/kit/faults';
import { tableName } from '../../functions/kit/tables';
import { balanceOf, listCredits } from '../../functions/tenancy/credits';
import { PLANS } from '../../functions/tenancy/plans';
import { listQuotas } from '../../functions/tenancy/quotas';
import type { BusEvent } from '../../lib/local/event-bus';
import type { Platform } from '../../lib/local/runtime';
import { client, startTestPlatform, tokenFor, type ApiResponse } from '../support/platform';

let platform: Platform;
let call: ReturnType<typeof client>;
let admin: string;
const published: BusEvent[] = [];
let counter = 0;

beforeAll(async () => {
  platform = await startTestPlatform('tenants', { relay: { pollMs: 50 }, scheduler: false, stepFunctions: { retryDelayMs: 10 } });
  call = client(platform.url);
  admin = await tokenFor(platform, ['platform-admin']);
  platform.bus.subscribe((event) => published.push(event));
});
afterEach(() => clearFaults());
afterAll(async () => {
  await platform.stop();
});

const uniqueName = (label: string) => `${label} ${process.pid}-${++counter}-${Date.now()}`;

async function createTenant(body: Record<string, unknown> = {}): Promise<ApiResponse> {
  return call('POST', '/v1/admin/tenants', {
    token: admin,
    body: { name: uniqueName('Acme'), plan: 'starter', ownerEmail: 'owner@acme.example', ...body },
  });
}

/** Follows the operation as a client would, until it ends. */
async function operationOutcome(operationId: string, token = admin, timeoutMs = 90_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await call('GET', `/v1/operations/${operationId}`, { token });
    if (response.status !== 200) throw new Error(`GET operation: ${response.status} ${JSON.stringify(response.body)}`);
    if (response.body.status === 'succeeded' || response.body.status === 'compensated') return response.body;
    if (Date.now() > deadline) throw new Error(`operation still ${response.body.status}: ${JSON.stringify(response.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function provisionedTenant(body: Record<string, unknown> = {}) {
  const created = await createTenant(body);
  expect(created.status).toBe(202);
  const operation = await operationOutcome(created.body.operationId);
  return { created, operation, tenantId: created.body.id as string };
}

function eventsOf(tenantId: string): string[] {
  return published.filter((event) => event.detail.tenantId === tenantId).map((event) => event['detail-type']);
}

describe('POST /v1/admin/tenants', () => {
  it('answers 202 provisioning, and the saga started by tenant.created makes the tenant active', async () => {
    // Act
    const created = await createTenant({ plan: 'pro', tags: { team: 'platform' } });
    const operation = await operationOutcome(created.body.operationId);
    await platform.eventsSettled();
    const read = await call('GET', `/v1/admin/tenants/${created.body.id}`, { token: admin });
    // Assess: the answer
    expect(created.status).toBe(202);
    expect(created.headers.get('location')).toBe(`/v1/admin/tenants/${created.body.id}`);
    expect(created.body).toMatchObject({ status: 'provisioning', plan: 'pro', version: 1, tags: { team: 'platform' } });
    expect(created.body.operationId).toMatch(/^op-/);
    // the operation, step by step
    expect(operation).toMatchObject({ id: created.body.operationId, type: 'TenantProvisioning', status: 'succeeded', resourceId: created.body.id });
    expect(operation.steps.map((step: { name: string; status: string }) => `${step.name}:${step.status}`)).toEqual([
      'ApplyQuotas:succeeded',
      'GrantCredits:succeeded',
      'CreateDefaultVpc:succeeded',
      'Activate:succeeded',
    ]);
    // the tenant and what it was given
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ status: 'active', version: 2 });
    expect(read.headers.get('etag')).toBe('"2"');
    expect((await listQuotas(created.body.id)).find((quota) => quota.name === 'instances')).toEqual({ name: 'instances', limit: PLANS.pro.quotas.instances, used: 0 });
    expect(balanceOf(await listCredits(created.body.id))).toBe(PLANS.pro.startingCredits);
    // and the events, delivered on the bus
    expect(eventsOf(created.body.id)).toEqual(expect.arrayContaining(['tenant.created', 'credit.granted', 'vpc.created', 'tenant.activated']));
    // the default VPC, as the tenant's owner sees it
    const owner = await platform.token({ roles: ['owner'], tenantId: created.body.id });
    const vpcs = await call('GET', '/v1/vpcs', { token: owner });
    expect(vpcs.body.items).toEqual([expect.objectContaining({ cidrBlock: '172.31.0.0/16', isDefault: true, internetGatewayId: expect.stringMatching(/^igw-/) })]);
    const subnets = await call('GET', `/v1/subnets?vpcId=${vpcs.body.items[0].id}`, { token: owner });
    expect(subnets.body.items.map((subnet: { cidrBlock: string; availableIpAddressCount: number }) => [subnet.cidrBlock, subnet.availableIpAddressCount])).toEqual([
      ['172.31.0.0/20', 4091],
      ['172.31.16.0/20', 4091],
      ['172.31.32.0/20', 4091],
    ]);
    const activated = published.find((event) => event['detail-type'] === 'tenant.activated' && event.detail.tenantId === created.body.id);
    expect(activated).toMatchObject({ source: 'platform.tenancy', detail: { actor: 'system:TenantProvisioning', data: { operationId: created.body.operationId } } });
  });

  it('ends failed with the earlier steps compensated when a step fails', async () => {
    // Prepare
    injectFault('TenantProvisioning.CreateDefaultVpc');
    // Act
    const { created, operation, tenantId } = await provisionedTenant();
    await platform.eventsSettled();
    const read = await call('GET', `/v1/admin/tenants/${tenantId}`, { token: admin });
    // Assess
    expect(created.status).toBe(202);
    expect(operation.status).toBe('compensated');
    expect(operation.error).toMatchObject({ code: 'FaultInjected', step: 'CreateDefaultVpc' });
    expect(operation.steps.map((step: { status: string }) => step.status)).toEqual(['compensated', 'compensated', 'failed', 'pending']);
    expect(read.body.status).toBe('failed');
    expect(await listQuotas(tenantId)).toEqual([]);
    expect(balanceOf(await listCredits(tenantId))).toBe('0.00');
    expect(eventsOf(tenantId)).toEqual(expect.arrayContaining(['tenant.provisioning_failed', 'credit.reversed']));
    expect(eventsOf(tenantId)).not.toContain('tenant.activated');
  });

  it('refuses a name another tenant has, ignoring case', async () => {
    const name = uniqueName('Globex');
    const first = await createTenant({ name });
    const second = await createTenant({ name: `  ${name.toUpperCase()} ` });
    expect(first.status).toBe(202);
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('TenantNameTaken');
  });

  it('validates the body and is for platform admins only', async () => {
    const badPlan = await createTenant({ plan: 'gold' });
    const badEmail = await createTenant({ ownerEmail: 'not-an-email' });
    const unknownField = await createTenant({ region: 'eu' });
    const owner = await call('POST', '/v1/admin/tenants', {
      token: await tokenFor(platform, ['owner']),
      body: { name: uniqueName('Initech'), plan: 'starter', ownerEmail: 'a@b.example' },
    });
    expect([badPlan.status, badEmail.status, unknownField.status]).toEqual([400, 400, 400]);
    expect(badPlan.body.errors[0].path).toBe('body.plan');
    expect(unknownField.body.errors[0]).toEqual({ path: 'body.region', message: 'Unknown field' });
    expect(owner.status).toBe(403);
  });
});

describe('GET /v1/operations/{id}', () => {
  it("shows a tenant's own operations to any of its roles, and other tenants' to nobody but operators", async () => {
    // Prepare
    const { created, tenantId } = await provisionedTenant();
    const viewer = await platform.token({ roles: ['viewer'], tenantId });
    const stranger = await tokenFor(platform, ['owner']);
    // Act
    const own = await call('GET', `/v1/operations/${created.body.operationId}`, { token: viewer });
    const foreign = await call('GET', `/v1/operations/${created.body.operationId}`, { token: stranger });
    const unknown = await call('GET', '/v1/operations/op-01jd5f3w3t9k8m2x0c4s6v7b8n', { token: admin });
    const malformed = await call('GET', '/v1/operations/nope', { token: admin });
    const noTenant = await call('GET', `/v1/operations/${created.body.operationId}`, { token: await platform.token({ roles: [] }) });
    // Assess
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ id: created.body.operationId, tenantId, status: 'succeeded' });
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('OperationNotFound');
    expect(unknown.status).toBe(404);
    expect(malformed.status).toBe(400);
    expect(noTenant.status).toBe(403);
  });
});

describe('GET /v1/admin/tenants', () => {
  it('pages through every tenant, oldest first', async () => {
    // Prepare
    const mine = [await createTenant(), await createTenant(), await createTenant()].map((response) => response.body.id as string);
    // Act
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await call('GET', `/v1/admin/tenants?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token: admin });
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((tenant: { id: string }) => tenant.id));
      cursor = page.body.nextCursor;
      pages += 1;
    } while (cursor && pages < 100);
    // Assess
    expect(seen.filter((id) => mine.includes(id))).toEqual(mine);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toContain(platform.demoTenantId);
  });

  it('answers 404 for an unknown tenant and 400 for a malformed id', async () => {
    expect((await call('GET', '/v1/admin/tenants/tnt-01jd5f3w3t9k8m2x0c4s6v7b8n', { token: admin })).body.code).toBe('TenantNotFound');
    expect((await call('GET', '/v1/admin/tenants/acme', { token: admin })).status).toBe(400);
  });
});

describe('PATCH /v1/admin/tenants/{id}', () => {
  it('suspends a tenant: it still reads, every write is 403 TenantSuspended; reactivating lifts it', async () => {
    // Prepare
    const { tenantId } = await provisionedTenant();
    const owner = await platform.token({ roles: ['owner'], tenantId });
    expect((await call('POST', '/v1/widgets', { token: owner, body: { name: 'before' } })).status).toBe(201);
    // Act
    const suspended = await call('PATCH', `/v1/admin/tenants/${tenantId}`, { token: admin, body: { status: 'suspended' }, headers: { 'if-match': '"2"' } });
    const write = await call('POST', '/v1/widgets', { token: owner, body: { name: 'during' } });
    const read = await call('GET', '/v1/widgets', { token: owner });
    const again = await call('PATCH', `/v1/admin/tenants/${tenantId}`, { token: admin, body: { status: 'suspended' } });
    const reactivated = await call('PATCH', `/v1/admin/tenants/${tenantId}`, { token: admin, body: { status: 'active' } });
    const after = await call('POST', '/v1/widgets', { token: owner, body: { name: 'after' } });
    await platform.eventsSettled();
    // Assess
    expect(suspended.status).toBe(200);
    expect(suspended.body).toMatchObject({ status: 'suspended', version: 3 });
    expect(suspended.headers.get('etag')).toBe('"3"');
    expect(write.status).toBe(403);
    expect(write.body.code).toBe('TenantSuspended');
    expect(read.status).toBe(200);
    expect(read.body.items.map((widget: { name: string }) => widget.name)).toEqual(['before']);
    expect(again.status).toBe(200);
    expect(again.body.version).toBe(3);
    expect(reactivated.body).toMatchObject({ status: 'active', version: 4 });
    expect(after.status).toBe(201);
    expect(eventsOf(tenantId).filter((type) => type === 'tenant.suspended' || type === 'tenant.reactivated')).toEqual([
      'tenant.suspended',
      'tenant.reactivated',
    ]);
  });

  it('refuses a stale If-Match with 412 and a failed tenant with 409 IncorrectTenantState', async () => {
    // Prepare
    const { tenantId } = await provisionedTenant();
    injectFault('TenantProvisioning.Activate');
    const failed = await provisionedTenant();
    // Act
    const stale = await call('PATCH', `/v1/admin/tenants/${tenantId}`, { token: admin, body: { status: 'suspended' }, headers: { 'if-match': '"1"' } });
    const wrongState = await call('PATCH', `/v1/admin/tenants/${failed.tenantId}`, { token: admin, body: { status: 'active' } });
    const wrongPlan = await call('PATCH', `/v1/admin/tenants/${failed.tenantId}`, { token: admin, body: { plan: 'pro' } });
    const unknown = await call('PATCH', '/v1/admin/tenants/tnt-01jd5f3w3t9k8m2x0c4s6v7b8n', { token: admin, body: { status: 'active' } });
    // Assess
    expect(failed.operation.status).toBe('compensated');
    expect(stale.status).toBe(412);
    expect(wrongState.status).toBe(409);
    expect(wrongState.body.code).toBe('IncorrectTenantState');
    expect(wrongPlan.body.code).toBe('IncorrectTenantState');
    expect(unknown.status).toBe(404);
  });

  it("moves quota limits to the new plan's, except overridden ones, and replaces tags", async () => {
    // Prepare: an operator has overridden the vpcs quota
    const { tenantId } = await provisionedTenant({ plan: 'starter' });
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName('resources'),
        Key: { pk: `T#${tenantId}`, sk: 'QUOTA#vpcs' },
        UpdateExpression: 'SET #limit = :limit, #remaining = :limit, overridden = :true',
        ExpressionAttributeNames: { '#limit': 'limit', '#remaining': 'remaining' },
        ExpressionAttributeValues: { ':limit': 7, ':true': true },
      }),
    );
    // Act
    const changed = await call('PATCH', `/v1/admin/tenants/${tenantId}`, { token: admin, body: { plan: 'enterprise', tags: { tier: 'gold' } } });
    await platform.eventsSettled();
    // Assess
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ plan: 'enterprise', tags: { tier: 'gold' } });
    const limits = Object.fromEntries((await listQuotas(tenantId)).map((quota) => [quota.name, quota.limit]));
    expect(limits.instances).toBe(PLANS.enterprise.quotas.instances);
    expect(limits.vpcs).toBe(7);
    const planChanged = published.find((event) => event['detail-type'] === 'tenant.plan_changed' && event.detail.tenantId === tenantId);
    expect(planChanged?.detail.data).toMatchObject({ from: 'starter', to: 'enterprise' });
    expect((planChanged!.detail.data as { quotasChanged: string[] }).quotasChanged).not.toContain('vpcs');
    expect(eventsOf(tenantId)).toContain('tenant.updated');
  });
});
