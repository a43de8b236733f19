/** Hand-built API Gateway v2 events and Lambda contexts for driving handlers without a gateway. */
import type { Context } from 'aws-lambda';
import type { HttpEvent, HttpResult } from '../../../functions/kit/http';
import type { Problem } from '../../../functions/kit/problem';

export type Claims = Record<string, string | number | boolean | string[]>;

export const MEMBER_CLAIMS: Claims = { sub: 'u1', tenant_id: 't1', roles: '[member]' };

export interface EventOptions {
  method?: string;
  path?: string;
  /** Header names are lowercased, as API Gateway v2 hands them over. */
  headers?: Record<string, string>;
  query?: Record<string, string>;
  pathParameters?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
  /** `null` sends no authorizer at all (no token). */
  claims?: Claims | null;
  requestId?: string;
}

export function httpEvent(options: EventOptions = {}): HttpEvent {
  const method = options.method ?? 'GET';
  const path = options.path ?? '/v1/test';
  const claims = options.claims === undefined ? MEMBER_CLAIMS : options.claims;
  const query = options.query;
  const headers = Object.fromEntries(Object.entries(options.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: query ? new URLSearchParams(query).toString() : '',
    headers,
    ...(query ? { queryStringParameters: query } : {}),
    ...(options.pathParameters ? { pathParameters: options.pathParameters } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.test',
      domainPrefix: 'api',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'jest' },
      requestId: options.requestId ?? 'req-123',
      routeKey: `${method} ${path}`,
      stage: '$default',
      time: '22/Nov/2026:10:00:00 +0000',
      timeEpoch: 1795000000000,
      ...(claims ? { authorizer: { jwt: { claims, scopes: null } } } : {}),
    },
    ...(options.body !== undefined ? { body: options.body } : {}),
    isBase64Encoded: options.isBase64Encoded ?? false,
  };
}

export function lambdaContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'unit-test-function',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:unit-test-function',
    memoryLimitInMB: '256',
    awsRequestId: 'aws-req-1',
    logGroupName: '/aws/lambda/unit-test-function',
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => 30000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** The parsed problem+json body of an error response. */
export function problemOf(result: HttpResult): Problem {
  return JSON.parse(result.body ?? '{}') as Problem;
}
