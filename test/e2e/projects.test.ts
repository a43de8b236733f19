/** Projects over HTTP: create, read, list, change, delete, stats, quota, names, tags, and the counters resources keep. */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../functions/kit/db';
import { newId } from '../../functions/kit/ids';
import { tableName } from '../../functions/kit/tables';
import { commitWrites } from '../../functions/kit/transaction';
import { assertProjectExists, listProjectMembers, projectUsageWrites } from '../../functions/projects/repository';
import type { Platform } from '../../lib/local/runtime';
import { putActiveTenant } from '../../lib/local/seed';
import { client, startTestPlatform } from '../support/platform';

let platform: Platform;
let call: ReturnType<typeof client>;
let admin: string;

beforeAll(async () => {
  platform = await startTestPlatform('projects');
  call = client(platform.url);
  admin = await platform.token({ roles: ['platform-admin'], userId: 'usr-operator' });
});
afterAll(() => platform.stop());

interface TenantTokens {
  tenantId: string;
  owner: string;
  viewer: string;
}

/** An active tenant of its own, with a `projects` quota set by an operator. */
async function newTenant(projects = 10): Promise<TenantTokens> {
  const tenant = await putActiveTenant(newId('tnt'), { name: 'Projects test' });
  const set = await call('PUT', `/v1/admin/tenants/${tenant.id}/quotas`, { token: admin, body: { projects } });
  expect(set.status).toBe(200);
  return {
    tenantId: tenant.id,
    owner: await platform.token({ roles: ['owner'], tenantId: tenant.id, userId: 'usr-owner' }),
    viewer: await platform.token({ roles: ['viewer'], tenantId: tenant.id }),
  };
}

async function outbox(tenantId: string) {
  const out = await documentClient().send(
    new QueryCommand({ TableName: tableName('outbox'), KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `T#${tenantId}` } }),
  );
  return (out.Items ?? []).map((item) => item.detail as { resourceId: string; data: any; actor: string } & { type?: string }).map((detail, i) => ({
    ...detail,
    detailType: out.Items![i]!.detailType as string,
  }));
}

async function usedProjects(token: string): Promise<number | undefined> {
  const quotas = await call('GET', '/v1/quotas', { token });
  return quotas.body.items.find((q: { name: string }) => q.name === 'projects')?.used;
}

const tags = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, `v${i}`]));

