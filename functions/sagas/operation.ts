/**
 * The operation record of a saga run: what `GET /v1/operations/{id}` shows. The API request that
 * starts the work writes it (status `running`, every step `pending`) in the same transaction as
 * the resource and the outbox event that starts the saga; the saga's steps move it on with
 * conditional updates (functions/sagas/step.ts).
 *
 * Item: pk `T#<tenant>`, sk `OP#<id>`, gsi1pk `OP#<id>` (a platform admin reads any operation by
 * id), steps as a map by name plus their order, so a step updates its own entry with a condition.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { documentClient } from '../kit/db';
import { newId } from '../kit/ids';
import { getItem, type Item } from '../kit/repository';
import { tableName } from '../kit/tables';
import type { Write } from '../kit/transaction';
import type { SagaSpec } from './define';

export const OPERATION_STATUSES = ['running', 'succeeded', 'failed', 'compensated'] as const;
export type OperationStatus = (typeof OPERATION_STATUSES)[number];

export const STEP_STATUSES = ['pending', 'running', 'succeeded', 'failed', 'compensated'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export interface OperationError {
  code: string;
  message: string;
  /** The step that failed, when one did. */
  step?: string;
}

export interface StepState {
  status: StepStatus;
  startedAt?: string;
  endedAt?: string;
  /** How many times the step started (a retried step shows more than one). */
  attempts?: number;
  compensatedAt?: string;
  error?: OperationError;
}

export interface Operation {
  id: string;
  tenantId: string;
  /** The saga: `TenantProvisioning`. */
  type: string;
  status: OperationStatus;
  resourceType: string;
  resourceId: string;
  stepNames: string[];
  steps: Record<string, StepState>;
  error?: OperationError;
  /** The Step Functions execution that runs the saga (the first to reach it). */
  executionId?: string;
  createdAt: string;
  updatedAt: string;
  endedAt?: string;
}

export const operationKey = (tenantId: string, operationId: string) => ({ pk: `T#${tenantId}`, sk: `OP#${operationId}` });
const OPERATION_INDEX_SORT = 'OPERATION';

export function newOperationId(): string {
  return newId('op');
}

/** The new operation of a saga run, every step pending. */
export function newOperation(
  saga: SagaSpec,
  fields: { id?: string; tenantId: string; resourceId: string; now: Date },
): Operation {
  const at = fields.now.toISOString();
  return {
    id: fields.id ?? newOperationId(),
    tenantId: fields.tenantId,
    type: saga.name,
    status: 'running',
    resourceType: saga.resourceType,
    resourceId: fields.resourceId,
    stepNames: [...saga.steps],
    steps: Object.fromEntries(saga.steps.map((name) => [name, { status: 'pending' } satisfies StepState])),
    createdAt: at,
    updatedAt: at,
  };
}

export function operationItem(operation: Operation): Item {
  return {
    ...operationKey(operation.tenantId, operation.id),
    gsi1pk: `OP#${operation.id}`,
    gsi1sk: OPERATION_INDEX_SORT,
    ...operation,
  };
}

/** The put of a new operation, for the transaction of the request that starts the saga. */
export function createOperationWrite(operation: Operation): Write {
  return {
    item: {
      Put: {
        TableName: tableName('resources'),
        Item: operationItem(operation),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  };
}

export function toOperation(item: Item): Operation {
  const { pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _s, ...operation } = item;
  return operation as unknown as Operation;
}

export async function findOperation(tenantId: string, operationId: string, consistent = true): Promise<Operation | undefined> {
  const item = await getItem(tableName('resources'), operationKey(tenantId, operationId), consistent);
  return item ? toOperation(item) : undefined;
}

/** Any tenant's operation by id (platform admins): a Query on gsi1, eventually consistent. */
export async function findOperationAnyTenant(operationId: string): Promise<Operation | undefined> {
  const out = await documentClient().send(
    new QueryCommand({
      TableName: tableName('resources'),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk = :sk',
      ExpressionAttributeValues: { ':pk': `OP#${operationId}`, ':sk': OPERATION_INDEX_SORT },
      Limit: 1,
    }),
  );
  const item = out.Items?.[0];
  return item ? toOperation(item) : undefined;
}

const operationErrorSchema = z.lazy(() => z.object({ code: z.string(), message: z.string(), step: z.optional(z.string()) }));

export const operationSchema = z.lazy(() => z
  .object({
    id: z.string(),
    tenantId: z.string(),
    type: z.string().check(z.describe('The saga, e.g. TenantProvisioning.')),
    status: z.enum(OPERATION_STATUSES),
    resourceType: z.string(),
    resourceId: z.string(),
    steps: z.array(
      z.object({
        name: z.string(),
        status: z.enum(STEP_STATUSES),
        startedAt: z.optional(z.string()),
        endedAt: z.optional(z.string()),
        attempts: z.optional(z.int()),
        compensatedAt: z.optional(z.string()),
        error: z.optional(operationErrorSchema),
      }),
    ),
    error: z.optional(operationErrorSchema),
    executionId: z.optional(z.string()).check(z.describe('The Step Functions execution running the saga, once it started.')),
    createdAt: z.string(),
    updatedAt: z.string(),
    endedAt: z.optional(z.string()),
  })
  .check(z.meta({ id: 'Operation' })));

export type OperationView = z.input<typeof operationSchema>;

/** The operation as the API shows it: steps as a list in saga order. */
export function operationView(operation: Operation): OperationView {
  const { stepNames, steps, ...rest } = operation;
  return {
    ...rest,
    steps: stepNames.map((name) => ({ name, ...(steps[name] ?? { status: 'pending' as const }) })),
  };
}
