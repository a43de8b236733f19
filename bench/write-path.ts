/**
 * Write path: POST /v1/vpcs with an Idempotency-Key against its own transaction sent raw.
 * "Its own" is taken literally: the meter captures the TransactWriteItems each API create sends, and
 * the raw side sends that very input again, on the same tables, through the same DocumentClient (so
 * the same client settings, sockets and marshalling), with only what must be unique made new: the
 * ids of the created resources, event and audit entry (fresh ids of the same length) and the
 * idempotency key (another of the same length). Same items, same sizes, same conditions (the tenant
 * check, the quota counter, attribute_not_exists), one round trip each. Each worker writes to its own
 * tenant, as independent clients would; API creates and raw transactions alternate in a random
 * order. A raw PutItem of the VPC item is shown for information.
 */
import { PutCommand, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { newId } from '../functions/kit/ids';
import { ownerOfProvisionedTenant } from '../test/support/platform';
import { expectStatus, interleaved, type PairedSide } from './support/load';
import { fixed, ms, ratio, spread, type BenchContext, type Section, type Target } from './support/report';
import { documentClient } from '../functions/kit/db';

export const WRITE_TARGET = 0.9;
const CONCURRENCIES = [1, 16];
const BATCHES = 7;
const BATCH_MS = 2000;
const TRANSACT = 'TransactWriteItemsCommand';
type TransactInput = TransactWriteCommandInput & { TransactItems: NonNullable<TransactWriteCommandInput['TransactItems']> };

/** The partition a transaction writes to (its tenant), from its first item. */
function partitionOf(input: TransactInput): string {
  const first = input.TransactItems[0] as Record<string, { Key?: { pk?: string }; Item?: { pk?: string } }>;
  const action = Object.values(first)[0];
  return String(action?.Key?.pk ?? action?.Item?.pk);
}

const ID = /\b([a-z]{1,12})-[0-9a-hjkmnp-tv-z]{26}\b/g;
const KEY_WIDTH = 7;
/** The API's idempotency keys and the replay's: the same length, so the records are the same size. */
const apiKey = (n: number) => `bench-${String(n).padStart(KEY_WIDTH, '0')}`;
const API_KEY = new RegExp(`#bench-\\d{${KEY_WIDTH}}\\b`, 'g');

/**
 * A copy of the API's transaction that DynamoDB will take as a new create: every id but the tenant's
 * replaced (consistently, wherever it appears, also inside the stored response), and a new idempotency key.
 */
function rekeyed(input: TransactInput, replay: number): TransactInput {
  const fresh = new Map<string, string>();
  const text = JSON.stringify(input)
    .replace(ID, (id: string, prefix: string) => {
      if (prefix === 'tnt') return id;
      let next = fresh.get(id);
      if (!next) {
        next = newId(prefix);
        fresh.set(id, next);
      }
      return next;
    })
    .replace(API_KEY, `#rplay-${String(replay).padStart(KEY_WIDTH, '0')}`);
  return JSON.parse(text) as TransactInput;
}

export async function writePath(ctx: BenchContext): Promise<Section> {
  const workers = Math.max(...CONCURRENCIES);
  const tenants = await Promise.all(Array.from({ length: workers }, () => ownerOfProvisionedTenant(ctx.platform, { vpcs: 1_000_000 })));
  const workerOf = new Map(tenants.map((t, worker) => [`T#${t.tenantId}`, worker]));

  let sequence = 0;
  const create = async (worker: number) => {
    const { token } = tenants[worker]!;
    expectStatus(
      await ctx.http('POST', '/v1/vpcs', { token, body: { cidrBlock: '10.0.0.0/16' }, headers: { 'idempotency-key': apiKey(++sequence) } }),
      201,
      'POST /v1/vpcs',
    );
  };

  // Round trips per create, counted on creates one at a time.
  const COUNTED = 30;
  ctx.meter.reset();
  for (let i = 0; i < COUNTED; i++) await create(0);
  const counted = ctx.meter.read();
  const roundTrips = counted.roundTrips / COUNTED;

  // Each worker's latest API transaction, as captured; what its raw side sends next, made from it.
  const captured: TransactInput[] = [];
  const latest: (TransactInput | undefined)[] = tenants.map(() => undefined);
  const collect = () => {
    for (const input of captured.splice(0)) latest[workerOf.get(partitionOf(input)) ?? 0] = input;
  };
  const replays = new WeakSet<object>();
  let replaySequence = 0;
  const nextTransaction: (TransactInput | undefined)[] = tenants.map(() => undefined);
  const nextPut: (Record<string, unknown> | undefined)[] = tenants.map(() => undefined);
  const fromLatest = (worker: number) => {
    collect();
    const source = latest[worker];
    if (!source) throw new Error(`worker ${worker} has no API transaction to replay yet`);
    return rekeyed(source, ++replaySequence);
  };

  const api: PairedSide = { name: 'POST /v1/vpcs', op: create };
  const rawTransaction: PairedSide = {
    name: 'raw TransactWriteItems',
    prepare: (worker) => {
      const input = fromLatest(worker);
      replays.add(input);
      nextTransaction[worker] = input;
    },
    op: async (worker) => {
      await documentClient().send(new TransactWriteCommand(nextTransaction[worker]!));
    },
  };
  const rawPut: PairedSide = {
    name: 'raw PutItem',
    prepare: (worker) => {
      const put = fromLatest(worker).TransactItems.find((item) => item.Put)!.Put!;
      nextPut[worker] = { TableName: put.TableName, Item: put.Item };
    },
    op: async (worker) => {
      await documentClient().send(new PutCommand(nextPut[worker] as never));
    },
  };

  const rows: (string | number)[][] = [];
  const targets: Target[] = [];
  ctx.meter.startCapture((name, input) => name === TRANSACT && !replays.has(input), captured as unknown[]);
  try {
    // Every worker's first API transaction, so that a raw side drawn first has one to send.
    await Promise.all(tenants.map((_, worker) => create(worker)));
    for (const concurrency of CONCURRENCIES) {
      const { stats, ratios } = await interleaved([api, rawTransaction, rawPut], { concurrency, batches: BATCHES, batchMs: BATCH_MS });
      const [ours, transaction, put] = stats;
      const [, vsTransaction, vsPut] = ratios;
      rows.push([
        concurrency,
        `${fixed(transaction!.perSecond, 0)} (p50 ${ms(transaction!.p50)}, p99 ${ms(transaction!.p99)})`,
        `${fixed(ours!.perSecond, 0)} (p50 ${ms(ours!.p50)}, p99 ${ms(ours!.p99)})`,
        spread(vsTransaction!),
        `${fixed(put!.perSecond, 0)} (p50 ${ms(put!.p50)})`,
        ratio(vsPut!.median),
      ]);
      targets.push({
        label: `API ≥ ${WRITE_TARGET} of the raw transaction's throughput at concurrency ${concurrency}`,
        measured: fixed(vsTransaction!.median),
        met: vsTransaction!.median >= WRITE_TARGET,
      });
    }
  } finally {
    ctx.meter.stopCapture();
  }
  const sample = latest.find(Boolean);
  targets.push({ label: 'exactly one DynamoDB round trip per create (counted)', measured: fixed(roundTrips), met: roundTrips === 1 });
  return {
    title: 'Write path: POST /v1/vpcs (with Idempotency-Key) vs its transaction sent raw',
    method:
      'The raw side sends, on the same tables and through the same DocumentClient, the TransactWriteItems its worker\'s last API create ' +
      'sent (captured by a middleware on the DocumentClient), with fresh ids and a fresh idempotency key of the same lengths: the same items, ' +
      'conditions and sizes, one round trip. Interleaved: each round, every worker (one tenant each) sends an API create, a raw transaction ' +
      `and a raw PutItem, side after side in a random order each round, a side's workers at once; ${BATCHES} batches of ${BATCH_MS / 1000} s after a warm-up. A batch's ratio is the ` +
      'median over its pairs (a worker\'s create and its raw transaction of the same round) of the raw latency over the API\'s; the table gives the median batch ratio and, in brackets, the lowest and highest; req/s ' +
      `is the closed-loop equivalent (concurrency / mean latency). Round trips counted over ${COUNTED} sequential creates.`,
    headers: ['Concurrency', 'Raw transaction req/s', 'API req/s', 'API / transaction (min–max)', 'Raw PutItem req/s (info)', 'API / PutItem (info)'],
    rows,
    targets,
    notes: [
      `DynamoDB calls per create: ${Object.entries(counted.commands).map(([name, n]) => `${name} × ${fixed(n / COUNTED)}`).join(', ')}; ` +
        `${fixed(counted.wcu / COUNTED, 1)} WCU per create.`,
      ...(sample ? [`Items in the create's transaction: ${sample.TransactItems.length} (${describeItems(sample)}).`] : []),
    ],
  };
}

function describeItems(input: TransactInput): string {
  return input.TransactItems.map((item) => {
    const [kind, action] = Object.entries(item)[0] as [string, { TableName: string; Item?: Record<string, unknown>; Key?: Record<string, unknown> }];
    const sk = String((action.Item ?? action.Key)?.sk ?? '').split('#')[0];
    return `${kind} ${action.TableName.replace(/^.*?-(?=[A-Z])/, '')}${sk ? ` ${sk}` : ''}`;
  }).join(', ');
}