describe('POST /v1/projects', () => {
  it('creates a project: 201, Location, ETag, the project, project.created, one projects quota taken', async () => {
    // Prepare
    const t = await newTenant();
    // Act
    const created = await call('POST', '/v1/projects', { token: t.owner, body: { name: 'web shop', description: 'Shop front', tags: { team: 'web' } } });
    // Assess
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^prj-[0-9a-z]{26}$/),
      tenantId: t.tenantId,
      name: 'web shop',
      description: 'Shop front',
      status: 'active',
      createdAt: expect.any(String),
      updatedAt: created.body.createdAt,
      version: 1,
      tags: { team: 'web' },
    });
    expect(created.headers.get('location')).toBe(`/v1/projects/${created.body.id}`);
    expect(created.headers.get('etag')).toBe('"1"');
    const events = await outbox(t.tenantId);
    expect(events).toEqual([
      expect.objectContaining({ detailType: 'tenant.quotas_changed' }),
      expect.objectContaining({ detailType: 'project.created', resourceId: created.body.id, actor: 'user:usr-owner', data: { name: 'web shop', description: 'Shop front', tags: { team: 'web' } } }),
    ]);
    expect(await usedProjects(t.owner)).toBe(1);
  });

  it('refuses a name the tenant already uses (409), but another tenant may use it', async () => {
    // Prepare
    const [a, b] = [await newTenant(), await newTenant()];
    await call('POST', '/v1/projects', { token: a.owner, body: { name: 'shared' } });
    // Act
    const again = await call('POST', '/v1/projects', { token: a.owner, body: { name: 'shared' } });
    const elsewhere = await call('POST', '/v1/projects', { token: b.owner, body: { name: 'shared' } });
    // Assess
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('InvalidProject.Duplicate');
    expect(elsewhere.status).toBe(201);
    expect(await usedProjects(a.owner)).toBe(1);
  });

  it.each([
    ['51 tags', { name: 'p', tags: tags(51) }, 'body.tags'],
    ['a key of 129 characters', { name: 'p', tags: { ['k'.repeat(129)]: 'v' } }, 'body.tags.' + 'k'.repeat(129)],
    ['a value of 257 characters', { name: 'p', tags: { k: 'v'.repeat(257) } }, 'body.tags.k'],
    ['an empty key', { name: 'p', tags: { '': 'v' } }, 'body.tags.'],
    ['an empty name', { name: '' }, 'body.name'],
    ['a name of 65 characters', { name: 'n'.repeat(65) }, 'body.name'],
    ['a name with a slash', { name: 'a/b' }, 'body.name'],
    ['an unknown field', { name: 'p', owner: 'me' }, 'body.owner'],
  ])('refuses %s (400)', async (_label, body, path) => {
    const t = await newTenant();
    const refused = await call('POST', '/v1/projects', { token: t.owner, body });
    expect(refused.status).toBe(400);
    expect(refused.body.errors.map((e: { path: string }) => e.path)).toContain(path);
  });

  it('takes 50 tags, keys of 128 and values of 256 characters', async () => {
    const t = await newTenant();
    const fifty = await call('POST', '/v1/projects', { token: t.owner, body: { name: 'fifty', tags: tags(50) } });
    const long = await call('POST', '/v1/projects', { token: t.owner, body: { name: 'long', tags: { ['k'.repeat(128)]: 'v'.repeat(256) } } });
    expect([fifty.status, long.status]).toEqual([201, 201]);
  });

  it('answers 429 QuotaExceeded over the projects quota, and deleting one frees a place', async () => {
    // Prepare
    const t = await newTenant(2);
    const first = await call('POST', '/v1/projects', { token: t.owner, body: { name: 'one' } });
    await call('POST', '/v1/projects', { token: t.owner, body: { name: 'two' } });
    // Act
    const third = await call('POST', '/v1/projects', { token: t.owner, body: { name: 'three' } });
    await call('DELETE', `/v1/projects/${first.body.id}`, { token: t.owner });
    const afterDelete = await call('POST', '/v1/projects', { token: t.owner, body: { name: 'three' } });
    // Assess
    expect(third.status).toBe(429);
    expect(third.body.code).toBe('QuotaExceeded');
    expect(afterDelete.status).toBe(201);
    expect(await usedProjects(t.owner)).toBe(2);
  });

  it('is for members: a viewer reads but may not create', async () => {
    const t = await newTenant();
    const created = await call('POST', '/v1/projects', { token: t.viewer, body: { name: 'nope' } });
    const listed = await call('GET', '/v1/projects', { token: t.viewer });
    expect(created.status).toBe(403);
    expect(listed.status).toBe(200);
  });

  it('replays a retried create with the same Idempotency-Key: one project, one quota', async () => {
    const t = await newTenant();
    const headers = { 'idempotency-key': 'create-once' };
    const first = await call('POST', '/v1/projects', { token: t.owner, body: { name: 'once' }, headers });
    const second = await call('POST', '/v1/projects', { token: t.owner, body: { name: 'once' }, headers });
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body.id).toBe(first.body.id);
    expect(await usedProjects(t.owner)).toBe(1);
  });
});

