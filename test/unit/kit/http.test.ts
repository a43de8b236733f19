import '../support/env';
import * as z from 'zod';
import { documentClient } from '../../../functions/kit/db';
import { Conflict } from '../../../functions/kit/errors';
import { MAX_BODY_BYTES, type HttpResult } from '../../../functions/kit/http';
import { httpHandler, type Outcome } from '../../../functions/wiring/http';
import { defineOperation } from '../../../functions/kit/operation';
import { httpEvent, lambdaContext, problemOf, type EventOptions } from '../support/lambda';

// Unit tests never reach DynamoDB. The one transaction a tenant write always makes, the check that
// the tenant is active, is answered here and recorded; any other call fails the request.
const guardTransactions: { TransactItems: { ConditionCheck?: { Key: unknown } }[] }[] = [];
jest.mock('../../../functions/kit/db', () => ({
  documentClient: jest.fn(() => ({
    send: async (command: { input?: { TransactItems?: { ConditionCheck?: unknown }[] } }) => {
      const items = command.input?.TransactItems;
      if (items && items.length > 0 && items.every((item) => item.ConditionCheck)) {
        guardTransactions.push(command.input as (typeof guardTransactions)[number]);
        return {};
      }
      throw new Error('unit tests never reach DynamoDB');
    },
  })),
  resetDocumentClient: jest.fn(),
}));

const databaseCalls = documentClient as unknown as jest.Mock;

// ---- fixture operations -------------------------------------------------------------------

const echoSpec = defineOperation({
  operationId: 'unitEcho',
  method: 'GET',
  path: '/v1/unit/echo',
  handler: 'unit/echo',
  domain: 'unit',
  summary: 'Echo the query and the caller',
  access: 'viewer',
  query: z.strictObject({ name: z.string().optional(), n: z.coerce.number().int().min(1).max(10).optional() }),
  status: 200,
  response: z.object({
    name: z.string().optional(),
    n: z.number().optional(),
    userId: z.string(),
    tenantId: z.string().optional(),
    roles: z.array(z.string()),
  }),
});

const echo = httpHandler(echoSpec, async ({ query, caller }) => ({
  body: { ...query, userId: caller.userId, tenantId: caller.tenantId, roles: caller.roles },
}));

const thing = z.object({ id: z.string(), name: z.string(), size: z.number().int() });

const createSpec = defineOperation({
  operationId: 'unitCreateThing',
  method: 'POST',
  path: '/v1/unit/things',
  handler: 'unit/create-thing',
  domain: 'unit',
  summary: 'Create a thing (never writes)',
  access: 'member',
  body: z.strictObject({
    name: z.string().min(1).max(20),
    size: z.number().int().min(1).default(1),
    nested: z.strictObject({ a: z.string() }).optional(),
  }),
  status: 201,
  response: thing,
});

/** What the create handler does next; tests replace it. */
let createBehaviour: () => Promise<Outcome<unknown>>;
let lastCreateBody: unknown;

const create = httpHandler(createSpec, async ({ body }) => {
  lastCreateBody = body;
  return (await createBehaviour()) as Outcome<z.input<typeof thing>>;
});

const optionsSpec = defineOperation({
  operationId: 'unitSetOptions',
  method: 'POST',
  path: '/v1/unit/options',
  handler: 'unit/set-options',
  domain: 'unit',
  summary: 'All-optional body',
  access: 'member',
  body: z.strictObject({ verbose: z.boolean().optional(), level: z.number().optional() }),
  status: 200,
  response: z.object({ received: z.record(z.string(), z.unknown()) }),
});

const setOptions = httpHandler(optionsSpec, async ({ body }) => ({ body: { received: body } }));

