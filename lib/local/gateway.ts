/**
 * The local gateway: a node:http server that does what API Gateway's HTTP API does in the cloud.
 * It matches the manifest's routes, verifies bearer tokens for non-public ones, builds the same
 * payload-format-2.0 event, and invokes the same handler module in-process with a Lambda-like
 * context. Local-only routes (tokens, JWKS, mail) sit beside the manifest's, never in it.
 */
import { randomFillSync } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { InvokeStore, InvokeStoreBase } from '@aws/lambda-invoke-store';
import type { Context } from 'aws-lambda';
import type { JWTPayload } from 'jose';
import { problemResponse } from '../../functions/kit/problem';
import { ApiError, BadRequest, NotFound, PayloadTooLarge, Unauthorized, statusTitle } from '../../functions/kit/errors';
import type { AnyOperation } from '../../functions/kit/operation';
import type { HttpEvent, HttpResult } from '../../functions/kit/http';
import { localContext } from './invoke';
import { claimsAsApiGatewayPassesThem, type LocalIssuer } from './issuer';

/** API Gateway's own limits: 10 MB per request, 30 s per integration. */
export const GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;
export const GATEWAY_TIMEOUT_MS = 30_000;

export type LambdaHandler = (event: HttpEvent, context: Context) => Promise<unknown>;

export interface LocalRouteRequest {
  body: unknown;
  query: URLSearchParams;
}
export type LocalRoute = (request: LocalRouteRequest) => Promise<{ status: number; body: unknown }>;

export interface GatewayOptions {
  operations: AnyOperation[];
  issuer: LocalIssuer;
  /** Routes that exist only locally, keyed `METHOD /path`. */
  localRoutes?: Record<string, LocalRoute>;
  loadHandler?: (operation: AnyOperation) => LambdaHandler;
  port?: number;
  host?: string;
  timeoutMs?: number;
  onRequest?: (line: { requestId: string; routeKey: string; status: number; ms: number }) => void;
}

export interface Gateway {
  url: string;
  port: number;
  server: Server;
  /** Route keys (`GET /v1/me`) the gateway serves from the manifest. */
  routeKeys(): string[];
  close(): Promise<void>;
}

interface CompiledRoute {
  operation: AnyOperation;
  pattern: RegExp;
  names: string[];
  literalSegments: number;
}

const FUNCTIONS_DIR = join(__dirname, '..', '..', 'functions');

export function requireHandler(operation: AnyOperation): LambdaHandler {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const module = require(join(FUNCTIONS_DIR, operation.handler)) as { handler?: LambdaHandler };
  if (typeof module.handler !== 'function') throw new Error(`${operation.handler} exports no handler`);
  return module.handler;
}