describe('GET /v1/projects and /v1/projects/{id}', () => {
  it('lists the tenant\'s projects oldest first, in pages, and nobody else\'s', async () => {
    // Prepare
    const [t, other] = [await newTenant(), await newTenant()];
    for (const name of ['a', 'b', 'c']) await call('POST', '/v1/projects', { token: t.owner, body: { name } });
    await call('POST', '/v1/projects', { token: other.owner, body: { name: 'theirs' } });
    // Act
    const first = await call('GET', '/v1/projects?limit=2', { token: t.viewer });
    const second = await call('GET', `/v1/projects?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`, { token: t.viewer });
    // Assess
    expect(first.body.items.map((p: { name: string }) => p.name)).toEqual(['a', 'b']);
    expect(second.body.items.map((p: { name: string }) => p.name)).toEqual(['c']);
    expect(second.body.nextCursor).toBeUndefined();
  });

  it('gets a project with its ETag; another tenant\'s or an unknown one is 404 ProjectNotFound', async () => {
    const [t, other] = [await newTenant(), await newTenant()];
    const created = await call('POST', '/v1/projects', { token: t.owner, body: { name: 'mine' } });
    const got = await call('GET', `/v1/projects/${created.body.id}`, { token: t.viewer });
    const foreign = await call('GET', `/v1/projects/${created.body.id}`, { token: other.owner });
    const unknown = await call('GET', `/v1/projects/${newId('prj')}`, { token: t.owner });
    expect(got.status).toBe(200);
    expect(got.body).toEqual(created.body);
    expect(got.headers.get('etag')).toBe('"1"');
    expect([foreign.status, foreign.body.code]).toEqual([404, 'ProjectNotFound']);
    expect([unknown.status, unknown.body.code]).toEqual([404, 'ProjectNotFound']);
  });
});

describe('PATCH /v1/projects/{id}', () => {
  it('renames: the old name is free again, the new one taken; project.updated says what changed', async () => {
    // Prepare
    const t = await newTenant();
    const created = await call('POST', '/v1/projects', { token: t.owner, body: { name: 'old' } });
    // Act
    const renamed = await call('PATCH', `/v1/projects/${created.body.id}`, { token: t.owner, body: { name: 'new' }, headers: { 'if-match': '"1"' } });
    const reuseOld = await call('POST', '/v1/projects', { token: t.owner, body: { name: 'old' } });
    const takeNew = await call('POST', '/v1/projects', { token: t.owner, body: { name: 'new' } });
    // Assess
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'new', version: 2 });
    expect(renamed.headers.get('etag')).toBe('"2"');
    expect(reuseOld.status).toBe(201);
    expect(takeNew.status).toBe(409);
    const updated = (await outbox(t.tenantId)).find((e) => e.detailType === 'project.updated');
    expect(updated?.data).toEqual({ name: 'new' });
  });

  it('refuses a rename to a name in use (409) and changes nothing', async () => {
    const t = await newTenant();
    const a = await call('POST', '/v1/projects', { token: t.owner, body: { name: 'a' } });
    await call('POST', '/v1/projects', { token: t.owner, body: { name: 'b' } });
    const clash = await call('PATCH', `/v1/projects/${a.body.id}`, { token: t.owner, body: { name: 'b' } });
    const after = await call('GET', `/v1/projects/${a.body.id}`, { token: t.owner });
    expect([clash.status, clash.body.code]).toEqual([409, 'InvalidProject.Duplicate']);
    expect(after.body).toMatchObject({ name: 'a', version: 1 });
  });

  it('merges tags (null removes one) and removes the description with null', async () => {
    const t = await newTenant();
    const created = await call('POST', '/v1/projects', { token: t.owner, body: { name: 'p', description: 'd', tags: { a: '1', b: '2' } } });
    const patched = await call('PATCH', `/v1/projects/${created.body.id}`, { token: t.owner, body: { description: null, tags: { b: null, c: '3' } } });
    expect(patched.status).toBe(200);
    expect(patched.body.tags).toEqual({ a: '1', c: '3' });
    expect(patched.body).not.toHaveProperty('description');
    const got = await call('GET', `/v1/projects/${created.body.id}`, { token: t.owner });
    expect(got.body).toEqual(patched.body);
  });

  it('refuses tags that would make more than 50 (400 TagLimitExceeded)', async () => {
    const t = await newTenant();
    const created = await call('POST', '/v1/projects', { token: t.owner, body: { name: 'p', tags: tags(50) } });
    const over = await call('PATCH', `/v1/projects/${created.body.id}`, { token: t.owner, body: { tags: { extra: 'x' } } });
    const swap = await call('PATCH', `/v1/projects/${created.body.id}`, { token: t.owner, body: { tags: { k0: null, extra: 'x' } } });
    expect([over.status, over.body.code]).toEqual([400, 'TagLimitExceeded']);
    expect(swap.status).toBe(200);
  });

  it('answers 412 on a stale If-Match, and a change that changes nothing is a 200 no-op', async () => {
    const t = await newTenant();
    const created = await call('POST', '/v1/projects', { token: t.owner, body: { name: 'p', tags: { a: '1' } } });
    await call('PATCH', `/v1/projects/${created.body.id}`, { token: t.owner, body: { description: 'x' } });
    const stale = await call('PATCH', `/v1/projects/${created.body.id}`, { token: t.owner, body: { name: 'q' }, headers: { 'if-match': '"1"' } });
    const noop = await call('PATCH', `/v1/projects/${created.body.id}`, { token: t.owner, body: { name: 'p', tags: { a: '1' } } });
    expect([stale.status, stale.body.code]).toEqual([412, 'PreconditionFailed']);
    expect(noop.status).toBe(200);
    expect(noop.body.version).toBe(2);
  });
});

