/** The first operations, over HTTP through the local gateway. */
import type { Platform } from '../../lib/local/runtime';
import { buildOpenApiDocument } from '../../functions/openapi';
import { client, startTestPlatform, tokenFor } from '../support/platform';

let platform: Platform;
let call: ReturnType<typeof client>;
let owner: string;

beforeAll(async () => {
  platform = await startTestPlatform('platform');
  call = client(platform.url);
  owner = await tokenFor(platform, ['owner']);
});
afterAll(() => platform.stop());

describe('GET /v1/me', () => {
  it('returns the caller, their tenant and roles', async () => {
    // Prepare
    const token = await platform.token({ roles: ['member', 'viewer'], tenantId: platform.demoTenantId, userId: 'usr-42', email: 'a@b.example' });
    // Act
    const response = await call('GET', '/v1/me', { token });
    // Assess
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ userId: 'usr-42', email: 'a@b.example', roles: ['viewer', 'member'], tenant: { id: platform.demoTenantId } });
  });

  it('answers a platform admin without a tenant with tenant null', async () => {
    const response = await call('GET', '/v1/me', { token: await tokenFor(platform, ['platform-admin']) });
    expect(response.status).toBe(200);
    expect(response.body.tenant).toBeNull();
    expect(response.body.roles).toEqual(['platform-admin']);
  });
});

describe('GET /v1/health', () => {
  it('is public and reports DynamoDB ok', async () => {
    const response = await call('GET', '/v1/health');
    expect(response.status).toBe(200);
    expect(response.body.status).toBe('ok');
    expect(response.body.checks.dynamodb.status).toBe('ok');
  });
});

describe('GET /v1/openapi.json', () => {
  it('is public and serves the document generated from the manifest', async () => {
    const response = await call('GET', '/v1/openapi.json');
    expect(response.status).toBe(200);
    expect(response.body).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument())));
    expect(response.body.paths['/v1/me'].get.operationId).toBe('getMe');
  });
});

describe('regions and zones', () => {
  it('lists the configured region', async () => {
    const response = await call('GET', '/v1/regions', { token: owner });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ items: [{ name: 'us-east-1', status: 'available' }] });
  });

  it("lists the region's three zones", async () => {
    const response = await call('GET', '/v1/availability-zones', { token: owner });
    expect(response.status).toBe(200);
    expect(response.body.items.map((zone: { name: string }) => zone.name)).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c']);
  });
});

describe('responses every operation shares', () => {
  it('carries a request id, no-store and security headers', async () => {
    const response = await call('GET', '/v1/me', { token: owner });
    expect(response.headers.get('x-request-id')).toMatch(/^\S{8,}$/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('strict-transport-security')).toContain('max-age=');
    expect(response.headers.get('server')).toBeNull();
  });

  it('answers an unknown route with a problem+json 404', async () => {
    const response = await call('GET', '/v1/nothing-here', { token: owner });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body.code).toBe('RouteNotFound');
  });

  it('answers a known path with an undeclared method with 404, as API Gateway does', async () => {
    const response = await call('DELETE', '/v1/me', { token: owner });
    expect(response.status).toBe(404);
  });
});
