/** Tokens and roles at the gateway and in the kit: API.md's 401 and 403 rules. */
import { UnsecuredJWT } from 'jose';
import type { Platform } from '../../lib/local/runtime';
import { LOCAL_AUDIENCE, LOCAL_ISSUER } from '../../lib/local/issuer';
import { client, startTestPlatform, tokenFor } from '../support/platform';
import { forgedToken as sharedForgedToken, type TokenChange } from '../support/tokens';

let platform: Platform;
let call: ReturnType<typeof client>;

beforeAll(async () => {
  platform = await startTestPlatform('auth');
  call = client(platform.url);
});
afterAll(() => platform.stop());

const forgedToken = (change: TokenChange) => sharedForgedToken(platform, change);

describe('401 Unauthorized', () => {
  const now = () => Math.floor(Date.now() / 1000);
  it.each([
    ['no Authorization header', async () => undefined],
    ['a token that is not a JWT', async () => 'not-a-jwt'],
    ['an expired token', () => forgedToken({ expiresAt: now() - 60 })],
    ['a token not valid yet', () => forgedToken({ notBefore: now() + 600 })],
    ['a token signed with another key', () => forgedToken({ ownKey: true })],
    ['a token from another issuer', () => forgedToken({ issuer: 'https://evil.example' })],
    ['a token for another audience', () => forgedToken({ audience: 'someone-else' })],
    [
      'an alg:none token',
      async () =>
        new UnsecuredJWT({ tenant_id: platform.demoTenantId, roles: ['owner'] })
          .setIssuer(LOCAL_ISSUER)
          .setAudience(LOCAL_AUDIENCE)
          .setSubject('usr-none')
          .setExpirationTime('10m')
          .encode(),
    ],
  ])('%s → 401 problem+json', async (_label, makeToken) => {
    // Prepare
    const token = await makeToken();
    // Act
    const response = await call('GET', '/v1/me', token ? { token } : {});
    // Assess
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(response.body).toMatchObject({ status: 401, code: 'Unauthorized' });
    expect(typeof response.body.requestId).toBe('string');
  });

  it('accepts a genuine token built the same way (the forgeries differ only in what they break)', async () => {
    const response = await call('GET', '/v1/me', { token: await forgedToken({}) });
    expect(response.status).toBe(200);
  });

  it('rejects an alg:none token whose header claims RS256 but carries no signature', async () => {
    const genuine = await forgedToken({});
    const [header, payload] = genuine.split('.');
    const response = await call('GET', '/v1/me', { token: `${header}.${payload}.` });
    expect(response.status).toBe(401);
  });
});

describe('403 Forbidden', () => {
  it('refuses a viewer on a mutating route and changes nothing', async () => {
    // Prepare
    const viewer = await tokenFor(platform, ['viewer']);
    const owner = await tokenFor(platform, ['owner']);
    // Act
    const response = await call('POST', '/v1/widgets', { token: viewer, body: { name: 'from-a-viewer' } });
    // Assess
    expect(response.status).toBe(403);
    expect(response.body.code).toBe('Forbidden');
    const list = await call('GET', '/v1/widgets', { token: owner });
    expect(list.body.items).toEqual([]);
  });

  it('lets a viewer read', async () => {
    const response = await call('GET', '/v1/widgets', { token: await tokenFor(platform, ['viewer']) });
    expect(response.status).toBe(200);
  });

  it.each([['owner'], ['member'], ['viewer']] as const)('refuses a tenant %s on /v1/admin/*', async (role) => {
    const response = await call('GET', '/v1/admin/widgets', { token: await tokenFor(platform, [role]) });
    expect(response.status).toBe(403);
    expect(response.body.code).toBe('Forbidden');
  });

  it('lets a platform-admin call /v1/admin/*', async () => {
    const response = await call('GET', '/v1/admin/widgets', { token: await tokenFor(platform, ['platform-admin']) });
    expect(response.status).toBe(200);
  });

  it('refuses a token that names no tenant on a tenant route', async () => {
    const response = await call('GET', '/v1/widgets', { token: await tokenFor(platform, ['platform-admin']) });
    expect(response.status).toBe(403);
  });
});

describe('POST /local/tokens', () => {
  it('issues a token for the demo tenant that the API accepts', async () => {
    const issued = await call('POST', '/local/tokens', { body: { roles: ['viewer'] } });
    expect(issued.status).toBe(201);
    expect(issued.body.expiresIn).toBe(3600);
    const me = await call('GET', '/v1/me', { token: issued.body.token });
    expect(me.body.tenant).toEqual({ id: platform.demoTenantId });
    expect(me.body.roles).toEqual(['viewer']);
  });

  it('refuses unknown roles with a 400', async () => {
    const issued = await call('POST', '/local/tokens', { body: { roles: ['root'] } });
    expect(issued.status).toBe(400);
    expect(issued.body.errors[0].path).toBe('body.roles.0');
  });

  it('serves the public key at /.well-known/jwks.json without the private parts', async () => {
    const jwks = await call('GET', '/.well-known/jwks.json');
    expect(jwks.status).toBe(200);
    expect(jwks.body.keys).toHaveLength(1);
    expect(jwks.body.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256' });
    expect(jwks.body.keys[0].d).toBeUndefined();
  });
});
