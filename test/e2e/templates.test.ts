/** Instance templates over HTTP: create with catalog checks, unique names, pages, get, delete with If-Match, roles. */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../functions/kit/db';
import { tableName } from '../../functions/kit/tables';
import { buildTemplate } from '../../functions/compute/template';
import { createTemplateWrites } from '../../functions/compute/template-repository';
import { ApiError } from '../../functions/kit/errors';
import { commitWrites } from '../../functions/kit/transaction';
import type { Platform } from '../../lib/local/runtime';
import { auditActions } from '../support/snapshot';
import { client, ownerOfProvisionedTenant, startTestPlatform } from '../support/platform';

let platform: Platform;
let call: ReturnType<typeof client>;
let admin: string;

beforeAll(async () => {
  platform = await startTestPlatform('templates');
  call = client(platform.url);
  admin = await platform.token({ roles: ['platform-admin'], userId: 'usr-operator' });
});
afterAll(() => platform.stop());

/** An owner of a new tenant, and a viewer of the same tenant. */
async function tenant() {
  const { token: owner, tenantId } = await ownerOfProvisionedTenant(platform);
  return { owner, tenantId, viewer: await platform.token({ roles: ['viewer'], tenantId }) };
}


async function item(tenantId: string, sk: string) {
  return (await documentClient().send(new GetCommand({ TableName: tableName('resources'), Key: { pk: `T#${tenantId}`, sk }, ConsistentRead: true }))).Item;
}

describe('creating a template', () => {
  it('saves any instance settings: 201, Location, ETag, user data stored but never shown, template.created', async () => {
    // Prepare
    const { owner, tenantId } = await tenant();
    const project = await call('POST', '/v1/projects', { token: owner, body: { name: 'web' } });
    const body = {
      name: 'web-server',
      description: 'Ubuntu web servers',
      flavorId: 't3.small',
      imageId: 'img-ubuntu-24.04',
      subnetId: 'subnet-later',
      securityGroupIds: ['sg-later'],
      projectId: project.body.id,
      assignPublicIp: true,
      rootVolumeGb: 20,
      userData: '#!/bin/sh\necho secret-token',
      disableApiTermination: true,
      disableApiStop: false,
      tags: { env: 'prod' },
    };

    // Act
    const created = await call('POST', '/v1/templates', { token: owner, body });
    const fetched = await call('GET', `/v1/templates/${created.body.id}`, { token: owner });

    // Assess
    expect(created.status).toBe(201);
    expect(created.body.id).toMatch(/^lt-[0-9a-z]{26}$/);
    expect(created.headers.get('location')).toBe(`/v1/templates/${created.body.id}`);
    expect(created.headers.get('etag')).toBe('"1"');
    const { userData: _userData, ...shown } = body;
    expect(created.body).toEqual({
      ...shown,
      id: created.body.id,
      tenantId,
      hasUserData: true,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      version: 1,
    });
    expect(JSON.stringify(created.body)).not.toContain('secret-token');
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(created.body);
    expect(fetched.headers.get('etag')).toBe('"1"');
    expect(await item(tenantId, `TEMPLATE#${created.body.id}`)).toMatchObject({ userData: body.userData });
    expect(await auditActions(tenantId, created.body.id)).toEqual(['template.created']);
  });

  it('takes a name alone', async () => {
    // Prepare
    const { owner } = await tenant();

    // Act
    const created = await call('POST', '/v1/templates', { token: owner, body: { name: 'empty' } });

    // Assess
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'empty', hasUserData: false, tags: {} });
    expect(created.body.flavorId).toBeUndefined();
  });

  it.each([
    ['an unknown flavor', { flavorId: 'x9.huge' }, 400, 'InvalidFlavorID.NotFound'],
    ['an unknown image', { imageId: 'img-beos-5' }, 400, 'InvalidAMIID.NotFound'],
    ['a root volume below the image minimum', { imageId: 'img-windows-2022', rootVolumeGb: 29 }, 400, 'InvalidParameterValue'],
    ['a root volume below a Linux image minimum', { imageId: 'img-debian-12', rootVolumeGb: 7, flavorId: 't3.micro' }, 400, 'InvalidParameterValue'],
    ['an unknown project', { projectId: 'prj-01jd5f3w3t9k8m2x0c4s6v7b8n' }, 404, 'ProjectNotFound'],
  ])('refuses %s', async (_label, settings, status, code) => {
    // Prepare
    const { owner, tenantId } = await tenant();

    // Act
    const response = await call('POST', '/v1/templates', { token: owner, body: { name: 'refused', ...settings } });

    // Assess
    expect({ status: response.status, code: response.body.code }).toEqual({ status, code });
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await item(tenantId, 'TEMPLATENAME#refused')).toBeUndefined();
  });

  it('checks the project again at commit time (a project deleted after the check is 404 ProjectNotFound)', async () => {
    // Prepare: the template of a request that checked a project which is gone by its commit.
    const { tenantId } = await tenant();
    const template = buildTemplate(tenantId, { name: 'late', projectId: 'prj-01jd5f3w3t9k8m2x0c4s6v7b8n' }, new Date());

    // Act
    const error = await commitWrites(createTemplateWrites(template)).then(() => undefined, (e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ApiError);
    expect({ status: (error as ApiError).status, code: (error as ApiError).code }).toEqual({ status: 404, code: 'ProjectNotFound' });
    expect(await item(tenantId, `TEMPLATE#${template.id}`)).toBeUndefined();
  });

  it('accepts the image minimum, and a volume without an image', async () => {
    // Prepare
    const { owner } = await tenant();

    // Act
    const atMinimum = await call('POST', '/v1/templates', { token: owner, body: { name: 'win', imageId: 'img-windows-2022', rootVolumeGb: 30 } });
    const noImage = await call('POST', '/v1/templates', { token: owner, body: { name: 'small', rootVolumeGb: 1 } });

    // Assess
    expect([atMinimum.status, noImage.status]).toEqual([201, 201]);
  });

  it("refuses an image of another architecture than the flavor's with 400 InvalidParameterValue", async () => {
    // Prepare
    const { owner } = await tenant();
    const arm = await call('POST', '/v1/admin/flavors', { token: admin, body: { id: 't4g.micro', vcpus: 2, memoryMib: 1024, hourlyPrice: '0.0084', architecture: 'arm64' } });
    expect(arm.status).toBe(201);

    // Act
    const mismatch = await call('POST', '/v1/templates', { token: owner, body: { name: 'arm', flavorId: 't4g.micro', imageId: 'img-ubuntu-24.04' } });
    const flavorOnly = await call('POST', '/v1/templates', { token: owner, body: { name: 'arm-only', flavorId: 't4g.micro' } });

    // Assess
    expect([mismatch.status, mismatch.body.code]).toEqual([400, 'InvalidParameterValue']);
    expect(flavorOnly.status).toBe(201);
  });

  it.each([
    ['an unknown field', { name: 'web', colour: 'red' }, 'body.colour'],
    ['no name', { flavorId: 't3.micro' }, 'body.name'],
    ['a name with a space', { name: 'web server' }, 'body.name'],
    ['a root volume that is not an integer', { name: 'web', rootVolumeGb: 8.5 }, 'body.rootVolumeGb'],
    ['six security groups', { name: 'web', securityGroupIds: ['a', 'b', 'c', 'd', 'e', 'f'] }, 'body.securityGroupIds'],
    ['user data over 16 KiB', { name: 'web', userData: 'x'.repeat(16 * 1024 + 1) }, 'body.userData'],
  ])('refuses %s with 400 ValidationError', async (_label, body, field) => {
    // Prepare
    const { owner } = await tenant();

    // Act
    const response = await call('POST', '/v1/templates', { token: owner, body });

    // Assess
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('ValidationError');
    expect(response.body.errors.map((e: any) => e.path)).toContain(field);
  });
});

