/**
 * What each instance saga does at each state of the shared definition:
 *
 *   CallProvider   asks the data plane (launch or resize+start, stop, reboot, terminate)
 *   AwaitProvider  polls it until the machine is where the transition wants it
 *   Complete       moves the instance on, with its event, in the step's transaction
 *   UndoCallProvider  a launch's machine is terminated; the others have nothing to undo
 *   MarkFailed     a launch's instance fails and gives everything back; the others keep their
 *                  state with a stateReason (asking again retries, as AWS's "stop again")
 *
 * Every state first checks that the instance is still the saga's: in the state the saga works in
 * and under its operation. One that is not (a reboot overtaken by a stop) is left alone.
 */
import * as z from 'zod/mini';
import { change } from '../../events/outbox';
import { checkFault } from '../../kit/faults';
import type { ComputeProvider, InstanceRef, ProviderInstance } from '../../providers/provider';
import { computeProvider } from '../../providers';
import { faultPoint, type SagaSpec } from '../../sagas/define';
import { StepError, stepFailure } from '../../sagas/errors';
import type { OperationError } from '../../sagas/operation';
import { compensationStep, sagaFailed, sagaInputSchema, sagaStep, type SagaInput, type StepHandler, type StepOutcome } from '../../sagas/step';
import {
  instanceFailed,
  instanceRebooted,
  instanceRunning,
  instanceStopped,
  instanceTerminated,
  instanceTransitionFailed,
} from '../events';
import { runningSecondsAt, type Instance, type InstanceState, type StateReason } from '../instance';
import { endInstanceWrites, findInstance, updateInstanceWrites } from '../instance-repository';
import { publicAddressStops, runningStarts, withUsage } from '../metering';
import { instanceLaunch, instanceReboot, instanceStop, instanceTermination } from './sagas';

type Verdict = 'ready' | 'wait' | 'lost';

interface Lifecycle {
  saga: SagaSpec;
  /** The state the instance is in while this saga works on it. */
  working: InstanceState;
  call(provider: ComputeProvider, instance: Instance): Promise<void>;
  settled(machine: ProviderInstance | undefined): Verdict;
  complete(provider: ComputeProvider, instance: Instance, now: Date, operationId: string): Promise<StepOutcome>;
  undo?(provider: ComputeProvider, instance: Instance): Promise<void>;
  fail(instance: Instance, now: Date, operationId: string, reason: StateReason): StepOutcome;
}

const refOf = (instance: Instance): InstanceRef => ({ tenantId: instance.tenantId, instanceId: instance.id });
const shapeOf = (instance: Instance) => ({ flavorId: instance.flavorId, vcpus: instance.vcpus, memoryMib: instance.memoryMib });

function verdict(machine: ProviderInstance | undefined, ready: (m: ProviderInstance | undefined) => boolean, waiting: readonly string[]): Verdict {
  if (ready(machine)) return 'ready';
  return machine && waiting.includes(machine.state) ? 'wait' : 'lost';
}

/** A stop, reboot or termination the data plane did not complete: the state stays, with the reason. */
function transitionFailed(saga: SagaSpec) {
  return (instance: Instance, now: Date, operationId: string, reason: StateReason): StepOutcome => ({
    writes: updateInstanceWrites(instance, { set: { stateReason: reason }, now }),
    events: [
      change(instanceTransitionFailed, {
        tenantId: instance.tenantId,
        resourceId: instance.id,
        data: { operationId, operationType: saga.name, status: instance.status, reason },
      }),
    ],
  });
}