const startSpec = defineOperation({
  operationId: 'unitStartThing',
  method: 'POST',
  path: '/v1/unit/things/{id}/start',
  handler: 'unit/start-thing',
  domain: 'unit',
  summary: 'An action without a body',
  access: 'member',
  params: z.strictObject({ id: z.string().regex(/^thg-[0-9a-z]+$/) }),
  status: 202,
  response: z.object({ id: z.string(), ifMatch: z.unknown() }),
});

const start = httpHandler(startSpec, async ({ params, ifMatch }) => ({
  body: { id: params.id, ifMatch: ifMatch ?? null },
  etag: 4,
  location: `/v1/unit/things/${params.id}`,
}));

const deleteSpec = defineOperation({
  operationId: 'unitDeleteThing',
  method: 'DELETE',
  path: '/v1/unit/things/{id}',
  handler: 'unit/delete-thing',
  domain: 'unit',
  summary: 'Delete, answering 204',
  access: 'member',
  params: z.strictObject({ id: z.string() }),
  status: 204,
  response: z.never(),
});

const remove = httpHandler(deleteSpec, async () => ({}));

const adminSpec = defineOperation({
  operationId: 'unitAdminThing',
  method: 'GET',
  path: '/v1/admin/unit',
  handler: 'unit/admin-thing',
  domain: 'unit',
  summary: 'Operators only',
  access: 'platform-admin',
  status: 200,
  response: z.object({ ok: z.literal(true) }),
});

const admin = httpHandler(adminSpec, async () => ({ body: { ok: true as const } }));

const publicSpec = defineOperation({
  operationId: 'unitPublic',
  method: 'GET',
  path: '/v1/unit/public',
  handler: 'unit/public',
  domain: 'unit',
  summary: 'No token needed',
  access: 'public',
  status: 200,
  response: z.object({ userId: z.string(), roles: z.array(z.string()) }),
});

const open = httpHandler(publicSpec, async ({ caller }) => ({ body: { userId: caller.userId, roles: caller.roles } }));

// ---- helpers ------------------------------------------------------------------------------

type Handler = (event: ReturnType<typeof httpEvent>, context: ReturnType<typeof lambdaContext>) => Promise<HttpResult>;

function call(handler: Handler, options: EventOptions): Promise<HttpResult> {
  return handler(httpEvent(options), lambdaContext());
}

