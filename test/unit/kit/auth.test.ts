import { authorize, callerFromClaims, parseListClaim, type Access, type Caller } from '../../../functions/kit/auth';
import { type ApiError, Forbidden, Unauthorized } from '../../../functions/kit/errors';

/** Runs `act` and returns what it threw (fails the test if it threw nothing). */
function thrown(act: () => unknown): unknown {
  try {
    act();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('parseListClaim', () => {
  it.each<[string, unknown, string[]]>([
    ['a real array', ['owner', 'member'], ['owner', 'member']],
    ['a real array of non-strings', [1, true], ['1', 'true']],
    ["API Gateway's bracketed, space-separated string", '[owner member]', ['owner', 'member']],
    ["API Gateway's form with one element", '[owner]', ['owner']],
    ['a JSON array', '["a","b"]', ['a', 'b']],
    ['a JSON array with spaces around', '  ["a", "b"]  ', ['a', 'b']],
    ['an empty JSON array', '[]', []],
    ['a bracketed list with commas and spaces', '[owner, member]', ['owner', 'member']],
    ['a comma-separated string', 'a,b', ['a', 'b']],
    ['a space-separated string', 'a b', ['a', 'b']],
    ['a single value', 'viewer', ['viewer']],
    ['an empty string', '', []],
    ['blanks only', '   ', []],
    ['a number', 42, []],
    ['a boolean', true, []],
    ['undefined', undefined, []],
    ['null', null, []],
    ['an object', { roles: ['owner'] }, []],
  ])('reads %s', (_label, value, expected) => {
    // Prepare: the claim value as a token or API Gateway would hand it over

    // Act
    const list = parseListClaim(value);

    // Assess
    expect(list).toEqual(expected);
  });
});

describe('callerFromClaims', () => {
  it('reads our own claim names (tenant_id, roles, email)', () => {
    // Prepare
    const claims = { sub: 'u1', tenant_id: 't1', roles: '[owner member]', email: 'ann@example.com' };

    // Act
    const caller = callerFromClaims(claims);

    // Assess
    expect(caller).toEqual({ userId: 'u1', tenantId: 't1', roles: ['member', 'owner'], email: 'ann@example.com' });
  });

  it("reads Cognito's claim names (custom:tenant_id, cognito:groups as '[owner]')", () => {
    // Prepare
    const claims = { sub: 'u2', 'custom:tenant_id': 't2', 'cognito:groups': '[owner]' };

    // Act
    const caller = callerFromClaims(claims);

    // Assess
    expect(caller).toEqual({ userId: 'u2', tenantId: 't2', roles: ['owner'] });
  });

  it('prefers tenant_id over custom:tenant_id and merges roles from both claims', () => {
    // Prepare
    const claims = { sub: 'u3', tenant_id: 'ours', 'custom:tenant_id': 'cognitos', roles: ['viewer'], 'cognito:groups': '[platform-admin]' };

    // Act
    const caller = callerFromClaims(claims);

    // Assess
    expect(caller.tenantId).toBe('ours');
    expect(caller.roles).toEqual(['viewer', 'platform-admin']);
  });

  it('drops roles it does not know', () => {
    // Prepare
    const claims = { sub: 'u1', tenant_id: 't1', roles: '[admin superuser member Owner]' };

    // Act
    const caller = callerFromClaims(claims);

    // Assess
    expect(caller.roles).toEqual(['member']);
  });

  it('leaves tenantId and email out when the claims are empty strings', () => {
    // Prepare
    const claims = { sub: 'u1', tenant_id: '', email: '' };

    // Act
    const caller = callerFromClaims(claims);

    // Assess
    expect(caller).toEqual({ userId: 'u1', roles: [] });
    expect('tenantId' in caller).toBe(false);
  });

  it.each<[string, Record<string, unknown> | undefined]>([
    ['no claims at all', undefined],
    ['claims without sub', { tenant_id: 't1', roles: '[owner]' }],
    ['an empty sub', { sub: '', tenant_id: 't1' }],
    ['a non-string sub', { sub: 42, tenant_id: 't1' }],
  ])('throws 401 Unauthorized for %s', (_label, claims) => {
    // Prepare: nothing beyond the claims

    // Act
    const error = thrown(() => callerFromClaims(claims));

    // Assess
    expect(error).toBeInstanceOf(Unauthorized);
    expect((error as ApiError).status).toBe(401);
    expect((error as ApiError).code).toBe('Unauthorized');
    expect((error as ApiError).headers).toEqual({ 'WWW-Authenticate': 'Bearer' });
  });
});

describe('authorize', () => {
  const anonymous: Caller = { userId: 'anonymous', roles: [] };
  const viewer: Caller = { userId: 'u', tenantId: 't1', roles: ['viewer'] };
  const member: Caller = { userId: 'u', tenantId: 't1', roles: ['member'] };
  const owner: Caller = { userId: 'u', tenantId: 't1', roles: ['owner'] };
  const admin: Caller = { userId: 'op', roles: ['platform-admin'] };
  const adminInTenant: Caller = { userId: 'op', tenantId: 't1', roles: ['platform-admin', 'viewer'] };
  const roleWithoutTenant: Caller = { userId: 'u', roles: ['owner'] };
  const tenantWithoutRole: Caller = { userId: 'u', tenantId: 't1', roles: [] };

  it.each<[string, Access, Caller]>([
    ['anonymous', 'public', anonymous],
    ['anonymous', 'authenticated', anonymous],
    ['a viewer', 'public', viewer],
    ['a viewer', 'authenticated', viewer],
    ['an operator', 'authenticated', admin],
    ['a viewer', 'viewer', viewer],
    ['a member', 'viewer', member],
    ['a member', 'member', member],
    ['an owner', 'viewer', owner],
    ['an owner', 'member', owner],
    ['an owner', 'owner', owner],
    ['an operator', 'platform-admin', admin],
    ['an operator who is also a viewer of a tenant', 'viewer', adminInTenant],
    ['an operator who is also a viewer of a tenant', 'platform-admin', adminInTenant],
  ])('lets %s call a %s operation', (_label, access, caller) => {
    // Prepare: the caller and the access the operation declares

    // Act
    const act = () => authorize(caller, access);

    // Assess
    expect(act).not.toThrow();
  });

  it.each<[string, Access, Caller, string]>([
    ['a viewer', 'member', viewer, 'Your role may only read; this operation changes things.'],
    ['a viewer', 'owner', viewer, 'This operation needs the owner role.'],
    ['a member', 'owner', member, 'This operation needs the owner role.'],
    ['a viewer', 'platform-admin', viewer, 'This operation is for platform administrators.'],
    ['a member', 'platform-admin', member, 'This operation is for platform administrators.'],
    ['an owner', 'platform-admin', owner, 'This operation is for platform administrators.'],
    ['anonymous', 'viewer', anonymous, 'The token names no tenant.'],
    ['an operator without a tenant', 'viewer', admin, 'The token names no tenant.'],
    ['an operator without a tenant', 'owner', admin, 'The token names no tenant.'],
    ['a tenant role without a tenant', 'viewer', roleWithoutTenant, 'The token names no tenant.'],
    ['a tenant without any role', 'viewer', tenantWithoutRole, 'This operation needs the viewer role.'],
    ['an operator viewing a tenant', 'member', adminInTenant, 'Your role may only read; this operation changes things.'],
  ])('refuses %s a %s operation with 403 Forbidden', (_label, access, caller, detail) => {
    // Prepare: the caller and the access the operation declares

    // Act
    const error = thrown(() => authorize(caller, access));

    // Assess
    expect(error).toBeInstanceOf(Forbidden);
    expect((error as ApiError).status).toBe(403);
    expect((error as ApiError).code).toBe('Forbidden');
    expect((error as ApiError).message).toBe(detail);
  });
});
