import { Forbidden, Unauthorized } from './errors';

export const TENANT_ROLES = ['viewer', 'member', 'owner'] as const;
export type TenantRole = (typeof TENANT_ROLES)[number];
export const PLATFORM_ADMIN = 'platform-admin';
export type Role = TenantRole | typeof PLATFORM_ADMIN;
export const ROLES: readonly Role[] = [...TENANT_ROLES, PLATFORM_ADMIN];

/**
 * Who may call an operation. `public` needs no token, `authenticated` any valid one; a tenant
 * role needs a tenant in the token and at least that role in it; `platform-admin` is for operators.
 */
export type Access = 'public' | 'authenticated' | TenantRole | typeof PLATFORM_ADMIN;

export interface Caller {
  userId: string;
  tenantId?: string;
  email?: string;
  roles: Role[];
}

export interface TenantCaller extends Caller {
  tenantId: string;
}

const tenantRank: Record<TenantRole, number> = { viewer: 1, member: 2, owner: 3 };

/** How a JSON array can begin (what JSON.parse could accept); anything else in brackets is API Gateway's form. */
const JSON_ARRAY_START = /^\[\s*(\]|["\d\-[{]|true|false|null)/;

/**
 * API Gateway's JWT authorizer hands every claim to the Lambda as a string: an array becomes
 * "[owner member]". Tokens may also carry a JSON array or a real array (the local runtime in
 * tests), so all three shapes are read.
 */
export function parseListClaim(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string') return [];
  const text = value.trim();
  if (text.startsWith('[') && text.endsWith(']')) {
    // Only what can be a JSON array is parsed as one: API Gateway's "[owner member]" is not, and a
    // failed JSON.parse (a thrown SyntaxError) would cost more than the rest of the kit on every request.
    if (JSON_ARRAY_START.test(text)) {
      try {
        const parsed: unknown = JSON.parse(text);
        if (Array.isArray(parsed)) return parsed.map(String);
      } catch {
        // Not JSON after all: read as API Gateway's "[a b]" form.
      }
    }
    return text.slice(1, -1).split(/[\s,]+/).filter(Boolean);
  }
  return text.split(/[\s,]+/).filter(Boolean);
}

function claimString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** The caller from verified JWT claims: ours (`tenant_id`, `roles`) or Cognito's names for them. */
export function callerFromClaims(claims: Record<string, unknown> | undefined): Caller {
  const userId = claimString(claims?.sub);
  if (!claims || !userId) throw new Unauthorized();
  const roleNames = new Set([...parseListClaim(claims.roles), ...parseListClaim(claims['cognito:groups'])]);
  const roles = ROLES.filter((role) => roleNames.has(role));
  const tenantId = claimString(claims.tenant_id) ?? claimString(claims['custom:tenant_id']);
  const email = claimString(claims.email);
  return { userId, roles, ...(tenantId ? { tenantId } : {}), ...(email ? { email } : {}) };
}

export function isTenantRole(access: Access): access is TenantRole {
  return access in tenantRank;
}

/** Throws 403 unless the caller holds the access the operation declares. */
export function authorize(caller: Caller, access: Access): void {
  if (access === 'public' || access === 'authenticated') return;
  if (access === PLATFORM_ADMIN) {
    if (!caller.roles.includes(PLATFORM_ADMIN)) throw new Forbidden('This operation is for platform administrators.');
    return;
  }
  if (!caller.tenantId) throw new Forbidden('The token names no tenant.');
  const best = Math.max(0, ...caller.roles.filter((r): r is TenantRole => r in tenantRank).map((r) => tenantRank[r]));
  if (best < tenantRank[access]) {
    throw new Forbidden(
      access === 'member' ? 'Your role may only read; this operation changes things.' : `This operation needs the ${access} role.`,
    );
  }
}
