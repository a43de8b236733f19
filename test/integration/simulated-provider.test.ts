/**
 * The simulated provider on DynamoDB Local: machines that boot and stop on an injected clock,
 * every call idempotent on the instance id, invalid calls refused, faults injected per call,
 * pinned CPU load, and the list that proves nothing leaked.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { simulatedMachineKey } from '../../functions/compute/keys';
import { documentClient, resetDocumentClient } from '../../functions/kit/db';
import { clearFaults, FaultInjected, injectFault } from '../../functions/kit/faults';
import { newId } from '../../functions/kit/ids';
import { tableName } from '../../functions/kit/tables';
import type { ComputeProvider, InstanceRef, LaunchSpec } from '../../functions/providers/provider';
import {
  createSimulatedProvider,
  listSimulatedMachines,
  PROVIDER_CALLS,
  ProviderError,
  setSimulatedLoad,
  simulatedSample,
  type SimulatedProviderOptions,
} from '../../functions/providers/simulated';
import { ensureTables } from '../../lib/local/create-tables';
import { uniquePrefix } from '../support/platform';

const endpoint = process.env.DYNAMODB_ENDPOINT as string;
const prefix = uniquePrefix('simvm');
const savedEnv = { boot: process.env.SIMULATED_BOOT_SECONDS, stop: process.env.SIMULATED_STOP_SECONDS };

beforeAll(async () => {
  process.env.TABLE_PREFIX = prefix;
  resetDocumentClient();
  await ensureTables(endpoint, prefix);
});
beforeEach(() => {
  process.env.SIMULATED_BOOT_SECONDS = '0';
  process.env.SIMULATED_STOP_SECONDS = '0';
});
afterEach(() => {
  clearFaults();
  jest.restoreAllMocks();
});
afterAll(() => {
  for (const [name, value] of [
    ['SIMULATED_BOOT_SECONDS', savedEnv.boot],
    ['SIMULATED_STOP_SECONDS', savedEnv.stop],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  resetDocumentClient();
});

const T0 = Date.parse('2026-03-01T12:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

/** A provider on a clock the test moves by hand. */
function clocked(options: Omit<SimulatedProviderOptions, 'now'> = {}) {
  const clock = { ms: T0 };
  const provider = createSimulatedProvider({ ...options, now: () => clock.ms });
  return { provider, clock, advance: (seconds: number) => (clock.ms += seconds * 1000) };
}

function launchSpec(tenantId = newId('tnt'), overrides: Partial<LaunchSpec> = {}): LaunchSpec {
  return {
    tenantId,
    instanceId: newId('i'),
    flavorId: 'm1.small',
    vcpus: 1,
    memoryMib: 2048,
    imageId: 'img-ubuntu-24.04',
    subnetId: 'subnet-01jd5f3w3t9k8m2x0c4s6v7b8n',
    availabilityZone: 'zone-a',
    privateIpAddress: '10.0.1.10',
    rootVolumeGb: 20,
    ...overrides,
  };
}

const refOf = (spec: LaunchSpec): InstanceRef => ({ tenantId: spec.tenantId, instanceId: spec.instanceId });

async function storedItem(ref: InstanceRef) {
  const out = await documentClient().send(
    new GetCommand({ TableName: tableName('resources'), Key: simulatedMachineKey(ref.tenantId, ref.instanceId), ConsistentRead: true }),
  );
  return out.Item;
}

async function machinesOfTenant(tenantId: string) {
  const out = await documentClient().send(
    new QueryCommand({
      TableName: tableName('resources'),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `SIMVM#${tenantId}` },
      ConsistentRead: true,
    }),
  );
  return out.Items ?? [];
}

async function providerError(call: Promise<unknown>): Promise<ProviderError> {
  const error = await call.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ProviderError);
  expect((error as ProviderError).name).toBe('ProviderError');
  return error as ProviderError;
}

/**
 * Holds the first `count` reads until all of them have returned, so that `count` concurrent calls
 * all decide on the same version of the machine before any of them writes.
 */
function holdFirstReads(count: number) {
  const client = documentClient();
  const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
  let arrived = 0;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  jest.spyOn(client, 'send').mockImplementation((async (command: unknown) => {
    const out = await send(command);
    if (command instanceof GetCommand && arrived < count) {
      arrived += 1;
      if (arrived === count) release();
      await gate;
    }
    return out;
  }) as never);
}

