/**
 * The OpenAPI 3.1 document, generated from the manifest's operations and their zod schemas.
 * Served at GET /v1/openapi.json; a committed copy (openapi.json) is kept fresh by a test.
 */
import * as z from 'zod/mini';
import { MAX_BODY_BYTES } from './kit/http';
import { isMutating, pathParameterNames, type AnyOperation } from './kit/operation';
import { manifest } from './manifest';

type Json = Record<string, unknown>;

const PROBLEM_SCHEMA: Json = {
  type: 'object',
  description: 'RFC 9457 problem details.',
  required: ['type', 'title', 'status', 'detail', 'code', 'requestId'],
  properties: {
    type: { type: 'string', format: 'uri' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    code: { type: 'string', description: 'Stable, PascalCase; switch on this, not on the text.' },
    requestId: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['path', 'message'],
        properties: { path: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
};

class SchemaCollector {
  readonly components: Record<string, Json> = { Problem: PROBLEM_SCHEMA };

  /** JSON Schema of `schema` with named sub-schemas moved to components and referenced from there. */
  convert(schema: z.core.$ZodType, io: 'input' | 'output'): Json {
    const converted = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Json;
    const { $schema: _ignored, $defs, ...rest } = converted;
    for (const [id, definition] of Object.entries(($defs ?? {}) as Record<string, Json>)) {
      this.components[id] = this.rewrite(definition) as Json;
    }
    return this.rewrite(rest) as Json;
  }

  private rewrite(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.rewrite(v));
    if (!value || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        k === '$ref' && typeof v === 'string' ? v.replace('#/$defs/', '#/components/schemas/') : this.rewrite(v),
      ]),
    );
  }
}

function problemResponse(description: string): Json {
  return { description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
}

function parameters(op: AnyOperation, collector: SchemaCollector): Json[] {
  const result: Json[] = [];
  const add = (where: 'path' | 'query', schema: z.core.$ZodType | undefined) => {
    if (!schema) return;
    const json = collector.convert(schema, 'input');
    const properties = (json.properties ?? {}) as Record<string, Json>;
    const required = new Set((json.required ?? []) as string[]);
    for (const [name, property] of Object.entries(properties)) {
      const { description, ...propertySchema } = property;
      result.push({
        name,
        in: where,
        required: where === 'path' || required.has(name),
        schema: propertySchema,
        ...(description ? { description } : {}),
      });
    }
  };
  add('path', op.params);
  add('query', op.query);
  if (isMutating(op)) {
    result.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description: 'Makes the request safe to retry for 24 hours: a retry replays the first response.',
      schema: { type: 'string', minLength: 1, maxLength: 255 },
    });
  }
  if (isMutating(op) && pathParameterNames(op.path).length > 0) {
    result.push({
      name: 'If-Match',
      in: 'header',
      required: false,
      description: 'The ETag you last read; the request fails with 412 if the resource changed since.',
      schema: { type: 'string' },
    });
  }
  return result;
}

function responses(op: AnyOperation, collector: SchemaCollector): Json {
  const success: Json =
    op.status === 204
      ? { description: 'Done.' }
      : { description: op.summary, content: { 'application/json': { schema: collector.convert(op.response, 'output') } } };
  const result: Json = { [String(op.status)]: success };
  for (const other of op.otherSuccesses ?? []) {
    result[String(other.status)] = other.response
      ? { description: other.description, content: { 'application/json': { schema: collector.convert(other.response, 'output') } } }
      : { description: other.description };
  }
  result['400'] = problemResponse('Invalid parameters (`ValidationError`, `InvalidParameterValue`, ...).');
  if (op.access !== 'public') {
    result['401'] = problemResponse('Missing, expired or invalid token (`Unauthorized`).');
    result['403'] = problemResponse('The caller lacks the role this operation needs (`Forbidden`).');
  }
  if (pathParameterNames(op.path).length > 0) result['404'] = problemResponse('No such resource in your tenant.');
  if (isMutating(op) && pathParameterNames(op.path).length > 0) result['412'] = problemResponse('If-Match names an older version.');
  if (op.body) {
    result['413'] = problemResponse(`Body over ${MAX_BODY_BYTES} bytes (\`PayloadTooLarge\`).`);
    result['415'] = problemResponse('Body not sent as application/json (`UnsupportedMediaType`).');
  }
  if (isMutating(op)) result['422'] = problemResponse('Idempotency-Key reused with another request (`IdempotencyKeyReused`).');
  for (const error of op.errors ?? []) {
    const key = String(error.status);
    const existing = result[key] as Json | undefined;
    const description = existing ? `${existing.description as string} ${error.description}` : error.description;
    result[key] = problemResponse(`${description} (\`${error.code}\`)`.trim());
  }
  result['500'] = problemResponse('Our fault; the body carries only a requestId to quote.');
  return result;
}

export function buildOpenApiDocument(operations: AnyOperation[] = manifest.operations): Record<string, unknown> {
  const collector = new SchemaCollector();
  const paths: Record<string, Json> = {};
  for (const op of operations) {
    const operation: Json = {
      operationId: op.operationId,
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      tags: [op.domain],
      security: op.access === 'public' ? [] : [{ bearer: [] }],
      'x-required-access': op.access,
      parameters: parameters(op, collector),
      ...(op.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: collector.convert(op.body, 'input') } } } }
        : {}),
      responses: responses(op, collector),
    };
    paths[op.path] = { ...paths[op.path], [op.method.toLowerCase()]: operation };
  }
  const components = Object.fromEntries(Object.entries(collector.components).sort(([a], [b]) => a.localeCompare(b)));
  return {
    openapi: '3.1.0',
    info: {
      title: 'Cloud control plane API',
      version: '1.0.0',
      description:
        'The public API of the control plane. Errors are RFC 9457 problem+json with a stable `code`. ' +
        'Every POST accepts `Idempotency-Key`; lists take `limit` and `cursor` and return `{ items, nextCursor }`.',
    },
    servers: [{ url: '/' }],
    tags: [...new Set(operations.map((op) => op.domain))].map((name) => ({ name })),
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'Claims: sub, tenant_id (custom:tenant_id), roles (cognito:groups).',
        },
      },
    },
  };
}
