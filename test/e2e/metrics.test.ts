/** GET /v1/instances/{id}/metrics over HTTP, on samples seeded straight into the Metrics table. */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Instance } from '../../functions/compute/instance';
import { putSample } from '../../functions/compute/metrics/repository';
import { documentClient } from '../../functions/kit/db';
import { newId } from '../../functions/kit/ids';
import { tableName } from '../../functions/kit/tables';
import type { MetricSample } from '../../functions/providers/provider';
import type { Platform } from '../../lib/local/runtime';
import { putActiveTenant } from '../../lib/local/seed';
import { putInstance } from '../support/compute';
import { client, startTestPlatform } from '../support/platform';

let platform: Platform;
let call: ReturnType<typeof client>;

beforeAll(async () => {
  platform = await startTestPlatform('metrics', { scheduler: false });
  call = client(platform.url);
});
afterAll(() => platform.stop());

const PERIOD_MS = 300_000;
const HOUR_MS = 3_600_000;
/** The start of the period that ended last: samples near the wall clock (DynamoDB Local's TTL deletes old ones). */
const lastPeriod = () => Math.floor(Date.now() / PERIOD_MS) * PERIOD_MS - PERIOD_MS;

async function viewerWithInstance(): Promise<{ token: string; tenantId: string; instance: Instance }> {
  const tenant = await putActiveTenant(newId('tnt'), { name: 'Metrics tenant' });
  const instance = await putInstance(tenant.id);
  return { token: await platform.token({ roles: ['viewer'], tenantId: tenant.id }), tenantId: tenant.id, instance };
}

function sampleAt(startMs: number, fields: Partial<MetricSample> = {}): MetricSample {
  return {
    periodStart: new Date(startMs).toISOString(),
    periodSeconds: 300,
    cpuPercent: 20,
    memoryBytes: 400_000_000,
    memoryPercent: 40,
    diskReadBytes: 3_000,
    diskWriteBytes: 6_000,
    diskReadOps: 600,
    diskWriteOps: 300,
    networkBytesIn: 10_000,
    networkBytesOut: 5_000,
    networkPackets: 1_500,
    ...fields,
  };
}

/** Seeds the samples as the job stores them, 25 at a time. */
async function seed(instance: Instance, samples: MetricSample[]): Promise<void> {
  const ref = { tenantId: instance.tenantId, instanceId: instance.id };
  const items = samples.map((sample) => putSample(ref, sample.periodStart, sample, new Date()).item.Put?.Item as Record<string, unknown>);
  for (let i = 0; i < items.length; i += 25) {
    let requests = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    while (requests.length > 0) {
      const out = await documentClient().send(new BatchWriteCommand({ RequestItems: { [tableName('metrics')]: requests } }));
      requests = (out.UnprocessedItems?.[tableName('metrics')] ?? []) as typeof requests;
    }
  }
}

const metricsPath = (id: string, query: Record<string, string | number> = {}) => {
  const search = new URLSearchParams(Object.entries(query).map(([key, value]): [string, string] => [key, String(value)])).toString();
  return `/v1/instances/${id}/metrics${search ? `?${search}` : ''}`;
};

