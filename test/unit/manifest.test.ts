import * as z from 'zod';
import type { AnyOperation } from '../../functions/kit/operation';
import { manifest, manifestProblems, type Manifest } from '../../functions/manifest';
import { widgetOperations } from '../fixtures/widgets/operations';
import { operation } from './support/operation';

const op = operation;

describe('manifestProblems', () => {
  it('finds nothing wrong with the real manifest', () => {
    // Prepare
    const real = manifest;

    // Act
    const problems = manifestProblems(real);

    // Assess
    expect(problems).toEqual([]);
    expect(real.operations.length).toBeGreaterThanOrEqual(5);
  });

  it('finds nothing wrong with the real manifest plus the test widgets', () => {
    // Prepare
    const combined: Manifest = { ...manifest, operations: [...manifest.operations, ...widgetOperations] };

    // Act
    const problems = manifestProblems(combined);

    // Assess
    expect(problems).toEqual([]);
  });

  it('accepts a handler in a feature folder of its domain: <domain>/<feature>/<module>', () => {
    // Prepare
    const candidate: Manifest = { ...manifest, operations: [op({ handler: 'things/feature/get-thing' })] };

    // Act
    const problems = manifestProblems(candidate);

    // Assess
    expect(problems).toEqual([]);
  });

  it.each<[string, AnyOperation[], string[]]>([
    [
      'a duplicate operationId',
      [op({}), op({ path: '/v1/other', handler: 'things/other' })],
      ['id getThing is declared by both getThing and getThing'],
    ],
    [
      'a duplicate route',
      [op({}), op({ operationId: 'getThing2', handler: 'things/get-thing-2' })],
      ['route GET /v1/things is declared by both getThing and getThing2'],
    ],
    [
      'a duplicate handler module',
      [op({}), op({ operationId: 'listThings', path: '/v1/list' })],
      ['handler things/get-thing is declared by both getThing and listThings'],
    ],
    ['a path outside /v1', [op({ path: '/v2/things' })], ['getThing: /v2/things is not under /v1/']],
    ['a bare /v1 path', [op({ path: '/v1' })], ['getThing: /v1 is not under /v1/']],
    [
      'an admin path not for platform-admin',
      [op({ path: '/v1/admin/things', access: 'member' })],
      ['getThing: /v1/admin/ routes, and only they, are for platform-admin'],
    ],
    [
      'a platform-admin operation outside /v1/admin',
      [op({ access: 'platform-admin' })],
      ['getThing: /v1/admin/ routes, and only they, are for platform-admin'],
    ],
    [
      'a handler that is not <domain>/<module>',
      [op({ handler: 'get-thing' })],
      ['getThing: handler get-thing is not <domain>/<module> or <domain>/<feature>/<module>'],
    ],
    [
      'a handler nested deeper than <domain>/<feature>/<module>',
      [op({ handler: 'things/feature/part/get-thing' })],
      ['getThing: handler things/feature/part/get-thing is not <domain>/<module> or <domain>/<feature>/<module>'],
    ],
    [
      'a handler path with an empty folder',
      [op({ handler: 'things//get-thing' })],
      ['getThing: handler things//get-thing is not <domain>/<module> or <domain>/<feature>/<module>'],
    ],
    ['an operationId that is not camelCase', [op({ operationId: 'GetThing' })], ['GetThing: operationId is not camelCase']],
  ])('reports %s', (_label, operations, expected) => {
    // Prepare
    const candidate: Manifest = { ...manifest, operations };

    // Act
    const problems = manifestProblems(candidate);

    // Assess
    expect(problems).toEqual(expected);
  });

  it('reports every problem, not only the first', () => {
    // Prepare
    const candidate: Manifest = { ...manifest, operations: [op({ path: '/things', access: 'platform-admin' }), op({ path: '/things' })] };

    // Act
    const problems = manifestProblems(candidate);

    // Assess
    expect(problems).toEqual([
      'getThing: /things is not under /v1/',
      'getThing: /v1/admin/ routes, and only they, are for platform-admin',
      'id getThing is declared by both getThing and getThing',
      'route GET /things is declared by both getThing and getThing',
      'handler things/get-thing is declared by both getThing and getThing',
      'getThing: /things is not under /v1/',
    ]);
  });
});