function createCall(body: unknown, options: EventOptions = {}): Promise<HttpResult> {
  return call(create, {
    method: 'POST',
    path: '/v1/unit/things',
    headers: { 'content-type': 'application/json', ...options.headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...Object.fromEntries(Object.entries(options).filter(([key]) => key !== 'headers')),
  });
}

function expectProblem(result: HttpResult, status: number, code: string): ReturnType<typeof problemOf> {
  expect(result.statusCode).toBe(status);
  expect(result.headers?.['Content-Type']).toBe('application/problem+json');
  const problem = problemOf(result);
  expect(problem.status).toBe(status);
  expect(problem.code).toBe(code);
  expect(problem.requestId).toBe('req-123');
  return problem;
}

const okCreate = async (): Promise<Outcome<unknown>> => ({
  body: { id: 'thg-1', name: 'web', size: 1 },
  location: '/v1/unit/things/thg-1',
});

const savedValidate = process.env.VALIDATE_RESPONSES;

beforeAll(() => {
  process.env.VALIDATE_RESPONSES = 'true';
});

beforeEach(() => {
  createBehaviour = okCreate;
  lastCreateBody = undefined;
  databaseCalls.mockClear();
  guardTransactions.length = 0;
});

afterAll(() => {
  if (savedValidate === undefined) delete process.env.VALIDATE_RESPONSES;
  else process.env.VALIDATE_RESPONSES = savedValidate;
});

// ---- tests --------------------------------------------------------------------------------

describe('httpHandler: success', () => {
  it('answers 200 JSON with the request id, no-store and the security headers', async () => {
    // Prepare
    const options: EventOptions = { path: '/v1/unit/echo', query: { name: 'ann', n: '3' }, requestId: 'req-abc' };

    // Act
    const result = await call(echo, options);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body ?? '')).toEqual({ name: 'ann', n: 3, userId: 'u1', tenantId: 't1', roles: ['member'] });
    expect(result.headers).toMatchObject({
      'Content-Type': 'application/json',
      'X-Request-Id': 'req-abc',
      'Cache-Control': 'no-store',
      'Strict-Transport-Security': expect.stringMatching(/^max-age=\d+/),
      'X-Content-Type-Options': 'nosniff',
    });
    const undefinedHeaders = Object.entries(result.headers ?? {}).filter(([, value]) => typeof value !== 'string');
    expect(undefinedHeaders).toEqual([]);
    expect(result.headers).not.toHaveProperty('X-Powered-By');
    expect(databaseCalls).not.toHaveBeenCalled();
  });

  it("checks in one transaction that a tenant caller's tenant is active before any write", async () => {
    // Prepare
    const body = '{"name":"web"}';

    // Act
    const result = await createCall(body);

    // Assess
    expect(result.statusCode).toBe(201);
    expect(guardTransactions).toHaveLength(1);
    expect(guardTransactions[0]?.TransactItems[0]?.ConditionCheck?.Key).toEqual({ pk: 'T#t1', sk: 'TENANT' });
  });

  it('falls back to the Lambda request id when the event has none', async () => {
    // Prepare
    const event = httpEvent({ path: '/v1/unit/echo' });
    event.requestContext.requestId = '';

    // Act
    const result = await echo(event, lambdaContext());

    // Assess
    expect(result.statusCode).toBe(200);
    expect(result.headers?.['X-Request-Id']).toBe('aws-req-1');
  });

  it("reads Cognito's claims as API Gateway hands them over", async () => {
    // Prepare
    const claims = { sub: 'u9', 'custom:tenant_id': 't9', 'cognito:groups': '[owner]' };

    // Act
    const result = await call(echo, { path: '/v1/unit/echo', claims });

    // Assess
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body ?? '')).toEqual({ userId: 'u9', tenantId: 't9', roles: ['owner'] });
  });

  it('creates with the declared status, the Location header and the parsed body (defaults applied)', async () => {
    // Prepare
    const body = { name: 'web' };

    // Act
    const result = await createCall(body);

    // Assess
    expect(result.statusCode).toBe(201);
    expect(result.headers?.Location).toBe('/v1/unit/things/thg-1');
    expect(JSON.parse(result.body ?? '')).toEqual({ id: 'thg-1', name: 'web', size: 1 });
    expect(lastCreateBody).toEqual({ name: 'web', size: 1 });
    expect(guardTransactions).toHaveLength(1);
  });

  it.each(['application/json', 'application/json; charset=utf-8', 'Application/JSON', 'application/merge-patch+json'])(
    'accepts the media type %s',
    async (contentType) => {
      // Prepare
      const headers = { 'content-type': contentType };

      // Act
      const result = await createCall({ name: 'web' }, { headers });

      // Assess
      expect(result.statusCode).toBe(201);
    },
  );

  it('reads a base64-encoded body', async () => {
    // Prepare
    const body = Buffer.from(JSON.stringify({ name: 'wéb' }), 'utf8').toString('base64');

    // Act
    const result = await createCall(body, { isBase64Encoded: true });

    // Assess
    expect(result.statusCode).toBe(201);
    expect(lastCreateBody).toEqual({ name: 'wéb', size: 1 });
  });

  it('answers 200 to an empty body when every field is optional', async () => {
    // Prepare
    const options: EventOptions = { method: 'POST', path: '/v1/unit/options' };

    // Act
    const result = await call(setOptions, options);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body ?? '')).toEqual({ received: {} });
  });

  it('renders ETag and Location, and passes path parameters and If-Match', async () => {
    // Prepare
    const options: EventOptions = {
      method: 'POST',
      path: '/v1/unit/things/thg-7/start',
      pathParameters: { id: 'thg-7' },
      headers: { 'if-match': '"3", W/"4"' },
    };

    // Act
    const result = await call(start, options);

    // Assess
    expect(result.statusCode).toBe(202);
    expect(result.headers?.ETag).toBe('"4"');
    expect(result.headers?.Location).toBe('/v1/unit/things/thg-7');
    expect(JSON.parse(result.body ?? '')).toEqual({ id: 'thg-7', ifMatch: { any: false, versions: ['3'] } });
  });

  it('answers 204 without a body or Content-Type', async () => {
    // Prepare
    const options: EventOptions = { method: 'DELETE', path: '/v1/unit/things/thg-1', pathParameters: { id: 'thg-1' } };

    // Act
    const result = await call(remove, options);

    // Assess
    expect(result.statusCode).toBe(204);
    expect(result.body).toBeUndefined();
    expect(result.headers?.['Content-Type']).toBeUndefined();
    expect(result.headers?.['X-Request-Id']).toBe('req-123');
  });

  it('lets anyone call a public operation, as an anonymous caller', async () => {
    // Prepare
    const options: EventOptions = { path: '/v1/unit/public', claims: null };

    // Act
    const result = await call(open, options);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body ?? '')).toEqual({ userId: 'anonymous', roles: [] });
  });

  it('attaches the operation to the handler', () => {
    // Prepare: the handlers built above

    // Act
    const attached = [echo.operation, create.operation, start.operation];

    // Assess
    expect(attached[0]).toBe(echoSpec);
    expect(attached[1]).toBe(createSpec);
    expect(attached[2]).toBe(startSpec);
  });
});

