/** Forged and broken tokens for the 401 rules of API.md, shared by the e2e and security suites. */
import { SignJWT, UnsecuredJWT, generateKeyPair, importJWK } from 'jose';
import type { Platform } from '../../lib/local/runtime';
import { LOCAL_AUDIENCE, LOCAL_ISSUER } from '../../lib/local/issuer';

export interface TokenChange {
  issuer?: string;
  audience?: string;
  expiresAt?: number;
  notBefore?: number;
  /** Sign with a fresh key of our own (claiming the issuer's kid) instead of the issuer's. */
  ownKey?: boolean;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A token like the local issuer's, for `tenantId`'s owner, with one thing changed. */
export async function forgedToken(platform: Platform, change: TokenChange = {}, tenantId: string = platform.demoTenantId): Promise<string> {
  const now = nowSeconds();
  const jwt = new SignJWT({ tenant_id: tenantId, roles: ['owner'] })
    .setIssuer(change.issuer ?? LOCAL_ISSUER)
    .setAudience(change.audience ?? LOCAL_AUDIENCE)
    .setSubject('usr-forger')
    .setIssuedAt(now - 10)
    .setExpirationTime(change.expiresAt ?? now + 600)
    .setNotBefore(change.notBefore ?? now - 10);
  if (change.ownKey) {
    const { privateKey } = await generateKeyPair('RS256');
    return jwt.setProtectedHeader({ alg: 'RS256', kid: platform.issuer.jwks.keys[0]?.kid as string }).sign(privateKey);
  }
  const key = await importJWK(platform.issuer.privateJwk, 'RS256');
  return jwt.setProtectedHeader({ alg: 'RS256', kid: platform.issuer.privateJwk.kid as string }).sign(key);
}

/** An unsigned (`alg: none`) token with otherwise valid claims. */
export function unsignedToken(tenantId: string): string {
  const now = nowSeconds();
  return new UnsecuredJWT({ tenant_id: tenantId, roles: ['owner', 'platform-admin'] })
    .setIssuer(LOCAL_ISSUER)
    .setAudience(LOCAL_AUDIENCE)
    .setSubject('usr-forger')
    .setIssuedAt(now - 10)
    .setExpirationTime(now + 600)
    .encode();
}

/** Every kind of bad token API.md answers 401 to, by name. */
export function badTokens(platform: Platform, tenantId: string = platform.demoTenantId): [string, () => Promise<string>][] {
  return [
    ['alg: none', async () => unsignedToken(tenantId)],
    ['signed with another key', () => forgedToken(platform, { ownKey: true }, tenantId)],
    ['expired', () => forgedToken(platform, { expiresAt: nowSeconds() - 60 }, tenantId)],
    ['not valid yet', () => forgedToken(platform, { notBefore: nowSeconds() + 600 }, tenantId)],
    ['from another issuer', () => forgedToken(platform, { issuer: 'https://evil.example' }, tenantId)],
    ['for another audience', () => forgedToken(platform, { audience: 'someone-else' }, tenantId)],
    ['garbage', async () => 'not.a.jwt'],
  ];
}
