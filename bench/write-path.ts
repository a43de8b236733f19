/**
 * Write path: POST /v1/vpcs with an Idempotency-Key against the same DynamoDB call issued raw.
 * "The same" is taken literally: the meter captures every TransactWriteItems the API sends, and the
 * reference replays those very inputs on a second set of tables (same items, conditions and sizes,
 * on tables holding the same tenants and counters). A raw PutItem of the VPC item is shown for
 * information. Each worker writes to its own tenant, as independent clients would.
 */
import { PutCommand, QueryCommand, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../functions/kit/db';
import { settings } from '../functions/kit/config';
import { tableName } from '../functions/kit/tables';
import { ensureTables } from '../lib/local/create-tables';
import { ownerOfProvisionedTenant } from '../test/support/platform';
import { alternate, expectStatus, type Side } from './support/load';
import { fixed, ms, ratio, type BenchContext, type Section, type Target } from './support/report';

export const WRITE_TARGET = 0.7;
const CONCURRENCIES = [1, 16];
const TRANSACT = 'TransactWriteItemsCommand';
const PHASE_MS = 1500;
type TransactInput = TransactWriteCommandInput & { TransactItems: NonNullable<TransactWriteCommandInput['TransactItems']> };
type TransactItem = TransactInput['TransactItems'][number];

/** The partition a transaction writes to (its tenant), from its first item. */
function partitionOf(input: TransactInput): string {
  const first = input.TransactItems[0] as Record<string, { Key?: { pk?: string }; Item?: { pk?: string } }>;
  const action = Object.values(first)[0];
  return String(action?.Key?.pk ?? action?.Item?.pk);
}

function retarget(input: TransactInput, table: (name: string) => string): TransactInput {
  return {
    ...input,
    TransactItems: input.TransactItems.map((item) =>
      Object.fromEntries(Object.entries(item).map(([kind, action]) => [kind, { ...action, TableName: table(action.TableName as string) }])) as TransactItem,
    ),
  };
}

export async function writePath(ctx: BenchContext): Promise<Section> {
  const workers = Math.max(...CONCURRENCIES);
  const tenants = await Promise.all(Array.from({ length: workers }, () => ownerOfProvisionedTenant(ctx.platform, { vpcs: 1_000_000 })));

  // The reference's tables: the same schema under another prefix, holding the same tenants and counters.
  const prefix = settings.tablePrefix();
  const replayPrefix = `${prefix}replay-`;
  await ensureTables(ctx.platform.dynamodbEndpoint, replayPrefix);
  const replayTable = (name: string) => (name.startsWith(prefix) ? `${replayPrefix}${name.slice(prefix.length)}` : name);
  for (const { tenantId } of tenants) {
    const out = await documentClient().send(
      new QueryCommand({ TableName: tableName('resources'), KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `T#${tenantId}` } }),
    );
    for (const item of out.Items ?? []) await documentClient().send(new PutCommand({ TableName: replayTable(tableName('resources')), Item: item }));
  }
  const workerOf = new Map(tenants.map((t, worker) => [`T#${t.tenantId}`, worker]));

  let sequence = 0;
  const create = async (worker: number) => {
    const { token } = tenants[worker]!;
    const key = `bench-${++sequence}`;
    expectStatus(await ctx.http('POST', '/v1/vpcs', { token, body: { cidrBlock: '10.0.0.0/16' }, headers: { 'idempotency-key': key } }), 201, 'POST /v1/vpcs');
  };

  // Round trips per create, counted on creates one at a time.
  const COUNTED = 30;
  ctx.meter.reset();
  for (let i = 0; i < COUNTED; i++) await create(0);
  const counted = ctx.meter.read();
  const roundTrips = counted.roundTrips / COUNTED;

  const captured: unknown[] = [];
  const queues: TransactInput[][] = tenants.map(() => []);
  const puts: TransactInput[] = [];
  // The API's warm-up also fills the pool the raw side replays from: in the reversed rounds the raw
  // phase comes before the API's, and replays what the earlier phases captured.
  const api: Side = { name: 'POST /v1/vpcs', op: create, warmupMs: PHASE_MS };
  const rawTransaction: Side = {
    name: 'raw TransactWriteItems',
    before: async () => {
      for (const input of captured.splice(0) as TransactInput[]) {
        const replay = retarget(input, replayTable);
        queues[workerOf.get(partitionOf(input)) ?? 0]!.push(replay);
        puts.push(replay);
      }
    },
    op: async (worker) => {
      const next = queues[worker]!.shift();
      if (!next) return false;
      await documentClient().send(new TransactWriteCommand(next));
    },
  };
  let putSequence = 0;
  const rawPut: Side = {
    name: 'raw PutItem',
    op: async () => {
      const source = puts[putSequence++ % puts.length]!.TransactItems.find((item) => item.Put)!.Put!;
      await documentClient().send(new PutCommand({ TableName: source.TableName, Item: { ...source.Item, sk: `${String(source.Item?.sk)}#put${putSequence}` } }));
    },
  };

  const rows: (string | number)[][] = [];
  const targets: Target[] = [];
  ctx.meter.startCapture(
    (name, input) => name === TRANSACT && !JSON.stringify((input as TransactInput).TransactItems[0]).includes(`"${replayPrefix}`),
    captured,
  );
  try {
    for (const concurrency of CONCURRENCIES) {
      const [ours, transaction] = await alternate([api, rawTransaction], { concurrency, phaseMs: PHASE_MS, rounds: 4 });
      // The PutItem figure is for information, measured after the pair: a burst of puts leaves DynamoDB
      // Local work that would slow whichever phase came next.
      const [put] = await alternate([rawPut], { concurrency, phaseMs: PHASE_MS, rounds: 1 });
      const share = ours!.perSecond / transaction!.perSecond;
      rows.push([
        concurrency,
        `${fixed(transaction!.perSecond, 0)} (p50 ${ms(transaction!.p50)}, p99 ${ms(transaction!.p99)})`,
        `${fixed(ours!.perSecond, 0)} (p50 ${ms(ours!.p50)}, p99 ${ms(ours!.p99)})`,
        ratio(share),
        `${fixed(put!.perSecond, 0)} (p50 ${ms(put!.p50)})`,
        ratio(ours!.perSecond / put!.perSecond),
      ]);
      targets.push({ label: `API ≥ ${WRITE_TARGET} of the raw transaction's throughput at concurrency ${concurrency}`, measured: fixed(share), met: share >= WRITE_TARGET });
    }
  } finally {
    ctx.meter.stopCapture();
  }
  const sample = puts[0];
  targets.push({ label: 'exactly one DynamoDB round trip per create (counted)', measured: fixed(roundTrips), met: roundTrips === 1 });
  return {
    title: 'Write path: POST /v1/vpcs (with Idempotency-Key) vs its transaction sent raw',
    method:
      'The raw side replays, on a second set of tables, the exact TransactWriteItems inputs the API sent in the phase before it ' +
      '(captured by a middleware on the DocumentClient), so both sides write the same items with the same conditions. ' +
      `One tenant per worker; four 1.5 s phases per side, in alternating order. Round trips counted over ${COUNTED} sequential creates.`,
    headers: ['Concurrency', 'Raw transaction req/s', 'API req/s', 'API / transaction', 'Raw PutItem req/s (info)', 'API / PutItem (info)'],
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
