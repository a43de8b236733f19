/**
 * The simulated data plane: machines are items in the Resources table (`SIMVM#<tenant>` /
 * `<instanceId>`), so they outlive a Lambda invocation or a restart of the local runtime.
 *
 * A call stores a transitional state (`pending`, `stopping`, ...) with the moment it began; the
 * state it has settled into is derived on every read by `settle`, from the clock alone, so the
 * same clock always gives the same answer. A call writes only when it changes the machine, on
 * condition of the version it read: of two concurrent calls one applies its change and the other
 * runs again on the result.
 */
import { createHash } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../kit/db';
import { checkFault } from '../kit/faults';
import { expiryAttributes, tableName } from '../kit/tables';
import { simulatedMachineKey, stripMachineKeys } from './keys';
import type { ComputeProvider, FlavorShape, InstanceRef, LaunchSpec, MetricSample, ProviderInstance, ProviderState } from './provider';

export const PROVIDER_CALLS = ['launch', 'start', 'stop', 'reboot', 'resize', 'terminate', 'describe', 'sampleMetrics'] as const satisfies readonly Exclude<
  keyof ComputeProvider,
  'name'
>[];
export type ProviderCall = (typeof PROVIDER_CALLS)[number];

/** The fault point every call checks first: `FAULTS=Provider.launch:1` fails the next launch. */
export const providerFaultPoint = (call: ProviderCall) => `Provider.${call}`;

export type ProviderErrorCode = 'InvalidState' | 'NotFound' | 'NotRunning' | 'InvalidParameter' | 'Conflict';