describe('httpHandler: authentication and authorization', () => {
  it('answers 401 problem+json without claims', async () => {
    // Prepare
    const options: EventOptions = { path: '/v1/unit/echo', claims: null };

    // Act
    const result = await call(echo, options);

    // Assess
    const problem = expectProblem(result, 401, 'Unauthorized');
    expect(result.headers?.['WWW-Authenticate']).toBe('Bearer');
    expect(problem.instance).toBe('/v1/unit/echo');
    expect(result.headers?.['Cache-Control']).toBe('no-store');
    expect(result.headers?.['X-Content-Type-Options']).toBe('nosniff');
  });

  it('answers 401 when the claims have no sub', async () => {
    // Prepare
    const options: EventOptions = { path: '/v1/unit/echo', claims: { tenant_id: 't1', roles: '[owner]' } };

    // Act
    const result = await call(echo, options);

    // Assess
    expectProblem(result, 401, 'Unauthorized');
  });

  it('answers 403 to a viewer on a POST', async () => {
    // Prepare
    const claims = { sub: 'u1', tenant_id: 't1', roles: '[viewer]' };

    // Act
    const result = await createCall({ name: 'web' }, { claims });

    // Assess
    const problem = expectProblem(result, 403, 'Forbidden');
    expect(problem.detail).toBe('Your role may only read; this operation changes things.');
    expect(lastCreateBody).toBeUndefined();
  });

  it.each([
    ['a tenant member', { sub: 'u1', tenant_id: 't1', roles: '[member]' }],
    ['a tenant owner', { sub: 'u1', tenant_id: 't1', roles: '[owner]' }],
  ])('answers 403 to %s on an admin operation', async (_label, claims) => {
    // Prepare
    const options: EventOptions = { path: '/v1/admin/unit', claims };

    // Act
    const result = await call(admin, options);

    // Assess
    expectProblem(result, 403, 'Forbidden');
  });

  it('lets an operator call an admin operation', async () => {
    // Prepare
    const options: EventOptions = { path: '/v1/admin/unit', claims: { sub: 'op', roles: '[platform-admin]' } };

    // Act
    const result = await call(admin, options);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body ?? '')).toEqual({ ok: true });
  });

  it('answers 403 to a tenant role without a tenant', async () => {
    // Prepare
    const options: EventOptions = { path: '/v1/unit/echo', claims: { sub: 'u1', roles: '[owner]' } };

    // Act
    const result = await call(echo, options);

    // Assess
    const problem = expectProblem(result, 403, 'Forbidden');
    expect(problem.detail).toBe('The token names no tenant.');
  });

  it('checks the token before the body: no token and a bad body is a 401', async () => {
    // Prepare
    const body = '{not json';

    // Act
    const result = await createCall(body, { claims: null });

    // Assess
    expectProblem(result, 401, 'Unauthorized');
  });

  it('checks the role before the body: a viewer with an oversized body is a 403', async () => {
    // Prepare
    const body = 'x'.repeat(MAX_BODY_BYTES + 1);

    // Act
    const result = await createCall(body, { claims: { sub: 'u1', tenant_id: 't1', roles: '[viewer]' } });

    // Assess
    expectProblem(result, 403, 'Forbidden');
  });
});

