/** The instance: its record, its API view and the rules of its life (pure functions, no I/O). */
import * as z from 'zod/mini';

export const INSTANCE_STATES = ['pending', 'running', 'stopping', 'stopped', 'shutting-down', 'terminated', 'failed'] as const;
export type InstanceState = (typeof INSTANCE_STATES)[number];

export interface StateReason {
  code: string;
  message: string;
}

export interface Instance {
  id: string;
  tenantId: string;
  name: string;
  status: InstanceState;
  flavorId: string;
  vcpus: number;
  memoryMib: number;
  imageId: string;
  vpcId: string;
  subnetId: string;
  availabilityZone: string;
  securityGroupIds: string[];
  privateIpAddress?: string;
  publicIpAddress?: string;
  rootVolumeGb: number;
  projectId?: string;
  templateId?: string;
  disableApiTermination: boolean;
  disableApiStop: boolean;
  /** The machine's id in the data plane, once launched. */
  providerId?: string;
  /** The saga operation of the transition in progress (or the last one). */
  operationId?: string;
  /** When the instance last entered `running`; kept after it leaves (AWS's launchTime). */
  launchedAt?: string;
  /** Milliseconds spent running in intervals that have ended; the current interval is added on read. */
  runningMillis: number;
  stateReason?: StateReason;
  terminatedAt?: string;
  /** Epoch seconds after which a terminated or failed instance is deleted (the cleanup job's TTL). */
  expiresAt?: number;
  /** Kept for the data plane, never shown. */
  userData?: string;
  createdAt: string;
  updatedAt: string;
  version: number;
  tags: Record<string, string>;
}

// --- The state graph (API.md, Compute) ---------------------------------------------------------

/** Every legal transition: `pending → running → stopping → stopped → pending …`, `running|stopped → shutting-down → terminated`, `pending → failed`. */
export const TRANSITIONS: ReadonlyArray<readonly [InstanceState, InstanceState]> = [
  ['pending', 'running'],
  ['running', 'stopping'],
  ['stopping', 'stopped'],
  ['stopped', 'pending'],
  ['running', 'shutting-down'],
  ['stopped', 'shutting-down'],
  ['shutting-down', 'terminated'],
  ['pending', 'failed'],
];

export function isLegalTransition(from: InstanceState, to: InstanceState): boolean {
  return TRANSITIONS.some(([a, b]) => a === from && b === to);
}

/** States that keep the instance's addresses and quota; terminated and failed ones have given them back. */
export function holdsResources(state: InstanceState): boolean {
  return state !== 'terminated' && state !== 'failed';
}

export type Action = 'start' | 'stop' | 'reboot' | 'resize' | 'terminate';

/**
 * What an action does to an instance in its current state:
 *   `transition` to a new state (202, a saga finishes it; reboot and resize keep the state),
 *   `retry` a transition whose saga failed (the state stays, a new saga runs: AWS's "stop again"),
 *   `noop` (200: already in or on its way to the wanted state), or
 *   `refuse` with 409 IncorrectInstanceState / 400 OperationNotPermitted.
 */
export type Decision =
  | { kind: 'transition'; to: InstanceState }
  | { kind: 'retry' }
  | { kind: 'noop' }
  | { kind: 'refuse'; code: 'IncorrectInstanceState' | 'OperationNotPermitted'; message: string };

const wrongState = (action: Action, instance: Pick<Instance, 'id' | 'status'>): Decision => ({
  kind: 'refuse',
  code: 'IncorrectInstanceState',
  message: `The instance ${instance.id} is ${instance.status}; it cannot ${action === 'resize' ? 'be resized' : action === 'reboot' ? 'be rebooted' : action}${
    action === 'resize' ? ' unless it is stopped' : action === 'reboot' ? ' unless it is running' : ''
  }.`,
});

/** A transitional state whose saga failed is marked with a stateReason; asking again starts a new one. */
const stuck = (instance: Pick<Instance, 'stateReason'>) => instance.stateReason !== undefined;

export function decide(action: Action, instance: Pick<Instance, 'id' | 'status' | 'disableApiStop' | 'disableApiTermination' | 'stateReason'>): Decision {
  const { status } = instance;
  switch (action) {
    case 'start':
      if (status === 'running' || status === 'pending') return { kind: 'noop' };
      if (status === 'stopped') return { kind: 'transition', to: 'pending' };
      return wrongState(action, instance);
    case 'stop':
      if (status === 'stopped') return { kind: 'noop' };
      if (status === 'stopping') return stuck(instance) ? { kind: 'retry' } : { kind: 'noop' };
      if (status !== 'running') return wrongState(action, instance);
      if (instance.disableApiStop) return notPermitted(instance.id, 'disableApiStop', 'stopped');
      return { kind: 'transition', to: 'stopping' };
    case 'reboot':
      return status === 'running' ? { kind: 'transition', to: 'running' } : wrongState(action, instance);
    case 'resize':
      return status === 'stopped' ? { kind: 'transition', to: 'stopped' } : wrongState(action, instance);
    case 'terminate':
      if (status === 'terminated') return { kind: 'noop' };
      if (status === 'shutting-down') return stuck(instance) ? { kind: 'retry' } : { kind: 'noop' };
      if (status !== 'running' && status !== 'stopped') return wrongState(action, instance);
      if (instance.disableApiTermination) return notPermitted(instance.id, 'disableApiTermination', 'terminated');
      return { kind: 'transition', to: 'shutting-down' };
  }
}