export class ProviderError extends Error {
  constructor(
    readonly code: ProviderErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

/** A machine as the simulator keeps it: what it was launched with (but its user data), and its state. */
export interface SimulatedMachine extends Omit<LaunchSpec, 'userData'> {
  providerId: string;
  state: ProviderState;
  stateChangedAt: string;
  /** Set by `setSimulatedLoad`: the cpuPercent every sample reports. */
  cpuLoadPercent?: number;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface Delays {
  bootSeconds: number;
  stopSeconds: number;
}

export interface SimulatedProviderOptions {
  /** Milliseconds since the epoch; the wall clock by default. */
  now?: () => number;
  /** Override SIMULATED_BOOT_SECONDS (read at each call otherwise). */
  bootSeconds?: number;
  /** Override SIMULATED_STOP_SECONDS (read at each call otherwise). */
  stopSeconds?: number;
}

// --- Pure rules -----------------------------------------------------------------------------

/** Each transitional state, what it becomes and which delay it takes. */
const SETTLES_INTO: Partial<Record<ProviderState, { state: ProviderState; delay: keyof Delays }>> = {
  pending: { state: 'running', delay: 'bootSeconds' },
  rebooting: { state: 'running', delay: 'bootSeconds' },
  stopping: { state: 'stopped', delay: 'stopSeconds' },
  'shutting-down': { state: 'terminated', delay: 'stopSeconds' },
};

/**
 * The state the machine is in at `nowMs`: a transitional state whose delay has passed has become
 * its settled state, entered when the delay ran out. Returns `machine` itself when nothing moved.
 */
export function settle<T extends { state: ProviderState; stateChangedAt: string }>(machine: T, nowMs: number, delays: Delays): T {
  const next = SETTLES_INTO[machine.state];
  if (!next) return machine;
  const settledAt = Date.parse(machine.stateChangedAt) + delays[next.delay] * 1000;
  if (nowMs < settledAt) return machine;
  return { ...machine, state: next.state, stateChangedAt: new Date(settledAt).toISOString() };
}

/** The data plane's id of an instance's machine: `i-01j…` → `vm-01j…`. */
export function providerIdOf(instanceId: string): string {
  return `vm-${instanceId.slice(instanceId.indexOf('-') + 1)}`;
}

const MIB = 1024 * 1024;
const round2 = (value: number) => Math.round(value * 100) / 100;

/**
 * The machine's activity in one period, a function of (instanceId, periodStart) only: sampling a
 * period twice gives the same numbers. Rates are per second and scale with the period's length.
 */
export function simulatedSample(
  machine: Pick<SimulatedMachine, 'instanceId' | 'memoryMib' | 'cpuLoadPercent'>,
  periodStart: Date,
  periodSeconds: number,
): MetricSample {
  const digest = createHash('sha256').update(`${machine.instanceId}#${periodStart.toISOString()}`).digest();
  // Eight independent fractions in [0, 1) from the digest's 32 bytes.
  const u = (index: number) => digest.readUInt32BE(index * 4) / 2 ** 32;
  const between = (index: number, low: number, high: number) => low + (high - low) * u(index);

  const memoryPercent = round2(between(1, 20, 80));
  const diskReadOps = Math.round(between(2, 1, 100) * periodSeconds);
  const diskWriteOps = Math.round(between(3, 1, 50) * periodSeconds);
  const networkBytesIn = Math.round(between(5, 10_000, 2_000_000) * periodSeconds);
  const networkBytesOut = Math.round(between(6, 10_000, 1_000_000) * periodSeconds);
  return {
    periodStart: periodStart.toISOString(),
    periodSeconds,
    cpuPercent: machine.cpuLoadPercent ?? round2(between(0, 5, 60)),
    memoryBytes: Math.round((machine.memoryMib * MIB * memoryPercent) / 100),
    memoryPercent,
    diskReadOps,
    diskWriteOps,
    // Block sizes between 4 KiB and 64 KiB (reads) or 32 KiB (writes).
    diskReadBytes: diskReadOps * Math.round(between(4, 4, 64)) * 1024,
    diskWriteBytes: diskWriteOps * Math.round(between(4, 4, 32)) * 1024,
    networkBytesIn,
    networkBytesOut,
    // Packets of 400 to 1,400 bytes on average.
    networkPackets: Math.round((networkBytesIn + networkBytesOut) / between(7, 400, 1400)),
  };
}

function toInstance(machine: SimulatedMachine): ProviderInstance {
  const { instanceId, providerId, state, flavorId, vcpus, memoryMib, stateChangedAt } = machine;
  return { instanceId, providerId, state, flavorId, vcpus, memoryMib, stateChangedAt };
}

const enter = (machine: SimulatedMachine, state: ProviderState, nowMs: number): SimulatedMachine => ({
  ...machine,
  state,
  stateChangedAt: new Date(nowMs).toISOString(),
});

function invalid(machine: SimulatedMachine, action: string): ProviderError {
  return new ProviderError('InvalidState', `Cannot ${action} machine ${machine.providerId} of instance ${machine.instanceId}: it is ${machine.state}`);
}

// --- Storage ----------------------------------------------------------------------------------

/** How long a terminated machine is kept (for describe and retried calls) before the cleanup job deletes it. */
const TERMINATED_RETENTION_SECONDS = 24 * 3600;
const MAX_ATTEMPTS = 5;

function secondsFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds < 0) throw new Error(`${name} must be a number of seconds >= 0, not "${raw}"`);
  return seconds;
}

function delaysOf(options: SimulatedProviderOptions): Delays {
  return {
    bootSeconds: options.bootSeconds ?? secondsFromEnv('SIMULATED_BOOT_SECONDS', 8),
    stopSeconds: options.stopSeconds ?? secondsFromEnv('SIMULATED_STOP_SECONDS', 4),
  };
}

async function readMachine(ref: InstanceRef): Promise<SimulatedMachine | undefined> {
  const out = await documentClient().send(
    new GetCommand({ TableName: tableName('resources'), Key: simulatedMachineKey(ref.tenantId, ref.instanceId), ConsistentRead: true }),
  );
  return out.Item ? stripMachineKeys<SimulatedMachine>(out.Item) : undefined;
}

/** Writes `next` if the item is still as read (`stored`); false when another call got there first. */
async function writeMachine(stored: SimulatedMachine | undefined, next: SimulatedMachine, nowMs: number): Promise<boolean> {
  const retiring = next.state === 'shutting-down' || next.state === 'terminated';
  // Retention is storage housekeeping, so it runs on the wall clock: an injected clock in the past
  // would otherwise have DynamoDB's TTL delete the machine at once.
  const expiry = retiring ? expiryAttributes('expiresAt', Math.floor(Date.now() / 1000) + TERMINATED_RETENTION_SECONDS) : {};
  try {
    await documentClient().send(
      new PutCommand({
        TableName: tableName('resources'),
        Item: {
          ...simulatedMachineKey(next.tenantId, next.instanceId),
          ...next,
          ...expiry,
          version: (stored?.version ?? 0) + 1,
          updatedAt: new Date(nowMs).toISOString(),
        },
        ...(stored
          ? { ConditionExpression: '#version = :expected', ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':expected': stored.version } }
          : { ConditionExpression: 'attribute_not_exists(pk)' }),
      }),
    );
    return true;
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}

/**
 * Reads the machine, settles it, lets `decide` say what it becomes (the same object: no change),
 * and writes that on condition of the version read; a lost condition runs it all again.
 */
async function change(
  ref: InstanceRef,
  options: SimulatedProviderOptions,
  decide: (current: SimulatedMachine | undefined, nowMs: number) => SimulatedMachine | undefined,
): Promise<SimulatedMachine | undefined> {
  const now = options.now ?? Date.now;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const stored = await readMachine(ref);
    const nowMs = now();
    const delays = delaysOf(options);
    const current = stored && settle(stored, nowMs, delays);
    const decided = decide(current, nowMs);
    // With no delay a machine is already past the state it was put in.
    const next = decided && (decided === current ? decided : settle(decided, nowMs, delays));
    if (next === stored || next === undefined) return next;
    if (await writeMachine(stored, next, nowMs)) return { ...next, version: (stored?.version ?? 0) + 1 };
  }
  throw new ProviderError('Conflict', `Machine of instance ${ref.instanceId} kept changing under ${MAX_ATTEMPTS} attempts`);
}

