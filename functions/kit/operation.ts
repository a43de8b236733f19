/**
 * An operation as the manifest declares it. The CDK stack, the local gateway, the OpenAPI document
 * and the handler kit all read these declarations, so a route exists in exactly one place.
 */
import type * as z from 'zod/mini';
// From the core directly: a value read through mini's `z.core` namespace keeps all of the core (JSON Schema, locales) in every bundle.
import { $ZodObject } from 'zod/v4/core';
import type { Access } from './auth';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ErrorDoc {
  status: number;
  code: string;
  description: string;
}

export interface OperationSpec<
  Params extends z.core.$ZodType = z.core.$ZodType,
  Query extends z.core.$ZodType = z.core.$ZodType,
  Body extends z.core.$ZodType = z.core.$ZodType,
  Response extends z.core.$ZodType = z.core.$ZodType,
> {
  operationId: string;
  method: HttpMethod;
  /** API Gateway route syntax: `/v1/vpcs/{id}`. */
  path: string;
  /** The handler module under functions/, without extension: `platform/get-me`. It exports `handler`. */
  handler: string;
  /** The OpenAPI tag, and the domain whose nested stack holds the function. */
  domain: string;
  summary: string;
  description?: string;
  access: Access;
  params?: Params;
  query?: Query;
  body?: Body;
  /** The success status; 202 marks an operation that finishes later. */
  status: 200 | 201 | 202 | 204;
  response: Response;
  /** Error codes this operation may answer with beyond the common ones, for the document. */
  errors?: ErrorDoc[];
  /** Other success answers (a DELETE that answers 202 with `?cascade=true`), for the document and response checks. */
  otherSuccesses?: { status: 200 | 201 | 202 | 204; description: string; response?: z.core.$ZodType }[];
  /**
   * Extra IAM needs beyond the tables, for the stack: reading the cursor secret; for a read-only
   * operation, putting the built-in catalog into the `CATALOG` partition on first use; the
   * manifest's jobs (`PLATFORM_JOBS`); starting a job's function (`JOB_FUNCTION_ARNS` and the grant).
   */
  needs?: ('cursorSecret' | 'catalogSeed' | 'jobs' | 'jobInvoke')[];
}

export type AnyOperation = OperationSpec<z.core.$ZodType, z.core.$ZodType, z.core.$ZodType, z.core.$ZodType>;

export const MUTATING_METHODS: ReadonlySet<HttpMethod> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function isMutating(spec: Pick<AnyOperation, 'method'>): boolean {
  return MUTATING_METHODS.has(spec.method);
}

export function pathParameterNames(path: string): string[] {
  return [...path.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1] as string);
}

/**
 * Declares an operation; inconsistencies in the declaration fail when it is first read (for a
 * handler, when its module loads). Pass the declaration as a function, `defineOperation(() => ({...}))`,
 * and it runs on first read: a handler bundle holds every declaration of its domain's operations
 * module, but builds the zod schemas of its own operation only (cold start is a feature).
 */
export function defineOperation<
  Params extends z.core.$ZodType = z.ZodMiniNever,
  Query extends z.core.$ZodType = z.ZodMiniNever,
  Body extends z.core.$ZodType = z.ZodMiniNever,
  Response extends z.core.$ZodType = z.core.$ZodType,
>(
  declaration: OperationSpec<Params, Query, Body, Response> | (() => OperationSpec<Params, Query, Body, Response>),
): OperationSpec<Params, Query, Body, Response> {
  if (typeof declaration !== 'function') return checked(declaration);
  // The declaration's properties land on `target` on first read; until then it is empty.
  const target = {} as OperationSpec<Params, Query, Body, Response>;
  let declared = false;
  const declare = () => {
    if (!declared) {
      Object.assign(target, checked(declaration()));
      declared = true;
    }
    return target;
  };
  return new Proxy(target, {
    get: (_t, key, receiver) => Reflect.get(declare(), key, receiver),
    has: (_t, key) => Reflect.has(declare(), key),
    ownKeys: () => Reflect.ownKeys(declare()),
    getOwnPropertyDescriptor: (_t, key) => Reflect.getOwnPropertyDescriptor(declare(), key),
    set: (_t, key, value) => Reflect.set(declare(), key, value),
  });
}

function checked<Spec extends AnyOperation>(spec: Spec): Spec {
  const declared = spec.params instanceof $ZodObject ? Object.keys(spec.params._zod.def.shape).sort() : [];
  const inPath = pathParameterNames(spec.path).sort();
  if (declared.join() !== inPath.join()) {
    throw new Error(`${spec.operationId}: path parameters ${inPath.join()} but schema declares ${declared.join()}`);
  }
  if (isMutating(spec) && (spec.access === 'viewer' || spec.access === 'public')) {
    throw new Error(`${spec.operationId}: a ${spec.method} operation cannot be open to ${spec.access}`);
  }
  if (spec.body && spec.method === 'GET') throw new Error(`${spec.operationId}: a GET takes no body`);
  return spec;
}
