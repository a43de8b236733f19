/** Route tables, pure: the response schema and the builder of a new (non-main) table. The record type comes from vpc.ts. */
import * as z from 'zod/mini';
import { newId } from '../kit/ids';
import { localRoute, routeSchema } from './routes';
import type { RouteTableRecord } from './vpc';

export type RouteTable = RouteTableRecord;

export const routeTableSchema = z.lazy(() => z
  .object({
    id: z.string(),
    tenantId: z.string(),
    vpcId: z.string(),
    isMain: z.boolean().check(z.describe('The VPC\'s main table: subnets without an association use it. It goes with the VPC only.')),
    routes: z.array(routeSchema),
    associationCount: z.int().check(z.describe('Subnets associated with the table explicitly; while > 0 it cannot be deleted.')),
    associations: z
      .optional(z.array(z.object({ associationId: z.string(), subnetId: z.string() })))
      .check(z.describe('GET /v1/route-tables/{id} only: the subnets associated with the table (lists leave it out).')),
    createdAt: z.string(),
    updatedAt: z.string(),
    version: z.int(),
    tags: z.record(z.string(), z.string()),
  })
  .check(z.meta({ id: 'RouteTable' })));

export const associationSchema = z
  .object({
    associationId: z.string().check(z.describe('rtbassoc-...')),
    routeTableId: z.string(),
    subnetId: z.string(),
  })
  .check(z.meta({ id: 'RouteTableAssociation' }));
export type Association = z.output<typeof associationSchema>;

export function buildRouteTable(input: { tenantId: string; vpcId: string; vpcCidrBlock: string; tags?: Record<string, string>; now: Date }): RouteTable {
  const at = input.now.toISOString();
  return {
    id: newId('rtb'),
    tenantId: input.tenantId,
    vpcId: input.vpcId,
    isMain: false,
    routes: [localRoute(input.vpcCidrBlock)],
    associationCount: 0,
    createdAt: at,
    updatedAt: at,
    version: 1,
    tags: input.tags ?? {},
  };
}