describe('DELETE /v1/projects/{id}', () => {
  it('deletes: 204, then 404; project.deleted; the quota and the name are given back', async () => {
    // Prepare
    const t = await newTenant();
    const created = await call('POST', '/v1/projects', { token: t.owner, body: { name: 'gone' } });
    // Act
    const deleted = await call('DELETE', `/v1/projects/${created.body.id}`, { token: t.owner, headers: { 'if-match': '"1"' } });
    // Assess
    expect(deleted.status).toBe(204);
    expect((await call('GET', `/v1/projects/${created.body.id}`, { token: t.owner })).status).toBe(404);
    expect((await call('GET', `/v1/projects/${created.body.id}/stats`, { token: t.owner })).status).toBe(404);
    expect(await usedProjects(t.owner)).toBe(0);
    expect((await call('POST', '/v1/projects', { token: t.owner, body: { name: 'gone' } })).status).toBe(201);
    expect((await outbox(t.tenantId)).filter((e) => e.detailType === 'project.deleted').map((e) => e.data)).toEqual([{ name: 'gone' }]);
  });

  it('answers 409 ProjectNotEmpty while a live resource is in it, and deletes once it left', async () => {
    // Prepare: a resource joins the project in its own transaction
    const t = await newTenant();
    const project = (await call('POST', '/v1/projects', { token: t.owner, body: { name: 'busy' } })).body;
    const resource = { tenantId: t.tenantId, projectId: project.id, resourceType: 'instance', resourceId: 'i-1' };
    await commitWrites(projectUsageWrites({ ...resource, to: 'running', live: 1, vcpus: 2 }));
    // Act
    const refused = await call('DELETE', `/v1/projects/${project.id}`, { token: t.owner });
    await commitWrites(projectUsageWrites({ ...resource, from: 'running', to: 'terminated', live: -1, vcpus: -2 }));
    const deleted = await call('DELETE', `/v1/projects/${project.id}`, { token: t.owner });
    // Assess
    expect([refused.status, refused.body.code]).toEqual([409, 'ProjectNotEmpty']);
    expect(deleted.status).toBe(204);
    expect(await usedProjects(t.owner)).toBe(0);
  });

  it('answers 412 on a stale If-Match and keeps the project', async () => {
    const t = await newTenant();
    const project = (await call('POST', '/v1/projects', { token: t.owner, body: { name: 'p' } })).body;
    await call('PATCH', `/v1/projects/${project.id}`, { token: t.owner, body: { description: 'changed' } });
    const stale = await call('DELETE', `/v1/projects/${project.id}`, { token: t.owner, headers: { 'if-match': '"1"' } });
    expect(stale.status).toBe(412);
    expect((await call('GET', `/v1/projects/${project.id}`, { token: t.owner })).status).toBe(200);
  });
});

