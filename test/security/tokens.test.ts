/**
 * Security suite, tokens: every non-public operation of the manifest answers 401 problem+json to a
 * missing or broken token (alg: none, another key, expired, not yet valid, another issuer or
 * audience), before it looks at anything else. New operations are covered as they are declared.
 */
import { manifest } from '../../functions/manifest';
import type { Platform } from '../../lib/local/runtime';
import { client, startTestPlatform } from '../support/platform';
import { buildPath } from '../support/recipes';
import { badTokens, forgedToken } from '../support/tokens';

let platform: Platform;
let call: ReturnType<typeof client>;

beforeAll(async () => {
  platform = await startTestPlatform('sec-tokens', { relay: false, scheduler: false });
  call = client(platform.url);
});
afterAll(() => platform.stop());

const guarded = manifest.operations.filter((op) => op.access !== 'public');

it('finds operations to check in the manifest', () => {
  expect(guarded.length).toBeGreaterThan(0);
});

describe.each(guarded.map((op) => [`${op.method} ${op.path}`, op] as const))('%s', (_route, op) => {
  const path = buildPath(op, {});
  const body = op.body ? {} : undefined;

  it('answers 401 problem+json to no token and to every broken one', async () => {
    const kinds: [string, string | undefined][] = [['no token', undefined]];
    for (const [name, make] of badTokens(platform)) kinds.push([name, await make()]);
    const answers = await Promise.all(
      kinds.map(async ([name, token]) => {
        const response = await call(op.method, path, { ...(token ? { token } : {}), ...(body ? { body } : {}) });
        return {
          name,
          status: response.status,
          type: response.headers.get('content-type'),
          code: response.body?.code,
          requestId: typeof response.body?.requestId,
        };
      }),
    );
    expect(answers).toEqual(kinds.map(([name]) => ({ name, status: 401, type: 'application/problem+json', code: 'Unauthorized', requestId: 'string' })));
  });

  it('lets a genuine token built the same way past authentication (the forgeries differ only in what they break)', async () => {
    const response = await call(op.method, path, { token: await forgedToken(platform), ...(body ? { body } : {}) });
    expect(response.status).not.toBe(401);
  });
});
