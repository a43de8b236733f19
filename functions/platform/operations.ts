import * as z from 'zod';
import { ROLES } from '../kit/auth';
import { defineOperation } from '../kit/operation';

const health = z
  .object({
    status: z.enum(['ok', 'unavailable']),
    checks: z.record(z.string(), z.object({ status: z.enum(['ok', 'down']), latencyMs: z.number().optional() })),
  })
  .meta({ id: 'Health' });

export const getHealth = defineOperation(() => ({
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

export const getOpenApi = defineOperation(() => ({
  operationId: 'getOpenApi',
  method: 'GET',
  path: '/v1/openapi.json',
  handler: 'platform/get-openapi',
  domain: 'platform',
  summary: 'This OpenAPI 3.1 document',
  access: 'public',
  status: 200,
  response: z.record(z.string(), z.unknown()).meta({ id: 'OpenApiDocument' }),
}));

export const getMe = defineOperation(() => ({
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
      email: z.string().optional(),
      roles: z.array(z.enum(ROLES as [string, ...string[]])),
      tenant: z.object({ id: z.string() }).nullable().describe('Null for operators whose token names no tenant.'),
    })
    .meta({ id: 'Me' }),
}));

const region = z.object({ name: z.string(), status: z.literal('available') }).meta({ id: 'Region' });
const zone = z
  .object({ name: z.string(), zoneId: z.string(), region: z.string(), state: z.literal('available') })
  .meta({ id: 'AvailabilityZone' });

export const listRegions = defineOperation(() => ({
  operationId: 'listRegions',
  method: 'GET',
  path: '/v1/regions',
  handler: 'platform/list-regions',
  domain: 'platform',
  summary: 'The region this deployment serves',
  access: 'authenticated',
  status: 200,
  response: z.object({ items: z.array(region) }).meta({ id: 'RegionList' }),
}));

export const listAvailabilityZones = defineOperation(() => ({
  operationId: 'listAvailabilityZones',
  method: 'GET',
  path: '/v1/availability-zones',
  handler: 'platform/list-availability-zones',
  domain: 'platform',
  summary: "The region's availability zones",
  access: 'authenticated',
  status: 200,
  response: z.object({ items: z.array(zone) }).meta({ id: 'AvailabilityZoneList' }),
}));

export const platformOperations = [getHealth, getOpenApi, getMe, listRegions, listAvailabilityZones];