/** The machine, settled at the current moment, without writing anything. */
async function observe(ref: InstanceRef, options: SimulatedProviderOptions): Promise<SimulatedMachine | undefined> {
  const stored = await readMachine(ref);
  return stored && settle(stored, (options.now ?? Date.now)(), delaysOf(options));
}

function existing(machine: SimulatedMachine | undefined, ref: InstanceRef): SimulatedMachine {
  if (!machine) throw new ProviderError('NotFound', `Instance ${ref.instanceId} has no machine`);
  return machine;
}

function newMachine(spec: LaunchSpec, nowMs: number): SimulatedMachine {
  const at = new Date(nowMs).toISOString();
  return {
    tenantId: spec.tenantId,
    instanceId: spec.instanceId,
    providerId: providerIdOf(spec.instanceId),
    state: 'pending',
    stateChangedAt: at,
    flavorId: spec.flavorId,
    vcpus: spec.vcpus,
    memoryMib: spec.memoryMib,
    imageId: spec.imageId,
    subnetId: spec.subnetId,
    availabilityZone: spec.availabilityZone,
    privateIpAddress: spec.privateIpAddress,
    ...(spec.publicIpAddress ? { publicIpAddress: spec.publicIpAddress } : {}),
    rootVolumeGb: spec.rootVolumeGb,
    createdAt: at,
    updatedAt: at,
    version: 0,
  };
}

// --- The provider -----------------------------------------------------------------------------

