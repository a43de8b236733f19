/**
 * The handler kit: every HTTP operation is `httpHandler(spec, run)`. The kit authenticates and
 * authorizes the caller, validates path, query and body against the operation's schemas, runs the
 * domain code, commits what it computed (with the idempotency record) in one transaction, and
 * renders the result, or the error as problem+json. Handlers never build HTTP responses themselves.
 */
import middy from '@middy/core';
import httpSecurityHeaders from '@middy/http-security-headers';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { authorize, callerFromClaims, isTenantRole, type Caller } from './auth';
import {
  ApiError,
  BadRequest,
  IdempotencyKeyReused,
  PayloadTooLarge,
  UnsupportedMediaType,
  ValidationFailed,
  type FieldError,
} from './errors';
import {
  idempotencyRecordId,
  idempotencyWrite,
  liveRecord,
  parseIdempotencyKey,
  readIdempotencyRecord,
  requestFingerprint,
  type IdempotencyRecord,
  type StoredResponse,
} from './idempotency';
import { injectLogContext, logger } from './logger';
import { isMutating, type OperationSpec } from './operation';
import { problemResponse } from './problem';
import { commitWrites, ConditionLost, concurrentModification, RetryRequest, type Write } from './transaction';
import { etagOf, parseIfMatch, type IfMatch } from './etag';

export const MAX_BODY_BYTES = 1024 * 1024;
/**
 * Runs of a request that lost a race (a version moved, a transaction conflicted) before it answers
 * 409 ConcurrentModification. Fifty creates at once against one quota counter are a race of fifty:
 * on DynamoDB the losers see TransactionConflict and run again, so there must be attempts enough
 * for the last of them, spread by backoff.
 */
export const MAX_ATTEMPTS = 10;
const RETRY_BASE_MS = 10;
const RETRY_CAP_MS = 200;

/** Full-jitter exponential backoff after the `attempt`-th run: random in [0, min(cap, base·2^attempt)). */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  return random() * Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** attempt);
}

export type HttpEvent = APIGatewayProxyEventV2 & {
  requestContext: APIGatewayProxyEventV2['requestContext'] & {
    authorizer?: { jwt?: { claims?: Record<string, string | number | boolean | string[]>; scopes?: string[] | null } };
  };
};
export type HttpResult = APIGatewayProxyStructuredResultV2 & { headers?: Record<string, string> };

export interface HttpRequest<Params, Query, Body> {
  requestId: string;
  /** The verified caller; for public operations an anonymous one with no roles. */
  caller: Caller;
  params: Params;
  query: Query;
  body: Body;
  ifMatch: IfMatch | undefined;
  header(name: string): string | undefined;
  /** The request's time, the same for everything it writes. */
  now: Date;
  event: HttpEvent;
  context: Context;
}

export interface Outcome<Body, Event = unknown> {
  /** Defaults to the operation's declared status. */
  status?: number;
  body?: Body;
  /** The resource's version, sent as the ETag header. */
  etag?: number | string;
  location?: string;
  headers?: Record<string, string>;
  /** Everything the request changes, committed in one transaction with its idempotency record. */
  writes?: Write[];
  /** The domain events of the change; each also becomes an audit entry, in the same transaction. */
  events?: Event[];
  /**
   * Runs once the transaction has committed, before the answer; never on a replay. Only for what
   * no outbox event can carry (starting a job's function at an operator's request); what it throws
   * is the answer, so it must undo what it needs to.
   */
  afterCommit?: () => Promise<void>;
}

/**
 * What every mutating request commits besides its own writes. The kit imports no domain: the
 * composition module `functions/wiring/http.ts` supplies these (the events domain's outbox writes,
 * the tenancy domain's guard), and every handler takes its `httpHandler` from there.
 */
export interface HttpWiring<Event> {
  /** The writes that record the change's events (outbox and audit items), for the same transaction. */
  eventWrites(events: Event[] | undefined, context: { actor: `user:${string}`; requestId: string; now: Date }): Write[];
  /** The check, first in every tenant caller's write, that the tenant is active. */
  tenantGuard(tenantId: string): Write;
}

const ANONYMOUS: Caller = { userId: 'anonymous', roles: [] };

function headerOf(event: HttpEvent, name: string): string | undefined {
  const headers = event.headers ?? {};
  const lower = name.toLowerCase();
  if (headers[lower] !== undefined) return headers[lower];
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === lower) return value;
  return undefined;
}

export function fieldErrors(error: z.core.$ZodError, where: string): FieldError[] {
  return error.issues.flatMap((issue) => {
    const base = [where, ...issue.path.map(String)].join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: `${base}.${key}`, message: 'Unknown field' }));
    }
    return [{ path: base, message: issue.message }];
  });
}

function validate(schema: z.core.$ZodType, value: unknown, where: string, errors: FieldError[]): unknown {
  const result = z.safeParse(schema, value);
  if (result.success) return result.data;
  errors.push(...fieldErrors(result.error, where));
  return undefined;
}

