/**
 * The local token issuer: an RS256 key pair whose public half is served at
 * /.well-known/jwks.json, and a verifier that accepts exactly what API Gateway's JWT authorizer
 * would for this issuer and audience (signature, iss, aud, exp, nbf; never `alg: none`).
 */
import { randomUUID } from 'node:crypto';
import {
  SignJWT,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';
import { ROLES, type Role } from '../../functions/kit/auth';

export const LOCAL_ISSUER = 'urn:control-plane:local-issuer';
export const LOCAL_AUDIENCE = 'control-plane-local';
const ALGORITHM = 'RS256';

export interface TokenRequest {
  userId?: string;
  tenantId?: string;
  email?: string;
  roles: Role[];
  expiresInSeconds?: number;
}

export interface LocalIssuer {
  privateJwk: JWK;
  jwks: { keys: JWK[] };
  issue(request: TokenRequest): Promise<{ token: string; expiresIn: number }>;
  /** The token's claims when API Gateway's authorizer would accept it; throws otherwise. */
  verify(token: string): Promise<JWTPayload>;
}

export async function createLocalIssuer(savedPrivateJwk?: JWK): Promise<LocalIssuer> {
  let privateKey: CryptoKey;
  let privateJwk: JWK;
  if (savedPrivateJwk) {
    privateJwk = savedPrivateJwk;
    privateKey = (await importJWK(savedPrivateJwk, ALGORITHM)) as CryptoKey;
  } else {
    const pair = await generateKeyPair(ALGORITHM, { extractable: true });
    privateKey = pair.privateKey;
    privateJwk = { ...(await exportJWK(pair.privateKey)), kid: randomUUID(), alg: ALGORITHM, use: 'sig' };
  }
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = privateJwk;
  const jwks = { keys: [publicJwk] };
  const keySet = createLocalJWKSet(jwks);

  return {
    privateJwk,
    jwks,
    async issue({ userId, tenantId, email, roles, expiresInSeconds = 3600 }) {
      const unknown = roles.filter((role) => !ROLES.includes(role));
      if (unknown.length) throw new Error(`Unknown roles: ${unknown.join(', ')}`);
      const token = await new SignJWT({
        ...(tenantId ? { tenant_id: tenantId } : {}),
        ...(email ? { email } : {}),
        roles,
        token_use: 'access',
      })
        .setProtectedHeader({ alg: ALGORITHM, kid: publicJwk.kid as string, typ: 'JWT' })
        .setIssuer(LOCAL_ISSUER)
        .setAudience(LOCAL_AUDIENCE)
        .setSubject(userId ?? `usr-${randomUUID()}`)
        .setIssuedAt()
        .setNotBefore('0s')
        .setExpirationTime(`${expiresInSeconds}s`)
        .setJti(randomUUID())
        .sign(privateKey);
      return { token, expiresIn: expiresInSeconds };
    },
    async verify(token) {
      const { payload } = await jwtVerify(token, keySet, {
        issuer: LOCAL_ISSUER,
        audience: LOCAL_AUDIENCE,
        algorithms: [ALGORITHM],
        requiredClaims: ['exp', 'sub'],
      });
      return payload;
    },
  };
}

/**
 * Claims as API Gateway's JWT authorizer hands them to the Lambda: every value a string, an array
 * as "[a b]". The kit must read this shape, so the local gateway produces exactly it.
 */
export function claimsAsApiGatewayPassesThem(payload: JWTPayload): Record<string, string> {
  return Object.fromEntries(
    Object.entries(payload).map(([name, value]) => [
      name,
      Array.isArray(value) ? `[${value.join(' ')}]` : typeof value === 'object' ? JSON.stringify(value) : String(value),
    ]),
  );
}
