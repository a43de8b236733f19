/**
 * Security suite, tenant isolation: tenant B's owner gets 404 (never 403, never 2xx) from every
 * operation of the manifest that names a resource in its path, when it names tenant A's, and A's
 * data is untouched afterwards; B's lists never show A's ids, even when filtered by them.
 * Resources come from test/support/recipes.ts; a new resource kind without a recipe fails here.
 */
import * as z from 'zod';
import { manifest } from '../../functions/manifest';
import type { Platform } from '../../lib/local/runtime';
import { client, ownerOfProvisionedTenant, startTestPlatform } from '../support/platform';
import { buildPath, buildWorld, hasPathParams, isAdmin, missingRecipe, pathPrefix, requestRecipes, resourceRecipes, type World } from '../support/recipes';
import { tenantSnapshot } from '../support/snapshot';

let platform: Platform;
let call: ReturnType<typeof client>;
let a: World;
let b: World;

beforeAll(async () => {
  // No relay: the cascade delete behind A's operation stays put, so A's data only changes if B changes it.
  platform = await startTestPlatform('sec-isolation', { relay: false, scheduler: false });
  call = client(platform.url);
  const [ta, tb] = await Promise.all([ownerOfProvisionedTenant(platform), ownerOfProvisionedTenant(platform)]);
  [a, b] = await Promise.all([buildWorld(call, ta.token, ta.tenantId, 10), buildWorld(call, tb.token, tb.tenantId, 20)]);
}, 60000);
afterAll(() => platform.stop());

const tenantOperations = manifest.operations.filter((op) => !isAdmin(op) && op.access !== 'public');
const byId = tenantOperations.filter(hasPathParams);
const lists = tenantOperations.filter((op) => op.method === 'GET' && !hasPathParams(op));

it('has a recipe for every resource kind and every request the manifest names in a path', () => {
  expect(byId.length).toBeGreaterThan(0);
  expect(byId.map(missingRecipe).filter(Boolean)).toEqual([]);
});

it('watches a tenant whose tables hold something (the snapshot reads the right tables)', async () => {
  const snapshot = await tenantSnapshot(a.tenantId);
  expect(Object.values(snapshot).map((items) => items.length > 0)).toEqual([true, true, true]);
});

describe.each(byId.map((op) => [`${op.method} ${op.path}`, op] as const))('%s on tenant A\'s resource with B\'s token', (_route, op) => {
  it('is 404 problem+json, and A\'s data is unchanged', async () => {
    const recipe = resourceRecipes[pathPrefix(op.path)];
    if (!recipe) throw new Error(missingRecipe(op));
    const request = requestRecipes[op.operationId]?.(a) ?? {};
    const body = request.body ?? (op.body ? {} : undefined);
    const before = await tenantSnapshot(a.tenantId);

    const response = await call(op.method, buildPath(op, recipe(a), request.query), { token: b.token, ...(body !== undefined ? { body } : {}) });

    expect({ status: response.status, type: response.headers.get('content-type'), requestId: typeof response.body?.requestId }).toEqual({
      status: 404,
      type: 'application/problem+json',
      requestId: 'string',
    });
    expect(JSON.stringify(response.body)).not.toContain(a.tenantId);
    expect(await tenantSnapshot(a.tenantId)).toEqual(before);
  });

  it('is not 404 for A itself with the same request (the 404 above is about the tenant, not the request)', async () => {
    if (op.method !== 'GET') return; // A's own writes would change A; reads show the request is sound.
    const request = requestRecipes[op.operationId]?.(a) ?? {};
    const response = await call(op.method, buildPath(op, resourceRecipes[pathPrefix(op.path)]!(a), request.query), { token: a.token });
    expect(response.status).toBe(200);
  });
});

describe.each(lists.map((op) => [`${op.method} ${op.path}`, op] as const))('%s with B\'s token', (_route, op) => {
  it('never shows A\'s ids, unfiltered or filtered by each of them', async () => {
    const keys = op.query instanceof z.core.$ZodObject ? Object.keys(op.query._zod.def.shape).filter((key) => !['limit', 'cursor'].includes(key)) : [];
    const queries: (Record<string, string> | undefined)[] = [undefined, ...keys.flatMap((key) => a.ids.map((id) => ({ [key]: id })))];
    const responses = await Promise.all(queries.map((query) => call('GET', buildPath(op, {}, query), { token: b.token })));
    for (const [i, response] of responses.entries()) {
      expect({ query: queries[i], status: response.status < 500 }).toEqual({ query: queries[i], status: true });
      const text = JSON.stringify(response.body);
      expect(a.ids.filter((id) => text.includes(id))).toEqual([]);
      expect(text).not.toContain(a.tenantId);
    }
    expect(responses[0]!.status).toBe(200);
  });
});
