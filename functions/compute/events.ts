/**
 * The instance's events (source `platform.compute`): one per transition of the state graph, each
 * carrying `from` and `to`, so that subscribers and the audit trail see every move. `pending`,
 * `stopping`, `rebooting` and `shutting_down` also carry the operation whose saga they start.
 */
import * as z from 'zod/mini';
import { defineEvent, type AnyEventSpec } from '../events/define';
import { usageSchema } from '../events/usage';
import { INSTANCE_STATES } from './instance';

const source = 'platform.compute' as const;
// Parts of the data schemas, built on call inside each event's z.lazy: a bundle that emits one
// event builds that event's schema only, when it is first used.
const state = () => z.enum(INSTANCE_STATES);
const move = () => ({ from: z.optional(state()).check(z.describe('Absent when the instance is new.')), to: state() });
/** `instance.time` (by flavor) while running; `publicIpv4.time` while a public address is held. */
const usage = () => z.optional(usageSchema);
const started = () => ({ ...move(), operationId: z.string(), operationType: z.string().check(z.describe('The saga: InstanceLaunch, InstanceStop, InstanceReboot or InstanceTermination.')) });

export const instancePending = defineEvent({
  source,
  detailType: 'instance.pending',
  resourceType: 'instance',
  description: 'An instance was created, or a stopped one started: it is pending, and the InstanceLaunch saga brings it to running.',
  data: z.lazy(() => z.object({
    ...started(),
    flavorId: z.string(),
    imageId: z.string(),
    subnetId: z.string(),
    privateIpAddress: z.optional(z.string()),
    publicIpAddress: z.optional(z.string()),
    projectId: z.optional(z.string()),
    usage: usage().check(z.describe('On the create with a public address: `publicIpv4.time` starts.')),
  })),
});

export const instanceRunning = defineEvent({
  source,
  detailType: 'instance.running',
  resourceType: 'instance',
  description: 'The instance is running (its running time counts from launchedAt): `instance.time` of its flavor starts.',
  data: z.lazy(() => z.object({ ...move(), launchedAt: z.string(), operationId: z.string(), flavorId: z.string(), usage: usage() })),
});

export const instanceStopping = defineEvent({
  source,
  detailType: 'instance.stopping',
  resourceType: 'instance',
  description: 'A stop was asked for (or asked again after a failed one): the InstanceStop saga stops the machine. Leaving running stops `instance.time`.',
  data: z.lazy(() => z.object({ ...started(), runningSeconds: z.int(), usage: usage() })),
});

export const instanceStopped = defineEvent({
  source,
  detailType: 'instance.stopped',
  resourceType: 'instance',
  description: 'The instance is stopped.',
  data: z.lazy(() => z.object({ ...move(), operationId: z.string() })),
});

export const instanceRebooting = defineEvent({
  source,
  detailType: 'instance.rebooting',
  resourceType: 'instance',
  description: 'A reboot was asked for; the instance stays running and the InstanceReboot saga restarts the machine.',
  data: z.lazy(() => z.object(started())),
});

export const instanceRebooted = defineEvent({
  source,
  detailType: 'instance.rebooted',
  resourceType: 'instance',
  description: 'The machine restarted and is running again.',
  data: z.lazy(() => z.object({ operationId: z.string() })),
});

export const instanceResized = defineEvent({
  source,
  detailType: 'instance.resized',
  resourceType: 'instance',
  description: 'A stopped instance took another flavor; the vcpus quota moved with it. The machine takes it at its next start.',
  data: z.lazy(() => z.object({ fromFlavorId: z.string(), toFlavorId: z.string(), vcpus: z.int(), memoryMib: z.int() })),
});

export const instanceShuttingDown = defineEvent({
  source,
  detailType: 'instance.shutting_down',
  resourceType: 'instance',
  description: 'Termination was asked for (or asked again after a failed one): the InstanceTermination saga destroys the machine. Leaving running stops `instance.time`.',
  data: z.lazy(() => z.object({ ...started(), runningSeconds: z.int(), usage: usage() })),
});

export const instanceTerminated = defineEvent({
  source,
  detailType: 'instance.terminated',
  resourceType: 'instance',
  description: 'The instance is terminated: its addresses and quota are given back (`publicIpv4.time` stops); it stays readable for one hour.',
  data: z.lazy(() => z.object({ ...move(), operationId: z.string(), runningSeconds: z.int(), usage: usage() })),
});

export const instanceFailed = defineEvent({
  source,
  detailType: 'instance.failed',
  resourceType: 'instance',
  description: 'The instance could not reach running: its machine, addresses and quota are given back (`publicIpv4.time` stops); it stays readable for one hour.',
  data: z.lazy(() => z.object({ ...move(), operationId: z.string(), reason: z.object({ code: z.string(), message: z.string() }), usage: usage() })),
});

export const instanceTransitionFailed = defineEvent({
  source,
  detailType: 'instance.transition_failed',
  resourceType: 'instance',
  description: 'A stop, reboot or termination could not be completed by the data plane; the instance keeps its state with a stateReason, and asking again retries.',
  data: z.lazy(() => z.object({ operationId: z.string(), operationType: z.string(), status: state(), reason: z.object({ code: z.string(), message: z.string() }) })),
});

export const instanceUpdated = defineEvent({
  source,
  detailType: 'instance.updated',
  resourceType: 'instance',
  description: "The instance's name, protection flags or tags changed; `data` holds the new values of what changed.",
  data: z.lazy(() => z.object({
    name: z.optional(z.string()),
    disableApiTermination: z.optional(z.boolean()),
    disableApiStop: z.optional(z.boolean()),
    tags: z.optional(z.record(z.string(), z.string())),
  })),
});

export const instanceEvents: AnyEventSpec[] = [
  instancePending,
  instanceRunning,
  instanceStopping,
  instanceStopped,
  instanceRebooting,
  instanceRebooted,
  instanceResized,
  instanceShuttingDown,
  instanceTerminated,
  instanceFailed,
  instanceTransitionFailed,
  instanceUpdated,
];