// zod/mini ships no messages ("Invalid input" for everything); clients read the English ones in field errors.
z.config(en());

const NO_PARAMETERS = z.strictObject({});
const JSON_MEDIA_TYPE = /^application\/([a-z0-9.+-]+\+)?json\s*(;.*)?$/i;
/** The one key through which parsed JSON can reach an object's prototype when copied. */
const PROTOTYPE_KEY = '__proto__';

class PrototypeKey extends Error {}

function rawBody(event: HttpEvent): Buffer {
  if (!event.body) return Buffer.alloc(0);
  return Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
}

function parseJson(raw: Buffer): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    throw new BadRequest('InvalidJson', 'The body is not valid UTF-8.');
  }
  try {
    // A __proto__ key is refused outright rather than filtered.
    return JSON.parse(text, (key, value: unknown) => {
      if (key === PROTOTYPE_KEY) throw new PrototypeKey();
      return value;
    });
  } catch (error) {
    if (error instanceof PrototypeKey) {
      throw new ValidationFailed([{ path: `body.${PROTOTYPE_KEY}`, message: 'Unknown field' }]);
    }
    throw new BadRequest('InvalidJson', 'The body is not valid JSON.');
  }
}

/** Whitespace, `{}` or `null`: what clients send when they mean no body. */
function isEmptyJson(raw: Buffer): boolean {
  const text = raw.toString('utf8').trim();
  if (text === '' || text === 'null') return true;
  return /^\{\s*\}$/.test(text);
}

function parseBody(spec: OperationSpec, event: HttpEvent): unknown {
  const raw = rawBody(event);
  if (raw.length > MAX_BODY_BYTES) throw new PayloadTooLarge(MAX_BODY_BYTES);
  if (!spec.body) {
    // Many clients and SDKs send `{}` (or `null`) on every POST: both mean "no body" here.
    if (raw.length > 0 && !isEmptyJson(raw)) throw new ValidationFailed([{ path: 'body', message: 'This operation takes no body' }]);
    return undefined;
  }
  if (raw.length === 0) return {};
  if (!JSON_MEDIA_TYPE.test(headerOf(event, 'content-type') ?? '')) throw new UnsupportedMediaType();
  return parseJson(raw);
}

interface ParsedInput {
  params: unknown;
  query: unknown;
  body: unknown;
}

function parseInput(spec: OperationSpec, event: HttpEvent): ParsedInput {
  const body = parseBody(spec, event);
  const errors: FieldError[] = [];
  const input = {
    params: validate(spec.params ?? NO_PARAMETERS, event.pathParameters ?? {}, 'path', errors),
    query: validate(spec.query ?? NO_PARAMETERS, event.queryStringParameters ?? {}, 'query', errors),
    body: spec.body ? validate(spec.body, body, 'body', errors) : undefined,
  };
  if (errors.length > 0) throw new ValidationFailed(errors);
  return input;
}

function render(spec: OperationSpec, outcome: Outcome<unknown>): HttpResult {
  const statusCode = outcome.status ?? spec.status;
  const headers: Record<string, string> = { ...outcome.headers };
  if (outcome.etag !== undefined) headers.ETag = etagOf(outcome.etag);
  if (outcome.location) headers.Location = outcome.location;
  if (statusCode === 204) return { statusCode, headers };
  const declared = statusCode === spec.status ? spec.response : spec.otherSuccesses?.find((other) => other.status === statusCode)?.response;
  if (process.env.VALIDATE_RESPONSES === 'true' && declared) {
    // Tests run with this on, so a handler that drifts from its declared schema fails loudly.
    const check = z.safeParse(declared, outcome.body);
    if (!check.success) throw new Error(`${spec.operationId} answered outside its schema: ${check.error.message}`);
  }
  headers['Content-Type'] = 'application/json';
  return { statusCode, headers, body: JSON.stringify(outcome.body ?? {}) };
}

function stored(result: HttpResult): StoredResponse {
  return { statusCode: result.statusCode ?? 200, headers: result.headers ?? {}, ...(result.body ? { body: result.body } : {}) };
}

function replay(record: IdempotencyRecord, fingerprint: string): HttpResult {
  if (record.fingerprint !== fingerprint) throw new IdempotencyKeyReused();
  const { statusCode, headers, body } = record.response;
  return { statusCode, headers: { ...headers, 'Idempotent-Replayed': 'true' }, ...(body ? { body } : {}) };
}

