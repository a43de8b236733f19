/**
 * The local token issuer: an RS256 key pair whose public half is served at
 * /.well-known/jwks.json, and a verifier that accepts exactly what API Gateway's JWT authorizer
 * would for this issuer and audience (signature, iss, aud, exp, nbf; never `alg: none`).
 */
import { createPublicKey, randomUUID, verify as verifySignature, type KeyObject } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK, type JWTPayload } from 'jose';
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
  const verifyToken = tokenVerifier(jwks);

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
      return verifyToken(token);
    },
  };
}

export class InvalidToken extends Error {}

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function decodePart(part: string | undefined): Record<string, unknown> {
  if (!part || !BASE64URL.test(part)) throw new InvalidToken('malformed');
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidToken('malformed');
  }
  if (!isObject(value)) throw new InvalidToken('malformed');
  return value;
}

function numericDate(claims: Record<string, unknown>, name: string): number | undefined {
  const value = claims[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'number') throw new InvalidToken(`"${name}" must be a number`);
  return value;
}

/**
 * The checks jose's jwtVerify makes with this issuer's key set and options (RS256 only, the key by
 * `kid`, no `crit`, the signature, iss, aud, exp and nbf without tolerance, `exp` and `sub` present),
 * made synchronously with node:crypto and the key imported once. jose verifies through WebCrypto,
 * which sends every signature check to the libuv thread pool and back: a few hundred microseconds
 * and two thread hand-offs per request on the hot path, for a check that takes about fifty here.
 *
 * A token that passed is remembered by its exact text (up to VERIFIED_TOKEN_CACHE_SIZE of them, the
 * oldest forgotten first), as Envoy's jwt_authn caches verified JWTs: the same bytes against the same
 * key set always give the same signature and claims verdict, so a repeat only re-checks the clock
 * (exp and nbf). A client sends one token for up to an hour; its signature is checked once.
 */
export const VERIFIED_TOKEN_CACHE_SIZE = 10_000;

export interface TokenVerifier {
  (token: string): JWTPayload;
  /** How many verified tokens are remembered now. */
  readonly remembered: number;
}

export function tokenVerifier(jwks: { keys: JWK[] }, now: () => number = Date.now, cacheSize = VERIFIED_TOKEN_CACHE_SIZE): TokenVerifier {
  const keys = new Map<string | undefined, KeyObject>();
  for (const jwk of jwks.keys) {
    if (jwk.kty !== 'RSA' || (jwk.alg !== undefined && jwk.alg !== ALGORITHM) || (jwk.use !== undefined && jwk.use !== 'sig')) continue;
    keys.set(jwk.kid, createPublicKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' }));
  }
  const verified = new Map<string, { claims: JWTPayload; nbf: number | undefined; exp: number }>();
  const checkClock = (nbf: number | undefined, exp: number): void => {
    const seconds = Math.floor(now() / 1000);
    if (nbf !== undefined && nbf > seconds) throw new InvalidToken('not active yet');
    if (exp <= seconds) throw new InvalidToken('expired');
  };
  const verify = (token: string): JWTPayload => {
    const known = typeof token === 'string' ? verified.get(token) : undefined;
    if (known) {
      checkClock(known.nbf, known.exp);
      return known.claims;
    }
    const checked = verifyFully(token);
    if (verified.size >= cacheSize) verified.delete(verified.keys().next().value as string);
    verified.set(token, checked);
    return checked.claims;
  };
  return Object.defineProperty(verify, 'remembered', { get: () => verified.size }) as TokenVerifier;

  function verifyFully(token: string): { claims: JWTPayload; nbf: number | undefined; exp: number } {
    if (typeof token !== 'string') throw new InvalidToken('malformed');
    const parts = token.split('.');
    if (parts.length !== 3) throw new InvalidToken('malformed');
    const [encodedHeader, encodedPayload, encodedSignature] = parts as [string, string, string];
    const header = decodePart(encodedHeader);
    if (header.alg !== ALGORITHM) throw new InvalidToken('algorithm not allowed');
    if (header.crit !== undefined || (header.b64 !== undefined && header.b64 !== true)) throw new InvalidToken('unsupported header');
    if (header.kid !== undefined && typeof header.kid !== 'string') throw new InvalidToken('malformed');
    // Without a kid, a key set of one key is used (as jose does); with one, only the key it names.
    const key = header.kid === undefined ? (keys.size === 1 ? [...keys.values()][0] : undefined) : keys.get(header.kid);
    if (!key) throw new InvalidToken('no matching key');
    if (!BASE64URL.test(encodedSignature)) throw new InvalidToken('malformed');
    const signed = Buffer.from(`${encodedHeader}.${encodedPayload}`, 'ascii');
    let genuine = false;
    try {
      genuine = verifySignature('sha256', signed, key, Buffer.from(encodedSignature, 'base64url'));
    } catch {
      // A signature OpenSSL cannot even parse is no signature.
    }
    if (!genuine) throw new InvalidToken('signature verification failed');
    const claims = decodePart(encodedPayload);
    for (const name of ['iss', 'aud', 'sub', 'exp']) if (!Object.hasOwn(claims, name)) throw new InvalidToken(`missing "${name}"`);
    if (claims.iss !== LOCAL_ISSUER) throw new InvalidToken('unexpected "iss"');
    const audiences = typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
    if (!audiences.includes(LOCAL_AUDIENCE)) throw new InvalidToken('unexpected "aud"');
    numericDate(claims, 'iat');
    const nbf = numericDate(claims, 'nbf');
    const exp = numericDate(claims, 'exp') as number;
    checkClock(nbf, exp);
    return { claims: Object.freeze(claims) as JWTPayload, nbf, exp };
  }
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