describe('httpHandler: the body', () => {
  it('answers 413 PayloadTooLarge to a body over 1 MiB', async () => {
    // Prepare
    const body = JSON.stringify({ name: 'x'.repeat(MAX_BODY_BYTES) });

    // Act
    const result = await createCall(body);

    // Assess
    expect(MAX_BODY_BYTES).toBe(1024 * 1024);
    expectProblem(result, 413, 'PayloadTooLarge');
    expect(lastCreateBody).toBeUndefined();
  });

  it('counts bytes, not characters, against the limit', async () => {
    // Prepare: fewer than 1 MiB characters, more than 1 MiB bytes in UTF-8
    const body = JSON.stringify({ name: 'é'.repeat(MAX_BODY_BYTES / 2 + 10) });

    // Act
    const result = await createCall(body);

    // Assess
    expect(body.length).toBeLessThan(MAX_BODY_BYTES);
    expectProblem(result, 413, 'PayloadTooLarge');
  });

  it('takes a body of exactly 1 MiB past the size check', async () => {
    // Prepare: valid JSON padded with whitespace to exactly the limit
    const json = JSON.stringify({ name: 'web' });
    const body = json + ' '.repeat(MAX_BODY_BYTES - json.length);

    // Act
    const result = await createCall(body);

    // Assess
    expect(Buffer.byteLength(body)).toBe(MAX_BODY_BYTES);
    expect(result.statusCode).toBe(201);
  });

  it.each<[string, Record<string, string>]>([
    ['text/plain', { 'content-type': 'text/plain' }],
    ['form data', { 'content-type': 'application/x-www-form-urlencoded' }],
    ['jsonp', { 'content-type': 'application/jsonp' }],
    ['no Content-Type', {}],
  ])('answers 415 to a body sent as %s', async (_label, headers) => {
    // Prepare
    const event = httpEvent({ method: 'POST', path: '/v1/unit/things', headers, body: '{"name":"web"}' });

    // Act
    const result = await create(event, lambdaContext());

    // Assess
    expectProblem(result, 415, 'UnsupportedMediaType');
  });

  it.each(['{not json', '{"name":"web"', 'null x', "{'name':'web'}"])(
    'answers 400 InvalidJson to %p',
    async (body) => {
      // Prepare: the malformed body

      // Act
      const result = await createCall(body);

      // Assess
      const problem = expectProblem(result, 400, 'InvalidJson');
      expect(problem.detail).toBe('The body is not valid JSON.');
    },
  );

  it('answers 400 InvalidJson to a body that is not UTF-8', async () => {
    // Prepare
    const body = Buffer.from([0xff, 0xfe]).toString('base64');

    // Act
    const result = await createCall(body, { isBase64Encoded: true });

    // Assess
    const problem = expectProblem(result, 400, 'InvalidJson');
    expect(problem.detail).toBe('The body is not valid UTF-8.');
  });

  it('answers 400 ValidationError naming the field of the wrong type', async () => {
    // Prepare
    const body = { name: 42 };

    // Act
    const result = await createCall(body);

    // Assess
    const problem = expectProblem(result, 400, 'ValidationError');
    expect(problem.errors).toEqual([{ path: 'body.name', message: expect.stringContaining('expected string') }]);
  });

  it('names every invalid field, nested ones with their full path', async () => {
    // Prepare
    const body = { size: 0, nested: { a: 1 } };

    // Act
    const result = await createCall(body);

    // Assess
    const problem = expectProblem(result, 400, 'ValidationError');
    expect(problem.errors?.map((e) => e.path).sort()).toEqual(['body.name', 'body.nested.a', 'body.size']);
  });

  it.each<[string, unknown, string]>([
    ['a top-level unknown field', { name: 'web', extra: 1 }, 'body.extra'],
    ['a nested unknown field', { name: 'web', nested: { a: 'x', deeper: true } }, 'body.nested.deeper'],
  ])('answers 400 to %s with message Unknown field', async (_label, body, path) => {
    // Prepare: the body, in the table

    // Act
    const result = await createCall(body);

    // Assess
    const problem = expectProblem(result, 400, 'ValidationError');
    expect(problem.errors).toEqual([{ path, message: 'Unknown field' }]);
  });

  it.each<[string, string]>([
    ['a JSON array', '[{"name":"web"}]'],
    ['a JSON string', '"web"'],
    ['JSON null', 'null'],
  ])('answers 400 ValidationError to %s where an object is expected', async (_label, body) => {
    // Prepare: the body, in the table

    // Act
    const result = await createCall(body);

    // Assess
    const problem = expectProblem(result, 400, 'ValidationError');
    expect(problem.errors).toEqual([{ path: 'body', message: expect.any(String) }]);
  });

  it.each(['__proto__'])(
    'refuses a %s key with 400 and leaves Object.prototype alone',
    async (key) => {
      // Prepare
      const body = `{"name":"web","nested":{"a":"x","${key}":{"polluted":"yes"}}}`;

      // Act
      const result = await createCall(body);

      // Assess
      const problem = expectProblem(result, 400, 'ValidationError');
      expect(problem.errors).toEqual([{ path: `body.${key}`, message: 'Unknown field' }]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.prototype).not.toHaveProperty('polluted');
      expect(lastCreateBody).toBeUndefined();
    },
  );

  it.each([['no body', undefined], ['an empty body', ''], ['{}', '{}'], ['null', 'null'], ['{ } with spaces', ' { }\n']])(
    'accepts %s on an operation that takes none',
    async (_, body) => {
      // Prepare
      const options: EventOptions = {
        method: 'POST',
        path: '/v1/unit/things/thg-1/start',
        pathParameters: { id: 'thg-1' },
        headers: { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body }),
      };

      // Act
      const result = await call(start, options);

      // Assess
      expect(result.statusCode).toBeLessThan(300);
    },
  );

  it.each([['{"force":true}'], ['[]'], ['0'], ['"x"'], ['not json']])('answers 400 to the body %s sent to an operation that takes none', async (body) => {
    // Prepare
    const options: EventOptions = {
      method: 'POST',
      path: '/v1/unit/things/thg-1/start',
      pathParameters: { id: 'thg-1' },
      headers: { 'content-type': 'application/json' },
      body,
    };

    // Act
    const result = await call(start, options);

    // Assess
    const problem = expectProblem(result, 400, 'ValidationError');
    expect(problem.errors).toEqual([{ path: 'body', message: 'This operation takes no body' }]);
  });

  it('answers 400, never 5xx, to deeply nested JSON', async () => {
    // Prepare
    const depth = 300_000;
    const body = `{"name":"web","nested":${'['.repeat(depth)}${']'.repeat(depth)}}`;

    // Act
    const result = await createCall(body);

    // Assess
    expect(result.statusCode).toBe(400);
  });

  // The stack overflow that deep nesting causes inside JSON.parse's reviver must not be taken for
  // the signal of a __proto__ key.
  it('does not report a field the client never sent when JSON is deeply nested', async () => {
    // Prepare
    const depth = 300_000;
    const body = `{"name":"web","nested":${'['.repeat(depth)}${']'.repeat(depth)}}`;

    // Act
    const result = await createCall(body);

    // Assess
    const problem = problemOf(result);
    expect(result.statusCode).toBe(400);
    expect(problem.errors ?? []).not.toContainEqual(expect.objectContaining({ path: 'body.Maximum call stack size exceeded' }));
  });
});

