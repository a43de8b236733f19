/**
 * Resuming the sagas a dead process left behind. In the cloud, Step Functions keeps executions
 * durably; locally they live in the process, so a `kill -9` stops them mid-way, with their
 * operations `running` (or `failed`, in the middle of compensating). On start, the runtime finds
 * those operations (a Scan at start-up, never in a request path), frees each one's claim and the
 * step locks its dead execution held, and publishes the event that started it again: the rule
 * starts a new execution, whose steps find their finished work done (the saga kit's records and
 * step idempotency) and do the rest.
 */
import { QueryCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { busEntry, type EventBusClient } from '../../functions/events/bus';
import type { DomainEvent } from '../../functions/events/define';
import { documentClient } from '../../functions/kit/db';
import { logger } from '../../functions/kit/logger';
import { tableName } from '../../functions/kit/tables';
import { MARK_FAILED_STATE, undoStateName } from '../../functions/sagas/define';
import { releaseInProgressSteps } from '../../functions/sagas/idempotency';
import { operationKey, toOperation, type Operation } from '../../functions/sagas/operation';
import { idempotencyPrefix } from '../../functions/sagas/step';

/** Every operation still running or compensating. */
async function unfinishedOperations(): Promise<Operation[]> {
  const found: Operation[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await documentClient().send(
      new ScanCommand({
        TableName: tableName('resources'),
        FilterExpression: 'begins_with(sk, :op) AND #status IN (:running, :failed)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':op': 'OP#', ':running': 'running', ':failed': 'failed' },
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    found.push(...(out.Items ?? []).map(toOperation));
    start = out.LastEvaluatedKey;
  } while (start);
  return found;
}

/** The outbox event that started the operation's saga: the resource's event carrying its id. */
async function startingEvent(operation: Operation): Promise<DomainEvent | undefined> {
  let start: Record<string, unknown> | undefined;
  do {
    const out = await documentClient().send(
      new QueryCommand({
        TableName: tableName('outbox'),
        IndexName: 'byResource',
        KeyConditionExpression: 'resourceKey = :resource',
        ExpressionAttributeValues: { ':resource': `T#${operation.tenantId}#RES#${operation.resourceId}` },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of out.Items ?? []) {
      const event = { source: item.source, detailType: item.detailType, detail: item.detail } as DomainEvent<{ operationId?: string }>;
      if (event.detail.data?.operationId === operation.id) return event;
    }
    start = out.LastEvaluatedKey;
  } while (start);
  return undefined;
}

async function releaseClaim(operation: Operation): Promise<void> {
  await documentClient().send(
    new UpdateCommand({
      TableName: tableName('resources'),
      Key: operationKey(operation.tenantId, operation.id),
      UpdateExpression: 'REMOVE executionId',
      ConditionExpression: 'attribute_exists(pk)',
    }),
  );
}

/** Starts again the sagas of every unfinished operation; returns how many. */
export async function resumeInterruptedSagas(bus: EventBusClient): Promise<number> {
  let resumed = 0;
  for (const operation of await unfinishedOperations()) {
    const event = await startingEvent(operation);
    if (!event) {
      logger.warn('an unfinished operation has no starting event; left as it is', { operationId: operation.id, type: operation.type });
      continue;
    }
    const saga = { name: operation.type };
    const states = [...operation.stepNames.flatMap((step) => [step, undoStateName(step)]), MARK_FAILED_STATE];
    await releaseInProgressSteps(
      states.map((state) => idempotencyPrefix(saga, state)),
      operation.id,
    );
    await releaseClaim(operation);
    const outcome = await bus.putEvents([busEntry(event, undefined)]);
    if ((outcome.FailedEntryCount ?? 0) > 0) throw new Error(`could not publish the starting event of ${operation.id}`);
    logger.info('saga resumed after a restart', { operationId: operation.id, type: operation.type, status: operation.status });
    resumed += 1;
  }
  return resumed;
}
