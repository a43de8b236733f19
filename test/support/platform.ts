/** End-to-end helpers: a platform on the run's DynamoDB Local with its own tables, and a small client. */
import { randomBytes } from 'node:crypto';
import type { Role } from '../../functions/kit/auth';
import { manifest } from '../../functions/manifest';
import type { JWK } from 'jose';
import { createLocalIssuer } from '../../lib/local/issuer';
import { startPlatform, type Platform, type PlatformOptions } from '../../lib/local/runtime';
import { putActiveTenant } from '../../lib/local/seed';
import { newId } from '../../functions/kit/ids';
import { commitWrites } from '../../functions/kit/transaction';
import { PLANS, QUOTA_NAMES, type QuotaName } from '../../functions/tenancy/plans';
import { setQuotaLimit } from '../../functions/tenancy/quotas';
import { loadWithWidgets } from '../fixtures/widgets/handlers';
import { widgetOperations } from '../fixtures/widgets/operations';

export function uniquePrefix(label: string): string {
  return `t${randomBytes(4).toString('hex')}-${label}-`;
}

/** One issuer key per test process: every platform a test file starts signs with it. */
let issuerKey: Promise<JWK> | undefined;

export async function startTestPlatform(label: string, options: PlatformOptions = {}): Promise<Platform> {
  issuerKey ??= createLocalIssuer().then((issuer) => issuer.privateJwk);
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  if (!endpoint) throw new Error('DYNAMODB_ENDPOINT is not set: run through jest, whose global setup starts DynamoDB Local');
  return startPlatform({
    memory: true,
    dynamodbEndpoint: endpoint,
    tablePrefix: uniquePrefix(label),
    operations: [...manifest.operations, ...widgetOperations],
    loadHandler: loadWithWidgets,
    issuerKey: await issuerKey,
    ...options,
  });
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  rawBody?: string | Buffer;
  headers?: Record<string, string>;
}

export function client(baseUrl: string) {
  return async function call<T = any>(method: string, path: string, options: CallOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | Buffer | undefined = options.rawBody;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${baseUrl}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON: leave the text for the assertion to show.
    }
    return { status: response.status, headers: response.headers, body: parsed as T };
  };
}

export async function tokenFor(platform: Platform, roles: Role[], tenantId?: string): Promise<string> {
  return platform.token({ roles, ...(tenantId ? { tenantId } : roles.includes('platform-admin') ? {} : { tenantId: platform.demoTenantId }) });
}

/** A token for the owner of a new active tenant of its own, so tests that count things do not meet. */
export async function ownerOfNewTenant(platform: Platform): Promise<string> {
  const tenant = await putActiveTenant(newId('tnt'), { name: 'Test tenant' });
  return platform.token({ roles: ['owner'], tenantId: tenant.id });
}

/**
 * A token for the owner of a new active tenant that also has quota counters (its plan's limits,
 * `limits` overriding some), as the provisioning saga leaves them; returns the tenant id too.
 */
export async function ownerOfProvisionedTenant(
  platform: Platform,
  limits: Partial<Record<QuotaName, number>> = {},
): Promise<{ token: string; tenantId: string }> {
  const tenant = await putActiveTenant(newId('tnt'), { name: 'Test tenant', plan: 'pro' });
  const now = new Date();
  const quotas = { ...PLANS.pro.quotas, ...limits };
  await commitWrites(QUOTA_NAMES.map((name) => setQuotaLimit(tenant.id, name, quotas[name], now)));
  return { token: await platform.token({ roles: ['owner'], tenantId: tenant.id }), tenantId: tenant.id };
}
