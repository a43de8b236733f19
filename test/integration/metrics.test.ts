/** The instance-metrics job on DynamoDB Local: one sample per period, running instances only, one alert per episode. */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Instance } from '../../functions/compute/instance';
import { instanceMetricsJob } from '../../functions/compute/metrics/operations';
import { episodeKey, sampleKey } from '../../functions/compute/metrics/repository';
import { handler } from '../../functions/compute/metrics/sample-job';
import { sampleRunningInstances, type SampleRunResult } from '../../functions/compute/metrics/sample';
import { documentClient, resetDocumentClient } from '../../functions/kit/db';
import { FaultInjected } from '../../functions/kit/faults';
import { newId } from '../../functions/kit/ids';
import { getItem } from '../../functions/kit/repository';
import { tableName } from '../../functions/kit/tables';
import { computeProvider } from '../../functions/providers';
import type { ComputeProvider, InstanceRef, MetricSample } from '../../functions/providers/provider';
import { setSimulatedLoad } from '../../functions/providers/simulated';
import { ensureTables } from '../../lib/local/create-tables';
import { putInstance } from '../support/compute';
import { uniquePrefix } from '../support/platform';

const endpoint = process.env.DYNAMODB_ENDPOINT as string;
const prefix = uniquePrefix('metrics');
const PERIOD_MS = 300_000;
// Near the wall clock: DynamoDB Local's TTL deletes samples whose 15 days have passed.
const BASE = Math.floor(Date.now() / PERIOD_MS) * PERIOD_MS - 24 * 3_600_000;
/** A run 40 s into the period after the n-th: it samples period n. */
const runAt = (n: number) => new Date(BASE + (n + 1) * PERIOD_MS + 40_000);
const periodOf = (n: number) => new Date(BASE + n * PERIOD_MS).toISOString();

beforeAll(async () => {
  process.env.TABLE_PREFIX = prefix;
  resetDocumentClient();
  await ensureTables(endpoint, prefix);
});
afterAll(() => resetDocumentClient());

/** A fake data plane: CPU per instance (default 10 %), failures on demand, and a record of its calls. */
function fakeProvider() {
  const cpu = new Map<string, number>();
  const failing = new Set<string>();
  const calls: { instanceId: string; periodStart: string; periodSeconds: number }[] = [];
  const unused = () => Promise.reject(new Error('not used by the metrics job'));
  const provider: ComputeProvider = {
    name: 'fake',
    launch: unused,
    start: unused,
    stop: unused,
    reboot: unused,
    resize: unused,
    terminate: unused,
    describe: unused,
    async sampleMetrics(ref: InstanceRef, periodStart: Date, periodSeconds: number): Promise<MetricSample> {
      calls.push({ instanceId: ref.instanceId, periodStart: periodStart.toISOString(), periodSeconds });
      if (failing.has(ref.instanceId)) throw new FaultInjected('Provider.sampleMetrics');
      return {
        periodStart: periodStart.toISOString(),
        periodSeconds,
        cpuPercent: cpu.get(ref.instanceId) ?? 10,
        memoryBytes: 512 * 1024 * 1024,
        memoryPercent: 50,
        diskReadBytes: 4096,
        diskWriteBytes: 8192,
        diskReadOps: 1,
        diskWriteOps: 2,
        networkBytesIn: 1000,
        networkBytesOut: 500,
        networkPackets: 10,
      };
    },
  };
  return { provider, cpu, failing, calls };
}


const ref = (instance: Instance): InstanceRef => ({ tenantId: instance.tenantId, instanceId: instance.id });

async function alertsOf(instance: Instance) {
  const out = await documentClient().send(
    new QueryCommand({
      TableName: tableName('outbox'),
      IndexName: 'byResource',
      KeyConditionExpression: 'resourceKey = :key',
      ExpressionAttributeValues: { ':key': `T#${instance.tenantId}#RES#${instance.id}` },
    }),
  );
  return (out.Items ?? []).filter((item) => item.detailType === 'instance.alert.high_cpu');
}

/**
 * Every test works in a tenant of its own, but the running index spans all tenants of these
 * tables: a test that wants exact counts first lets earlier tests' instances be sampled.
 */
async function settle(fake: ReturnType<typeof fakeProvider>, period: number) {
  await sampleRunningInstances({ provider: fake.provider, now: runAt(period) });
  fake.calls.length = 0;
}

