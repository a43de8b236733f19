import * as z from 'zod/mini';
import type { Access } from '../../../functions/kit/auth';
import {
  defineOperation,
  isMutating,
  pathParameterNames,
  type HttpMethod,
  type OperationSpec,
} from '../../../functions/kit/operation';
import { operation } from '../support/operation';

type Spec = OperationSpec<z.core.$ZodType, z.core.$ZodType, z.core.$ZodType, z.core.$ZodType>;

const spec = (overrides: Partial<Spec>): Spec => operation({ operationId: 'testOp', handler: 'things/test-op', ...overrides });


describe('pathParameterNames', () => {
  it.each<[string, string[]]>([
    ['/v1/things', []],
    ['/v1/things/{id}', ['id']],
    ['/v1/security-groups/{id}/rules/{ruleId}', ['id', 'ruleId']],
    ['/v1/a/{snake_case}/b/{X9}', ['snake_case', 'X9']],
    ['/v1/{not-a-name}', []],
  ])('%s → %p', (path, expected) => {
    // Prepare: the route

    // Act
    const names = pathParameterNames(path);

    // Assess
    expect(names).toEqual(expected);
  });
});

describe('isMutating', () => {
  it.each<[HttpMethod, boolean]>([
    ['GET', false],
    ['POST', true],
    ['PUT', true],
    ['PATCH', true],
    ['DELETE', true],
  ])('%s → %p', (method, expected) => {
    // Prepare: the method

    // Act
    const mutating = isMutating({ method });

    // Assess
    expect(mutating).toBe(expected);
  });
});

describe('defineOperation', () => {
  it('returns a consistent declaration unchanged', () => {
    // Prepare
    const declaration = spec({
      method: 'PATCH',
      path: '/v1/things/{id}/parts/{partId}',
      access: 'member',
      params: z.strictObject({ partId: z.string(), id: z.string() }),
      body: z.strictObject({ name: z.string() }),
    });

    // Act
    const defined = defineOperation(declaration);

    // Assess
    expect(defined).toBe(declaration);
  });

  it.each<[string, Partial<Spec>, string]>([
    [
      'a path parameter the schema lacks',
      { path: '/v1/things/{id}' },
      'testOp: path parameters id but schema declares ',
    ],
    [
      'a schema parameter the path lacks',
      { path: '/v1/things', params: z.strictObject({ id: z.string() }) },
      'testOp: path parameters  but schema declares id',
    ],
    [
      'differently named parameters',
      { path: '/v1/things/{thingId}', params: z.strictObject({ id: z.string() }) },
      'testOp: path parameters thingId but schema declares id',
    ],
    [
      'one of two parameters missing',
      { path: '/v1/things/{id}/parts/{partId}', params: z.strictObject({ id: z.string() }) },
      'testOp: path parameters id,partId but schema declares id',
    ],
    [
      'a params schema that is not an object',
      { path: '/v1/things/{id}', params: z.optional(z.strictObject({ id: z.string() })) },
      'testOp: path parameters id but schema declares ',
    ],
    ['a POST open to viewer', { method: 'POST', access: 'viewer' }, 'testOp: a POST operation cannot be open to viewer'],
    ['a POST open to public', { method: 'POST', access: 'public' }, 'testOp: a POST operation cannot be open to public'],
    ['a DELETE open to viewer', { method: 'DELETE', access: 'viewer' }, 'testOp: a DELETE operation cannot be open to viewer'],
    ['a PUT open to public', { method: 'PUT', access: 'public' }, 'testOp: a PUT operation cannot be open to public'],
    ['a PATCH open to viewer', { method: 'PATCH', access: 'viewer' }, 'testOp: a PATCH operation cannot be open to viewer'],
    ['a GET with a body', { method: 'GET', body: z.strictObject({ q: z.string() }) }, 'testOp: a GET takes no body'],
  ])('throws on %s', (_label, overrides, message) => {
    // Prepare
    const declaration = spec(overrides);

    // Act
    const act = () => defineOperation(declaration);

    // Assess
    expect(act).toThrow(new Error(message));
  });

  it.each<[HttpMethod, Access]>([
    ['POST', 'member'],
    ['POST', 'owner'],
    ['POST', 'authenticated'],
    ['DELETE', 'platform-admin'],
    ['GET', 'public'],
    ['GET', 'viewer'],
  ])('accepts a %s open to %s', (method, access) => {
    // Prepare
    const declaration = spec({ method, access });

    // Act
    const act = () => defineOperation(declaration);

    // Assess
    expect(act).not.toThrow();
  });
});
