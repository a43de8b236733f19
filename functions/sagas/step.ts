/**
 * The saga kit: wrappers that turn a step's domain code into a Lambda handler for a Task state.
 *
 *   sagaStep({ saga, step }, run)           a forward step
 *   compensationStep({ saga, step }, undo)  its compensation (the `Undo<Step>` state)
 *   sagaFailed({ saga }, finish)            the last state after compensation (`MarkFailed`)
 *
 * Every wrapper records what happens on the operation with conditional updates, checks a
 * fault-injection point (`<Saga>.<State>`), and commits the step's writes, its events and audit
 * entries (actor `system:<Saga>`) and the step's new status in ONE transaction. So the record
 * says `succeeded` exactly when the effect is committed, and a step that finds itself already
 * succeeded returns without doing anything again. On top of that the work runs through
 * Powertools `makeIdempotent`, keyed on the operation and the step: a retried invocation with
 * the same operationId gets the stored result instead of running again. And the first execution
 * to reach the operation claims it (`executionId`): a second execution started by a redelivered
 * event stops at its first state with DuplicateExecution, which the definitions catch into a
 * Succeed state.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import type { Actor } from '../events/define';
import { changesWrites, type ChangeDraft } from '../events/outbox';
import { documentClient } from '../kit/db';
import { ApiError } from '../kit/errors';
import { checkFault } from '../kit/faults';
import { logger } from '../kit/logger';
import { tableName } from '../kit/tables';
import { commitWrites, RetryRequest, type Write } from '../kit/transaction';
import { faultPoint, MARK_FAILED_STATE, sagaActor, undoStateName, type SagaSpec } from './define';
import { DUPLICATE_EXECUTION, StepError, stepFailure, TransientError } from './errors';
import { runOnce } from './idempotency';
import { findOperation, operationKey, type Operation, type OperationError, type StepStatus } from './operation';

/** What every state of a saga receives: the first Pass state builds it from the event's detail. */
export const sagaInputSchema = z.object({
  operationId: z.string().check(z.minLength(1)),
  tenantId: z.string().check(z.minLength(1)),
  resourceId: z.string().check(z.minLength(1)),
  /** The execution (`$$.Execution.Id`): the first to reach the operation owns it. Absent on direct calls. */
  executionId: z.optional(z.string().check(z.minLength(1))),
  /** Set by a Catch (`ResultPath: $.error`) for the compensation states. */
  error: z.optional(z.object({ Error: z.string(), Cause: z.optional(z.string()) })),
});
export type SagaInput = z.output<typeof sagaInputSchema>;

export interface StepContext {
  saga: SagaSpec;
  /** The forward step this state does or undoes. */
  step: string;
  input: SagaInput;
  /** The operation as read when the step started. */
  operation: Operation;
  now: Date;
  actor: Actor;
  lambda?: Context;
}

export interface CompensationContext extends StepContext {
  /** The status the forward step had: `succeeded` (undo it), `running` or `failed` (undo what may be there). */
  stepStatus: StepStatus;
}

export interface StepOutcome {
  writes?: Write[];
  events?: ChangeDraft[];
  /** Returned to the state machine with the step's status. */
  output?: Record<string, unknown>;
}

export interface StepResult {
  step: string;
  status: StepStatus | 'skipped' | 'compensated';
  alreadyDone?: boolean;
  [key: string]: unknown;
}

export type StepHandler = (event: unknown, context?: Context) => Promise<StepResult>;

/** Commit attempts within one invocation before a lost race is handed to the state machine's Retry. */
const COMMIT_ATTEMPTS = 5;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The step's record was already moved on by an earlier (or concurrent) run of the same step. */
class AlreadyDone extends ApiError {
  constructor() {
    super(409, 'AlreadyDone', 'The step is already done.');
  }
}

function parseInput(event: unknown): SagaInput {
  const parsed = sagaInputSchema.safeParse(event);
  if (!parsed.success) throw new StepError('InvalidSagaInput', `The state input is not a saga input: ${parsed.error.message}`);
  return parsed.data;
}