describe('GET /v1/projects/{id}/stats and the counters resources keep', () => {
  it('is all zeros for a new project', async () => {
    const t = await newTenant();
    const project = (await call('POST', '/v1/projects', { token: t.owner, body: { name: 'empty' } })).body;
    const stats = await call('GET', `/v1/projects/${project.id}/stats`, { token: t.viewer });
    expect(stats.status).toBe(200);
    expect(stats.body).toEqual({ projectId: project.id, resources: { live: 0, byType: {} }, vcpus: 0, memoryMib: 0, storageGb: 0 });
  });

  it('counts by type and status, with vCPUs, memory and storage, as resources change', async () => {
    // Prepare
    const t = await newTenant();
    const project = (await call('POST', '/v1/projects', { token: t.owner, body: { name: 'counted' } })).body;
    const base = { tenantId: t.tenantId, projectId: project.id };
    // Act: two instances start, one stops, a volume is made, the stopped instance is terminated
    await commitWrites(projectUsageWrites({ ...base, resourceType: 'instance', resourceId: 'i-1', to: 'pending', live: 1, vcpus: 2, memoryMib: 4096 }));
    await commitWrites(projectUsageWrites({ ...base, resourceType: 'instance', resourceId: 'i-1', from: 'pending', to: 'running' }));
    await commitWrites(projectUsageWrites({ ...base, resourceType: 'instance', resourceId: 'i-2', to: 'running', live: 1, vcpus: 4, memoryMib: 16384 }));
    await commitWrites(projectUsageWrites({ ...base, resourceType: 'instance', resourceId: 'i-2', from: 'running', to: 'stopped' }));
    await commitWrites(projectUsageWrites({ ...base, resourceType: 'volume', resourceId: 'vol-1', to: 'available', live: 1, storageGb: 100 }));
    await commitWrites(projectUsageWrites({ ...base, resourceType: 'instance', resourceId: 'i-2', from: 'stopped', to: 'terminated', live: -1, vcpus: -4, memoryMib: -16384 }));
    const stats = await call('GET', `/v1/projects/${project.id}/stats`, { token: t.viewer });
    // Assess
    expect(stats.body).toEqual({
      projectId: project.id,
      resources: { live: 2, byType: { instance: { running: 1, terminated: 1 }, volume: { available: 1 } } },
      vcpus: 2,
      memoryMib: 4096,
      storageGb: 100,
    });
    expect((await listProjectMembers(t.tenantId, project.id)).map((m) => m.resourceId).sort()).toEqual(['i-1', 'vol-1']);
  });

  it('a resource may not join a project that does not exist (404) or is being deleted (409)', async () => {
    // Prepare
    const t = await newTenant();
    const project = (await call('POST', '/v1/projects', { token: t.owner, body: { name: 'closing' } })).body;
    const missing = newId('prj');
    // Act
    const intoMissing = commitWrites(projectUsageWrites({ tenantId: t.tenantId, projectId: missing, resourceType: 'instance', resourceId: 'i-x', to: 'pending', live: 1 }));
    const cascade = await call('DELETE', `/v1/projects/${project.id}?cascade=true`, { token: t.owner });
    const intoDeleting = commitWrites(projectUsageWrites({ tenantId: t.tenantId, projectId: project.id, resourceType: 'instance', resourceId: 'i-y', to: 'pending', live: 1 }));
    // Assess
    await expect(intoMissing).rejects.toMatchObject({ status: 404, code: 'ProjectNotFound' });
    expect(cascade.status).toBe(202);
    await expect(intoDeleting).rejects.toMatchObject({ status: 409, code: 'IncorrectProjectState' });
    await expect(assertProjectExists(t.tenantId, missing)).rejects.toMatchObject({ status: 404, code: 'ProjectNotFound' });
  });
});
