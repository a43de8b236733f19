/**
 * The saga kit and the TenantProvisioning saga on DynamoDB Local, run by the local Step Functions
 * runner from the same ASL file the cloud deploys: the happy path, a fault at every step in turn
 * (each earlier step compensated), retries that do not repeat an effect, and duplicate starts.
 */
import { DeleteCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { resetCursorSecret } from '../../functions/kit/cursor';
import { documentClient, resetDocumentClient } from '../../functions/kit/db';
import { clearFaults, injectFault } from '../../functions/kit/faults';
import { getItem } from '../../functions/kit/repository';
import { newId } from '../../functions/kit/ids';
import { tableName } from '../../functions/kit/tables';
import { findOperation, operationView } from '../../functions/sagas/operation';
import { TransientError } from '../../functions/sagas/errors';
import { balanceOf, listCredits } from '../../functions/tenancy/credits';
import { PLANS, QUOTA_NAMES } from '../../functions/tenancy/plans';
import { handler as grantCredits } from '../../functions/tenancy/provisioning/grant-credits';
import { handler as applyQuotas } from '../../functions/tenancy/provisioning/apply-quotas';
import { handler as createDefaultVpc } from '../../functions/tenancy/provisioning/create-default-vpc';
import { handler as undoCreateDefaultVpc } from '../../functions/tenancy/provisioning/undo-create-default-vpc';
import { startProvisioning } from '../../functions/tenancy/provisioning/start';
import { listQuotas } from '../../functions/tenancy/quotas';
import { findTenant } from '../../functions/tenancy/repository';
import { ensureTables } from '../../lib/local/create-tables';
import { requireModuleHandler } from '../../lib/local/invoke';
import { createLocalStepFunctions, type LocalStepFunctions, type TaskHandler } from '../../lib/local/step-functions';
import { uniquePrefix } from '../support/platform';

const endpoint = process.env.DYNAMODB_ENDPOINT as string;
const prefix = uniquePrefix('sagas');
const STEPS = ['ApplyQuotas', 'GrantCredits', 'CreateDefaultVpc', 'Activate'] as const;

let runner: LocalStepFunctions;
/** Handlers made to throw a TransientError on their next call, by module. */
const transientOnce = new Set<string>();

beforeAll(async () => {
  process.env.TABLE_PREFIX = prefix;
  process.env.CURSOR_SECRET = 'integration-secret';
  resetDocumentClient();
  resetCursorSecret();
  await ensureTables(endpoint, prefix);
  runner = createLocalStepFunctions({
    retryDelayMs: 10,
    loadHandler: (module) => {
      const real = requireModuleHandler(module) as TaskHandler;
      return async (event, context) => {
        if (transientOnce.delete(module)) throw new TransientError('the table was busy');
        return real(event, context);
      };
    },
  });
});
afterEach(() => {
  clearFaults();
  transientOnce.clear();
});
afterAll(async () => {
  await runner.stop();
  resetDocumentClient();
});

async function outboxEvents(tenantId: string): Promise<Record<string, any>[]> {
  const out = await documentClient().send(
    new QueryCommand({ TableName: tableName('outbox'), KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `T#${tenantId}` } }),
  );
  return out.Items ?? [];
}

/** The committed tenant.created outbox item, as EventBridge hands it to the rule's target. */
async function busEventOf(tenantId: string) {
  const item = (await outboxEvents(tenantId)).find((event) => event.detailType === 'tenant.created');
  if (!item) throw new Error(`no tenant.created in the outbox of ${tenantId}`);
  return {
    version: '0',
    id: 'evb-1',
    'detail-type': item.detailType,
    source: item.source,
    account: '000000000000',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: [],
    detail: item.detail,
  };
}

async function newProvisioning(plan: 'starter' | 'pro' = 'starter') {
  const id = newId('tnt');
  const { operation } = await startProvisioning({ id, name: `Tenant ${id}`, plan, ownerEmail: 'owner@example.com' }, 'system:test');
  return { tenantId: id, operationId: operation.id, input: { operationId: operation.id, tenantId: id, resourceId: id } };
}

async function provision(plan: 'starter' | 'pro' = 'starter') {
  const started = await newProvisioning(plan);
  const execution = await runner.start('TenantProvisioning', await busEventOf(started.tenantId));
  await execution.done;
  return { ...started, execution };
}

async function defaultVpcMarker(tenantId: string) {
  return getItem(tableName('resources'), { pk: `T#${tenantId}`, sk: 'DEFAULTVPC' }, true);
}

