/**
 * Invoking a handler module in-process the way Lambda invokes it: with a Lambda-like context and
 * inside the invoke store, so each invocation keeps its own log keys when many run at once.
 * The bus uses it for `{ handler }` rule targets and the stream poller for the relay.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { InvokeStore, InvokeStoreBase } from '@aws/lambda-invoke-store';
import type { Context } from 'aws-lambda';

const FUNCTIONS_DIR = join(__dirname, '..', '..', 'functions');

// biome-ignore lint/suspicious/noExplicitAny: any handler, whatever its event type, must fit
export type ModuleHandler = (event: any, context: Context) => Promise<unknown>;

/** The `handler` export of functions/<module> (`events/relay`). */
export function requireModuleHandler(module: string): ModuleHandler {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = require(join(FUNCTIONS_DIR, module)) as { handler?: ModuleHandler };
  if (typeof loaded.handler !== 'function') throw new Error(`functions/${module} exports no handler`);
  return loaded.handler;
}

export function localContext(functionName: string, requestId: string, timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Runs `handler(event, context)` as one Lambda invocation of `functionName`. */
export async function invokeLocally<T>(
  functionName: string,
  // biome-ignore lint/suspicious/noExplicitAny: any handler, whatever its event type, must fit
  handler: (event: any, context: Context) => Promise<T>,
  event: unknown,
  timeoutMs = 60_000,
): Promise<T> {
  const requestId = randomUUID();
  const context = localContext(functionName, requestId, timeoutMs);
  // Concurrent only if AWS_LAMBDA_MAX_CONCURRENCY was set first (lambda-environment.ts); otherwise one store for all.
  const store = await InvokeStore.getInstanceAsync(Boolean(process.env.AWS_LAMBDA_MAX_CONCURRENCY));
  return store.run({ [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: requestId }, () => handler(event, context));
}
