import './support/env';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isMutating, pathParameterNames, type AnyOperation } from '../../functions/kit/operation';
import { manifest } from '../../functions/manifest';
import { buildOpenApiDocument } from '../../functions/openapi';
import { widgetOperations } from '../fixtures/widgets/operations';

type Json = Record<string, any>;

/** Every `$ref` value in the document, with where it was found. */
function refsIn(value: unknown, at = '#'): { at: string; ref: string }[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => refsIn(item, `${at}/${index}`));
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) =>
    key === '$ref' && typeof child === 'string' ? [{ at, ref: child }] : refsIn(child, `${at}/${key}`),
  );
}

/** Every key named `name` anywhere in the document. */
function keysNamed(value: unknown, name: string): number {
  if (Array.isArray(value)) return value.reduce((n: number, item) => n + keysNamed(item, name), 0);
  if (!value || typeof value !== 'object') return 0;
  return Object.entries(value).reduce((n, [key, child]) => n + (key === name ? 1 : 0) + keysNamed(child, name), 0);
}

function operationIn(document: Json, op: AnyOperation): Json | undefined {
  return document.paths?.[op.path]?.[op.method.toLowerCase()];
}

describe('the OpenAPI document', () => {
  const document = buildOpenApiDocument() as Json;
  // The widgets bring what the platform does not have yet: path parameters, bodies, mutations.
  const operations = [...manifest.operations, ...widgetOperations];
  const extended = buildOpenApiDocument(operations) as Json;

  it('is OpenAPI 3.1.0 with a bearer scheme', () => {
    // Prepare: the document built above

    // Act
    const { openapi, components } = document;

    // Assess
    expect(openapi).toBe('3.1.0');
    expect(components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  });

  it.each(manifest.operations.map((op) => [op.operationId, op] as const))(
    'documents %s under its path and method',
    (operationId, op) => {
      // Prepare: the operation from the manifest

      // Act
      const documented = operationIn(document, op);

      // Assess
      expect(documented).toBeDefined();
      expect(documented?.operationId).toBe(operationId);
      expect(documented?.tags).toEqual([op.domain]);
      expect(documented?.['x-required-access']).toBe(op.access);
      expect(documented?.security).toEqual(op.access === 'public' ? [] : [{ bearer: [] }]);
      expect(Object.keys(documented?.responses ?? {})).toContain(String(op.status));
    },
  );

  it('documents nothing the manifest does not declare', () => {
    // Prepare
    const declared = manifest.operations.map((op) => `${op.method.toLowerCase()} ${op.path}`).sort();

    // Act
    const documented = Object.entries(document.paths as Json)
      .flatMap(([path, methods]) => Object.keys(methods as Json).map((method) => `${method} ${path}`))
      .sort();

    // Assess
    expect(documented).toEqual(declared);
  });

  it.each([
    ['getHealth', []],
    ['getOpenApi', []],
    ['getMe', [{ bearer: [] }]],
    ['listRegions', [{ bearer: [] }]],
  ])('gives %s the security %j', (operationId, security) => {
    // Prepare
    const op = manifest.operations.find((candidate) => candidate.operationId === operationId) as AnyOperation;

    // Act
    const documented = operationIn(document, op);

    // Assess
    expect(documented?.security).toEqual(security);
  });

  it('documents 401 and 403 only where a token is needed', () => {
    // Prepare
    const health = document.paths['/v1/health'].get.responses;
    const me = document.paths['/v1/me'].get.responses;

    // Act
    const codes = [Object.keys(health), Object.keys(me)];

    // Assess
    expect(codes[0]).not.toContain('401');
    expect(codes[1]).toEqual(expect.arrayContaining(['200', '400', '401', '403', '500']));
  });

  it.each(['Problem', 'Me', 'Health', 'Region', 'RegionList', 'AvailabilityZone', 'AvailabilityZoneList', 'OpenApiDocument'])(
    'has the component schema %s',
    (name) => {
      // Prepare: the document built above

      // Act
      const schema = document.components.schemas[name];

      // Assess
      expect(schema).toEqual(expect.objectContaining({ type: 'object' }));
    },
  );

  it('describes the problem body', () => {
    // Prepare: the document built above

    // Act
    const problem = document.components.schemas.Problem;

    // Assess
    expect(problem.required).toEqual(['type', 'title', 'status', 'detail', 'code', 'requestId']);
    expect(Object.keys(problem.properties)).toEqual(
      expect.arrayContaining(['type', 'title', 'status', 'detail', 'instance', 'code', 'requestId', 'errors']),
    );
  });

  it.each([
    ['the platform document', document],
    ['the document with the widgets', extended],
  ])('%s has no $defs left and every $ref points at an existing component', (_label, built) => {
    // Prepare
    const refs = refsIn(built);

    // Act
    const broken = refs.filter(({ ref }) => {
      const name = ref.startsWith('#/components/schemas/') ? ref.slice('#/components/schemas/'.length) : undefined;
      return !name || !(name in built.components.schemas);
    });

    // Assess
    expect(refs.length).toBeGreaterThan(10);
    expect(broken).toEqual([]);
    expect(keysNamed(built, '$defs')).toBe(0);
    expect(keysNamed(built, '$schema')).toBe(0);
    expect(JSON.stringify(built)).not.toContain('#/$defs/');
  });

  it.each(operations.filter(isMutating).map((op) => [op.operationId, op] as const))(
    'documents Idempotency-Key (and 422) on the mutating operation %s',
    (_operationId, op) => {
      // Prepare: a mutating operation

      // Act
      const documented = operationIn(extended, op);

      // Assess
      const names = (documented!.parameters as Json[]).map((p) => `${p.in}:${p.name}`);
      expect(names).toContain('header:Idempotency-Key');
      expect(documented?.responses['422']).toBeDefined();
      if (pathParameterNames(op.path).length > 0) expect(names).toContain('header:If-Match');
    },
  );

  it.each(operations.filter((op) => !isMutating(op)).map((op) => [op.operationId, op] as const))(
    'does not offer Idempotency-Key on the read %s',
    (_operationId, op) => {
      // Prepare: a reading operation

      // Act
      const documented = operationIn(extended, op);

      // Assess
      const names = (documented!.parameters as Json[]).map((p) => p.name);
      expect(names).not.toContain('Idempotency-Key');
    },
  );

  it('documents path and query parameters and the request body of the widgets', () => {
    // Prepare
    const get = extended.paths['/v1/widgets/{id}'].get;
    const list = extended.paths['/v1/widgets'].get;
    const create = extended.paths['/v1/widgets'].post;

    // Act
    const parameters = [get.parameters, list.parameters];

    // Assess
    expect(parameters[0]).toEqual([expect.objectContaining({ name: 'id', in: 'path', required: true })]);
    expect(parameters[1]).toEqual([
      expect.objectContaining({ name: 'limit', in: 'query', required: false, description: 'Items per page, 1 to 100.' }),
      expect.objectContaining({ name: 'cursor', in: 'query', required: false }),
    ]);
    expect(create.requestBody.content['application/json'].schema).toMatchObject({
      type: 'object',
      required: ['name'],
      additionalProperties: false,
    });
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['201', '413', '415', '422']));
  });

  it('is fresh: the committed openapi.json equals the generated document', () => {
    // Prepare
    const path = resolve(__dirname, '..', '..', 'openapi.json');
    const committed = JSON.parse(readFileSync(path, 'utf8')) as unknown;

    // Act
    const generated = JSON.parse(JSON.stringify(buildOpenApiDocument())) as unknown;

    // Assess
    if (JSON.stringify(committed) !== JSON.stringify(generated)) {
      throw new Error('openapi.json is out of date with the manifest: run `npm run openapi` and commit the result.');
    }
    expect(committed).toEqual(generated);
  });

  it('is written pretty-printed with a trailing newline', () => {
    // Prepare
    const path = resolve(__dirname, '..', '..', 'openapi.json');

    // Act
    const text = readFileSync(path, 'utf8');

    // Assess
    expect(text).toBe(`${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
  });
});