const launch: Lifecycle = {
  saga: instanceLaunch,
  working: 'pending',
  async call(provider, instance) {
    if (!instance.providerId) {
      await provider.launch({
        ...refOf(instance),
        ...shapeOf(instance),
        imageId: instance.imageId,
        subnetId: instance.subnetId,
        availabilityZone: instance.availabilityZone,
        privateIpAddress: instance.privateIpAddress as string,
        ...(instance.publicIpAddress ? { publicIpAddress: instance.publicIpAddress } : {}),
        rootVolumeGb: instance.rootVolumeGb,
        ...(instance.userData ? { userData: instance.userData } : {}),
      });
      return;
    }
    // A start: the machine takes a flavor changed while it was stopped, then boots.
    const machine = await provider.describe(refOf(instance));
    if (!machine || machine.state === 'terminated') throw new StepError('MachineLost', `The data plane has no machine for ${instance.id}.`);
    if (machine.state === 'stopped' && machine.flavorId !== instance.flavorId) await provider.resize(refOf(instance), shapeOf(instance));
    await provider.start(refOf(instance));
  },
  settled: (machine) => verdict(machine, (m) => m?.state === 'running', ['pending']),
  async complete(provider, instance, now, operationId) {
    const machine = await provider.describe(refOf(instance));
    const launchedAt = now.toISOString();
    return {
      writes: updateInstanceWrites(instance, {
        to: 'running',
        set: { launchedAt, ...(machine ? { providerId: machine.providerId } : {}) },
        remove: ['stateReason'],
        now,
      }),
      events: [change(instanceRunning, { tenantId: instance.tenantId, resourceId: instance.id, data: { from: 'pending', to: 'running', launchedAt, operationId, flavorId: instance.flavorId, usage: runningStarts(instance) } })],
    };
  },
  async undo(provider, instance) {
    await provider.terminate(refOf(instance));
  },
  fail: (instance, now, operationId, reason) => ({
    writes: endInstanceWrites(instance, 'failed', { set: { stateReason: reason }, now }),
    events: [change(instanceFailed, { tenantId: instance.tenantId, resourceId: instance.id, data: { from: 'pending', to: 'failed', operationId, reason, ...withUsage(publicAddressStops(instance)) } })],
  }),
};

const stop: Lifecycle = {
  saga: instanceStop,
  working: 'stopping',
  async call(provider, instance) {
    await provider.stop(refOf(instance));
  },
  settled: (machine) => verdict(machine, (m) => m?.state === 'stopped', ['stopping', 'running', 'rebooting']),
  async complete(_provider, instance, now, operationId) {
    return {
      writes: updateInstanceWrites(instance, { to: 'stopped', remove: ['stateReason'], now }),
      events: [change(instanceStopped, { tenantId: instance.tenantId, resourceId: instance.id, data: { from: 'stopping', to: 'stopped', operationId } })],
    };
  },
  fail: transitionFailed(instanceStop),
};

const reboot: Lifecycle = {
  saga: instanceReboot,
  working: 'running',
  async call(provider, instance) {
    await provider.reboot(refOf(instance));
  },
  settled: (machine) => verdict(machine, (m) => m?.state === 'running', ['rebooting']),
  async complete(_provider, instance, _now, operationId) {
    return { events: [change(instanceRebooted, { tenantId: instance.tenantId, resourceId: instance.id, data: { operationId } })] };
  },
  fail: transitionFailed(instanceReboot),
};

const termination: Lifecycle = {
  saga: instanceTermination,
  working: 'shutting-down',
  async call(provider, instance) {
    await provider.terminate(refOf(instance));
  },
  settled: (machine) => verdict(machine, (m) => m === undefined || m.state === 'terminated', ['shutting-down']),
  async complete(_provider, instance, now, operationId) {
    return {
      writes: endInstanceWrites(instance, 'terminated', { set: { terminatedAt: now.toISOString() }, remove: ['stateReason'], now }),
      events: [
        change(instanceTerminated, {
          tenantId: instance.tenantId,
          resourceId: instance.id,
          data: { from: 'shutting-down', to: 'terminated', operationId, runningSeconds: runningSecondsAt(instance, now), ...withUsage(publicAddressStops(instance)) },
        }),
      ],
    };
  },
  fail: transitionFailed(instanceTermination),
};

const LIFECYCLES: readonly Lifecycle[] = [launch, stop, reboot, termination];

/** The instance, if it is still this saga's to move. */
async function instanceOf(lifecycle: Lifecycle, tenantId: string, instanceId: string, operationId: string): Promise<Instance | undefined> {
  const instance = await findInstance(tenantId, instanceId);
  if (!instance || instance.operationId !== operationId || instance.status !== lifecycle.working) return undefined;
  return instance;
}

/** Runs a forward step's work on the instance, or does nothing if the saga was overtaken. */
async function ifStillTheSagas(lifecycle: Lifecycle, input: SagaInput, work: (instance: Instance) => Promise<StepOutcome>): Promise<StepOutcome> {
  const instance = await instanceOf(lifecycle, input.tenantId, input.resourceId, input.operationId);
  return instance ? work(instance) : { output: { superseded: true } };
}