function compile(operation: AnyOperation): CompiledRoute {
  const names: string[] = [];
  const segments = operation.path.split('/').filter(Boolean);
  const source = segments
    .map((segment) => {
      const param = /^\{([A-Za-z0-9_]+)(\+)?\}$/.exec(segment);
      if (!param) return `/${segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;
      names.push(param[1] as string);
      return param[2] ? '/(.+)' : '/([^/]+)';
    })
    .join('');
  return {
    operation,
    pattern: new RegExp(`^${source}$`),
    names,
    literalSegments: segments.filter((s) => !s.startsWith('{')).length,
  };
}

/** Random bytes drawn from a pool refilled 4 KiB at a time: one getrandom call per 341 requests, not one each. */
const idPool = { bytes: Buffer.alloc(4092), used: 4092 };

function apiGatewayRequestId(): string {
  if (idPool.used + 12 > idPool.bytes.length) {
    randomFillSync(idPool.bytes);
    idPool.used = 0;
  }
  const id = idPool.bytes.toString('base64', idPool.used, idPool.used + 12);
  idPool.used += 12;
  return id;
}

/** HTTP API passes text as text and anything else base64-encoded. */
function isTextual(contentType: string | undefined): boolean {
  return !contentType || /^(text\/|application\/([a-z0-9.+-]*\+)?(json|xml|x-www-form-urlencoded|javascript))/i.test(contentType);
}

const NO_BODY = Buffer.alloc(0);

async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  // A request with neither Content-Length nor Transfer-Encoding has no body (RFC 9112 §6.3): no need
  // to wait for the stream's end through an async iterator (node:http discards what is left unread).
  if (request.headers['content-length'] === undefined && request.headers['transfer-encoding'] === undefined) return NO_BODY;
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limit) throw new PayloadTooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new PayloadTooLarge(limit);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function joinedHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || name === 'cookie') continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  return headers;
}

function queryParameters(search: URLSearchParams): Record<string, string> | undefined {
  const result: Record<string, string> = {};
  for (const key of new Set(search.keys())) result[key] = search.getAll(key).join(',');
  return Object.keys(result).length ? result : undefined;
}

function send(response: ServerResponse, status: number, headers: Record<string, string>, body?: string | Buffer): void {
  response.writeHead(status, headers);
  response.end(body);
}

function sendProblem(response: ServerResponse, error: unknown, requestId: string, path: string): void {
  const problem = problemResponse(error, requestId, path);
  send(response, problem.statusCode, { ...problem.headers, 'apigw-requestid': requestId, 'X-Request-Id': requestId }, problem.body);
}

/** Turns what a Lambda returned into an HTTP response, with API Gateway's inference for bare values. */
function sendResult(response: ServerResponse, result: unknown, requestId: string): void {
  const structured = result as HttpResult | undefined;
  if (structured && typeof structured === 'object' && 'statusCode' in structured) {
    const headers: Record<string, string> = { 'apigw-requestid': requestId };
    // Lambda's JSON serialisation drops undefined values before API Gateway sees them.
    for (const [name, value] of Object.entries(structured.headers ?? {})) if (value !== undefined) headers[name] = String(value);
    const status = structured.statusCode ?? 200;
    const body = structured.body === undefined ? undefined : Buffer.from(structured.body, structured.isBase64Encoded ? 'base64' : 'utf8');
    if (structured.cookies?.length) response.setHeader('set-cookie', structured.cookies);
    send(response, status, headers, body);
    return;
  }
  send(response, 200, { 'content-type': 'application/json', 'apigw-requestid': requestId }, JSON.stringify(result ?? null));
}

/**
 * Many invocations share this process, as on a Lambda managed instance with multi-concurrency:
 * the runtime's invoke store (AsyncLocalStorage) keeps each request's log keys to itself. It is
 * concurrent only if AWS_LAMBDA_MAX_CONCURRENCY was set before it loaded (lambda-environment.ts).
 */
async function concurrentInvokeStore() {
  if (!process.env.AWS_LAMBDA_MAX_CONCURRENCY) throw new Error('Call enterConcurrentMode() before the first SDK call');
  return InvokeStore.getInstanceAsync(true);
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const invokeStore = await concurrentInvokeStore();
  const routes = options.operations
    .map(compile)
    // API Gateway prefers the most specific route: more literal segments first.
    .sort((a, b) => b.literalSegments - a.literalSegments || a.names.length - b.names.length);
  const loadHandler = options.loadHandler ?? requireHandler;
  const handlers = new Map<string, LambdaHandler>();
  const timeoutMs = options.timeoutMs ?? GATEWAY_TIMEOUT_MS;

  // By method, in the same order: a request tries only its method's routes.
  const routesByMethod = new Map<string, CompiledRoute[]>();
  for (const route of routes) routesByMethod.set(route.operation.method, [...(routesByMethod.get(route.operation.method) ?? []), route]);

  function match(method: string, path: string) {
    for (const route of routesByMethod.get(method) ?? []) {
      const found = route.pattern.exec(path);
      if (!found) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, index) => {
        try {
          params[name] = decodeURIComponent(found[index + 1] as string);
        } catch {
          throw new BadRequest('InvalidParameterValue', `The path parameter ${name} is not valid URL encoding.`);
        }
      });
      return { route, params };
    }
    return undefined;
  }

  // The verifier answers a repeated token with the same claims object: convert each one once.
  const passedClaims = new WeakMap<JWTPayload, Record<string, string>>();
  async function authorize(request: IncomingMessage): Promise<Record<string, string>> {
    const header = request.headers.authorization ?? '';
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    if (!token) throw new Unauthorized();
    let payload: JWTPayload;
    try {
      payload = await options.issuer.verify(token);
    } catch {
      throw new Unauthorized('The bearer token is invalid or expired.');
    }
    let claims = passedClaims.get(payload);
    if (!claims) {
      claims = claimsAsApiGatewayPassesThem(payload);
      passedClaims.set(payload, claims);
    }
    return { ...claims };
  }

  async function invoke(operation: AnyOperation, event: HttpEvent, requestId: string): Promise<unknown> {
    let handler = handlers.get(operation.operationId);
    if (!handler) {
      handler = loadHandler(operation);
      handlers.set(operation.operationId, handler);
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('integration timeout')), timeoutMs);
    });
    try {
      const context = localContext(`local-${operation.operationId}`, requestId, timeoutMs);
      const invocation = invokeStore.run({ [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: requestId }, () => handler(event, context));
      return await Promise.race([invocation, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = Date.now();
    const requestId = apiGatewayRequestId();
    const method = (request.method ?? 'GET').toUpperCase();
    const url = new URL(request.url ?? '/', 'http://localhost');
    let routeKey = `${method} ${url.pathname}`;
    try {
      const local = options.localRoutes?.[routeKey];
      if (local) {
        const raw = await readBody(request, GATEWAY_MAX_BODY_BYTES);
        let body: unknown;
        try {
          body = raw.length ? JSON.parse(raw.toString('utf8')) : {};
        } catch {
          throw new BadRequest('InvalidJson', 'The body is not valid JSON.');
        }
        const result = await local({ body, query: url.searchParams });
        send(response, result.status, { 'content-type': 'application/json', 'apigw-requestid': requestId }, JSON.stringify(result.body));
        return;
      }
      const found = match(method, url.pathname);
      if (!found) throw new NotFound('RouteNotFound', `No route for ${method} ${url.pathname}.`);
      const { route, params } = found;
      routeKey = `${route.operation.method} ${route.operation.path}`;
      const claims = route.operation.access === 'public' ? undefined : await authorize(request);
      const raw = await readBody(request, GATEWAY_MAX_BODY_BYTES);
      const headers = joinedHeaders(request);
      const textual = isTextual(headers['content-type']);
      const query = url.search ? queryParameters(url.searchParams) : undefined;
      const now = new Date();
      const event: HttpEvent = {
        version: '2.0',
        routeKey,
        rawPath: url.pathname,
        rawQueryString: url.search.slice(1),
        ...(request.headers.cookie ? { cookies: request.headers.cookie.split(/;\s*/) } : {}),
        headers,
        ...(query ? { queryStringParameters: query } : {}),
        ...(route.names.length ? { pathParameters: params } : {}),
        requestContext: {
          accountId: '000000000000',
          apiId: 'local',
          domainName: headers.host ?? 'localhost',
          domainPrefix: 'localhost',
          http: {
            method,
            path: url.pathname,
            protocol: `HTTP/${request.httpVersion}`,
            sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
            userAgent: headers['user-agent'] ?? '',
          },
          requestId,
          routeKey,
          stage: '$default',
          time: now.toUTCString(),
          timeEpoch: now.getTime(),
          ...(claims ? { authorizer: { jwt: { claims, scopes: null } } } : {}),
        },
        ...(raw.length ? { body: raw.toString(textual ? 'utf8' : 'base64') } : {}),
        isBase64Encoded: raw.length > 0 && !textual,
      };
      let result: unknown;
      try {
        result = await invoke(route.operation, event, requestId);
      } catch (error) {
        // What API Gateway answers when the integration fails or times out: nothing about why.
        const timedOut = error instanceof Error && error.message === 'integration timeout';
        send(response, timedOut ? 503 : 500, { 'content-type': 'application/json', 'apigw-requestid': requestId }, JSON.stringify({
          message: timedOut ? 'Service Unavailable' : 'Internal Server Error',
        }));
        return;
      }
      sendResult(response, result, requestId);
    } catch (error) {
      sendProblem(response, error, requestId, url.pathname);
    } finally {
      options.onRequest?.({ requestId, routeKey, status: response.statusCode, ms: Date.now() - started });
    }
  }

  const server = createServer((request, response) => {
    serve(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendProblem(response, error, 'unknown', request.url ?? '/');
    });
  });
  // Requests node:http refuses before any handler runs (a URL or headers over its 16 KB limit, a
  // malformed request line) would get a bare status line: answer them as problem+json like the rest.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const requestId = apiGatewayRequestId();
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const problem = problemResponse(
      new ApiError(tooLarge ? 431 : 400, tooLarge ? 'RequestHeaderFieldsTooLarge' : 'BadRequest', tooLarge ? 'The URL or headers are too large.' : 'The request is not valid HTTP.'),
      requestId,
    );
    const head = [`HTTP/1.1 ${problem.statusCode} ${statusTitle(problem.statusCode)}`, `Content-Type: ${problem.headers['Content-Type']}`];
    head.push(`Content-Length: ${Buffer.byteLength(problem.body)}`, `apigw-requestid: ${requestId}`, 'Connection: close');
    socket.end(`${head.join('\r\n')}\r\n\r\n${problem.body}`);
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${options.host === '0.0.0.0' ? '127.0.0.1' : (options.host ?? '127.0.0.1')}:${port}`,
    port,
    server,
    routeKeys: () => routes.map((r) => `${r.operation.method} ${r.operation.path}`).sort(),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
