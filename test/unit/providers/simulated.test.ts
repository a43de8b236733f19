/** The simulated provider's pure rules: how a machine settles with time, and what its metrics look like. */
import type { ComputeProvider, ProviderState } from '../../../functions/providers/provider';
import { createSimulatedProvider, PROVIDER_CALLS, providerIdOf, settle, simulatedSample } from '../../../functions/providers/simulated';

const T0 = Date.parse('2026-03-01T12:00:00.000Z');
const at = (seconds: number) => T0 + seconds * 1000;
const machine = (state: ProviderState) => ({ state, stateChangedAt: new Date(T0).toISOString(), flavorId: 'm1.small' });
const delays = { bootSeconds: 10, stopSeconds: 3 };

describe('settle', () => {
  it.each([
    ['pending', 'running', 10],
    ['rebooting', 'running', 10],
    ['stopping', 'stopped', 3],
    ['shutting-down', 'terminated', 3],
  ] as const)('%s stays until its delay has passed, then is %s from the moment the delay ran out', (from, to, delay) => {
    // Prepare
    const stored = machine(from);
    // Act
    const before = settle(stored, at(delay) - 1, delays);
    const after = settle(stored, at(delay + 100), delays);
    // Assess
    expect(before).toBe(stored);
    expect(after).toEqual({ ...stored, state: to, stateChangedAt: new Date(at(delay)).toISOString() });
    expect(settle(stored, at(delay), delays).state).toBe(to);
  });

  it('uses the boot delay for booting and the stop delay for stopping', () => {
    // Act: 5 s is past the stop delay but not the boot delay
    const booting = settle(machine('pending'), at(5), delays);
    const stopping = settle(machine('stopping'), at(5), delays);
    // Assess
    expect(booting.state).toBe('pending');
    expect(stopping.state).toBe('stopped');
  });

  it.each(['running', 'stopped', 'terminated'] as const)('leaves a settled machine (%s) as it is, however late', (state) => {
    const stored = machine(state);
    expect(settle(stored, at(10 ** 6), delays)).toBe(stored);
  });

  it('with no delays settles at once and does not touch the stored object', () => {
    // Prepare
    const stored = machine('pending');
    // Act
    const settled = settle(stored, T0, { bootSeconds: 0, stopSeconds: 0 });
    // Assess
    expect(settled).toEqual({ ...stored, state: 'running' });
    expect(stored.state).toBe('pending');
  });
});

describe('simulatedSample', () => {
  const vm = { instanceId: 'i-01jd5f3w3t9k8m2x0c4s6v7b8n', memoryMib: 4096 };
  const period = (index: number) => new Date(T0 + index * 300_000);
  const samples = Array.from({ length: 400 }, (_, index) => simulatedSample(vm, period(index), 300));

  it('is a function of the instance and the period', () => {
    // Act
    const again = simulatedSample({ ...vm }, period(7), 300);
    const otherPeriod = simulatedSample(vm, period(8), 300);
    const otherInstance = simulatedSample({ ...vm, instanceId: 'i-01jd5f3w3t9k8m2x0c4s6v7b8p' }, period(7), 300);
    // Assess
    expect(again).toEqual(samples[7]);
    expect(otherPeriod).not.toEqual(again);
    expect(otherInstance).not.toEqual(again);
    expect(again).toMatchObject({ periodStart: period(7).toISOString(), periodSeconds: 300 });
  });

  it('stays within plausible ranges and varies from period to period', () => {
    for (const sample of samples) {
      expect(sample.cpuPercent).toBeGreaterThanOrEqual(5);
      expect(sample.cpuPercent).toBeLessThanOrEqual(60);
      expect(sample.memoryPercent).toBeGreaterThanOrEqual(20);
      expect(sample.memoryPercent).toBeLessThanOrEqual(80);
      expect(Math.abs(sample.memoryBytes - (4096 * 1024 * 1024 * sample.memoryPercent) / 100)).toBeLessThanOrEqual(1);
      expect(sample.diskReadOps).toBeGreaterThanOrEqual(300);
      expect(sample.diskReadOps).toBeLessThanOrEqual(100 * 300);
      expect(sample.diskWriteOps).toBeGreaterThanOrEqual(300);
      expect(sample.diskWriteOps).toBeLessThanOrEqual(50 * 300);
      expect(sample.diskReadBytes / sample.diskReadOps).toBeGreaterThanOrEqual(4096);
      expect(sample.diskReadBytes / sample.diskReadOps).toBeLessThanOrEqual(64 * 1024);
      expect(sample.diskWriteBytes / sample.diskWriteOps).toBeLessThanOrEqual(32 * 1024);
      const bytesPerPacket = (sample.networkBytesIn + sample.networkBytesOut) / sample.networkPackets;
      expect(bytesPerPacket).toBeGreaterThanOrEqual(399);
      expect(bytesPerPacket).toBeLessThanOrEqual(1401);
      const { cpuPercent: _cpu, memoryPercent: _memory, periodStart: _start, ...counts } = sample;
      for (const [name, value] of Object.entries(counts)) expect([name, Number.isInteger(value)]).toEqual([name, true]);
    }
    // Spread over the whole range, not stuck at one value
    const cpus = samples.map((sample) => sample.cpuPercent);
    expect(new Set(cpus).size).toBeGreaterThan(300);
    expect(Math.min(...cpus)).toBeLessThan(10);
    expect(Math.max(...cpus)).toBeGreaterThan(55);
  });

  it('counts grow with the length of the period', () => {
    // Act
    const short = simulatedSample(vm, period(3), 60);
    const long = simulatedSample(vm, period(3), 600);
    // Assess
    expect(long.diskReadOps / short.diskReadOps).toBeCloseTo(10, 0);
    expect(long.networkBytesIn / short.networkBytesIn).toBeCloseTo(10, 1);
    expect(long.cpuPercent).toBe(short.cpuPercent);
  });

  it('reports exactly the pinned load when one is set', () => {
    expect(simulatedSample({ ...vm, cpuLoadPercent: 97.5 }, period(1), 300).cpuPercent).toBe(97.5);
    expect(simulatedSample({ ...vm, cpuLoadPercent: 0 }, period(2), 300).cpuPercent).toBe(0);
  });
});

describe('the simulated provider', () => {
  it('names every method it has in PROVIDER_CALLS', () => {
    // Prepare
    const provider: ComputeProvider = createSimulatedProvider();
    // Act
    const methods = Object.keys(provider).filter((key) => typeof provider[key as keyof ComputeProvider] === 'function');
    // Assess
    expect(provider.name).toBe('simulated');
    expect([...methods].sort()).toEqual([...PROVIDER_CALLS].sort());
  });

  it("derives the machine's id from the instance id's ULID", () => {
    expect(providerIdOf('i-01jd5f3w3t9k8m2x0c4s6v7b8n')).toBe('vm-01jd5f3w3t9k8m2x0c4s6v7b8n');
  });
});