/** The paths of every object schema inside `schema` that accepts keys it does not declare. */
function looseObjects(schema: z.ZodType, at: string): string[] {
  const def = (schema as unknown as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def;
  const child = (value: unknown, where: string) => looseObjects(value as z.ZodType, where);
  switch (def.type) {
    case 'object': {
      const catchall = def.catchall as z.ZodType | undefined;
      const strict = catchall !== undefined && (catchall as unknown as { _zod: { def: { type: string } } })._zod.def.type === 'never';
      const shape = def.shape as Record<string, z.ZodType>;
      return [
        ...(strict ? [] : [at]),
        ...Object.entries(shape).flatMap(([key, value]) => child(value, `${at}.${key}`)),
      ];
    }
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return child(def.innerType, at);
    case 'array':
      return child(def.element, `${at}[]`);
    case 'record':
      return child(def.valueType, `${at}{}`);
    case 'union':
      return (def.options as z.ZodType[]).flatMap((option, index) => child(option, `${at}|${index}`));
    case 'intersection':
      return [...child(def.left, at), ...child(def.right, at)];
    case 'pipe':
      return [...child(def.in, at), ...child(def.out, at)];
    case 'tuple':
      return (def.items as z.ZodType[]).flatMap((item, index) => child(item, `${at}[${index}]`));
    default:
      return [];
  }
}

function inputSchemas(operations: AnyOperation[]): [string, string, z.ZodType][] {
  return operations.flatMap((operation) =>
    (['params', 'query', 'body'] as const).flatMap((part) => {
      const schema = operation[part];
      return schema ? [[operation.operationId, part, schema] as [string, string, z.ZodType]] : [];
    }),
  );
}

describe('input schemas reject unknown fields', () => {
  it.each<[string, z.ZodType, string[]]>([
    ['a strict object', z.strictObject({ a: z.string() }), []],
    ['a plain object', z.object({ a: z.string() }), ['body']],
    ['a loose object', z.looseObject({ a: z.string() }), ['body']],
    ['a plain object inside a strict one', z.strictObject({ inner: z.object({}).optional() }), ['body.inner']],
    ['a plain object in an array', z.strictObject({ list: z.array(z.object({})) }), ['body.list[]']],
    ['a plain object in a record', z.strictObject({ map: z.record(z.string(), z.object({})) }), ['body.map{}']],
    ['a plain object in a union', z.union([z.strictObject({}), z.object({})]), ['body|1']],
    ['a plain object behind a default', z.strictObject({ d: z.object({}).default({}) }), ['body.d']],
    ['a plain object behind a pipe', z.strictObject({}).pipe(z.object({})), ['body']],
  ])('the walker finds %s', (_label, schema, expected) => {
    // Prepare: a schema whose looseness is known

    // Act
    const loose = looseObjects(schema, 'body');

    // Assess
    expect(loose).toEqual(expected);
  });

  const manifestInputs = inputSchemas(manifest.operations);
  const widgetInputs = inputSchemas(widgetOperations);

  it('has input schemas to check among the widgets', () => {
    // Prepare: the fixtures, which stand in for domains until they arrive

    // Act
    const count = widgetInputs.length;

    // Assess
    expect(count).toBeGreaterThanOrEqual(5);
  });

  it.each([...manifestInputs, ...widgetInputs])('%s %s is strict at every level', (_operationId, part, schema) => {
    // Prepare: the declared schema

    // Act
    const loose = looseObjects(schema, part);

    // Assess
    expect(loose).toEqual([]);
  });

  it.each([...manifestInputs, ...widgetInputs])('%s %s refuses an extra key zzUnknown', (_operationId, _part, schema) => {
    // Prepare: whatever the schema accepts plus one key
    const candidates: Record<string, unknown>[] = [{}, { id: `wgt-${'0'.repeat(26)}` }, { name: 'x' }];
    const accepted = candidates.find((candidate) => schema.safeParse(candidate).success) ?? {};

    // Act
    const result = schema.safeParse({ ...accepted, zzUnknown: 1 });

    // Assess
    expect(result.success).toBe(false);
    expect(result.error?.issues.some((issue) => issue.code === 'unrecognized_keys')).toBe(true);
  });
});
