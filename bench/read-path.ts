/**
 * Read path: GET /v1/instances/{id} through the local gateway (HTTP, JWT check, handler kit, one
 * consistent GetItem) against two references measured in the same batches: the same GetItem sent
 * raw with the same DocumentClient, and a minimal gateway (node:http, jose, one GetItem, nothing
 * else; support/minimal-gateway.ts) called over HTTP by the same kind of client. Requests of all
 * sides are interleaved, side after side in a random order each round, on the same DynamoDB Local.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { computeTable, instanceKey } from '../functions/compute/keys';
import { documentClient } from '../functions/kit/db';
import { ownerOfProvisionedTenant } from '../test/support/platform';
import { expectStatus, httpClient, interleaved, type PairedSide } from './support/load';
import { startMinimalGateway } from './support/minimal-gateway';
import { fixed, ms, spread, type BenchContext, type Section, type Target } from './support/report';

/** What the API must reach of each reference's throughput, by concurrency. */
export const READ_TARGETS: Record<number, { raw: number; minimal?: number }> = { 1: { raw: 0.75, minimal: 0.9 }, 16: { raw: 0.7 } };
const CONCURRENCIES = [1, 16];
const BATCHES = 7;
const BATCH_MS = 1500;

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

  const minimal = await startMinimalGateway(ctx.platform.issuer.jwks);
  const minimalHttp = httpClient(minimal.url);
  expectStatus(await minimalHttp('GET', path, { token }), 200, 'GET through the minimal gateway');

  const api: PairedSide = {
    name: 'GET /v1/instances/{id}',
    op: async () => {
      expectStatus(await ctx.http('GET', path, { token }), 200, 'GET');
    },
  };
  const raw: PairedSide = {
    name: 'raw GetItem',
    op: async () => {
      const out = await documentClient().send(new GetCommand({ TableName: computeTable(), Key: instanceKey(tenantId, id), ConsistentRead: true }));
      if (!out.Item) throw new Error('raw GetItem found nothing');
    },
  };
  const bare: PairedSide = {
    name: 'minimal gateway',
    op: async () => {
      expectStatus(await minimalHttp('GET', path, { token }), 200, 'GET through the minimal gateway');
    },
  };
  // For the diagnosis, not a target: an authenticated operation that calls no DynamoDB (the fixed
  // cost of the HTTP hop, the token check and the handler kit).
  const noDatabase: PairedSide = {
    name: 'GET /v1/regions',
    op: async () => {
      expectStatus(await ctx.http('GET', '/v1/regions', { token }), 200, 'GET /v1/regions');
    },
  };

  const rows: (string | number)[][] = [];
  const targets: Target[] = [];
  const fixedCost: string[] = [];
  try {
    for (const concurrency of CONCURRENCIES) {
      const { stats, ratios } = await interleaved([api, raw, bare, noDatabase], { concurrency, batches: BATCHES, batchMs: BATCH_MS });
      const [ours, reference, least, kit] = stats;
      const [, vsRaw, vsMinimal] = ratios;
      fixedCost.push(`p50 ${ms(kit!.p50)} at concurrency ${concurrency}`);
      rows.push([
        concurrency,
        `${ms(reference!.p50)} / ${ms(reference!.p99)}`,
        `${ms(least!.p50)} / ${ms(least!.p99)}`,
        `${ms(ours!.p50)} / ${ms(ours!.p99)}`,
        spread(vsRaw!),
        spread(vsMinimal!),
      ]);
      const goal = READ_TARGETS[concurrency]!;
      targets.push({ label: `API ≥ ${goal.raw} of raw GetItem throughput at concurrency ${concurrency}`, measured: fixed(vsRaw!.median), met: vsRaw!.median >= goal.raw });
      if (goal.minimal !== undefined) {
        targets.push({
          label: `API ≥ ${goal.minimal} of the minimal gateway's throughput at concurrency ${concurrency}`,
          measured: fixed(vsMinimal!.median),
          met: vsMinimal!.median >= goal.minimal,
        });
      }
    }
  } finally {
    minimalHttp.close();
    await minimal.close();
  }
  return {
    title: 'Read path: GET /v1/instances/{id} vs raw GetItem and a minimal gateway',
    method:
      `Interleaved: each round sends one request of every side from every worker (the API, the raw GetItem, the minimal gateway, ` +
      `GET /v1/regions), side after side in a random order each round, a side's workers at once (so each side runs at the full ` +
      `concurrency); ${BATCHES} batches of ${BATCH_MS / 1000} s after a warm-up. A batch's ratio is the median over its pairs (a ` +
      `worker's API request and its reference request of the same round) of the reference's latency over the API's (in a closed loop, ` +
      `throughput is concurrency / latency); the table gives the median batch ratio and, in brackets, the lowest and highest. HTTP sides are called over keep-alive by a client in the same process, ` +
      `so they also pay for their client.`,
    headers: ['Concurrency', 'Raw GetItem p50 / p99', 'Minimal gateway p50 / p99', 'API p50 / p99', 'API / raw (min–max)', 'API / minimal gateway (min–max)'],
    rows,
    targets,
    notes: [
      `DynamoDB round trips per GET (counted): ${fixed(perGet)}.`,
      'The minimal gateway verifies tokens with jose (WebCrypto: each signature check goes to the libuv thread pool and back); the local ' +
        'gateway makes the same checks synchronously with node:crypto (test/unit/local-issuer.test.ts holds it to jose\'s verdicts), a ' +
        'few hundred microseconds less per request: that difference, not less work, is what can put the API above 1× of the minimal gateway.',
      `The API's fixed cost, measured in the same rounds with GET /v1/regions (authenticated, no DynamoDB call): ${fixedCost.join('; ')}.`,
    ],
  };
}