describe('httpHandler: path and query', () => {
  it('answers 400 naming an unknown query parameter', async () => {
    // Prepare
    const options: EventOptions = { path: '/v1/unit/echo', query: { x: '1' } };

    // Act
    const result = await call(echo, options);

    // Assess
    const problem = expectProblem(result, 400, 'ValidationError');
    expect(problem.errors).toEqual([{ path: 'query.x', message: 'Unknown field' }]);
  });

  it('answers 400 to a query parameter out of range', async () => {
    // Prepare
    const options: EventOptions = { path: '/v1/unit/echo', query: { n: '11' } };

    // Act
    const result = await call(echo, options);

    // Assess
    const problem = expectProblem(result, 400, 'ValidationError');
    expect(problem.errors).toEqual([{ path: 'query.n', message: expect.stringContaining('10') }]);
  });

  it('answers 400 to a query parameter on an operation that declares none', async () => {
    // Prepare
    const options: EventOptions = { path: '/v1/admin/unit', query: { debug: '1' }, claims: { sub: 'op', roles: '[platform-admin]' } };

    // Act
    const result = await call(admin, options);

    // Assess
    const problem = expectProblem(result, 400, 'ValidationError');
    expect(problem.errors).toEqual([{ path: 'query.debug', message: 'Unknown field' }]);
  });

  it('answers 400 to a path parameter that fails its schema', async () => {
    // Prepare
    const options: EventOptions = { method: 'POST', path: '/v1/unit/things/BAD/start', pathParameters: { id: 'BAD' } };

    // Act
    const result = await call(start, options);

    // Assess
    const problem = expectProblem(result, 400, 'ValidationError');
    expect(problem.errors).toEqual([{ path: 'path.id', message: expect.any(String) }]);
  });

  it('reports every invalid query parameter at once', async () => {
    // Prepare
    const options: EventOptions = { path: '/v1/unit/echo', query: { n: 'abc', y: '2' } };

    // Act
    const result = await call(echo, options);

    // Assess
    const problem = expectProblem(result, 400, 'ValidationError');
    expect(problem.errors?.map((e) => e.path).sort()).toEqual(['query.n', 'query.y']);
  });
});