describe('template names', () => {
  it('are unique in the tenant (409 InvalidLaunchTemplateName.AlreadyExistsException), case-sensitive, free in other tenants', async () => {
    // Prepare
    const a = await tenant();
    const b = await tenant();
    await call('POST', '/v1/templates', { token: a.owner, body: { name: 'web' } });

    // Act
    const again = await call('POST', '/v1/templates', { token: a.owner, body: { name: 'web', flavorId: 't3.micro' } });
    const otherCase = await call('POST', '/v1/templates', { token: a.owner, body: { name: 'Web' } });
    const otherTenant = await call('POST', '/v1/templates', { token: b.owner, body: { name: 'web' } });

    // Assess
    expect([again.status, again.body.code]).toEqual([409, 'InvalidLaunchTemplateName.AlreadyExistsException']);
    expect(otherCase.status).toBe(201);
    expect(otherTenant.status).toBe(201);
  });

  it('hold under concurrent creates: one template per name', async () => {
    // Prepare
    const { owner } = await tenant();

    // Act
    const results = await Promise.all(Array.from({ length: 5 }, () => call('POST', '/v1/templates', { token: owner, body: { name: 'race' } })));
    const listed = await call('GET', '/v1/templates', { token: owner });

    // Assess
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    expect(listed.body.items.map((t: any) => t.name)).toEqual(['race']);
  });

  it('are free again once the template is deleted', async () => {
    // Prepare
    const { owner, tenantId } = await tenant();
    const first = await call('POST', '/v1/templates', { token: owner, body: { name: 'reuse' } });

    // Act
    const deleted = await call('DELETE', `/v1/templates/${first.body.id}`, { token: owner });
    const second = await call('POST', '/v1/templates', { token: owner, body: { name: 'reuse' } });

    // Assess
    expect(deleted.status).toBe(204);
    expect(second.status).toBe(201);
    expect(await item(tenantId, 'TEMPLATENAME#reuse')).toMatchObject({ templateId: second.body.id });
  });
});