describe('GET /v1/instances/{id}/metrics', () => {
  it('summarises the window and downsamples it into equal buckets', async () => {
    // Prepare: one hour of samples (12), CPU 10, 20, ... 120 % capped at 100; one sample just outside each end
    const { token, instance } = await viewerWithInstance();
    const to = lastPeriod() + PERIOD_MS;
    const from = to - HOUR_MS;
    const inWindow = Array.from({ length: 12 }, (_, index) =>
      sampleAt(from + index * PERIOD_MS, { cpuPercent: Math.min(100, 10 * (index + 1)), memoryBytes: 1_000_000 * (index + 1), networkBytesIn: 100 * (index + 1) }),
    );
    await seed(instance, [...inWindow, sampleAt(from - PERIOD_MS, { cpuPercent: 0 }), sampleAt(to, { cpuPercent: 0 })]);

    // Act: 4 points over an hour
    const response = await call('GET', metricsPath(instance.id, { from: new Date(from).toISOString(), to: new Date(to).toISOString(), points: 4 }), { token });

    // Assess
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      instanceId: instance.id,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      periodSeconds: 900,
      // (10+20+...+100+100+100)/12
      cpu: { avgPercent: 62.5, maxPercent: 100, minPercent: 10 },
      memory: { avgPercent: 40, maxBytes: 12_000_000 },
      // 12 × 600 ops over 3,600 s; 12 × 300 ops
      diskIo: { totalReadBytes: 36_000, totalWriteBytes: 72_000, avgReadIops: 2, avgWriteIops: 1 },
      // 100 × (1+...+12) bytes in; 12 × 1,500 packets over 3,600 s
      network: { totalBytesIn: 7_800, totalBytesOut: 60_000, avgPacketsPerSec: 5 },
      sampleCount: 12,
      series: [0, 1, 2, 3].map((bucket) => ({
        at: new Date(from + bucket * 900_000).toISOString(),
        cpuAvgPercent: [20, 50, 80, 100][bucket],
        cpuMaxPercent: [30, 60, 90, 100][bucket],
        memoryAvgPercent: 40,
        diskReadBytes: 9_000,
        diskWriteBytes: 18_000,
        networkBytesIn: [600, 1_500, 2_400, 3_300][bucket],
        networkBytesOut: 15_000,
      })),
    });
  });

  it('defaults to the last 24 hours and 96 points', async () => {
    // Prepare: a sample an hour ago, and one 25 hours ago
    const { token, instance } = await viewerWithInstance();
    const recent = lastPeriod() - HOUR_MS;
    await seed(instance, [sampleAt(recent, { cpuPercent: 42 }), sampleAt(recent - 24 * HOUR_MS, { cpuPercent: 99 })]);
    const before = Date.now();

    // Act
    const response = await call('GET', metricsPath(instance.id), { token });

    // Assess
    expect(response.status).toBe(200);
    expect(response.body.sampleCount).toBe(1);
    expect(response.body.cpu).toEqual({ avgPercent: 42, maxPercent: 42, minPercent: 42 });
    expect(Date.parse(response.body.to) - Date.parse(response.body.from)).toBe(24 * HOUR_MS);
    expect(Date.parse(response.body.to)).toBeGreaterThanOrEqual(before);
    expect(response.body.periodSeconds).toBe(900);
    expect(response.body.series).toHaveLength(1);
  });

  it('reads every page of a long window', async () => {
    // Prepare: 14 days of samples, about 2 MB, more than one Query page
    const { token, instance } = await viewerWithInstance();
    const to = lastPeriod() + PERIOD_MS;
    const from = to - 14 * 24 * HOUR_MS;
    const count = (to - from) / PERIOD_MS;
    await seed(
      instance,
      Array.from({ length: count }, (_, index) => sampleAt(from + index * PERIOD_MS, { cpuPercent: index === count - 1 ? 97 : 30 })),
    );

    // Act
    const response = await call('GET', metricsPath(instance.id, { from: new Date(from).toISOString(), to: new Date(to).toISOString(), points: 288 }), { token });

    // Assess: the last sample, on the last page, is in the summary
    expect(response.status).toBe(200);
    expect(response.body.sampleCount).toBe(count);
    expect(response.body.cpu.maxPercent).toBe(97);
    expect(response.body.diskIo.avgReadIops).toBe(2);
    expect(response.body.series).toHaveLength(288);
    expect(response.body.periodSeconds).toBe(4_200);
  }, 180_000);

  it('answers zeros and sampleCount 0 for a window without samples', async () => {
    // Prepare
    const { token, instance } = await viewerWithInstance();

    // Act
    const response = await call('GET', metricsPath(instance.id), { token });

    // Assess
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      cpu: { avgPercent: 0, maxPercent: 0, minPercent: 0 },
      memory: { avgPercent: 0, maxBytes: 0 },
      diskIo: { totalReadBytes: 0, totalWriteBytes: 0, avgReadIops: 0, avgWriteIops: 0 },
      network: { totalBytesIn: 0, totalBytesOut: 0, avgPacketsPerSec: 0 },
      sampleCount: 0,
      series: [],
    });
  });

  it("answers 404 for an unknown instance and for another tenant's", async () => {
    // Prepare
    const mine = await viewerWithInstance();
    const theirs = await viewerWithInstance();
    await seed(theirs.instance, [sampleAt(lastPeriod())]);

    // Act
    const unknown = await call('GET', metricsPath('i-0000000000000000000000000a'), { token: mine.token });
    const foreign = await call('GET', metricsPath(theirs.instance.id), { token: mine.token });

    // Assess
    for (const response of [unknown, foreign]) {
      expect(response.status).toBe(404);
      expect(response.body.code).toBe('InvalidInstanceID.NotFound');
    }
  });

  it.each<[string, (now: number) => Record<string, string | number>]>([
    ['from after to', (now) => ({ from: new Date(now - HOUR_MS).toISOString(), to: new Date(now - 2 * HOUR_MS).toISOString() })],
    ['from equal to to', (now) => ({ from: new Date(now - HOUR_MS).toISOString(), to: new Date(now - HOUR_MS).toISOString() })],
    ['a window over 15 days', (now) => ({ from: new Date(now - 15 * 24 * HOUR_MS - 1000).toISOString(), to: new Date(now).toISOString() })],
    ['to an hour in the future', (now) => ({ to: new Date(now + HOUR_MS).toISOString() })],
    ['a from that is not ISO 8601', () => ({ from: 'yesterday' })],
  ])('answers 400 InvalidParameterValue for %s', async (_label, query) => {
    // Prepare
    const { token, instance } = await viewerWithInstance();

    // Act
    const response = await call('GET', metricsPath(instance.id, query(Date.now())), { token });

    // Assess
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('InvalidParameterValue');
  });

  it('accepts a `to` a minute ahead of the clock', async () => {
    // Prepare
    const { token, instance } = await viewerWithInstance();

    // Act
    const response = await call('GET', metricsPath(instance.id, { to: new Date(Date.now() + 60_000).toISOString() }), { token });

    // Assess
    expect(response.status).toBe(200);
  });

  it.each([0, 289, 'many'])('answers 400 for points=%s', async (points) => {
    // Prepare
    const { token, instance } = await viewerWithInstance();

    // Act
    const response = await call('GET', metricsPath(instance.id, { points }), { token });

    // Assess
    expect(response.status).toBe(400);
    expect(response.body.errors[0].path).toBe('query.points');
  });
});
