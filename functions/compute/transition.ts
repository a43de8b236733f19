/**
 * An action on an instance (start, stop, reboot, terminate), as its request commits it: the state
 * graph decides (./instance.ts `decide`); a transition moves the instance on its version, starts
 * the saga that finishes it (operation record + the event its rule listens to) and answers 202; a
 * no-op answers 200 and writes nothing.
 */
import { change, type ChangeDraft } from '../events/outbox';
import { assertIfMatch, type IfMatch } from '../kit/etag';
import { BadRequest, Conflict } from '../kit/errors';
import type { Outcome } from '../wiring/http';
import type { SagaSpec } from '../sagas/define';
import { createOperationWrite, newOperation } from '../sagas/operation';
import { instancePending, instanceRebooting, instanceShuttingDown, instanceStopping } from './events';
import { decide, publicInstance, runningMillisAfterLeaving, runningSecondsAt, type Action, type Instance, type InstanceView } from './instance';
import { getInstance, updateInstanceWrites } from './instance-repository';
import { runningStops, withUsage } from './metering';
import { instanceLaunch, instanceReboot, instanceStop, instanceTermination } from './lifecycle/sagas';

type SagaAction = Exclude<Action, 'resize'>;

const sagaOf: Record<SagaAction, SagaSpec> = {
  start: instanceLaunch,
  stop: instanceStop,
  reboot: instanceReboot,
  terminate: instanceTermination,
};

function startingEvent(action: SagaAction, before: Instance, after: Instance, operationId: string, now: Date): ChangeDraft {
  const common = { tenantId: after.tenantId, resourceId: after.id };
  const move = { from: before.status, to: after.status, operationId, operationType: sagaOf[action].name };
  switch (action) {
    case 'start':
      return change(instancePending, {
        ...common,
        data: {
          ...move,
          flavorId: after.flavorId,
          imageId: after.imageId,
          subnetId: after.subnetId,
          ...(after.privateIpAddress ? { privateIpAddress: after.privateIpAddress } : {}),
          ...(after.publicIpAddress ? { publicIpAddress: after.publicIpAddress } : {}),
          ...(after.projectId ? { projectId: after.projectId } : {}),
        },
      });
    case 'stop':
      return change(instanceStopping, { ...common, data: { ...move, runningSeconds: runningSecondsAt(after, now), ...withUsage(runningStops(before, before.status)) } });
    case 'reboot':
      return change(instanceRebooting, { ...common, data: move });
    case 'terminate':
      return change(instanceShuttingDown, { ...common, data: { ...move, runningSeconds: runningSecondsAt(after, now), ...withUsage(runningStops(before, before.status)) } });
  }
}

/**
 * The commit of `action` on `instance` (already read and checked against If-Match), or its refusal.
 * Also used by a project's cascade deletion, which terminates the project's instances.
 */
export function transitionOutcome(action: SagaAction, instance: Instance, now: Date, ifMatch?: IfMatch): Outcome<InstanceView> {
  const decision = decide(action, instance);
  if (decision.kind === 'refuse') {
    throw decision.code === 'OperationNotPermitted' ? new BadRequest(decision.code, decision.message) : new Conflict(decision.code, decision.message);
  }
  if (decision.kind === 'noop') return { status: 200, body: publicInstance(instance, now), etag: instance.version };

  const to = decision.kind === 'transition' ? decision.to : instance.status;
  const operation = newOperation(sagaOf[action], { tenantId: instance.tenantId, resourceId: instance.id, now });
  const leavesRunning = instance.status === 'running' && to !== 'running';
  const set: Partial<Instance> = { operationId: operation.id, ...(leavesRunning ? { runningMillis: runningMillisAfterLeaving(instance, now) } : {}) };
  const after: Instance = { ...instance, ...set, status: to, version: instance.version + 1, updatedAt: now.toISOString() };
  delete after.stateReason;
  return {
    status: 202,
    body: publicInstance(after, now),
    etag: after.version,
    writes: [
      ...updateInstanceWrites(instance, { ...(to !== instance.status ? { to } : {}), set, remove: ['stateReason'], now, ...(ifMatch ? { ifMatch } : {}) }),
      createOperationWrite(operation),
    ],
    events: [startingEvent(action, instance, after, operation.id, now)],
  };
}

/** The request handler's body for an action on the instance `id` of the tenant. */
export async function requestTransition(action: SagaAction, tenantId: string, id: string, now: Date, ifMatch?: IfMatch): Promise<Outcome<InstanceView>> {
  const instance = await getInstance(tenantId, id);
  assertIfMatch(ifMatch, instance.version);
  return transitionOutcome(action, instance, now, ifMatch);
}