function notPermitted(id: string, flag: string, verb: string): Decision {
  return {
    kind: 'refuse',
    code: 'OperationNotPermitted',
    message: `The instance ${id} may not be ${verb} through the API while ${flag} is true; clear it first (PATCH).`,
  };
}

// --- Running time, kept exactly for billing -------------------------------------------------------

/** The milliseconds of the running interval in progress (0 unless running). */
function currentIntervalMillis(instance: Pick<Instance, 'status' | 'launchedAt'>, now: Date): number {
  if (instance.status !== 'running' || !instance.launchedAt) return 0;
  return Math.max(0, now.getTime() - Date.parse(instance.launchedAt));
}

/**
 * The running time when the instance leaves `running` at `now`: the interval ends and joins the
 * total. Kept in milliseconds so that no fraction of a second is lost or counted twice across
 * intervals; shown in whole seconds.
 */
export function runningMillisAfterLeaving(instance: Pick<Instance, 'status' | 'launchedAt' | 'runningMillis'>, now: Date): number {
  return instance.runningMillis + currentIntervalMillis(instance, now);
}

export function runningSecondsAt(instance: Pick<Instance, 'status' | 'launchedAt' | 'runningMillis'>, now: Date): number {
  return Math.floor(runningMillisAfterLeaving(instance, now) / 1000);
}

// --- Templates ----------------------------------------------------------------------------------

/** A create body over a template's settings: the body's fields win; tags are merged, the body's winning. */
export function withTemplate<T extends Record<string, unknown>>(template: Record<string, unknown> | undefined, body: T): Record<string, unknown> {
  if (!template) return { ...body };
  const merged: Record<string, unknown> = { ...template };
  for (const [key, value] of Object.entries(body)) if (value !== undefined) merged[key] = value;
  const templateTags = template.tags as Record<string, string> | undefined;
  if (templateTags || body.tags) merged.tags = { ...templateTags, ...(body.tags as Record<string, string> | undefined) };
  return merged;
}

// --- The API view -------------------------------------------------------------------------------

export const instanceSchema = z.lazy(() => z
  .object({
    id: z.string().check(z.describe('i-...')),
    tenantId: z.string(),
    name: z.string(),
    status: z.enum(INSTANCE_STATES),
    flavorId: z.string(),
    vcpus: z.int(),
    memoryMib: z.int(),
    imageId: z.string(),
    vpcId: z.string(),
    subnetId: z.string(),
    availabilityZone: z.string(),
    securityGroupIds: z.array(z.string()),
    privateIpAddress: z.optional(z.string()).check(z.describe('Given back when the instance is terminated or failed.')),
    publicIpAddress: z.optional(z.string()),
    rootVolumeGb: z.int(),
    projectId: z.optional(z.string()),
    templateId: z.optional(z.string()),
    disableApiTermination: z.boolean(),
    disableApiStop: z.boolean(),
    operationId: z.optional(z.string()).check(z.describe('The operation of the transition in progress, or of the last one (GET /v1/operations/{id}).')),
    launchedAt: z.optional(z.string()).check(z.describe('When the instance last entered running.')),
    runningSeconds: z.int().check(z.describe('Whole seconds spent running over the instance\'s life, the current interval included: what billing counts.')),
    stateReason: z.optional(z.object({ code: z.string(), message: z.string() })).check(z.describe('Why the last transition failed.')),
    terminatedAt: z.optional(z.string()),
    expiresAt: z.optional(z.string()).check(z.describe('Terminated and failed instances stay readable until then (one hour).')),
    createdAt: z.string(),
    updatedAt: z.string(),
    version: z.int(),
    tags: z.record(z.string(), z.string()),
  })
  .check(z.meta({ id: 'Instance' })));

export type InstanceView = z.input<typeof instanceSchema>;

/** How long a terminated or failed instance stays readable. */
export const VISIBLE_AFTER_END_SECONDS = 3600;

export function publicInstance(instance: Instance, now: Date): InstanceView {
  const { runningMillis: _millis, providerId: _provider, userData: _userData, expiresAt, ...rest } = instance;
  return {
    ...rest,
    runningSeconds: runningSecondsAt(instance, now),
    ...(typeof expiresAt === 'number' ? { expiresAt: new Date(expiresAt * 1000).toISOString() } : {}),
  };
}
