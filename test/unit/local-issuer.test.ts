/** The local issuer's synchronous verifier accepts and refuses exactly what jose's jwtVerify does. */
import { createPrivateKey, sign, type JsonWebKey } from 'node:crypto';
import { SignJWT, UnsecuredJWT, createLocalJWKSet, generateKeyPair, importJWK, jwtVerify, type JWTPayload } from 'jose';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, createLocalIssuer, tokenVerifier, type LocalIssuer } from '../../lib/local/issuer';

let issuer: LocalIssuer;
beforeAll(async () => {
  issuer = await createLocalIssuer();
});

const nowSeconds = () => Math.floor(Date.now() / 1000);

async function signed(
  claims: JWTPayload,
  header: Record<string, unknown> = {},
  options: { ownKey?: boolean } = {},
): Promise<string> {
  const key = options.ownKey ? (await generateKeyPair('RS256')).privateKey : await importJWK(issuer.privateJwk, 'RS256');
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: issuer.privateJwk.kid as string, ...header } as never).sign(key);
}

/** A token jose would refuse to sign: the header and payload as given, signed with the issuer's key. */
function signedByHand(header: unknown, payload: unknown): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode(header)}.${encode(payload)}`;
  const key = createPrivateKey({ key: issuer.privateJwk as JsonWebKey, format: 'jwk' });
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

function genuineClaims(): JWTPayload {
  const now = nowSeconds();
  return { iss: LOCAL_ISSUER, aud: LOCAL_AUDIENCE, sub: 'usr-1', tenant_id: 'tnt-1', roles: ['owner'], iat: now - 10, nbf: now - 10, exp: now + 600 };
}

async function joseAccepts(token: string): Promise<JWTPayload | undefined> {
  try {
    const { payload } = await jwtVerify(token, createLocalJWKSet(issuer.jwks), {
      issuer: LOCAL_ISSUER,
      audience: LOCAL_AUDIENCE,
      algorithms: ['RS256'],
      requiredClaims: ['exp', 'sub'],
    });
    return payload;
  } catch {
    return undefined;
  }
}

function oursAccepts(token: string): JWTPayload | undefined {
  try {
    return tokenVerifier(issuer.jwks)(token);
  } catch {
    return undefined;
  }
}

const cases: [string, () => Promise<string>][] = [
  ['a genuine token', () => signed(genuineClaims())],
  ['a genuine token of the issuer itself', async () => (await issuer.issue({ roles: ['owner'], tenantId: 'tnt-1' })).token],
  ['a token without kid', async () => new SignJWT(genuineClaims()).setProtectedHeader({ alg: 'RS256' }).sign(await importJWK(issuer.privateJwk, 'RS256'))],
  ['an audience list holding ours', () => signed({ ...genuineClaims(), aud: ['other', LOCAL_AUDIENCE] })],
  ['an expired token', () => signed({ ...genuineClaims(), exp: nowSeconds() - 60 })],
  ['a token expiring this second', () => signed({ ...genuineClaims(), exp: nowSeconds() })],
  ['a token not valid yet', () => signed({ ...genuineClaims(), nbf: nowSeconds() + 600 })],
  ['another issuer', () => signed({ ...genuineClaims(), iss: 'https://evil.example' })],
  ['another audience', () => signed({ ...genuineClaims(), aud: 'someone-else' })],
  ['no sub', async () => signed((({ sub: _sub, ...rest }) => rest)(genuineClaims()))],
  ['no exp', async () => signed((({ exp: _exp, ...rest }) => rest)(genuineClaims()))],
  ['no aud', async () => signed((({ aud: _aud, ...rest }) => rest)(genuineClaims()))],
  ['a string exp', () => signed({ ...genuineClaims(), exp: String(nowSeconds() + 600) as never })],
  ['a string iat', () => signed({ ...genuineClaims(), iat: 'yesterday' as never })],
  ['another key claiming our kid', () => signed(genuineClaims(), {}, { ownKey: true })],
  ['an unknown kid', () => signed(genuineClaims(), { kid: 'someone-elses' })],
  ['a crit header', async () => signedByHand({ alg: 'RS256', kid: issuer.privateJwk.kid, crit: ['exp'], exp: 1 }, genuineClaims())],
  ['b64: false', async () => signedByHand({ alg: 'RS256', kid: issuer.privateJwk.kid, b64: false, crit: ['b64'] }, genuineClaims())],
  ['a header that is not an object', async () => signedByHand(['RS256'], genuineClaims())],
  ['a payload that is not an object', async () => signedByHand({ alg: 'RS256', kid: issuer.privateJwk.kid }, ['claims'])],
  [
    'alg: none',
    async () => new UnsecuredJWT(genuineClaims()).encode(),
  ],
  [
    'alg: RS256 in the header but no signature',
    async () => {
      const [header, payload] = (await signed(genuineClaims())).split('.');
      return `${header}.${payload}.`;
    },
  ],
  [
    'a payload changed after signing',
    async () => {
      const [header, , signature] = (await signed(genuineClaims())).split('.');
      const payload = Buffer.from(JSON.stringify({ ...genuineClaims(), roles: ['platform-admin'] })).toString('base64url');
      return `${header}.${payload}.${signature}`;
    },
  ],
  [
    'a truncated signature',
    async () => {
      const token = await signed(genuineClaims());
      return token.slice(0, -10);
    },
  ],
  ['garbage', async () => 'not.a.jwt'],
  ['two parts', async () => 'abc.def'],
  ['empty', async () => ''],
];

it.each(cases)('agrees with jose on %s', async (_name, make) => {
  // Prepare
  const token = await make();

  // Act
  const expected = await joseAccepts(token);
  const actual = oursAccepts(token);

  // Assess
  expect(actual).toEqual(expected);
});

it('accepts the genuine cases and refuses the others (the table checks something)', async () => {
  // Prepare
  const verdicts = await Promise.all(cases.map(async ([name, make]) => [name, oursAccepts(await make()) !== undefined] as const));

  // Act
  const accepted = verdicts.filter(([, ok]) => ok).map(([name]) => name);

  // Assess
  expect(accepted).toEqual(['a genuine token', 'a genuine token of the issuer itself', 'a token without kid', 'an audience list holding ours']);
});

it('answers through the issuer as before', async () => {
  // Prepare
  const { token } = await issuer.issue({ roles: ['viewer'], tenantId: 'tnt-2' });

  // Act
  const claims = await issuer.verify(token);

  // Assess
  expect(claims).toMatchObject({ iss: LOCAL_ISSUER, aud: LOCAL_AUDIENCE, tenant_id: 'tnt-2', roles: ['viewer'] });
  await expect(issuer.verify(`${token}x`)).rejects.toThrow();
});

describe('verified tokens are remembered by their exact text', () => {
  it('refuses a remembered token once it has expired', async () => {
    // Prepare
    let clock = Date.now();
    const verify = tokenVerifier(issuer.jwks, () => clock);
    const token = await signed({ ...genuineClaims(), exp: Math.floor(clock / 1000) + 60 });
    expect(verify(token).sub).toBe('usr-1');

    // Act
    clock += 61_000;

    // Assess
    expect(() => verify(token)).toThrow('expired');
    expect(verify.remembered).toBe(1);
  });

  it('refuses a remembered token before its nbf, and a changed copy of an accepted one', async () => {
    // Prepare
    let clock = Date.now();
    const verify = tokenVerifier(issuer.jwks, () => clock);
    const token = await signed({ ...genuineClaims(), nbf: Math.floor(clock / 1000) });
    verify(token);
    const [header, , signature] = token.split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...genuineClaims(), roles: ['platform-admin'] })).toString('base64url')}.${signature}`;

    // Act
    clock -= 10_000;

    // Assess
    expect(() => verify(token)).toThrow('not active yet');
    clock += 10_000;
    expect(() => verify(forged)).toThrow('signature verification failed');
    expect(verify(token).roles).toEqual(['owner']);
  });

  it('remembers at most its size, forgetting the oldest first', async () => {
    // Prepare
    const verify = tokenVerifier(issuer.jwks, Date.now, 2);
    const tokens = await Promise.all([1, 2, 3].map((n) => signed({ ...genuineClaims(), sub: `usr-${n}` })));

    // Act
    const subjects = tokens.map((token) => verify(token).sub);

    // Assess
    expect(subjects).toEqual(['usr-1', 'usr-2', 'usr-3']);
    expect(verify.remembered).toBe(2);
  });

  it('does not remember a refused token', async () => {
    // Prepare
    const verify = tokenVerifier(issuer.jwks);
    const expired = await signed({ ...genuineClaims(), exp: nowSeconds() - 1 });

    // Act
    const attempts = [1, 2].map(() => {
      try {
        verify(expired);
        return 'accepted';
      } catch (error) {
        return (error as Error).message;
      }
    });

    // Assess
    expect(attempts).toEqual(['expired', 'expired']);
    expect(verify.remembered).toBe(0);
  });
});