export function createSimulatedProvider(options: SimulatedProviderOptions = {}): ComputeProvider {
  const mutate = async (call: ProviderCall, ref: InstanceRef, decide: Parameters<typeof change>[2]) => {
    checkFault(providerFaultPoint(call));
    return change(ref, options, decide);
  };
  const required = async (call: ProviderCall, ref: InstanceRef, decide: (machine: SimulatedMachine, nowMs: number) => SimulatedMachine) =>
    toInstance((await mutate(call, ref, (current, nowMs) => decide(existing(current, ref), nowMs))) as SimulatedMachine);

  return {
    name: 'simulated',

    async launch(spec) {
      const machine = await mutate('launch', spec, (current, nowMs) => current ?? newMachine(spec, nowMs));
      return toInstance(machine as SimulatedMachine);
    },

    start: (ref) =>
      required('start', ref, (machine, nowMs) => {
        if (machine.state === 'stopped') return enter(machine, 'pending', nowMs);
        if (machine.state === 'pending' || machine.state === 'running' || machine.state === 'rebooting') return machine;
        throw invalid(machine, 'start');
      }),

    stop: (ref) =>
      required('stop', ref, (machine, nowMs) => {
        // A reboot in progress may be cut short by a stop, as on a real host.
        if (machine.state === 'running' || machine.state === 'rebooting') return enter(machine, 'stopping', nowMs);
        if (machine.state === 'stopping' || machine.state === 'stopped') return machine;
        throw invalid(machine, 'stop');
      }),

    reboot: (ref) =>
      required('reboot', ref, (machine, nowMs) => {
        if (machine.state === 'running') return enter(machine, 'rebooting', nowMs);
        if (machine.state === 'rebooting') return machine;
        throw invalid(machine, 'reboot');
      }),

    resize: (ref, flavor: FlavorShape) =>
      required('resize', ref, (machine) => {
        if (machine.state !== 'stopped') throw invalid(machine, 'resize');
        const { flavorId, vcpus, memoryMib } = flavor;
        if (machine.flavorId === flavorId && machine.vcpus === vcpus && machine.memoryMib === memoryMib) return machine;
        return { ...machine, flavorId, vcpus, memoryMib };
      }),

    async terminate(ref) {
      const machine = await mutate('terminate', ref, (current, nowMs) => {
        if (!current || current.state === 'shutting-down' || current.state === 'terminated') return current;
        return enter(current, 'shutting-down', nowMs);
      });
      return machine && toInstance(machine);
    },

    async describe(ref) {
      checkFault(providerFaultPoint('describe'));
      const machine = await observe(ref, options);
      return machine && toInstance(machine);
    },

    async sampleMetrics(ref, periodStart, periodSeconds) {
      checkFault(providerFaultPoint('sampleMetrics'));
      const machine = await observe(ref, options);
      if (machine?.state !== 'running') {
        throw new ProviderError('NotRunning', `Instance ${ref.instanceId} has no running machine (${machine?.state ?? 'none'})`);
      }
      return simulatedSample(machine, periodStart, periodSeconds);
    },
  };
}

// --- Test and operator helpers ----------------------------------------------------------------

/** Pins the cpuPercent the machine reports (to drive high-CPU alerts); `undefined` lets it vary again. */
export async function setSimulatedLoad(ref: InstanceRef, cpuPercent: number | undefined): Promise<void> {
  if (cpuPercent !== undefined && !(Number.isFinite(cpuPercent) && cpuPercent >= 0 && cpuPercent <= 100)) {
    throw new ProviderError('InvalidParameter', `cpuPercent must be between 0 and 100, not ${cpuPercent}`);
  }
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName('resources'),
        Key: simulatedMachineKey(ref.tenantId, ref.instanceId),
        // The version moves too, so that a concurrent call writing the machine it read cannot undo this.
        UpdateExpression: `${cpuPercent === undefined ? 'REMOVE #load ' : 'SET #load = :load '}ADD #version :one`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#load': 'cpuLoadPercent', '#version': 'version' },
        ExpressionAttributeValues: { ':one': 1, ...(cpuPercent === undefined ? {} : { ':load': cpuPercent }) },
      }),
    );
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') throw new ProviderError('NotFound', `Instance ${ref.instanceId} has no machine`);
    throw error;
  }
}

/** Every machine of the tenant that is not terminated, settled at `options.now`: what would leak. */
export async function listSimulatedMachines(tenantId: string, options: SimulatedProviderOptions = {}): Promise<SimulatedMachine[]> {
  const nowMs = (options.now ?? Date.now)();
  const delays = delaysOf(options);
  const machines: SimulatedMachine[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await documentClient().send(
      new QueryCommand({
        TableName: tableName('resources'),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': simulatedMachineKey(tenantId, '').pk },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of out.Items ?? []) {
      const machine = settle(stripMachineKeys<SimulatedMachine>(item), nowMs, delays);
      if (machine.state !== 'terminated') machines.push(machine);
    }
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return machines;
}