describe('the instance-metrics job', () => {
  it('is declared as a five-minute job with its handler', () => {
    expect(instanceMetricsJob).toMatchObject({ name: 'instance-metrics', schedule: 'rate(5 minutes)', handler: 'compute/metrics/sample-job' });
  });

  it('samples every running instance, and only those, for the last complete period, with a 15-day TTL', async () => {
    // Prepare
    const tenantId = newId('tnt');
    const running = [await putInstance(tenantId), await putInstance(tenantId), await putInstance(tenantId)];
    const others = await Promise.all((['pending', 'stopped', 'terminated', 'failed'] as const).map((status) => putInstance(tenantId, status)));
    const fake = fakeProvider();

    // Act
    const result = await sampleRunningInstances({ provider: fake.provider, now: runAt(0) });

    // Assess
    expect(result).toEqual({ periodStart: periodOf(0), sampled: 3, skipped: 0, failed: 0, alerts: 0 });
    const sampledIds = fake.calls.map((call) => call.instanceId);
    for (const instance of running) expect(sampledIds).toContain(instance.id);
    for (const instance of others) expect(sampledIds).not.toContain(instance.id);
    expect(new Set(fake.calls.map((call) => `${call.periodStart}/${call.periodSeconds}`))).toEqual(new Set([`${periodOf(0)}/300`]));
    const item = await getItem(tableName('metrics'), sampleKey(ref(running[0] as Instance), periodOf(0)));
    const expiresAt = Math.floor(Date.parse(periodOf(0)) / 1000) + 15 * 86_400;
    expect(item).toMatchObject({
      periodStart: periodOf(0),
      periodSeconds: 300,
      cpuPercent: 10,
      diskWriteOps: 2,
      networkPackets: 10,
      expiresAt,
      expiryBucket: `EXP#${new Date(expiresAt * 1000).toISOString().slice(0, 13)}`,
    });
    const state = await getItem(tableName('metrics'), episodeKey(ref(running[0] as Instance)));
    expect(state).toMatchObject({ lastPeriod: periodOf(0), consecutiveHigh: 0, episodeOpen: false, expiresAt });
    for (const instance of others) expect(await getItem(tableName('metrics'), sampleKey(ref(instance), periodOf(0)))).toBeUndefined();
  });

  it('changes nothing when it runs again in the same period', async () => {
    // Prepare
    const tenantId = newId('tnt');
    const instance = await putInstance(tenantId);
    const fake = fakeProvider();
    fake.cpu.set(instance.id, 95);
    const first = await sampleRunningInstances({ provider: fake.provider, now: runAt(1) });
    const stored = await getItem(tableName('metrics'), sampleKey(ref(instance), periodOf(1)));
    const state = await getItem(tableName('metrics'), episodeKey(ref(instance)));
    fake.cpu.set(instance.id, 20);
    fake.calls.length = 0;

    // Act: later in the same period, with the provider now saying something else
    const second = await sampleRunningInstances({ provider: fake.provider, now: new Date(runAt(1).getTime() + 200_000) });

    // Assess: the data plane is not even asked again
    expect(fake.calls).toEqual([]);
    expect(first.sampled).toBeGreaterThanOrEqual(1);
    expect(second).toMatchObject({ periodStart: periodOf(1), sampled: 0, failed: 0, alerts: 0 });
    expect(second.skipped).toBe(first.sampled);
    expect(await getItem(tableName('metrics'), sampleKey(ref(instance), periodOf(1)))).toEqual(stored);
    expect(await getItem(tableName('metrics'), episodeKey(ref(instance)))).toEqual(state);
  });

  it('stores one sample per instance when two runs of the same period race', async () => {
    // Prepare
    const tenantId = newId('tnt');
    const instances = [await putInstance(tenantId), await putInstance(tenantId)];
    const fake = fakeProvider();
    await settle(fake, 2);
    for (const instance of instances) fake.cpu.set(instance.id, 90);

    // Act: three runs of period 3 at once
    const results = await Promise.all([1, 2, 3].map(() => sampleRunningInstances({ provider: fake.provider, now: runAt(3) })));

    // Assess: every instance sampled exactly once across the runs, its tracker moved once
    const total = results.reduce((sum, result) => sum + result.sampled, 0);
    const skipped = results.reduce((sum, result) => sum + result.skipped, 0);
    expect(results.every((result) => result.failed === 0)).toBe(true);
    expect(total).toBeGreaterThanOrEqual(instances.length);
    expect(skipped).toBe(2 * total);
    for (const instance of instances) {
      expect(await getItem(tableName('metrics'), episodeKey(ref(instance)))).toMatchObject({ lastPeriod: periodOf(3), consecutiveHigh: 1 });
    }
  });

  it('emits instance.alert.high_cpu once per episode: on the third high sample, not again while it lasts, again after a normal one', async () => {
    // Prepare
    const tenantId = newId('tnt');
    const instance = await putInstance(tenantId);
    const fake = fakeProvider();
    await settle(fake, 9);
    fake.cpu.set(instance.id, 85);
    const alertsAfter: number[] = [];
    const cpus = [85, 85, 85, 99, 90, 40, 85, 85, 85];

    // Act: periods 10..18
    for (const [index, cpu] of cpus.entries()) {
      fake.cpu.set(instance.id, cpu);
      await sampleRunningInstances({ provider: fake.provider, now: runAt(10 + index) });
      alertsAfter.push((await alertsOf(instance)).length);
    }

    // Assess: one alert after the 3rd sample, still one after the 5th, a second after the normal one and 3 more
    expect(alertsAfter).toEqual([0, 0, 1, 1, 1, 1, 1, 1, 2]);
    const alerts = (await alertsOf(instance)).sort((a, b) => String(a.eventId).localeCompare(String(b.eventId)));
    expect(alerts[0]).toMatchObject({
      source: 'platform.compute',
      detailType: 'instance.alert.high_cpu',
      detail: {
        tenantId,
        resourceType: 'instance',
        resourceId: instance.id,
        actor: 'system:instance-metrics',
        data: { periodStart: periodOf(12), cpuPercent: 85, consecutiveSamples: 3, thresholdPercent: 80 },
      },
    });
    expect(alerts[1]).toMatchObject({ detail: { data: { periodStart: periodOf(18), consecutiveSamples: 3 } } });
    expect(await getItem(tableName('metrics'), episodeKey(ref(instance)))).toMatchObject({ consecutiveHigh: 3, episodeOpen: true, lastPeriod: periodOf(18) });
  });

  it('counts the alerts a run emits', async () => {
    // Prepare: an instance with two high samples behind it
    const tenantId = newId('tnt');
    const instance = await putInstance(tenantId);
    const fake = fakeProvider();
    await settle(fake, 19);
    fake.cpu.set(instance.id, 90);
    await sampleRunningInstances({ provider: fake.provider, now: runAt(20) });
    await sampleRunningInstances({ provider: fake.provider, now: runAt(21) });

    // Act
    const result = await sampleRunningInstances({ provider: fake.provider, now: runAt(22) });

    // Assess
    expect(result.alerts).toBe(1);
    expect(await alertsOf(instance)).toHaveLength(1);
  });

  it('logs and counts a provider failure and samples the other instances', async () => {
    // Prepare
    const tenantId = newId('tnt');
    const broken = await putInstance(tenantId);
    const healthy = await putInstance(tenantId);
    const fake = fakeProvider();
    await settle(fake, 24);
    fake.failing.add(broken.id);

    // Act
    const result = await sampleRunningInstances({ provider: fake.provider, now: runAt(25) });

    // Assess
    expect(result.failed).toBe(1);
    expect(result.sampled).toBeGreaterThanOrEqual(1);
    expect(await getItem(tableName('metrics'), sampleKey(ref(healthy), periodOf(25)))).toBeDefined();
    expect(await getItem(tableName('metrics'), sampleKey(ref(broken), periodOf(25)))).toBeUndefined();

    // Act: the data plane recovers; the next run samples the broken one too
    fake.failing.clear();
    const next = await sampleRunningInstances({ provider: fake.provider, now: runAt(25) });

    // Assess
    expect(next).toMatchObject({ sampled: 1, failed: 0 });
    expect(await getItem(tableName('metrics'), sampleKey(ref(broken), periodOf(25)))).toBeDefined();
  });

  it('a late run for an older period stores its sample but leaves the tracker on the newer period', async () => {
    // Prepare: period 31 sampled (high); period 30 was missed
    const tenantId = newId('tnt');
    const instance = await putInstance(tenantId);
    const fake = fakeProvider();
    await settle(fake, 29);
    fake.cpu.set(instance.id, 95);
    await sampleRunningInstances({ provider: fake.provider, now: runAt(31) });

    // Act
    const late = await sampleRunningInstances({ provider: fake.provider, now: runAt(30) });

    // Assess
    expect(late.failed).toBe(0);
    const stored = await getItem(tableName('metrics'), sampleKey(ref(instance), periodOf(30)));
    expect(stored).toMatchObject({ cpuPercent: 95 });
    expect(await getItem(tableName('metrics'), episodeKey(ref(instance)))).toMatchObject({ lastPeriod: periodOf(31), consecutiveHigh: 1 });

    // Act: the late run once more, with other numbers
    fake.cpu.set(instance.id, 5);
    const again = await sampleRunningInstances({ provider: fake.provider, now: new Date(runAt(30).getTime() + 60_000) });

    // Assess: the stored sample stays as it was
    expect(again).toMatchObject({ sampled: 0, failed: 0 });
    expect(await getItem(tableName('metrics'), sampleKey(ref(instance), periodOf(30)))).toEqual(stored);
  });
  it('a slow run of an older period cannot put the tracker back behind a newer one', async () => {
    // Prepare: an instance sampled at period 34 (high); the data plane answers period 35 only when let go
    const tenantId = newId('tnt');
    const instance = await putInstance(tenantId);
    const fake = fakeProvider();
    fake.cpu.set(instance.id, 95);
    await sampleRunningInstances({ provider: fake.provider, now: runAt(34) });
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let asked = () => {};
    const slowCallStarted = new Promise<void>((resolve) => {
      asked = resolve;
    });
    const sampleMetrics = fake.provider.sampleMetrics.bind(fake.provider);
    const slow: ComputeProvider = {
      ...fake.provider,
      async sampleMetrics(target, periodStart, periodSeconds) {
        if (target.instanceId === instance.id) {
          asked();
          await gate;
        }
        return sampleMetrics(target, periodStart, periodSeconds);
      },
    };

    // Act: the run of period 35 stalls after reading the tracker; the run of period 36 completes meanwhile
    const stalled = sampleRunningInstances({ provider: slow, now: runAt(35) });
    await slowCallStarted;
    await sampleRunningInstances({ provider: fake.provider, now: runAt(36) });
    release();
    const result = await stalled;

    // Assess: period 35's sample is stored, but the tracker stays on period 36
    expect(result.failed).toBe(0);
    expect(await getItem(tableName('metrics'), sampleKey(ref(instance), periodOf(35)))).toBeDefined();
    expect(await getItem(tableName('metrics'), episodeKey(ref(instance)))).toMatchObject({ lastPeriod: periodOf(36), consecutiveHigh: 1 });
  });
});

