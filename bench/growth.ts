/**
 * Growth: the latency of a list page (GET /v1/vpcs, the default 20 items) and of a get
 * (GET /v1/vpcs/{id}) in tenants holding 10³ and 10⁴ VPCs (and 10⁵ with --full), measured in
 * alternating phases across the tenants. Flat is the promise: every list is a Query with a limit and
 * every get a GetItem, so neither may grow with the tenant.
 */
import { BatchWriteCommand, type BatchWriteCommandInput, type BatchWriteCommandOutput } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../functions/kit/db';
import { networkTable } from '../functions/networking/keys';
import { buildVpc } from '../functions/networking/vpc';
import { vpcItem } from '../functions/networking/vpc-repository';
import { ownerOfProvisionedTenant } from '../test/support/platform';
import { alternate, expectStatus, type Side } from './support/load';
import { fixed, ms, ratio, type BenchContext, type Section, type Target } from './support/report';

export const GROWTH_TARGET = 1.3;
const BATCH = 25;
const WRITERS = 4;
const SAMPLED_IDS = 200;

/** Writes `count` VPC items into the tenant directly (BatchWriteItem): what the list and the get read. */
async function seedVpcs(tenantId: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  let made = 0;
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (made < count) {
        const size = Math.min(BATCH, count - made);
        made += size;
        const items = Array.from({ length: size }, (_, i) => vpcItem(buildVpc({ tenantId, cidrBlock: `10.${i}.0.0/16`, now: new Date() }).vpc));
        if (ids.length < SAMPLED_IDS) ids.push(...items.map((item) => String(item.id)));
        let requests: BatchWriteCommandInput['RequestItems'] = { [networkTable()]: items.map((Item) => ({ PutRequest: { Item } })) };
        while (requests && Object.keys(requests).length > 0) {
          const out: BatchWriteCommandOutput = await documentClient().send(new BatchWriteCommand({ RequestItems: requests }));
          requests = out.UnprocessedItems;
        }
      }
    }),
  );
  return ids;
}

export async function growth(ctx: BenchContext): Promise<Section> {
  const sizes = ctx.full ? [1_000, 10_000, 100_000] : [1_000, 10_000];
  const tenants = [];
  const seeding: string[] = [];
  for (const size of sizes) {
    const { token, tenantId } = await ownerOfProvisionedTenant(ctx.platform);
    const t0 = performance.now();
    const ids = await seedVpcs(tenantId, size);
    seeding.push(`${size}: ${fixed((performance.now() - t0) / 1000, 1)} s`);
    tenants.push({ size, token, ids });
  }

  const sides: Side[] = tenants.flatMap(({ size, token, ids }) => {
    let next = 0;
    return [
      {
        name: `list ${size}`,
        op: async () => {
          const page = expectStatus(await ctx.http('GET', '/v1/vpcs', { token }), 200, 'list');
          if (!page.body.includes('nextCursor')) throw new Error(`the first page of ${size} VPCs has no next page`);
        },
      },
      {
        name: `get ${size}`,
        op: async () => {
          expectStatus(await ctx.http('GET', `/v1/vpcs/${ids[next++ % ids.length]}`, { token }), 200, 'get');
        },
      },
    ];
  });
  const stats = await alternate(sides, { concurrency: 1, phaseMs: 1000, rounds: 4 });

  const rows: (string | number)[][] = [];
  const targets: Target[] = [];
  const [listBase, getBase] = [stats[0]!, stats[1]!];
  for (const [index, { size }] of tenants.entries()) {
    const list = stats[index * 2]!;
    const get = stats[index * 2 + 1]!;
    rows.push([size.toLocaleString('en'), ms(list.p50), ms(list.p99), ratio(list.p50 / listBase.p50), ms(get.p50), ms(get.p99), ratio(get.p50 / getBase.p50)]);
    if (index > 0) {
      targets.push({ label: `list page p50 at ${size.toLocaleString('en')} items ≤ ${GROWTH_TARGET}× at ${sizes[0]!.toLocaleString('en')}`, measured: fixed(list.p50 / listBase.p50), met: list.p50 / listBase.p50 <= GROWTH_TARGET });
      targets.push({ label: `get p50 at ${size.toLocaleString('en')} items ≤ ${GROWTH_TARGET}× at ${sizes[0]!.toLocaleString('en')}`, measured: fixed(get.p50 / getBase.p50), met: get.p50 / getBase.p50 <= GROWTH_TARGET });
    }
  }
  return {
    title: 'Growth: list page and get latency vs items in the tenant',
    method:
      `One tenant per size, its VPC items written directly (BatchWriteItem); then, at concurrency 1, four 1 s phases per ` +
      `tenant and request in alternating order, so every size sees the same machine. Gets cycle over ${SAMPLED_IDS} of the tenant's ids.` +
      (ctx.full ? '' : ' 10⁵ items run with `--full` (about two minutes of seeding at DynamoDB Local\'s rate).'),
    headers: ['VPCs in the tenant', 'List p50', 'List p99', 'List p50 vs smallest', 'Get p50', 'Get p99', 'Get p50 vs smallest'],
    rows,
    targets,
    notes: [`Seeding took ${seeding.join(', ')}.`],
  };
}
