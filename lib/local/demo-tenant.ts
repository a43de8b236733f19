/**
 * The demo tenant of `npm start`, provisioned the way an operator's tenant is: the provisioning
 * start is committed (tenant, operation, `tenant.created`), the relay publishes the event, its
 * rule starts the TenantProvisioning saga, and this waits for the operation to end, so the log
 * shows every step before the banner.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../functions/kit/db';
import { logger } from '../../functions/kit/logger';
import { tableName } from '../../functions/kit/tables';
import { findOperation, type Operation } from '../../functions/sagas/operation';
import { startProvisioning } from '../../functions/tenancy/provisioning/start';
import { findTenant } from '../../functions/tenancy/repository';
import type { Tenant } from '../../functions/tenancy/tenant';
import { DEMO_OWNER_EMAIL } from './seed';
import { withinLocalContext, type LocalStepFunctions } from './step-functions';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until the operation leaves `running` (or `failed`, on its way to `compensated`). */
export async function waitForOperation(
  tenantId: string,
  operationId: string,
  options: { timeoutMs?: number; stepFunctions?: LocalStepFunctions } = {},
): Promise<Operation> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    const operation = await findOperation(tenantId, operationId, true);
    if (operation && (operation.status === 'succeeded' || operation.status === 'compensated')) return operation;
    // A compensation that gave up leaves the operation failed: over once no execution runs any more.
    const running = options.stepFunctions?.executions.some((execution) => execution.status === 'RUNNING');
    if (operation?.status === 'failed' && options.stepFunctions && !running) return operation;
    const timeoutMs = options.timeoutMs ?? 30_000;
    if (Date.now() > deadline) throw new Error(`Operation ${operationId} is still ${operation?.status ?? 'missing'} after ${timeoutMs} ms`);
    await pause(50);
  }
}

/** The committed `tenant.created` event of a tenant, as EventBridge hands it to a rule's target. */
export async function tenantCreatedEvent(tenantId: string, region: string): Promise<Record<string, unknown>> {
  const out = await documentClient().send(
    new QueryCommand({
      TableName: tableName('outbox'),
      IndexName: 'byType',
      KeyConditionExpression: 'typeKey = :type',
      ExpressionAttributeValues: { ':type': `T#${tenantId}#TYPE#tenant.created` },
      ScanIndexForward: false,
      Limit: 1,
    }),
  );
  const item = out.Items?.[0];
  if (!item) throw new Error(`Tenant ${tenantId} has no tenant.created event`);
  return {
    version: '0' as const,
    id: String(item.eventId),
    'detail-type': String(item.detailType),
    source: String(item.source),
    account: '000000000000',
    time: `${new Date().toISOString().slice(0, 19)}Z`,
    region,
    resources: [],
    detail: item.detail,
  };
}

const RELAY_GRACE_MS = 10_000;

async function sagaStarted(stepFunctions: LocalStepFunctions, operationId: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const started = stepFunctions.executions.some(
      (execution) => (execution.input as { detail?: { data?: { operationId?: string } } })?.detail?.data?.operationId === operationId,
    );
    if (started) return true;
    await pause(50);
  }
  return false;
}

export interface DemoTenantOptions {
  id: string;
  stepFunctions: LocalStepFunctions;
  /** True when the relay delivers events; otherwise the saga is started here from the committed event. */
  relayRunning: boolean;
  region: string;
  timeoutMs?: number;
}

/** Provisions the demo tenant through the saga if it does not exist yet; returns it as it ends. */
export async function provisionDemoTenant(options: DemoTenantOptions): Promise<Tenant> {
  return withinLocalContext(`local-demo-tenant-${options.id}`, () => provision(options));
}

async function provision(options: DemoTenantOptions): Promise<Tenant> {
  const existing = await findTenant(options.id, true);
  if (existing) return existing;
  logger.info('provisioning the demo tenant through the TenantProvisioning saga', { tenantId: options.id });
  const { operation } = await startProvisioning(
    { id: options.id, name: 'Demo', plan: 'pro', ownerEmail: DEMO_OWNER_EMAIL },
    'system:local-runtime',
  );
  const startedHere = async () => options.stepFunctions.start('TenantProvisioning', await tenantCreatedEvent(options.id, options.region));
  if (!options.relayRunning) {
    await startedHere();
  } else if (!(await sagaStarted(options.stepFunctions, operation.id, RELAY_GRACE_MS))) {
    // The relay should have delivered tenant.created by now. Start the saga from the committed
    // event instead: should the relay deliver it later, the second run finds every step done.
    logger.warn('tenant.created was not relayed in time; starting the saga from the outbox', { tenantId: options.id, waitedMs: RELAY_GRACE_MS });
    await startedHere();
  }
  const ended = await waitForOperation(options.id, operation.id, { stepFunctions: options.stepFunctions, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) });
  const tenant = (await findTenant(options.id, true)) as Tenant;
  if (ended.status === 'succeeded') logger.info('the demo tenant is active', { tenantId: options.id, operationId: operation.id });
  else {
    logger.warn('the demo tenant could not be provisioned', { tenantId: options.id, operationId: operation.id, error: ended.error });
  }
  return tenant;
}