/** Every networking item of the tenant (VPC, groups, tables, subnets, gateways, names). */
async function networkItems(tenantId: string): Promise<Record<string, any>[]> {
  const out = await documentClient().send(
    new QueryCommand({ TableName: tableName('resources'), KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `T#${tenantId}` }, ConsistentRead: true }),
  );
  return (out.Items ?? []).filter((item) => /^(VPC|SG|SGNAME|RTB|SUBNET|IGW)#/.test(item.sk as string));
}

describe('TenantProvisioning', () => {
  it('applies the plan, grants credits, records the VPC step and activates the tenant', async () => {
    // Act
    const { tenantId, operationId, execution } = await provision('starter');
    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(await findTenant(tenantId, true)).toMatchObject({ status: 'active', version: 2, operationId });
    // The default VPC takes one of the vpcs quota, as AWS counts it
    expect(await listQuotas(tenantId)).toEqual(QUOTA_NAMES.map((name) => ({ name, limit: PLANS.starter.quotas[name], used: name === 'vpcs' ? 1 : 0 })));
    const credits = await listCredits(tenantId);
    expect(credits).toEqual([expect.objectContaining({ amount: '100.00', reason: 'starting credits', operationId })]);
    const record = await defaultVpcMarker(tenantId);
    expect(record).toMatchObject({ operationId, vpcId: expect.stringMatching(/^vpc-/) });
    const vpc = await getItem(tableName('resources'), { pk: `T#${tenantId}`, sk: `VPC#${record?.vpcId}` }, true);
    expect(vpc).toMatchObject({ cidrBlock: '172.31.0.0/16', isDefault: true, enableDnsSupport: true, enableDnsHostnames: true, counts: { subnets: 3 } });
    const items = await networkItems(tenantId);
    const subnets = items.filter((item) => item.sk.startsWith('SUBNET#'));
    expect(subnets.map((subnet) => [subnet.cidrBlock, subnet.availabilityZone, subnet.mapPublicIpOnLaunch]).sort()).toEqual([
      ['172.31.0.0/20', 'us-east-1a', true],
      ['172.31.16.0/20', 'us-east-1b', true],
      ['172.31.32.0/20', 'us-east-1c', true],
    ]);
    const gateway = items.find((item) => item.sk.startsWith('IGW#'));
    expect(gateway).toMatchObject({ id: vpc?.internetGatewayId, attachments: [{ vpcId: vpc?.id, state: 'available' }], routeCount: 1 });
    const table = items.find((item) => item.sk === `RTB#${vpc?.mainRouteTableId}`);
    expect(table?.routes).toEqual([
      expect.objectContaining({ destinationCidrBlock: '172.31.0.0/16', gatewayId: 'local' }),
      expect.objectContaining({ destinationCidrBlock: '0.0.0.0/0', gatewayId: gateway?.id }),
    ]);
    expect(items.find((item) => item.sk === `SG#${vpc?.defaultSecurityGroupId}`)).toMatchObject({ name: 'default', isDefault: true });
    const operation = operationView((await findOperation(tenantId, operationId))!);
    expect(operation).toMatchObject({ status: 'succeeded', type: 'TenantProvisioning', resourceId: tenantId, endedAt: expect.any(String) });
    expect(operation.steps.map((step) => [step.name, step.status, step.attempts])).toEqual(STEPS.map((name) => [name, 'succeeded', 1]));
    for (const step of operation.steps) expect(Date.parse(step.endedAt!)).toBeGreaterThanOrEqual(Date.parse(step.startedAt!));
    const events = await outboxEvents(tenantId);
    expect(events.map((event) => event.detailType).sort()).toEqual([
      'credit.granted',
      'internet_gateway.attached',
      'internet_gateway.created',
      'route_table.route_added',
      'subnet.created',
      'subnet.created',
      'subnet.created',
      'tenant.activated',
      'tenant.created',
      'vpc.created',
    ]);
    expect(events.find((event) => event.detailType === 'tenant.activated')?.detail).toMatchObject({
      actor: 'system:TenantProvisioning',
      resourceId: tenantId,
      data: { operationId, plan: 'starter' },
    });
  });

  it.each(STEPS.map((step, index) => [step, index] as const))('compensates every step before a fault in %s and ends failed', async (faulty, index) => {
    // Prepare
    injectFault(`TenantProvisioning.${faulty}`);
    // Act
    const { tenantId, operationId, execution } = await provision('pro');
    // Assess: the execution fails with the fault, after the compensations
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toMatchObject({ error: 'FaultInjected' });
    const undone = STEPS.slice(0, index).reverse().map((step) => `Undo${step}`);
    const compensations = execution.states.filter((state) => state.startsWith('Undo'));
    // Each undo runs in reverse order; the faulty step's own undo runs too (and finds nothing to undo).
    expect(compensations.filter((state) => undone.includes(state))).toEqual(undone);
    expect(execution.states.slice(-2)).toEqual(['MarkFailed', 'ProvisioningFailed']);
    // Nothing is left of the earlier steps
    expect(await findTenant(tenantId, true)).toMatchObject({ status: 'failed' });
    expect(await listQuotas(tenantId)).toEqual([]);
    expect(balanceOf(await listCredits(tenantId))).toBe('0.00');
    expect(await defaultVpcMarker(tenantId)).toBeUndefined();
    expect(await networkItems(tenantId)).toEqual([]);
    // The operation tells the story
    const operation = operationView((await findOperation(tenantId, operationId))!);
    expect(operation.status).toBe('compensated');
    expect(operation.error).toMatchObject({ code: 'FaultInjected', step: faulty });
    expect(operation.steps.map((step) => step.status)).toEqual(
      STEPS.map((_, i) => (i < index ? 'compensated' : i === index ? 'failed' : 'pending')),
    );
    const events = (await outboxEvents(tenantId)).map((event) => event.detailType);
    expect(events).toContain('tenant.provisioning_failed');
    expect(events).not.toContain('tenant.activated');
    if (index > 1) expect(events).toEqual(expect.arrayContaining(['credit.granted', 'credit.reversed']));
  });

  it('retries a step that failed transiently and does not repeat its effect', async () => {
    // Prepare: GrantCredits throws a TransientError once, which the definition's Retry matches
    transientOnce.add('tenancy/provisioning/grant-credits');
    // Act
    const { tenantId, operationId, execution } = await provision('starter');
    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.retried).toEqual(['GrantCredits']);
    expect(await listCredits(tenantId)).toHaveLength(1);
    const operation = (await findOperation(tenantId, operationId))!;
    expect(operation.steps.GrantCredits).toMatchObject({ status: 'succeeded' });
  });

  it('retries a compensation that failed and still ends compensated', async () => {
    // Prepare: Activate fails; the first compensation fails once on its way
    injectFault('TenantProvisioning.Activate');
    injectFault('TenantProvisioning.UndoGrantCredits', { times: 1 });
    // Act
    const { tenantId, operationId, execution } = await provision('starter');
    // Assess
    expect(execution.retried).toEqual(['UndoGrantCredits']);
    expect((await findOperation(tenantId, operationId))?.status).toBe('compensated');
    expect(balanceOf(await listCredits(tenantId))).toBe('0.00');
  });

  it('runs once per operation when the event is delivered twice: the second execution stops at AlreadyRunning', async () => {
    // Prepare
    const { tenantId, operationId } = await newProvisioning('starter');
    const event = await busEventOf(tenantId);
    // Act: two executions at once, then a third after both ended
    const [first, second] = await Promise.all([runner.start('TenantProvisioning', event), runner.start('TenantProvisioning', event)]);
    await Promise.all([first!.done, second!.done]);
    const late = await runner.start('TenantProvisioning', event);
    await late.done;
    // Assess
    const runs = [first!, second!].sort((a, b) => b.states.length - a.states.length);
    expect(runs.map((run) => run.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(runs[0]!.states).toEqual(['ReadEvent', ...STEPS]);
    expect(runs[1]!.states.at(-1)).toBe('AlreadyRunning');
    expect(late).toMatchObject({ status: 'SUCCEEDED', states: ['ReadEvent', 'ApplyQuotas', 'AlreadyRunning'] });
    expect(await listCredits(tenantId)).toHaveLength(1);
    expect((await outboxEvents(tenantId)).filter((e) => e.detailType === 'tenant.activated')).toHaveLength(1);
    const operation = (await findOperation(tenantId, operationId))!;
    expect(operation).toMatchObject({ status: 'succeeded', executionId: runs[0]!.executionArn });
    expect(Object.values(operation.steps).map((step) => step.attempts)).toEqual([1, 1, 1, 1]);
  });
});

describe('a saga step invoked again with the same operation', () => {
  it('returns without repeating its effect', async () => {
    // Prepare
    const { tenantId, input } = await newProvisioning();
    await applyQuotas(input);
    const first = await grantCredits(input);
    // Act
    const again = await grantCredits(input);
    // Assess
    expect(first).toMatchObject({ step: 'GrantCredits', status: 'succeeded', amount: '100.00' });
    expect(again).toEqual(first);
    expect(await listCredits(tenantId)).toHaveLength(1);
  });

  it('CreateDefaultVpc makes one default VPC however often it runs, and its undo removes all of it', async () => {
    // Prepare
    const { tenantId, input } = await newProvisioning();
    await applyQuotas(input);
    // Act
    const first = await createDefaultVpc(input);
    const again = await createDefaultVpc(input);
    const items = await networkItems(tenantId);
    await undoCreateDefaultVpc({ ...input, error: { Error: 'Test' } });
    // Assess
    expect(first).toMatchObject({ step: 'CreateDefaultVpc', status: 'succeeded', vpcId: expect.stringMatching(/^vpc-/) });
    expect(again).toEqual(first);
    expect(items.filter((item) => item.sk.startsWith('VPC#'))).toHaveLength(1);
    expect(items).toHaveLength(1 + 1 + 1 + 1 + 3 + 1); // VPC, group, group name, table, 3 subnets, gateway
    expect(await networkItems(tenantId)).toEqual([]);
    expect(await defaultVpcMarker(tenantId)).toBeUndefined();
    expect((await listQuotas(tenantId)).find((quota) => quota.name === 'vpcs')?.used).toBe(0);
  });

  it('is kept from running twice by its idempotency record, even if the operation says otherwise', async () => {
    // Prepare: the step ran, then its status is rolled back as if that write were lost
    const { tenantId, operationId, input } = await newProvisioning();
    await applyQuotas(input);
    const first = await grantCredits(input);
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName('resources'),
        Key: { pk: `T#${tenantId}`, sk: `OP#${operationId}` },
        UpdateExpression: 'SET steps.GrantCredits.#status = :running',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':running': 'running' },
      }),
    );
    // Act
    const again = await grantCredits(input);
    // Assess: the stored result, and still one entry
    expect(again).toEqual(first);
    expect(await listCredits(tenantId)).toHaveLength(1);
  });

  it('is kept from running twice by the operation record when the idempotency record is gone', async () => {
    // Prepare: the step ran, then every idempotency record of it disappears (expired, deleted)
    const { tenantId, input } = await newProvisioning();
    await applyQuotas(input);
    await grantCredits(input);
    const { Items = [] } = await documentClient().send(
      new QueryCommand({
        TableName: tableName('idempotency'),
        IndexName: 'expiry',
        KeyConditionExpression: 'expiryBucket = :bucket',
        ExpressionAttributeValues: { ':bucket': `EXP#${new Date(Date.now() + 86400_000).toISOString().slice(0, 13)}` },
      }),
    );
    const records = Items.filter((item) => String(item.id).startsWith('saga.TenantProvisioning.GrantCredits#'));
    expect(records.length).toBeGreaterThan(0);
    for (const record of records) await documentClient().send(new DeleteCommand({ TableName: tableName('idempotency'), Key: { id: record.id } }));
    // Act
    const again = await grantCredits(input);
    // Assess
    expect(again).toMatchObject({ step: 'GrantCredits', status: 'succeeded', alreadyDone: true });
    expect(await listCredits(tenantId)).toHaveLength(1);
  });

  it('records a failure on the operation and leaves no idempotency record behind, so a retry runs', async () => {
    // Prepare
    const { tenantId, operationId, input } = await newProvisioning();
    injectFault('TenantProvisioning.ApplyQuotas', { times: 1 });
    // Act
    const failed = await applyQuotas(input).catch((error: Error) => error);
    const afterFault = (await findOperation(tenantId, operationId))!.steps.ApplyQuotas;
    const retried = await applyQuotas(input);
    // Assess
    expect(failed).toMatchObject({ name: 'FaultInjected' });
    expect(afterFault).toMatchObject({ status: 'failed', error: { code: 'FaultInjected' } });
    expect(retried).toMatchObject({ status: 'succeeded' });
    expect((await findOperation(tenantId, operationId))!.steps.ApplyQuotas).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(await listQuotas(tenantId)).toHaveLength(QUOTA_NAMES.length);
  });

  it('refuses input that is not a saga input, without retrying', async () => {
    await expect(grantCredits({ detail: {} })).rejects.toMatchObject({ name: 'InvalidSagaInput' });
  });
});