const reasonOf = (error: OperationError | undefined): StateReason => ({
  code: error?.code ?? 'Error',
  message: error?.message ?? 'The data plane did not complete the transition.',
});

/** Polls before AwaitProvider gives up: at most 5 s apart, so a few minutes. */
export const MAX_POLLS = 60;
const MAX_DELAY_SECONDS = 5;

const awaitInput = z.extend(sagaInputSchema, { wait: z.optional(z.object({ polls: z.int().check(z.gte(0)) })) });

export interface AwaitResult {
  ready: boolean;
  polls: number;
  delaySeconds: number;
}

interface LifecycleHandlers {
  callProvider: StepHandler;
  awaitProvider: (event: unknown) => Promise<AwaitResult>;
  complete: StepHandler;
  undoCallProvider: StepHandler;
  markFailed: StepHandler;
}

function handlersOf(lifecycle: Lifecycle): LifecycleHandlers {
  const { saga } = lifecycle;
  return {
    callProvider: sagaStep({ saga, step: 'CallProvider' }, ({ input }) =>
      ifStillTheSagas(lifecycle, input, async (instance) => {
        await lifecycle.call(computeProvider(), instance);
        return {};
      }),
    ),
    async awaitProvider(event) {
      try {
        checkFault(faultPoint(saga, 'AwaitProvider'));
        const parsed = awaitInput.safeParse(event);
        if (!parsed.success) throw new StepError('InvalidSagaInput', parsed.error.message);
        const { tenantId, resourceId, operationId } = parsed.data;
        const polls = (parsed.data.wait?.polls ?? 0) + 1;
        const instance = await instanceOf(lifecycle, tenantId, resourceId, operationId);
        // Superseded: Complete will find nothing to do either.
        if (!instance) return { ready: true, polls, delaySeconds: 0 };
        const machine = await computeProvider().describe(refOf(instance));
        const state = lifecycle.settled(machine);
        if (state === 'lost') throw new StepError('MachineLost', `The machine of ${instance.id} is ${machine?.state ?? 'gone'}.`);
        if (state === 'wait' && polls >= MAX_POLLS) throw new StepError('ProviderTimedOut', `The machine of ${instance.id} is still ${machine?.state} after ${polls} checks.`);
        return { ready: state === 'ready', polls, delaySeconds: state === 'ready' ? 0 : Math.min(MAX_DELAY_SECONDS, polls) };
      } catch (error) {
        throw stepFailure(error);
      }
    },
    complete: sagaStep({ saga, step: 'Complete' }, ({ input, now }) =>
      ifStillTheSagas(lifecycle, input, (instance) => lifecycle.complete(computeProvider(), instance, now, input.operationId)),
    ),
    undoCallProvider: compensationStep({ saga, step: 'CallProvider' }, async ({ input }) => {
      const instance = await instanceOf(lifecycle, input.tenantId, input.resourceId, input.operationId);
      if (instance && lifecycle.undo) await lifecycle.undo(computeProvider(), instance);
      return {};
    }),
    markFailed: sagaFailed({ saga }, async ({ input, operation, now }) => {
      const instance = await instanceOf(lifecycle, input.tenantId, input.resourceId, input.operationId);
      if (!instance) return {};
      return lifecycle.fail(instance, now, input.operationId, reasonOf(operation.error));
    }),
  };
}

const bySaga = new Map(LIFECYCLES.map((lifecycle) => [lifecycle.saga.name, handlersOf(lifecycle)]));

/**
 * The Task handler for one state of the shared definition: it runs the state of the saga named by
 * the input's `operationType` (the ReadEvent state copies it from the event).
 */
export function lifecycleHandler<K extends keyof LifecycleHandlers>(state: K): LifecycleHandlers[K] {
  const dispatch = (event: unknown, context?: unknown) => {
    const type = (event as { operationType?: unknown } | null)?.operationType;
    const handlers = typeof type === 'string' ? bySaga.get(type) : undefined;
    if (!handlers) return Promise.reject(new StepError('InvalidSagaInput', `No instance saga is called ${String(type)}.`));
    return (handlers[state] as (event: unknown, context?: unknown) => Promise<unknown>)(event, context);
  };
  return dispatch as LifecycleHandlers[K];
}
