/**
 * Step Functions, locally: the manifest's state machines run by aws-local-stepfunctions from the
 * same ASL files the cloud deploys.
 *
 * - Each `${Placeholder}` in a definition is replaced by a fake Lambda ARN (the cloud substitutes
 *   the real function ARNs), and every Task state is mapped to the handler module the manifest
 *   names for its placeholder, called in-process like a Lambda invocation (invoke.ts). A Task
 *   without a local handler would call real AWS, so a definition with an unmapped Task is refused.
 * - `start(name, input)` starts an execution in the background and resolves once it has started,
 *   as StartExecution does; the runtime wires it as the event bus's `startStateMachine` target.
 * - Retry intervals can be shortened (`retryDelayMs`) so tests and demos do not wait for the
 *   cloud's backoff.
 *
 * aws-local-stepfunctions 3.0.0 uses `Promise.withResolvers`, which Node 20 lacks: polyfilled here.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvokeStore, InvokeStoreBase } from '@aws/lambda-invoke-store';
import type { Context } from 'aws-lambda';
import { logger } from '../../functions/kit/logger';
import { manifest, type StateMachineSpec } from '../../functions/manifest';
import { invokeLocally, requireModuleHandler } from './invoke';

type Resolvers<T> = { promise: Promise<T>; resolve: (value: T | PromiseLike<T>) => void; reject: (reason?: unknown) => void };
const promiseConstructor = Promise as unknown as { withResolvers?: <T>() => Resolvers<T> };
if (typeof promiseConstructor.withResolvers !== 'function') {
  promiseConstructor.withResolvers = function withResolvers<T>(): Resolvers<T> {
    let resolve!: Resolvers<T>['resolve'];
    let reject!: Resolvers<T>['reject'];
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

// Loaded after the polyfill; the package's CommonJS build (jest, tsx) or ESM build both work.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { StateMachine } = require('aws-local-stepfunctions') as typeof import('aws-local-stepfunctions');
type Definition = ConstructorParameters<typeof StateMachine>[0];

const ROOT = join(__dirname, '..', '..');
const ACCOUNT = '000000000000';

// biome-ignore lint/suspicious/noExplicitAny: any handler, whatever its event type, must fit
export type TaskHandler = (event: any, context: Context) => Promise<unknown>;

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';

export interface LocalExecution {
  executionArn: string;
  name: string;
  stateMachine: string;
  input: unknown;
  startedAt: Date;
  status: ExecutionStatus;
  stoppedAt?: Date;
  output?: unknown;
  error?: { error: string; cause: string };
  /** The states entered, in order (Parallel/Map inner states included). */
  states: string[];
  /** The states retried, once per retry. */
  retried: string[];
  /** Resolves (never rejects) when the execution has stopped. */
  done: Promise<LocalExecution>;
}

export interface LocalStepFunctionsOptions {
  machines?: StateMachineSpec[];
  /** Loads a Task's handler module; default `require(functions/<module>)`. */
  loadHandler?: (module: string) => TaskHandler;
  region?: string;
  /** Wait this long before every retry instead of the definition's IntervalSeconds/BackoffRate. */
  retryDelayMs?: number;
  /** Where `definition` paths are relative to; default the repository root. */
  rootDir?: string;
}

export interface LocalStepFunctions {
  start(name: string, input: unknown): Promise<LocalExecution>;
  readonly executions: readonly LocalExecution[];
  /** Resolves once no execution is running (or after `timeoutMs`). */
  idle(timeoutMs?: number): Promise<void>;
  /** Aborts running executions. */
  stop(): Promise<void>;
}

interface LoadedMachine {
  spec: StateMachineSpec;
  machine: InstanceType<typeof StateMachine>;
  handlers: Record<string, (input: unknown) => Promise<unknown>>;
  retryIntervalOverrides: Record<string, number>;
  timeouts: Record<string, number>;
}

type AslState = { Type: string; Resource?: string; Retry?: unknown[]; TimeoutSeconds?: number; Branches?: AslMachine[]; Iterator?: AslMachine; ItemProcessor?: AslMachine };
type AslMachine = { States: Record<string, AslState> };