async function loadOperation(input: SagaInput): Promise<Operation> {
  const operation = await findOperation(input.tenantId, input.operationId, true);
  if (!operation) throw new StepError('OperationNotFound', `Operation ${input.operationId} of tenant ${input.tenantId} does not exist.`);
  return operation;
}

function errorOf(error: unknown, step?: string): OperationError {
  const failure = error instanceof Error ? error : new Error(String(error));
  return { code: failure.name || 'Error', message: failure.message.slice(0, 1000), ...(step ? { step } : {}) };
}

/** The Catch output `{ Error, Cause }`; in the cloud Cause is Lambda's JSON error document. */
function caughtError(input: SagaInput, operation: Operation): OperationError {
  const failedStep = operation.stepNames.find((name) => operation.steps[name]?.status === 'failed');
  const recorded = failedStep ? operation.steps[failedStep]?.error : undefined;
  if (recorded) return { ...recorded, step: failedStep as string };
  let message = input.error?.Cause ?? 'The saga failed.';
  try {
    const parsed = JSON.parse(message) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') message = parsed.errorMessage;
  } catch {
    // A plain message.
  }
  return { code: input.error?.Error ?? 'Error', message: message.slice(0, 1000), ...(failedStep ? { step: failedStep } : {}) };
}

/** In `set`: keep the attribute if it exists, else set it to `:now` (which `values` must hold). */
const IF_NOT_EXISTS = Symbol('if_not_exists(:now)');

interface Update {
  set: Record<string, unknown>;
  remove?: string[];
  condition: string;
  values?: Record<string, unknown>;
}

/**
 * An update of the operation: `set` and `remove` take dotted paths (`steps.ApplyQuotas.status`),
 * `condition` refers to them as `#a.#b` with names made from the same segments.
 */
