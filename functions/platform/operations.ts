import * as z from 'zod/mini';
import { ROLES } from '../kit/auth';
import { defineOperation } from '../kit/operation';

const health = z.lazy(() => z
  .object({
    status: z.enum(['ok', 'unavailable']),
    checks: z.record(z.string(), z.object({ status: z.enum(['ok', 'down']), latencyMs: z.optional(z.number()) })),
  })
  .check(z.meta({ id: 'Health' })));

export const getHealth = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'getHealth',
  method: 'GET',
  path: '/v1/health',
  handler: 'platform/get-health',
  domain: 'platform',
  summary: 'Health of the API and its dependencies',
  description: 'Answers 200 when DynamoDB answers, 503 (same body, `status: unavailable`) when it does not.',
  access: 'public',
  status: 200,
  response: health,
  errors: [{ status: 503, code: 'ServiceUnavailable', description: 'A dependency is down; the body says which.' }],
}));

export const getOpenApi = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'getOpenApi',
  method: 'GET',
  path: '/v1/openapi.json',
  handler: 'platform/get-openapi',
  domain: 'platform',
  summary: 'This OpenAPI 3.1 document',
  access: 'public',
  status: 200,
  response: z.record(z.string(), z.unknown()).check(z.meta({ id: 'OpenApiDocument' })),
}));

export const getMe = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'getMe',
  method: 'GET',
  path: '/v1/me',
  handler: 'platform/get-me',
  domain: 'platform',
  summary: 'The caller: user, tenant and roles',
  access: 'authenticated',
  status: 200,
  response: z
    .object({
      userId: z.string(),
      email: z.optional(z.string()),
      roles: z.array(z.enum(ROLES as [string, ...string[]])),
      tenant: z.nullable(z.object({ id: z.string() })).check(z.describe('Null for operators whose token names no tenant.')),
    })
    .check(z.meta({ id: 'Me' })),
}));

const region = z.object({ name: z.string(), status: z.literal('available') }).check(z.meta({ id: 'Region' }));
const zone = z
  .object({ name: z.string(), zoneId: z.string(), region: z.string(), state: z.literal('available') })
  .check(z.meta({ id: 'AvailabilityZone' }));

export const listRegions = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'listRegions',
  method: 'GET',
  path: '/v1/regions',
  handler: 'platform/list-regions',
  domain: 'platform',
  summary: 'The region this deployment serves',
  access: 'authenticated',
  status: 200,
  response: z.object({ items: z.array(region) }).check(z.meta({ id: 'RegionList' })),
}));

export const listAvailabilityZones = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'listAvailabilityZones',
  method: 'GET',
  path: '/v1/availability-zones',
  handler: 'platform/list-availability-zones',
  domain: 'platform',
  summary: "The region's availability zones",
  access: 'authenticated',
  status: 200,
  response: z.object({ items: z.array(zone) }).check(z.meta({ id: 'AvailabilityZoneList' })),
}));

export const platformOperations = [getHealth, getOpenApi, getMe, listRegions, listAvailabilityZones];