/** Every state of a definition with its name, nested Parallel branches and Map processors included. */
export function allStates(definition: AslMachine): [string, AslState][] {
  return Object.entries(definition.States).flatMap(([name, state]) => [
    [name, state] as [string, AslState],
    ...(state.Branches ?? []).flatMap(allStates),
    ...(state.Iterator ? allStates(state.Iterator) : []),
    ...(state.ItemProcessor ? allStates(state.ItemProcessor) : []),
  ]);
}

export function fakeFunctionArn(region: string, placeholder: string): string {
  return `arn:aws:lambda:${region}:${ACCOUNT}:function:local-${placeholder}`;
}

/** The definition text with each `${Placeholder}` replaced; an unknown placeholder is an error. */
export function substitute(text: string, values: Record<string, string>, source: string): string {
  return text.replace(/\$\{([A-Za-z0-9_]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`${source}: no substitution for \${${name}}`);
    return value;
  });
}

function loadMachine(spec: StateMachineSpec, options: Required<Pick<LocalStepFunctionsOptions, 'region' | 'rootDir'>> & LocalStepFunctionsOptions): LoadedMachine {
  const arns = Object.fromEntries(Object.keys(spec.tasks).map((placeholder) => [placeholder, fakeFunctionArn(options.region, placeholder)]));
  const byArn = new Map(Object.entries(spec.tasks).map(([placeholder, module]) => [arns[placeholder] as string, { placeholder, module }]));
  const text = substitute(readFileSync(join(options.rootDir, spec.definition), 'utf8'), arns, spec.definition);
  const definition = JSON.parse(text) as AslMachine;
  const load = options.loadHandler ?? ((module: string) => requireModuleHandler(module) as TaskHandler);

  const handlers: LoadedMachine['handlers'] = {};
  const retryIntervalOverrides: Record<string, number> = {};
  const timeouts: Record<string, number> = {};
  for (const [stateName, state] of allStates(definition)) {
    if (state.Retry && options.retryDelayMs !== undefined) retryIntervalOverrides[stateName] = options.retryDelayMs;
    if (state.Type !== 'Task') continue;
    const task = byArn.get(state.Resource ?? '');
    if (!task) throw new Error(`${spec.definition}: Task ${stateName} (${state.Resource}) has no local handler: map its placeholder in the manifest`);
    timeouts[stateName] = (state.TimeoutSeconds ?? 60) * 1000;
    let handler: TaskHandler | undefined;
    handlers[stateName] = async (input) => {
      handler ??= load(task.module);
      const result = await invokeLocally(`local-${task.placeholder}`, handler, input, timeouts[stateName]);
      // What Lambda hands back is JSON: undefined fields vanish, dates become strings.
      return result === undefined ? null : JSON.parse(JSON.stringify(result));
    };
  }
  return { spec, machine: stateMachineOf(text, definition), handlers, retryIntervalOverrides, timeouts };
}

/**
 * Building a StateMachine validates its definition (a JSON Schema compile), about half a second
 * each: a process that starts several platforms (the test files) builds each definition once. A
 * machine holds no run state: the handlers and overrides are given to each run.
 */
const machinesByText = new Map<string, LoadedMachine['machine']>();

function stateMachineOf(text: string, definition: AslMachine): LoadedMachine['machine'] {
  let machine = machinesByText.get(text);
  if (!machine) {
    machine = new StateMachine(definition as unknown as Definition);
    machinesByText.set(text, machine);
  }
  return machine;
}

/**
 * Runs `fn` as its own invocation context: with many invocations in one process (the local
 * runtime's concurrent mode), Powertools keeps log keys per context and refuses to log outside one.
 */
