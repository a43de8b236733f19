/** Quotas over HTTP: a tenant reads limits and use; operators override them; the limit holds under concurrency. */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../functions/kit/db';
import { newId } from '../../functions/kit/ids';
import { getItem } from '../../functions/kit/repository';
import { tableName } from '../../functions/kit/tables';
import { PLANS } from '../../functions/tenancy/plans';
import type { Platform } from '../../lib/local/runtime';
import { putActiveTenant } from '../../lib/local/seed';
import { client, startTestPlatform } from '../support/platform';

let platform: Platform;
let call: ReturnType<typeof client>;
let admin: string;

beforeAll(async () => {
  platform = await startTestPlatform('quotas');
  call = client(platform.url);
  admin = await platform.token({ roles: ['platform-admin'], userId: 'usr-operator' });
});
afterAll(() => platform.stop());

async function newTenant(plan: 'starter' | 'pro' = 'pro') {
  const tenant = await putActiveTenant(newId('tnt'), { name: 'Quota test', plan });
  return {
    tenantId: tenant.id,
    owner: await platform.token({ roles: ['owner'], tenantId: tenant.id }),
    viewer: await platform.token({ roles: ['viewer'], tenantId: tenant.id }),
  };
}

const put = (tenantId: string, body: unknown, token = admin) => call('PUT', `/v1/admin/tenants/${tenantId}/quotas`, { token, body });

describe('GET /v1/quotas', () => {
  it('shows each quota the tenant has with its limit and use, to a viewer', async () => {
    // Prepare
    const t = await newTenant();
    await put(t.tenantId, { projects: 3, vcpus: 64 });
    await call('POST', '/v1/projects', { token: t.owner, body: { name: 'p' } });
    // Act
    const quotas = await call('GET', '/v1/quotas', { token: t.viewer });
    // Assess
    expect(quotas.status).toBe(200);
    expect(quotas.body).toEqual({
      items: [
        { name: 'vcpus', limit: 64, used: 0 },
        { name: 'projects', limit: 3, used: 1 },
      ],
    });
  });

  it('needs a tenant in the token', async () => {
    const operator = await call('GET', '/v1/quotas', { token: admin });
    expect(operator.status).toBe(403);
  });
});

describe('PUT /v1/admin/tenants/{id}/quotas', () => {
  it('overrides limits, marks them overridden, answers every quota, and records tenant.quotas_changed', async () => {
    // Prepare
    const t = await newTenant();
    // Act
    const set = await put(t.tenantId, { instances: 20, volumeGb: 0 });
    // Assess
    expect(set.status).toBe(200);
    expect(set.body).toEqual({
      tenantId: t.tenantId,
      items: [
        { name: 'instances', limit: 20, used: 0, overridden: true },
        { name: 'volumeGb', limit: 0, used: 0, overridden: true },
      ],
    });
    expect(await getItem(tableName('resources'), { pk: `T#${t.tenantId}`, sk: 'QUOTA#instances' })).toMatchObject({ limit: 20, used: 0, remaining: 20, overridden: true });
    const audit = await documentClient().send(
      new QueryCommand({ TableName: tableName('audit'), KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `T#${t.tenantId}` } }),
    );
    expect(audit.Items).toEqual([
      expect.objectContaining({
        action: 'tenant.quotas_changed',
        actor: 'user:usr-operator',
        resourceId: t.tenantId,
        changes: { quotas: { instances: { limit: 20, overridden: true }, volumeGb: { limit: 0, overridden: true } } },
      }),
    ]);
  });

  it('null lifts an override: the plan\'s limit again, no longer overridden', async () => {
    const t = await newTenant('starter');
    await put(t.tenantId, { vcpus: 1000 });
    const lifted = await put(t.tenantId, { vcpus: null });
    expect(lifted.body.items).toEqual([{ name: 'vcpus', limit: PLANS.starter.quotas.vcpus, used: 0, overridden: false }]);
  });

  it('allows a limit below current use: nothing is taken away, new creates fail until use drops', async () => {
    // Prepare: three projects in use
    const t = await newTenant();
    await put(t.tenantId, { projects: 5 });
    const ids: string[] = [];
    for (const name of ['a', 'b', 'c']) ids.push((await call('POST', '/v1/projects', { token: t.owner, body: { name } })).body.id);
    // Act
    const lowered = await put(t.tenantId, { projects: 1 });
    const create = await call('POST', '/v1/projects', { token: t.owner, body: { name: 'd' } });
    for (const id of ids.slice(0, 2)) await call('DELETE', `/v1/projects/${id}`, { token: t.owner });
    const quotas = await call('GET', '/v1/quotas', { token: t.owner });
    const createAgain = await call('POST', '/v1/projects', { token: t.owner, body: { name: 'd' } });
    // Assess
    expect(lowered.body.items).toEqual([{ name: 'projects', limit: 1, used: 3, overridden: true }]);
    expect([create.status, create.body.code]).toEqual([429, 'QuotaExceeded']);
    expect(quotas.body.items).toEqual([{ name: 'projects', limit: 1, used: 1 }]);
    expect(createAgain.status).toBe(429);
  });

  it.each([
    ['an unknown quota name', { widgets: 5 }, 'body.widgets'],
    ['a negative limit', { vcpus: -1 }, 'body.vcpus'],
    ['a fraction', { vcpus: 1.5 }, 'body.vcpus'],
    ['a string', { vcpus: '5' }, 'body.vcpus'],
    ['nothing', {}, 'body'],
  ])('refuses %s (400) and changes nothing', async (_label, body, path) => {
    const t = await newTenant();
    const refused = await put(t.tenantId, body);
    expect(refused.status).toBe(400);
    expect(refused.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect((await call('GET', '/v1/quotas', { token: t.owner })).body.items).toEqual([]);
  });

  it('answers 404 TenantNotFound for an unknown tenant and 403 to anyone but an operator', async () => {
    const t = await newTenant();
    const unknown = await put(newId('tnt'), { vcpus: 5 });
    const owner = await put(t.tenantId, { vcpus: 5 }, t.owner);
    expect([unknown.status, unknown.body.code]).toEqual([404, 'TenantNotFound']);
    expect(owner.status).toBe(403);
  });
});

describe('the limit under concurrency', () => {
  const ROUNDS = 3;
  const CREATES = 50;
  const LIMIT = 10;

  it(`${CREATES} concurrent creates against a limit of ${LIMIT}: exactly ${LIMIT} created and ${CREATES - LIMIT} × 429, every round`, async () => {
    for (let round = 1; round <= ROUNDS; round++) {
      // Prepare
      const t = await newTenant();
      await put(t.tenantId, { projects: LIMIT });
      // Act
      const answers = await Promise.all(
        Array.from({ length: CREATES }, (_, i) => call('POST', '/v1/projects', { token: t.owner, body: { name: `p${i}` } })),
      );
      // Assess
      const statuses = answers.map((a) => a.status);
      const codes = answers.filter((a) => a.status !== 201).map((a) => a.body.code);
      expect({ round, created: statuses.filter((s) => s === 201).length, rejected: codes }).toEqual({
        round,
        created: LIMIT,
        rejected: Array(CREATES - LIMIT).fill('QuotaExceeded'),
      });
      const listed = await call('GET', '/v1/projects?limit=100', { token: t.owner });
      const counter = await getItem(tableName('resources'), { pk: `T#${t.tenantId}`, sk: 'QUOTA#projects' }, true);
      expect(listed.body.items).toHaveLength(LIMIT);
      expect(counter).toMatchObject({ used: LIMIT, remaining: 0 });
    }
  }, 300_000);
});