function finish(result: HttpResult, requestId: string): HttpResult {
  return {
    ...result,
    headers: { 'Cache-Control': 'no-store', ...result.headers, 'X-Request-Id': requestId },
  };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The kit's `httpHandler(spec, run)`, given what the domains contribute to every commit (see HttpWiring). */
export function httpHandlerWith<Event>(wiring: HttpWiring<Event>) {
  return function httpHandler<P extends z.core.$ZodType, Q extends z.core.$ZodType, B extends z.core.$ZodType, R extends z.core.$ZodType>(
    spec: OperationSpec<P, Q, B, R>,
    run: (request: HttpRequest<z.output<P>, z.output<Q>, z.output<B>>) => Promise<Outcome<NoInfer<z.input<R>>, Event>>,
  ) {
    return wiredHandler(wiring, spec, run);
  };
}

function wiredHandler<Event, P extends z.core.$ZodType, Q extends z.core.$ZodType, B extends z.core.$ZodType, R extends z.core.$ZodType>(
  wiring: HttpWiring<Event>,
  spec: OperationSpec<P, Q, B, R>,
  run: (request: HttpRequest<z.output<P>, z.output<Q>, z.output<B>>) => Promise<Outcome<NoInfer<z.input<R>>, Event>>,
) {
  const operation = spec as unknown as OperationSpec;
  const mutating = isMutating(spec);
  const guardTenant = mutating && isTenantRole(spec.access);

  async function handle(event: HttpEvent, context: Context): Promise<HttpResult> {
    const requestId = event.requestContext?.requestId || context.awsRequestId;
    logger.appendKeys({
      requestId,
      operationId: spec.operationId,
      correlationId: headerOf(event, 'x-correlation-id') ?? requestId,
    });
    try {
      const caller = spec.access === 'public' ? ANONYMOUS : callerFromClaims(event.requestContext?.authorizer?.jwt?.claims);
      authorize(caller, spec.access);
      if (caller.tenantId) logger.appendKeys({ tenantId: caller.tenantId });
      const input = parseInput(operation, event);
      const ifMatch = parseIfMatch(headerOf(event, 'if-match'));
      const key = mutating ? parseIdempotencyKey(headerOf(event, 'idempotency-key')) : undefined;
      const recordId = key && idempotencyRecordId(caller.tenantId ?? `user:${caller.userId}`, spec.operationId, key);
      const fingerprint = recordId ? requestFingerprint(spec.method, event.rawPath, { query: input.query, body: input.body }) : '';

      let committed: { result: HttpResult; afterCommit?: () => Promise<void> } | undefined;
      for (let attempt = 1; !committed; attempt++) {
        try {
          // One time for the whole attempt: what the handler computes from it (running time) and
          // the events' occurredAt agree to the millisecond, which metering relies on.
          const now = new Date();
          const outcome = await run({
            requestId,
            caller,
            params: input.params as z.output<P>,
            query: input.query as z.output<Q>,
            body: input.body as z.output<B>,
            ifMatch,
            header: (name) => headerOf(event, name),
            now,
            event,
            context,
          });
          const result = render(operation, outcome as Outcome<unknown>);
          const writes = mutating
            ? [
                // First, so that a suspended tenant hears 403 rather than whatever else failed.
                ...(guardTenant && caller.tenantId ? [wiring.tenantGuard(caller.tenantId)] : []),
                ...(outcome.writes ?? []),
                ...wiring.eventWrites(outcome.events, { actor: `user:${caller.userId}`, requestId, now }),
              ]
            : [];
          const watch = new Set<number>();
          if (recordId) {
            watch.add(writes.length);
            writes.push(idempotencyWrite(recordId, fingerprint, stored(result)));
          }
          await commitWrites(writes, watch);
          committed = { result, ...(outcome.afterCommit ? { afterCommit: outcome.afterCommit } : {}) };
        } catch (error) {
          if (error instanceof ConditionLost && recordId) {
            const record = liveRecord(error.current) ?? (await readIdempotencyRecord(recordId));
            if (record) return finish(replay(record, fingerprint), requestId);
            if (attempt >= MAX_ATTEMPTS) throw concurrentModification();
            continue;
          }
          if (error instanceof RetryRequest) {
            if (attempt >= MAX_ATTEMPTS) throw concurrentModification();
            await pause(retryDelayMs(attempt));
            continue;
          }
          if (recordId && error instanceof ApiError) {
            // The first of two duplicates may have committed while this one was computing.
            const record = await readIdempotencyRecord(recordId);
            if (record) return finish(replay(record, fingerprint), requestId);
          }
          throw error;
        }
      }
      // Outside the retry loop: what it throws is the answer, not a race to run again or replay.
      await committed.afterCommit?.();
      return finish(committed.result, requestId);
    } catch (error) {
      if (error instanceof ApiError && error.status < 500) {
        logger.info('request rejected', { status: error.status, code: error.code });
      } else {
        logger.error('request failed', error as Error);
      }
      return finish(problemResponse(error, requestId, event.rawPath), requestId);
    }
  }

  const handler = middy<HttpEvent, HttpResult>(handle)
    .use(injectLogContext<HttpEvent, HttpResult>())
    // An API sends no HTML: the browser-document headers and reporting endpoints do not apply.
    .use(httpSecurityHeaders({ poweredBy: false, reportingEndpoints: false } as never));
  return Object.assign(handler, { operation: spec });
}