describe('launch and the passing of time', () => {
  it('boots a machine that is pending until the boot delay has passed, then running, stored for later invocations', async () => {
    // Prepare
    const { provider, advance } = clocked({ bootSeconds: 8 });
    const spec = launchSpec();
    // Act
    const launched = await provider.launch(spec);
    advance(7.999);
    const early = await provider.describe(refOf(spec));
    advance(0.001);
    const booted = await provider.describe(refOf(spec));
    // Assess
    expect(launched).toEqual({
      instanceId: spec.instanceId,
      providerId: `vm-${spec.instanceId.slice(2)}`,
      state: 'pending',
      flavorId: 'm1.small',
      vcpus: 1,
      memoryMib: 2048,
      stateChangedAt: iso(T0),
    });
    expect(early?.state).toBe('pending');
    expect(booted).toEqual({ ...launched, state: 'running', stateChangedAt: iso(T0 + 8000) });
    // Another invocation (a new provider) on the same clock sees the same machine
    const elsewhere = createSimulatedProvider({ bootSeconds: 8, now: () => T0 + 8000 });
    expect(await elsewhere.describe(refOf(spec))).toEqual(booted);
    expect(await storedItem(refOf(spec))).toMatchObject({ pk: `SIMVM#${spec.tenantId}`, sk: spec.instanceId, subnetId: spec.subnetId, privateIpAddress: '10.0.1.10' });
  });

  it('derives the settled state on read without writing it', async () => {
    // Prepare
    const { provider, advance } = clocked({ bootSeconds: 8 });
    const spec = launchSpec();
    await provider.launch(spec);
    advance(60);
    // Act
    const described = await provider.describe(refOf(spec));
    await provider.sampleMetrics(refOf(spec), new Date(T0), 300);
    // Assess
    expect(described?.state).toBe('running');
    expect(await storedItem(refOf(spec))).toMatchObject({ state: 'pending', version: 1 });
  });

  it('reads the delays from the environment at each call', async () => {
    // Prepare: a provider made before the environment changes
    const provider = createSimulatedProvider();
    process.env.SIMULATED_BOOT_SECONDS = '3600';
    // Act
    const slow = await provider.launch(launchSpec());
    process.env.SIMULATED_BOOT_SECONDS = '0';
    const fast = await provider.launch(launchSpec());
    // Assess
    expect(slow.state).toBe('pending');
    expect(fast.state).toBe('running');
  });

  it('refuses a delay that is not a number of seconds', async () => {
    process.env.SIMULATED_STOP_SECONDS = 'soon';
    await expect(createSimulatedProvider().launch(launchSpec())).rejects.toThrow('SIMULATED_STOP_SECONDS must be a number of seconds >= 0, not "soon"');
  });

  it('walks the whole life of a machine on the clock: stop, resize, start, reboot, terminate', async () => {
    // Prepare
    const { provider, advance, clock } = clocked({ bootSeconds: 8, stopSeconds: 4 });
    const spec = launchSpec();
    const ref = refOf(spec);
    await provider.launch(spec);
    advance(10);
    // Act + Assess, step by step
    expect(await provider.stop(ref)).toMatchObject({ state: 'stopping', stateChangedAt: iso(clock.ms) });
    advance(4);
    expect(await provider.describe(ref)).toMatchObject({ state: 'stopped', stateChangedAt: iso(clock.ms) });
    expect(await provider.resize(ref, { flavorId: 'm1.large', vcpus: 4, memoryMib: 8192 })).toMatchObject({ state: 'stopped', flavorId: 'm1.large', vcpus: 4, memoryMib: 8192 });
    expect(await provider.start(ref)).toMatchObject({ state: 'pending', stateChangedAt: iso(clock.ms), flavorId: 'm1.large' });
    advance(8);
    expect((await provider.describe(ref))?.state).toBe('running');
    expect(await provider.reboot(ref)).toMatchObject({ state: 'rebooting', stateChangedAt: iso(clock.ms) });
    advance(8);
    expect((await provider.describe(ref))?.state).toBe('running');
    expect(await provider.terminate(ref)).toMatchObject({ state: 'shutting-down', stateChangedAt: iso(clock.ms) });
    advance(3);
    expect((await provider.describe(ref))?.state).toBe('shutting-down');
    advance(1);
    expect(await provider.describe(ref)).toMatchObject({ state: 'terminated', stateChangedAt: iso(clock.ms) });
  });

  it('a stop cuts a reboot short', async () => {
    // Prepare
    const { provider, advance, clock } = clocked({ bootSeconds: 8, stopSeconds: 4 });
    const spec = launchSpec();
    await provider.launch(spec);
    advance(8);
    await provider.reboot(refOf(spec));
    advance(1);
    // Act
    const stopping = await provider.stop(refOf(spec));
    // Assess
    expect(stopping).toMatchObject({ state: 'stopping', stateChangedAt: iso(clock.ms) });
  });

  it('keeps a terminated machine for a day (on the wall clock) and no longer: the cleanup job takes it', async () => {
    // Prepare
    const provider = createSimulatedProvider();
    const running = launchSpec();
    const terminated = launchSpec();
    await provider.launch(running);
    await provider.launch(terminated);
    // Act
    await provider.terminate(refOf(terminated));
    // Assess
    const expiresAt = (await storedItem(refOf(terminated)))?.expiresAt as number;
    expect(Math.abs(expiresAt - (Date.now() / 1000 + 86400))).toBeLessThan(60);
    expect(await storedItem(refOf(terminated))).toMatchObject({ state: 'terminated', expiryBucket: expect.stringMatching(/^EXP#/) });
    expect(await storedItem(refOf(running))).not.toHaveProperty('expiresAt');
  });
});

describe('every call is idempotent on the instance id', () => {
  it('a second launch returns the first machine, even with another spec, and never makes a second one', async () => {
    // Prepare
    const { provider, advance } = clocked({ bootSeconds: 8 });
    const spec = launchSpec();
    const first = await provider.launch(spec);
    advance(2);
    // Act
    const second = await provider.launch({ ...spec, flavorId: 'm1.large', vcpus: 4, memoryMib: 8192 });
    advance(10);
    const third = await provider.launch(spec);
    // Assess
    expect(second).toEqual(first);
    expect(third).toEqual({ ...first, state: 'running', stateChangedAt: iso(T0 + 8000) });
    expect(await machinesOfTenant(spec.tenantId)).toHaveLength(1);
  });

  it('start on a running or booting machine, stop on a stopping or stopped one, reboot on a rebooting one change nothing', async () => {
    // Prepare
    const { provider, advance } = clocked({ bootSeconds: 8, stopSeconds: 4 });
    const spec = launchSpec();
    const ref = refOf(spec);
    const pending = await provider.launch(spec);
    // Act + Assess: a start while booting
    advance(1);
    expect(await provider.start(ref)).toEqual(pending);
    advance(10);
    const running = await provider.describe(ref);
    expect(await provider.start(ref)).toEqual(running);
    const rebooting = await provider.reboot(ref);
    advance(1);
    expect(await provider.reboot(ref)).toEqual(rebooting);
    advance(10);
    const stopping = await provider.stop(ref);
    advance(1);
    expect(await provider.stop(ref)).toEqual(stopping);
    advance(10);
    const stopped = await provider.describe(ref);
    expect(await provider.stop(ref)).toEqual(stopped);
    expect(stopped?.state).toBe('stopped');
  });

  it('a resize to the flavor the machine has writes nothing', async () => {
    // Prepare
    const provider = createSimulatedProvider();
    const spec = launchSpec();
    const ref = refOf(spec);
    await provider.launch(spec);
    await provider.stop(ref);
    const before = await storedItem(ref);
    // Act
    const resized = await provider.resize(ref, { flavorId: spec.flavorId, vcpus: spec.vcpus, memoryMib: spec.memoryMib });
    // Assess
    expect(resized.flavorId).toBe(spec.flavorId);
    expect(await storedItem(ref)).toEqual(before);
  });

  it('terminate twice is one termination; terminate or describe of a machine that never was is undefined', async () => {
    // Prepare
    const { provider, advance } = clocked({ stopSeconds: 4 });
    const spec = launchSpec();
    const ref = refOf(spec);
    await provider.launch(spec);
    // Act
    const first = await provider.terminate(ref);
    advance(1);
    const again = await provider.terminate(ref);
    advance(10);
    const afterwards = await provider.terminate(ref);
    const ghost = { tenantId: spec.tenantId, instanceId: newId('i') };
    // Assess
    expect(first?.state).toBe('shutting-down');
    expect(again).toEqual(first);
    expect(afterwards).toEqual({ ...first, state: 'terminated', stateChangedAt: iso(T0 + 4000) });
    expect(await provider.terminate(ghost)).toBeUndefined();
    expect(await provider.describe(ghost)).toBeUndefined();
    expect(await storedItem(ghost)).toBeUndefined();
  });
});

describe('invalid calls', () => {
  const cases: [string, (p: ComputeProvider, ref: InstanceRef) => Promise<unknown>, (p: ComputeProvider, ref: InstanceRef) => Promise<unknown>][] = [
    ['start a terminated machine', (p, ref) => p.terminate(ref), (p, ref) => p.start(ref)],
    ['stop a terminated machine', (p, ref) => p.terminate(ref), (p, ref) => p.stop(ref)],
    ['reboot a terminated machine', (p, ref) => p.terminate(ref), (p, ref) => p.reboot(ref)],
    ['resize a running machine', async () => undefined, (p, ref) => p.resize(ref, { flavorId: 'm1.large', vcpus: 4, memoryMib: 8192 })],
    ['reboot a stopped machine', (p, ref) => p.stop(ref), (p, ref) => p.reboot(ref)],
  ];

  it.each(cases)('refuses to %s (InvalidState) and leaves it as it was', async (_name, prepare, act) => {
    // Prepare
    const provider = createSimulatedProvider();
    const spec = launchSpec();
    const ref = refOf(spec);
    await provider.launch(spec);
    await prepare(provider, ref);
    const before = await storedItem(ref);
    // Act
    const error = await providerError(act(provider, ref));
    // Assess
    expect(error.code).toBe('InvalidState');
    expect(error.message).toContain(ref.instanceId);
    expect(await storedItem(ref)).toEqual(before);
  });

  it('refuses to stop a booting machine or start a stopping one', async () => {
    // Prepare
    const { provider, advance } = clocked({ bootSeconds: 8, stopSeconds: 4 });
    const spec = launchSpec();
    const ref = refOf(spec);
    await provider.launch(spec);
    // Act + Assess
    expect((await providerError(provider.stop(ref))).code).toBe('InvalidState');
    advance(8);
    await provider.stop(ref);
    expect((await providerError(provider.start(ref))).code).toBe('InvalidState');
  });

  it.each(['start', 'stop', 'reboot', 'resize'] as const)('refuses to %s a machine that does not exist (NotFound) and creates none', async (call) => {
    // Prepare
    const provider = createSimulatedProvider();
    const ref = { tenantId: newId('tnt'), instanceId: newId('i') };
    // Act
    const error = await providerError(
      call === 'resize' ? provider.resize(ref, { flavorId: 'm1.large', vcpus: 4, memoryMib: 8192 }) : provider[call](ref),
    );
    // Assess
    expect(error.code).toBe('NotFound');
    expect(await storedItem(ref)).toBeUndefined();
  });
});

describe('fault injection', () => {
  it('a fault armed once fails the next launch, before it does anything; the retry launches', async () => {
    // Prepare
    const provider = createSimulatedProvider();
    const spec = launchSpec();
    injectFault('Provider.launch', { times: 1 });
    // Act
    const failed = await provider.launch(spec).catch((error: unknown) => error);
    const afterFault = await storedItem(refOf(spec));
    const retried = await provider.launch(spec);
    // Assess
    expect(failed).toBeInstanceOf(FaultInjected);
    expect((failed as FaultInjected).point).toBe('Provider.launch');
    expect(afterFault).toBeUndefined();
    expect(retried.state).toBe('running');
  });

  it('a fault armed until cleared fails every call, and a fault on one call leaves the others alone', async () => {
    // Prepare
    const provider = createSimulatedProvider();
    const spec = launchSpec();
    await provider.launch(spec);
    injectFault('Provider.terminate');
    // Act + Assess
    await expect(provider.terminate(refOf(spec))).rejects.toBeInstanceOf(FaultInjected);
    await expect(provider.terminate(refOf(spec))).rejects.toBeInstanceOf(FaultInjected);
    expect((await provider.describe(refOf(spec)))?.state).toBe('running');
    clearFaults('Provider.terminate');
    expect((await provider.terminate(refOf(spec)))?.state).toBe('terminated');
  });

  it.each(PROVIDER_CALLS)('%s checks its fault point (Provider.<call>) first', async (call) => {
    // Prepare: a running machine, the call's fault armed once
    const provider = createSimulatedProvider();
    const spec = launchSpec();
    await provider.launch(spec);
    const before = await storedItem(refOf(spec));
    injectFault(`Provider.${call}`, { times: 1 });
    const flavor = { flavorId: 'm1.large', vcpus: 4, memoryMib: 8192 };
    const calls: Record<(typeof PROVIDER_CALLS)[number], () => Promise<unknown>> = {
      launch: () => provider.launch(spec),
      start: () => provider.start(refOf(spec)),
      stop: () => provider.stop(refOf(spec)),
      reboot: () => provider.reboot(refOf(spec)),
      resize: () => provider.resize(refOf(spec), flavor),
      terminate: () => provider.terminate(refOf(spec)),
      describe: () => provider.describe(refOf(spec)),
      sampleMetrics: () => provider.sampleMetrics(refOf(spec), new Date(T0), 300),
    };
    // Act
    const error = await calls[call]().catch((thrown: unknown) => thrown);
    // Assess
    expect(error).toBeInstanceOf(FaultInjected);
    expect((error as FaultInjected).point).toBe(`Provider.${call}`);
    expect(await storedItem(refOf(spec))).toEqual(before);
  });
});

describe('metrics and pinned load', () => {
  it('samples a running machine deterministically, and a pinned load exactly', async () => {
    // Prepare
    const provider = createSimulatedProvider();
    const spec = launchSpec(undefined, { memoryMib: 4096 });
    const ref = refOf(spec);
    await provider.launch(spec);
    const period = new Date(T0);
    // Act
    const natural = await provider.sampleMetrics(ref, period, 300);
    const again = await createSimulatedProvider().sampleMetrics(ref, period, 300);
    await setSimulatedLoad(ref, 97);
    const pinned = await provider.sampleMetrics(ref, period, 300);
    const pinnedLater = await provider.sampleMetrics(ref, new Date(T0 + 300_000), 300);
    await setSimulatedLoad(ref, undefined);
    const released = await provider.sampleMetrics(ref, period, 300);
    // Assess
    expect(natural).toEqual(simulatedSample({ instanceId: spec.instanceId, memoryMib: 4096 }, period, 300));
    expect(again).toEqual(natural);
    expect(pinned).toEqual({ ...natural, cpuPercent: 97 });
    expect(pinnedLater.cpuPercent).toBe(97);
    expect(released).toEqual(natural);
  });

  it('a pinned load survives a concurrent change of the machine', async () => {
    // Prepare
    const provider = createSimulatedProvider({ stopSeconds: 3600 });
    const spec = launchSpec();
    const ref = refOf(spec);
    await provider.launch(spec);
    // Act: the stop reads the machine, the load is set, then the stop writes
    const client = documentClient();
    const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
    let loaded = false;
    jest.spyOn(client, 'send').mockImplementation((async (command: unknown) => {
      const out = await send(command);
      if (command instanceof GetCommand && !loaded) {
        loaded = true;
        await setSimulatedLoad(ref, 88);
      }
      return out;
    }) as never);
    const stopped = await provider.stop(ref);
    // Assess
    expect(stopped.state).toBe('stopping');
    expect(await storedItem(ref)).toMatchObject({ state: 'stopping', cpuLoadPercent: 88 });
  });

  it('refuses to sample a machine that is not running, or none (NotRunning)', async () => {
    // Prepare
    const { provider } = clocked({ bootSeconds: 8 });
    const spec = launchSpec();
    await provider.launch(spec);
    const stopped = launchSpec();
    await createSimulatedProvider().launch(stopped);
    await createSimulatedProvider().stop(refOf(stopped));
    // Act + Assess
    expect((await providerError(provider.sampleMetrics(refOf(spec), new Date(T0), 300))).code).toBe('NotRunning');
    expect((await providerError(provider.sampleMetrics(refOf(stopped), new Date(T0), 300))).code).toBe('NotRunning');
    const ghost = { tenantId: spec.tenantId, instanceId: newId('i') };
    expect((await providerError(provider.sampleMetrics(ghost, new Date(T0), 300))).code).toBe('NotRunning');
  });

  it('refuses a load outside 0–100 % and a load for a machine that does not exist', async () => {
    // Prepare
    const spec = launchSpec();
    await createSimulatedProvider().launch(spec);
    const ghost = { tenantId: spec.tenantId, instanceId: newId('i') };
    // Act + Assess
    expect((await providerError(setSimulatedLoad(refOf(spec), 150))).code).toBe('InvalidParameter');
    expect((await providerError(setSimulatedLoad(refOf(spec), Number.NaN))).code).toBe('InvalidParameter');
    expect((await providerError(setSimulatedLoad(ghost, 50))).code).toBe('NotFound');
    expect(await storedItem(ghost)).toBeUndefined();
    expect(await storedItem(refOf(spec))).not.toHaveProperty('cpuLoadPercent');
  });
});

describe('listSimulatedMachines', () => {
  it("lists every machine of the tenant that is not terminated, and no other tenant's", async () => {
    // Prepare
    const provider = createSimulatedProvider();
    const tenantId = newId('tnt');
    const running = launchSpec(tenantId);
    const stopped = launchSpec(tenantId);
    const terminated = launchSpec(tenantId);
    for (const spec of [running, stopped, terminated]) await provider.launch(spec);
    await provider.stop(refOf(stopped));
    await provider.terminate(refOf(terminated));
    await provider.launch(launchSpec());
    // Act
    const listed = await listSimulatedMachines(tenantId);
    // Assess
    expect(listed.map((machine) => [machine.instanceId, machine.state]).sort()).toEqual(
      [
        [running.instanceId, 'running'],
        [stopped.instanceId, 'stopped'],
      ].sort(),
    );
    expect(await listSimulatedMachines(newId('tnt'))).toEqual([]);
  });

  it('lists a machine that is shutting down until its stop delay has passed', async () => {
    // Prepare
    const { provider, advance } = clocked({ stopSeconds: 4 });
    const spec = launchSpec();
    await provider.launch(spec);
    await provider.terminate(refOf(spec));
    // Act
    const during = await listSimulatedMachines(spec.tenantId, { now: () => T0 + 3999, stopSeconds: 4 });
    advance(4);
    const after = await listSimulatedMachines(spec.tenantId, { now: () => T0 + 4000, stopSeconds: 4 });
    // Assess
    expect(during.map((machine) => machine.state)).toEqual(['shutting-down']);
    expect(after).toEqual([]);
  });
});

describe('concurrent calls', () => {
  it('of five concurrent stops, one stops the machine and the others find it stopping', async () => {
    // Prepare: every call reads its own moment from the clock
    let tick = T0;
    const provider = createSimulatedProvider({ stopSeconds: 3600, now: () => (tick += 1000) });
    const spec = launchSpec();
    await provider.launch(spec);
    const before = (await storedItem(refOf(spec)))?.version as number;
    holdFirstReads(5);
    // Act
    const results = await Promise.all(Array.from({ length: 5 }, () => provider.stop(refOf(spec))));
    // Assess
    expect(new Set(results.map((result) => result.stateChangedAt)).size).toBe(1);
    expect(results.every((result) => result.state === 'stopping')).toBe(true);
    expect((await storedItem(refOf(spec)))?.version).toBe(before + 1);
  });

  it('of five concurrent launches, one makes the machine and the others return it', async () => {
    // Prepare
    const provider = createSimulatedProvider();
    const spec = launchSpec();
    const flavors = ['a', 'b', 'c', 'd', 'e'].map((name) => `m1.${name}`);
    holdFirstReads(5);
    // Act
    const results = await Promise.all(flavors.map((flavorId) => provider.launch({ ...spec, flavorId })));
    // Assess
    expect(new Set(results.map((result) => result.flavorId)).size).toBe(1);
    expect(await machinesOfTenant(spec.tenantId)).toHaveLength(1);
    expect((await storedItem(refOf(spec)))?.version).toBe(1);
  });
});
