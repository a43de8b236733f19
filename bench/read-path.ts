/**
 * Read path: GET /v1/instances/{id} through the local gateway (HTTP, JWT check, handler kit, one
 * consistent GetItem) against the same GetItem sent raw with the DocumentClient, on the same
 * DynamoDB Local, in alternating phases.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { computeTable, instanceKey } from '../functions/compute/keys';
import { documentClient } from '../functions/kit/db';
import { ownerOfProvisionedTenant } from '../test/support/platform';
import { alternate, expectStatus, type Side } from './support/load';
import { fixed, ms, ratio, type BenchContext, type Section, type Target } from './support/report';

export const READ_TARGET = 0.7;
const CONCURRENCIES = [1, 16];

export async function readPath(ctx: BenchContext): Promise<Section> {
  const { token, tenantId } = await ownerOfProvisionedTenant(ctx.platform, { vpcs: 5 });
  const idOf = (response: { body: string }) => (JSON.parse(response.body) as { id: string }).id;
  const vpcId = idOf(expectStatus(await ctx.http('POST', '/v1/vpcs', { token, body: { cidrBlock: '10.0.0.0/16', name: 'bench' } }), 201, 'create the VPC'));
  const subnetId = idOf(expectStatus(await ctx.http('POST', '/v1/subnets', { token, body: { vpcId, cidrBlock: '10.0.1.0/24' } }), 201, 'create the subnet'));
  const id = idOf(
    expectStatus(
      await ctx.http('POST', '/v1/instances', { token, body: { name: 'bench', flavorId: 't3.micro', imageId: 'img-ubuntu-24.04', subnetId } }),
      202,
      'launch the instance',
    ),
  );
  const path = `/v1/instances/${id}`;

  // What one GET costs in DynamoDB calls, counted.
  ctx.meter.reset();
  for (let i = 0; i < 20; i++) expectStatus(await ctx.http('GET', path, { token }), 200, 'GET');
  const perGet = ctx.meter.read().roundTrips / 20;

  const raw: Side = {
    name: 'raw GetItem',
    op: async () => {
      const out = await documentClient().send(new GetCommand({ TableName: computeTable(), Key: instanceKey(tenantId, id), ConsistentRead: true }));
      if (!out.Item) throw new Error('raw GetItem found nothing');
    },
  };
  const api: Side = {
    name: 'GET /v1/instances/{id}',
    op: async () => {
      expectStatus(await ctx.http('GET', path, { token }), 200, 'GET');
    },
  };

  // For the diagnosis, not a target: an authenticated operation that calls no DynamoDB (the fixed
  // cost of the HTTP hop, the token check and the handler kit).
  const noDatabase: Side = {
    name: 'GET /v1/regions',
    op: async () => {
      expectStatus(await ctx.http('GET', '/v1/regions', { token }), 200, 'GET /v1/regions');
    },
  };

  const rows: (string | number)[][] = [];
  const targets: Target[] = [];
  const fixedCost: string[] = [];
  for (const concurrency of CONCURRENCIES) {
    const [reference, ours, kit] = await alternate([raw, api, noDatabase], { concurrency, phaseMs: 1500, rounds: 4 });
    fixedCost.push(`${fixed(kit!.perSecond, 0)} req/s, p50 ${ms(kit!.p50)} at concurrency ${concurrency}`);
    const share = ours!.perSecond / reference!.perSecond;
    rows.push([
      concurrency,
      fixed(reference!.perSecond, 0),
      ms(reference!.p50),
      ms(reference!.p99),
      fixed(ours!.perSecond, 0),
      ms(ours!.p50),
      ms(ours!.p99),
      ratio(share),
    ]);
    targets.push({ label: `API ≥ ${READ_TARGET} of raw GetItem throughput at concurrency ${concurrency}`, measured: fixed(share), met: share >= READ_TARGET });
  }
  return {
    title: 'Read path: GET /v1/instances/{id} vs raw GetItem',
    method:
      'Closed-loop workers, four 1.5 s phases per side in alternating order after a warm-up; the API is called over HTTP (keep-alive) ' +
      'by a client in the same process as the gateway, so the API side also pays for its client.',
    headers: ['Concurrency', 'Raw req/s', 'Raw p50', 'Raw p99', 'API req/s', 'API p50', 'API p99', 'API / raw'],
    rows,
    targets,
    notes: [
      `DynamoDB round trips per GET (counted): ${fixed(perGet)}.`,
      `The API's fixed cost, measured alongside with GET /v1/regions (authenticated, no DynamoDB call): ${fixedCost.join('; ')}.`,
    ],
  };
}