export async function withinLocalContext<T>(requestId: string, fn: () => T): Promise<T> {
  const store = await InvokeStore.getInstanceAsync(Boolean(process.env.AWS_LAMBDA_MAX_CONCURRENCY));
  return store.run({ [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: requestId }, fn);
}

export function createLocalStepFunctions(options: LocalStepFunctionsOptions = {}): LocalStepFunctions {
  const region = options.region ?? process.env.PLATFORM_REGION ?? 'us-east-1';
  const rootDir = options.rootDir ?? ROOT;
  const machines = new Map<string, LoadedMachine>();
  for (const spec of options.machines ?? manifest.stateMachines) {
    machines.set(spec.name, loadMachine(spec, { ...options, region, rootDir }));
  }
  const executions: LocalExecution[] = [];
  const running = new Map<LocalExecution, () => void>();

  async function follow(execution: LocalExecution, logs: AsyncGenerator<{ type: string; state?: { name: string } }>): Promise<void> {
    try {
      for await (const entry of logs) {
        if (entry.type === 'StateEntered' && entry.state) {
          execution.states.push(entry.state.name);
          logger.info('state entered', { stateMachine: execution.stateMachine, execution: execution.name, state: entry.state.name });
        } else if (entry.type === 'StateRetried' && entry.state) {
          execution.retried.push(entry.state.name);
          logger.info('state retried', { stateMachine: execution.stateMachine, execution: execution.name, state: entry.state.name });
        } else if (entry.type === 'StateCaught' && entry.state) {
          logger.warn('state caught', { stateMachine: execution.stateMachine, execution: execution.name, state: entry.state.name });
        }
      }
    } catch {
      // The log ends with the execution; its outcome is read from the result.
    }
  }

  function begin(loaded: LoadedMachine, name: string, executionName: string, input: unknown): LocalExecution {
    const executionArn = `arn:aws:states:${region}:${ACCOUNT}:execution:${name}:${executionName}`;
    const startedAt = new Date();
    const run = loaded.machine.run(input as never, {
      overrides: { taskResourceLocalHandlers: loaded.handlers as never, retryIntervalOverrides: loaded.retryIntervalOverrides },
      noThrowOnAbort: true,
      context: {
        Execution: { Id: executionArn, Name: executionName, Input: input as never, StartTime: startedAt.toISOString() },
        StateMachine: { Id: `arn:aws:states:${region}:${ACCOUNT}:stateMachine:${name}`, Name: name },
      },
    });
    const execution = { executionArn, name: executionName, stateMachine: name, input, startedAt, status: 'RUNNING', states: [], retried: [] } as unknown as LocalExecution;
    const followed = follow(execution, run.eventLogs as never);
    execution.done = run.result.then(
      (output) => {
        execution.status = output === null && !running.has(execution) ? 'ABORTED' : 'SUCCEEDED';
        execution.output = output;
      },
      (error: unknown) => {
        const failure = error as Error & { cause?: { name?: string; message?: string } };
        execution.status = 'FAILED';
        execution.error = { error: failure.cause?.name ?? failure.name, cause: failure.cause?.message ?? failure.message };
        logger.warn('execution failed', { stateMachine: name, execution: executionName, error: execution.error });
      },
    ).then(async () => {
      execution.stoppedAt = new Date();
      running.delete(execution);
      await followed;
      logger.info('execution stopped', { stateMachine: name, execution: executionName, status: execution.status });
      return execution;
    });
    running.set(execution, () => {
      running.delete(execution);
      run.abort();
    });
    executions.push(execution);
    logger.info('execution started', { stateMachine: name, execution: executionName });
    return execution;
  }

  return {
    executions,
    async start(name, input) {
      const loaded = machines.get(name);
      if (!loaded) throw new Error(`No state machine named ${name}`);
      const executionName = randomUUID();
      // The execution and everything it logs run in a context of their own (see withinLocalContext).
      return withinLocalContext(executionName, () => begin(loaded, name, executionName, input));
    },
    async idle(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (running.size > 0 && Date.now() < deadline) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          Promise.all([...running.keys()].map((execution) => execution.done)),
          new Promise((resolve) => {
            timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
          }),
        ]);
        clearTimeout(timer);
      }
    },
    async stop() {
      const stopping = [...running.entries()];
      for (const [, abort] of stopping) abort();
      await Promise.all(stopping.map(([execution]) => execution.done));
    },
  };
}