describe('listing and reading templates', () => {
  it("lists the tenant's templates oldest first, page by page; a forged cursor is 400", async () => {
    // Prepare
    const a = await tenant();
    const b = await tenant();
    const names = ['one', 'two', 'three', 'four', 'five'];
    for (const name of names) await call('POST', '/v1/templates', { token: a.owner, body: { name, userData: 'hidden' } });
    await call('POST', '/v1/templates', { token: b.owner, body: { name: 'theirs' } });

    // Act
    const first = await call('GET', '/v1/templates?limit=2', { token: a.owner });
    const second = await call('GET', `/v1/templates?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`, { token: a.owner });
    const third = await call('GET', `/v1/templates?limit=2&cursor=${encodeURIComponent(second.body.nextCursor)}`, { token: a.owner });
    const foreign = await call('GET', `/v1/templates?cursor=${encodeURIComponent(first.body.nextCursor)}`, { token: b.owner });

    // Assess
    expect([...first.body.items, ...second.body.items, ...third.body.items].map((t: any) => t.name)).toEqual(names);
    expect(third.body.nextCursor).toBeUndefined();
    expect(third.body.items.every((t: any) => t.hasUserData === true && t.userData === undefined)).toBe(true);
    expect(foreign.status).toBe(400);
  });

  it("answers 404 InvalidLaunchTemplateId.NotFound for an unknown id and for another tenant's template", async () => {
    // Prepare
    const a = await tenant();
    const b = await tenant();
    const theirs = await call('POST', '/v1/templates', { token: b.owner, body: { name: 'theirs' } });

    // Act
    const unknown = await call('GET', '/v1/templates/lt-01jd5f3w3t9k8m2x0c4s6v7b8n', { token: a.owner });
    const foreign = await call('GET', `/v1/templates/${theirs.body.id}`, { token: a.owner });
    const foreignDelete = await call('DELETE', `/v1/templates/${theirs.body.id}`, { token: a.owner });

    // Assess
    expect([unknown.status, unknown.body.code]).toEqual([404, 'InvalidLaunchTemplateId.NotFound']);
    expect([foreign.status, foreign.body.code]).toEqual([404, 'InvalidLaunchTemplateId.NotFound']);
    expect(foreignDelete.status).toBe(404);
    expect((await call('GET', `/v1/templates/${theirs.body.id}`, { token: b.owner })).status).toBe(200);
  });

  it('lets a viewer read but not create or delete (403)', async () => {
    // Prepare
    const { owner, viewer } = await tenant();
    const template = await call('POST', '/v1/templates', { token: owner, body: { name: 'shared' } });

    // Act
    const list = await call('GET', '/v1/templates', { token: viewer });
    const get = await call('GET', `/v1/templates/${template.body.id}`, { token: viewer });
    const create = await call('POST', '/v1/templates', { token: viewer, body: { name: 'mine' } });
    const remove = await call('DELETE', `/v1/templates/${template.body.id}`, { token: viewer });

    // Assess
    expect([list.status, get.status]).toEqual([200, 200]);
    expect([create.status, create.body.code, remove.status, remove.body.code]).toEqual([403, 'Forbidden', 403, 'Forbidden']);
    expect((await call('GET', `/v1/templates/${template.body.id}`, { token: owner })).status).toBe(200);
  });
});

describe('deleting a template', () => {
  it('honours If-Match (412 on a stale ETag), answers 204, emits template.deleted, then 404', async () => {
    // Prepare
    const { owner, tenantId } = await tenant();
    const template = await call('POST', '/v1/templates', { token: owner, body: { name: 'doomed' } });
    const path = `/v1/templates/${template.body.id}`;

    // Act
    const stale = await call('DELETE', path, { token: owner, headers: { 'if-match': '"2"' } });
    const deleted = await call('DELETE', path, { token: owner, headers: { 'if-match': '"1"' } });
    const after = await call('GET', path, { token: owner });
    const again = await call('DELETE', path, { token: owner });

    // Assess
    expect([stale.status, stale.body.code]).toEqual([412, 'PreconditionFailed']);
    expect(deleted.status).toBe(204);
    expect([after.status, after.body.code]).toEqual([404, 'InvalidLaunchTemplateId.NotFound']);
    expect(again.status).toBe(404);
    expect(await item(tenantId, 'TEMPLATENAME#doomed')).toBeUndefined();
    expect(await auditActions(tenantId, template.body.id)).toEqual(expect.arrayContaining(['template.created', 'template.deleted']));
    expect((await call('GET', '/v1/templates', { token: owner })).body.items).toEqual([]);
  });
});