function operationUpdate(operation: Pick<Operation, 'tenantId' | 'id'>, update: Update) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ...update.values };
  const path = (dotted: string) =>
    dotted
      .split('.')
      .map((segment) => {
        names[`#${segment}`] = segment;
        return `#${segment}`;
      })
      .join('.');
  const assignments = Object.entries(update.set).map(([dotted, value], index) => {
    const target = path(dotted);
    if (value === IF_NOT_EXISTS) return `${target} = if_not_exists(${target}, :now)`;
    values[`:v${index}`] = value;
    return `${target} = :v${index}`;
  });
  const removals = (update.remove ?? []).map(path);
  for (const match of update.condition.matchAll(/#([A-Za-z0-9_]+)/g)) names[`#${match[1]}`] = match[1] as string;
  return {
    TableName: tableName('resources'),
    Key: operationKey(operation.tenantId, operation.id),
    UpdateExpression: `SET ${assignments.join(', ')}${removals.length ? ` REMOVE ${removals.join(', ')}` : ''}`,
    ConditionExpression: update.condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/** Applies an update on its own; false when its condition did not hold. */
async function tryUpdate(operation: Pick<Operation, 'tenantId' | 'id'>, update: Update): Promise<boolean> {
  try {
    await documentClient().send(new UpdateCommand(operationUpdate(operation, update)));
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/**
 * At-least-once delivery can start two executions for one operation. The first execution to reach
 * any of its states claims the operation; a state of another execution stops with
 * DuplicateExecution, which the definitions catch into a Succeed state before it does anything.
 */
async function claimOperation(input: SagaInput): Promise<void> {
  if (!input.executionId) return;
  const claimed = await tryUpdate(
    { tenantId: input.tenantId, id: input.operationId },
    {
      set: { executionId: input.executionId },
      condition: 'attribute_exists(#pk) AND (attribute_not_exists(#executionId) OR #executionId = :me)',
      values: { ':me': input.executionId },
    },
  );
  if (claimed) return;
  const operation = await loadOperation(input);
  throw new StepError(DUPLICATE_EXECUTION, `Operation ${operation.id} belongs to execution ${operation.executionId}; this one stops.`);
}

const STEP_OPEN = '#steps.#STEP.#status <> :succeeded AND #steps.#STEP.#status <> :compensated';
const openValues = { ':succeeded': 'succeeded', ':compensated': 'compensated' };

function stepCondition(step: string, condition: string): string {
  return condition.replaceAll('#STEP', `#${step}`);
}

/** Marks the step running (another attempt), unless it is done or the operation is no longer running. */
async function markRunning(operation: Operation, step: string, now: Date): Promise<boolean> {
  const at = now.toISOString();
  return tryUpdate(operation, {
    set: {
      [`steps.${step}.status`]: 'running',
      [`steps.${step}.startedAt`]: at,
      [`steps.${step}.attempts`]: (operation.steps[step]?.attempts ?? 0) + 1,
      updatedAt: at,
    },
    remove: [`steps.${step}.endedAt`, `steps.${step}.error`],
    condition: stepCondition(step, `#status = :running AND ${STEP_OPEN}`),
    values: { ':running': 'running', ...openValues },
  });
}

/** Records a failed attempt, if the step is still marked running (best effort: the throw matters more). */
async function recordFailure(input: SagaInput, step: string, error: OperationError): Promise<void> {
  const at = new Date().toISOString();
  try {
    await tryUpdate(
      { tenantId: input.tenantId, id: input.operationId },
      {
        set: {
          [`steps.${step}.status`]: 'failed',
          [`steps.${step}.startedAt`]: IF_NOT_EXISTS,
          [`steps.${step}.endedAt`]: at,
          [`steps.${step}.error`]: error,
          updatedAt: at,
        },
        // A fault before the step started leaves it pending: it is recorded as failed too.
        condition: stepCondition(step, '#status = :opRunning AND #steps.#STEP.#status IN (:running, :pending)'),
        values: { ':opRunning': 'running', ':running': 'running', ':pending': 'pending', ':now': at },
      },
    );
  } catch (recordError) {
    logger.warn('could not record the failed step', { step, operationId: input.operationId, error: String(recordError) });
  }
}

/** Moves a running operation to failed with the caught error; nothing if it already left running. */
async function markOperationFailed(operation: Operation, error: OperationError, now: Date): Promise<void> {
  if (operation.status !== 'running') return;
  const at = now.toISOString();
  await tryUpdate(operation, {
    set: { status: 'failed', error, updatedAt: at },
    condition: '#status = :running',
    values: { ':running': 'running' },
  });
}

function asWrite(operation: Operation, update: Update): Write {
  return {
    item: { Update: { ...operationUpdate(operation, update), ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } },
    onConditionFailed: () => new AlreadyDone(),
  };
}

/**
 * Runs `compute` and commits its outcome with `recordWrite` first in the transaction. A lost race
 * (TransactionConflict, a stale version) computes again; a lost condition on the record means an
 * earlier run already committed this step.
 */
async function commitStep(
  ctx: StepContext,
  recordWrite: Write,
  compute: () => Promise<StepOutcome>,
): Promise<{ outcome?: StepOutcome; alreadyDone: boolean }> {
  for (let attempt = 1; ; attempt++) {
    try {
      const outcome = await compute();
      const changeContext = { actor: ctx.actor, requestId: ctx.input.operationId, now: ctx.now };
      await commitWrites([recordWrite, ...(outcome.writes ?? []), ...changesWrites(outcome.events, changeContext)]);
      return { outcome, alreadyDone: false };
    } catch (error) {
      if (error instanceof AlreadyDone) return { alreadyDone: true };
      if (!(error instanceof RetryRequest)) throw error;
      if (attempt >= COMMIT_ATTEMPTS) throw new TransientError(`The step lost ${attempt} races in a row: ${error.reason}`);
      await pause(5 * 2 ** attempt * Math.random());
    }
  }
}

export function idempotencyPrefix(saga: Pick<SagaSpec, 'name'>, state: string): string {
  return `saga.${saga.name}.${state}`;
}

/** What a state returns once its commit is done (or was found done by an earlier run). */
function committedResult(step: string, status: StepResult['status'], { outcome, alreadyDone }: { outcome?: StepOutcome; alreadyDone: boolean }): StepResult {
  return { step, status, ...(alreadyDone ? { alreadyDone } : {}), ...outcome?.output } as StepResult;
}

/** Commits `record` with what `compute` returns, at most once per operation and `state`. */
function commitOnce(ctx: StepContext, state: string, status: StepResult['status'], record: Write, compute: () => Promise<StepOutcome>): Promise<StepResult> {
  return runOnce(idempotencyPrefix(ctx.saga, state), 'operationId', { operationId: ctx.input.operationId }, ctx.lambda, async () =>
    committedResult(ctx.step, status, await commitStep(ctx, record, compute)),
  );
}

/**
 * A state reached after a failure (a compensation, MarkFailed): claims the operation, loads it and
 * runs `body`. Its errors, but for DuplicateExecution, are logged as `failedMessage` and thrown on
 * to the state machine.
 */
function afterFailure(
  saga: SagaSpec,
  failedMessage: string,
  logFields: { step?: string },
  body: (input: SagaInput, operation: Operation, now: Date, lambda?: Context) => Promise<StepResult>,
): StepHandler {
  return async (event, lambda) => {
    const input = parseInput(event);
    try {
      await claimOperation(input);
      const now = new Date();
      const operation = await loadOperation(input);
      return await body(input, operation, now, lambda);
    } catch (error) {
      const failure = stepFailure(error);
      if (failure.name === DUPLICATE_EXECUTION) throw failure;
      logger.error(failedMessage, { saga: saga.name, ...logFields, operationId: input.operationId, error: failure.name, detail: failure.message });
      throw failure;
    }
  };
}

/**
 * A forward step. `run` reads what it needs and returns the writes and events of its effect; the
 * kit commits them with the step's `succeeded` (and, for the last step, the operation's
 * `succeeded`) in one transaction.
 */
export function sagaStep(spec: { saga: SagaSpec; step: string }, run: (ctx: StepContext) => Promise<StepOutcome>): StepHandler {
  const { saga, step } = spec;
  if (!saga.steps.includes(step)) throw new Error(`${saga.name} has no step ${step}`);
  const last = saga.steps.at(-1) === step;

  return async (event, lambda) => {
    const input = parseInput(event);
    const started = Date.now();
    try {
      await claimOperation(input);
      checkFault(faultPoint(saga, step));
      const result = await runOnce(idempotencyPrefix(saga, step), 'operationId', { operationId: input.operationId }, lambda, async () => {
        const now = new Date();
        const operation = await loadOperation(input);
        if (operation.steps[step]?.status === 'succeeded') return { step, status: 'succeeded', alreadyDone: true } as StepResult;
        if (!(await markRunning(operation, step, now))) {
          const current = await loadOperation(input);
          if (current.steps[step]?.status === 'succeeded') return { step, status: 'succeeded', alreadyDone: true } as StepResult;
          throw new StepError('OperationNotRunning', `Operation ${operation.id} is ${current.status}; step ${step} is ${current.steps[step]?.status}.`);
        }
        const ctx: StepContext = { saga, step, input, operation, now, actor: sagaActor(saga), ...(lambda ? { lambda } : {}) };
        const at = now.toISOString();
        const record = asWrite(operation, {
          set: {
            [`steps.${step}.status`]: 'succeeded',
            [`steps.${step}.endedAt`]: at,
            updatedAt: at,
            ...(last ? { status: 'succeeded', endedAt: at } : {}),
          },
          condition: stepCondition(step, `#status = :running AND ${STEP_OPEN}`),
          values: { ':running': 'running', ...openValues },
        });
        return committedResult(step, 'succeeded', await commitStep(ctx, record, () => run(ctx)));
      });
      logger.info(result.alreadyDone ? 'saga step already done' : 'saga step succeeded', {
        saga: saga.name,
        step,
        operationId: input.operationId,
        ms: Date.now() - started,
      });
      return result;
    } catch (error) {
      const failure = stepFailure(error);
      if (failure.name === DUPLICATE_EXECUTION) {
        logger.info('saga step skipped: another execution owns the operation', { saga: saga.name, step, operationId: input.operationId });
        throw failure;
      }
      await recordFailure(input, step, errorOf(failure));
      logger.warn('saga step failed', { saga: saga.name, step, operationId: input.operationId, error: failure.name, detail: failure.message });
      throw failure;
    }
  };
}

/**
 * The compensation of `step` (the `Undo<Step>` state, reached from a Catch). It first marks the
 * operation failed with the caught error, then undoes the step if it got anywhere: `undo` returns
 * the writes and events that reverse it, committed with the step's `compensated`. A step still
 * pending, or already compensated, is skipped.
 */
export function compensationStep(
  spec: { saga: SagaSpec; step: string },
  undo: (ctx: CompensationContext) => Promise<StepOutcome>,
): StepHandler {
  const { saga, step } = spec;
  if (!saga.steps.includes(step)) throw new Error(`${saga.name} has no step ${step}`);
  const state = undoStateName(step);

  return afterFailure(saga, 'saga compensation failed', { step }, async (input, operation, now, lambda) => {
    await markOperationFailed(operation, caughtError(input, operation), now);
    checkFault(faultPoint(saga, state));
    const stepStatus = operation.steps[step]?.status ?? 'pending';
    if (stepStatus === 'pending' || stepStatus === 'compensated') {
      logger.info('saga compensation skipped', { saga: saga.name, step, stepStatus, operationId: input.operationId });
      return { step, status: 'skipped' };
    }
    const ctx: CompensationContext = { saga, step, input, operation, now, actor: sagaActor(saga), stepStatus, ...(lambda ? { lambda } : {}) };
    const at = now.toISOString();
    const record = asWrite(operation, {
      set: {
        // A step that had succeeded is now compensated; one that failed or never finished stays failed.
        [`steps.${step}.status`]: stepStatus === 'succeeded' ? 'compensated' : 'failed',
        [`steps.${step}.compensatedAt`]: at,
        ...(stepStatus === 'running' ? { [`steps.${step}.error`]: { code: 'Interrupted', message: 'The step did not finish.' } } : {}),
        updatedAt: at,
      },
      condition: stepCondition(step, '#steps.#STEP.#status = :was AND attribute_not_exists(#steps.#STEP.#compensatedAt)'),
      values: { ':was': stepStatus },
    });
    const result = await commitOnce(ctx, state, 'compensated', record, () => undo(ctx));
    logger.info('saga step compensated', { saga: saga.name, step, operationId: input.operationId });
    return result;
  });
}

/**
 * The end of a failed saga, after the compensations: the operation becomes `compensated` and
 * `finish` returns the writes that mark the resource failed and its events.
 */
export function sagaFailed(spec: { saga: SagaSpec }, finish: (ctx: StepContext) => Promise<StepOutcome>): StepHandler {
  const { saga } = spec;
  return afterFailure(saga, 'saga could not be marked failed', {}, async (input, operation, now, lambda) => {
    const error = operation.error ?? caughtError(input, operation);
    await markOperationFailed(operation, error, now);
    checkFault(faultPoint(saga, MARK_FAILED_STATE));
    if (operation.status === 'compensated') return { step: MARK_FAILED_STATE, status: 'compensated', alreadyDone: true };
    const ctx: StepContext = { saga, step: MARK_FAILED_STATE, input, operation: { ...operation, status: 'failed', error }, now, actor: sagaActor(saga), ...(lambda ? { lambda } : {}) };
    const at = now.toISOString();
    const record = asWrite(operation, {
      set: { status: 'compensated', endedAt: at, updatedAt: at },
      condition: '#status IN (:running, :failed)',
      values: { ':running': 'running', ':failed': 'failed' },
    });
    const result = await commitOnce(ctx, MARK_FAILED_STATE, 'compensated', record, () => finish(ctx));
    logger.warn('saga compensated', { saga: saga.name, operationId: input.operationId, error });
    return result;
  });
}