describe('httpHandler: headers', () => {
  it.each(['3', '"3', 'W/3', '"1",'])('answers 400 InvalidParameterValue to If-Match %p', async (ifMatch) => {
    // Prepare
    const options: EventOptions = {
      method: 'POST',
      path: '/v1/unit/things/thg-1/start',
      pathParameters: { id: 'thg-1' },
      headers: { 'if-match': ifMatch },
    };

    // Act
    const result = await call(start, options);

    // Assess
    expectProblem(result, 400, 'InvalidParameterValue');
  });

  it.each<[string, string]>([
    ['empty', ''],
    ['too long', 'k'.repeat(256)],
    ['a control character', 'key\u0001'],
    ['non-ASCII', 'clé'],
  ])('answers 400 InvalidIdempotencyKey to a key that is %s, before any database access', async (_label, key) => {
    // Prepare
    const headers = { 'idempotency-key': key };

    // Act
    const result = await createCall({ name: 'web' }, { headers });

    // Assess
    const problem = expectProblem(result, 400, 'InvalidIdempotencyKey');
    expect(problem.errors).toEqual([{ path: 'header.Idempotency-Key', message: 'Must be 1 to 255 printable ASCII characters' }]);
    expect(databaseCalls).not.toHaveBeenCalled();
    expect(lastCreateBody).toBeUndefined();
  });

  it('does reach the database with a valid key (the guard above can fail)', async () => {
    // Prepare
    const headers = { 'idempotency-key': 'valid-key-1' };

    // Act
    const result = await createCall({ name: 'web' }, { headers });

    // Assess
    expect(databaseCalls).toHaveBeenCalled();
    expectProblem(result, 500, 'InternalError');
  });

  it('ignores Idempotency-Key on a GET', async () => {
    // Prepare
    const options: EventOptions = { path: '/v1/unit/echo', headers: { 'idempotency-key': '' } };

    // Act
    const result = await call(echo, options);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(databaseCalls).not.toHaveBeenCalled();
  });

  it('reads headers whatever their case', async () => {
    // Prepare
    const event = httpEvent({ method: 'POST', path: '/v1/unit/things', body: '{"name":"web"}' });
    event.headers = { 'Content-Type': 'application/json' };

    // Act
    const result = await create(event, lambdaContext());

    // Assess
    expect(result.statusCode).toBe(201);
  });
});