describe('the job handler', () => {
  const bootSeconds = process.env.SIMULATED_BOOT_SECONDS;
  beforeAll(() => {
    process.env.SIMULATED_BOOT_SECONDS = '0';
  });
  afterAll(() => {
    if (bootSeconds === undefined) delete process.env.SIMULATED_BOOT_SECONDS;
    else process.env.SIMULATED_BOOT_SECONDS = bootSeconds;
  });

  it('samples through the configured provider the period before the scheduled time', async () => {
    // Prepare: a running instance with a machine in the simulated data plane, at 93 % CPU
    const tenantId = newId('tnt');
    const instance = await putInstance(tenantId);
    await computeProvider().launch({
      ...ref(instance),
      flavorId: instance.flavorId,
      vcpus: instance.vcpus,
      memoryMib: instance.memoryMib,
      imageId: instance.imageId,
      subnetId: instance.subnetId,
      availabilityZone: instance.availabilityZone,
      privateIpAddress: '10.0.0.10',
      rootVolumeGb: instance.rootVolumeGb,
    });
    await setSimulatedLoad(ref(instance), 93);

    // Act
    const result = (await handler({ source: 'platform.scheduler', job: 'instance-metrics', scheduledTime: runAt(40).toISOString(), executionId: 'exec-1', attemptNumber: '1' })) as SampleRunResult;

    // Assess: instances of the other tests have no machine, so they fail; this one is sampled
    expect(result.periodStart).toBe(periodOf(40));
    expect(result.sampled).toBe(1);
    expect(await getItem(tableName('metrics'), sampleKey(ref(instance), periodOf(40)))).toMatchObject({ cpuPercent: 93, periodSeconds: 300 });
  });
});
