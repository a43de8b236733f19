/**
 * DynamoDB cost: the capacity units DynamoDB reports (ReturnConsumedCapacity: TOTAL, added to every
 * call by the meter) for one call of every operation in the manifest, made through the gateway on a
 * tenant holding one resource of every kind (test/support/recipes.ts builds it, as for the security
 * suite). Reads run first, then changes, then deletes children before parents, so each call meets
 * the state it needs; the outbox relay runs, and each change's sagas end before the next call.
 * Only the request's own DynamoDB calls are counted (the relay and the sagas use other clients or
 * run after the count).
 */
import { manifest } from '../functions/manifest';
import type { AnyOperation } from '../functions/kit/operation';
import { client, ownerOfProvisionedTenant } from '../test/support/platform';
import { buildPath, buildWorld, hasPathParams, isAdmin, pathPrefix, requestRecipes, resourceRecipes, type World } from '../test/support/recipes';
import { fixed, type BenchContext, type Section } from './support/report';

/** Reads of one resource by id. */
export const READ_BUDGET_RCU = 1;
/**
 * Creates: DynamoDB bills a transactional write 2 WCU per started KB of each item. A create's one
 * transaction holds the resource and what it brings along (up to four items: a VPC's default group,
 * its name and main route table), the quota counter, the tenant check, the outbox event, the audit
 * entry and the idempotency record: about ten items, of which the event and the stored response run
 * past 1 KB. Budget: 30 WCU, i.e. 15 items' worth.
 */
export const CREATE_BUDGET_WCU = 30;

const ORDER: [RegExp, number][] = [
  [/^(list|get|resolve)/, 0],
  [/^create/, 1],
  [/^(attach|associate)/, 2],
  [/^add/, 3],
  [/^(update|set)/, 4],
  // An instance's lifecycle in an order where each call finds the state it needs.
  [/^stop/, 5.1],
  [/^resize/, 5.2],
  [/^start/, 5.3],
  [/^reboot/, 5.4],
  [/^remove/, 7],
  [/^disassociate/, 8],
  [/^detach/, 9],
];
/** Deletes last, children before parents. */
const DELETE_ORDER = ['/v1/instances', '/v1/templates', '/v1/security-groups', '/v1/route-tables', '/v1/subnets', '/v1/internet-gateways', '/v1/vpcs', '/v1/projects'];

function rank(op: AnyOperation): number {
  if (op.method === 'DELETE' && !/^(remove|disassociate)/.test(op.operationId)) {
    const at = DELETE_ORDER.indexOf(pathPrefix(op.path));
    return 20 + (at < 0 ? DELETE_ORDER.length : at);
  }
  return ORDER.find(([pattern]) => pattern.test(op.operationId))?.[1] ?? 6;
}

/** The path parameters of `op` in the world: its resource's, or the tenant's for admin routes. */
function paramsFor(op: AnyOperation, world: World): Record<string, string> | undefined {
  if (!hasPathParams(op)) return {};
  if (isAdmin(op)) return { id: world.tenantId };
  return resourceRecipes[pathPrefix(op.path)]?.(world);
}

export async function capacity(ctx: BenchContext): Promise<Section> {
  const call = client(ctx.platform.url);
  const { token, tenantId } = await ownerOfProvisionedTenant(ctx.platform);
  const admin = await ctx.platform.token({ roles: ['platform-admin'] });
  const world = await buildWorld(call, token, tenantId, 30);
  // Creates make their resources in a world of their own, so the deletes below find the first one as they left it.
  const scratch = await buildWorld(call, token, tenantId, 31);
  // Asynchronous work (an instance's launch, a cascade delete) runs to its end before the next call.
  const settle = async () => {
    await ctx.platform.eventsSettled();
    await ctx.platform.stepFunctions.idle(20_000);
    await ctx.platform.eventsSettled();
  };
  await settle();

  const operations = [...manifest.operations].sort((a, b) => rank(a) - rank(b));
  const rows: (string | number)[][] = [];
  const overRead: string[] = [];
  const overCreate: string[] = [];
  const unmeasured: string[] = [];
  for (const op of operations) {
    const where = /^create/.test(op.operationId) ? scratch : world;
    const params = paramsFor(op, where);
    const request = requestRecipes[op.operationId]?.(where) ?? {};
    if (!params) {
      unmeasured.push(`${op.operationId} (no resource recipe for ${pathPrefix(op.path)})`);
      continue;
    }
    const body = request.body ?? (op.body ? {} : undefined);
    ctx.meter.reset();
    const response = await call(op.method, buildPath(op, params, request.query), {
      token: isAdmin(op) ? admin : token,
      ...(body !== undefined ? { body } : {}),
    });
    const usage = ctx.meter.read();
    if (op.method !== 'GET') await settle();
    const ok = response.status < 300;
    if (!ok) unmeasured.push(`${op.operationId} (answered ${response.status} ${response.body?.code ?? ''})`);
    // A read of one resource: GET /v1/<kind>/{id} (or its admin form), not a sub-resource such as /stats.
    const isRead = op.method === 'GET' && /^\/v1\/(admin\/)?[a-z-]+\/\{id\}$/.test(op.path);
    if (ok && isRead && usage.rcu > READ_BUDGET_RCU) overRead.push(`${op.operationId} ${usage.rcu}`);
    const isCreate = op.method === 'POST' && /^create/.test(op.operationId);
    if (ok && isCreate && usage.wcu > CREATE_BUDGET_WCU) overCreate.push(`${op.operationId} ${usage.wcu}`);
    rows.push([
      op.operationId,
      `${op.method} ${op.path}`,
      ok ? response.status : `${response.status} (not a success)`,
      usage.roundTrips,
      fixed(usage.rcu, 1),
      fixed(usage.wcu, 1),
    ]);
  }
  const measured = rows.filter((r) => typeof r[2] === 'number').length;
  return {
    title: 'DynamoDB cost: capacity units per operation',
    method:
      'One call of each operation, one at a time, through the gateway; RCU and WCU as DynamoDB Local reports them ' +
      '(ReturnConsumedCapacity: TOTAL on every call of the DocumentClient). Reads are strongly consistent where the API reads its own writes. ' +
      `${measured} of ${manifest.operations.length} operations answered with a success.`,
    headers: ['Operation', 'Route', 'Status', 'DynamoDB calls', 'RCU', 'WCU'],
    rows,
    targets: [
      {
        label: `a read of one resource ≤ ${READ_BUDGET_RCU} RCU`,
        measured: overRead.length ? `over: ${overRead.join(', ')}` : 'all within',
        met: overRead.length === 0,
      },
      {
        label: `a create ≤ ${CREATE_BUDGET_WCU} WCU (see the budget below)`,
        measured: overCreate.length ? `over: ${overCreate.join(', ')}` : 'all within',
        met: overCreate.length === 0,
      },
    ],
    notes: [
      `Budget for creates: DynamoDB bills a transactional write 2 WCU per started KB of each item; a create's single transaction holds the resource and what comes with it ` +
        `(a VPC brings its default security group, the group's name item and its main route table), the quota counter, the tenant check, the outbox event, the audit entry ` +
        `and the idempotency record, about ten items of which the event and the stored response pass 1 KB: ${CREATE_BUDGET_WCU} WCU.`,
      ...(unmeasured.length ? [`Not measured as a success: ${unmeasured.join('; ')}.`] : []),
    ],
  };
}