describe('httpHandler: errors from the handler', () => {
  it('answers 500 InternalError to a plain Error, without its message', async () => {
    // Prepare
    createBehaviour = async () => {
      throw new Error('db password=hunter2');
    };

    // Act
    const result = await createCall({ name: 'web' });

    // Assess
    const problem = expectProblem(result, 500, 'InternalError');
    expect(result.body).not.toContain('hunter2');
    expect(result.body).not.toContain('password');
    expect(problem.detail).toBe('An internal error occurred. Quote the requestId if you contact support.');
    expect(result.headers?.['X-Request-Id']).toBe('req-123');
  });

  it('answers an ApiError with its status and code', async () => {
    // Prepare
    createBehaviour = async () => {
      throw new Conflict('InvalidGroup.Duplicate', 'A group named web exists in this VPC.');
    };

    // Act
    const result = await createCall({ name: 'web' });

    // Assess
    const problem = expectProblem(result, 409, 'InvalidGroup.Duplicate');
    expect(problem.detail).toBe('A group named web exists in this VPC.');
    expect(problem.title).toBe('Conflict');
    expect(databaseCalls).not.toHaveBeenCalled();
  });

  it('answers 500 when the handler answers outside its response schema', async () => {
    // Prepare
    createBehaviour = async () => ({ body: { id: 'thg-1', name: 'web', size: 'big' } });

    // Act
    const result = await createCall({ name: 'web' });

    // Assess
    const problem = expectProblem(result, 500, 'InternalError');
    expect(result.body).not.toContain('unitCreateThing');
    expect(problem.detail).toBe('An internal error occurred. Quote the requestId if you contact support.');
  });

  it('sends the drifted answer when VALIDATE_RESPONSES is off (the check above depends on it)', async () => {
    // Prepare
    createBehaviour = async () => ({ body: { id: 'thg-1', name: 'web', size: 'big' } });
    process.env.VALIDATE_RESPONSES = 'false';

    // Act
    let result: HttpResult;
    try {
      result = await createCall({ name: 'web' });
    } finally {
      process.env.VALIDATE_RESPONSES = 'true';
    }

    // Assess
    expect(result.statusCode).toBe(201);
    expect(JSON.parse(result.body ?? '')).toEqual({ id: 'thg-1', name: 'web', size: 'big' });
  });

  it('does not validate an answer with another status than the declared one', async () => {
    // Prepare
    createBehaviour = async () => ({ status: 200, body: { existing: true } });

    // Act
    const result = await createCall({ name: 'web' });

    // Assess
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body ?? '')).toEqual({ existing: true });
  });
});
