/** The metrics rules: the period a run samples, the high-CPU episode, the window, aggregation and downsampling. */
import { expiringTables } from '../../../functions/jobs/cleanup';
import { ApiError } from '../../../functions/kit/errors';
import { tables } from '../../../functions/kit/tables';
import {
  advanceEpisode,
  aggregate,
  bucketSeconds,
  downsample,
  lastCompletePeriod,
  metricsWindow,
  type EpisodeState,
} from '../../../functions/compute/metrics/metrics';
import type { MetricSample } from '../../../functions/providers/provider';

const T0 = Date.parse('2026-11-20T10:00:00.000Z');
const MIN = 60_000;
const at = (minutes: number) => new Date(T0 + minutes * MIN);

function sample(minutes: number, fields: Partial<MetricSample> = {}): MetricSample {
  return {
    periodStart: at(minutes).toISOString(),
    periodSeconds: 300,
    cpuPercent: 10,
    memoryBytes: 1_000,
    memoryPercent: 20,
    diskReadBytes: 100,
    diskWriteBytes: 200,
    diskReadOps: 300,
    diskWriteOps: 600,
    networkBytesIn: 1_000,
    networkBytesOut: 2_000,
    networkPackets: 1_500,
    ...fields,
  };
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return error instanceof ApiError ? `${error.status} ${error.code}` : String(error);
  }
}

describe('lastCompletePeriod', () => {
  it.each([
    ['10:07:31', '10:00:00'],
    ['10:05:00', '10:00:00'],
    ['10:04:59', '09:55:00'],
    ['00:02:00', '23:55:00'],
  ])('at %s samples the period starting %s', (time, expected) => {
    // Prepare
    const runAt = new Date(`2026-11-20T${time}.000Z`);

    // Act
    const period = lastCompletePeriod(runAt);

    // Assess
    const day = time.startsWith('00:') ? '2026-11-19' : '2026-11-20';
    expect(period.toISOString()).toBe(`${day}T${expected}.000Z`);
  });
});

describe('advanceEpisode', () => {
  /** Feeds CPU values of consecutive periods from T0; returns which periods alerted. */
  function run(cpus: number[], start?: EpisodeState): { alerts: number[]; state: EpisodeState | undefined } {
    let state = start;
    const alerts: number[] = [];
    cpus.forEach((cpu, index) => {
      const step = advanceEpisode(state, at(index * 5), cpu);
      if (step.alert) alerts.push(index);
      state = step.state;
    });
    return { alerts, state };
  }

  it('alerts on the third high sample in a row', () => {
    // Act
    const { alerts, state } = run([81, 90, 95]);

    // Assess
    expect(alerts).toEqual([2]);
    expect(state).toEqual({ consecutiveHigh: 3, episodeOpen: true, lastPeriod: at(10).toISOString() });
  });

  it('does not alert on two high samples', () => {
    expect(run([90, 90]).alerts).toEqual([]);
  });

  it('alerts once per episode however long it lasts', () => {
    expect(run([90, 90, 90, 90, 90, 90]).alerts).toEqual([2]);
  });

  it('starts a new episode after a normal sample', () => {
    // Act
    const { alerts } = run([90, 90, 90, 50, 90, 90, 90]);

    // Assess
    expect(alerts).toEqual([2, 6]);
  });

  it('counts exactly 80 % as normal: it breaks a run and closes an episode', () => {
    expect(run([90, 90, 80, 90, 90]).alerts).toEqual([]);
    expect(run([90, 90, 90, 80, 90, 90, 90]).alerts).toEqual([2, 6]);
  });

  it('a missing period breaks the run', () => {
    // Prepare: two high samples ending 10:05
    const { state } = run([90, 90]);

    // Act: the next sample is for 10:15 (10:10 was never sampled)
    const step = advanceEpisode(state, at(15), 90);

    // Assess
    expect(step.alert).toBe(false);
    expect(step.state.consecutiveHigh).toBe(1);
  });

  it('a missing period closes an open episode', () => {
    // Prepare: an episode opened at 10:10
    let state = run([90, 90, 90]).state;

    // Act: 10:15 is missing; high samples from 10:20 on
    const alerts = [20, 25, 30].map((minutes) => {
      const step = advanceEpisode(state, at(minutes), 90);
      state = step.state;
      return step.alert;
    });

    // Assess: a new run, and a new episode on its third sample
    expect(alerts).toEqual([false, false, true]);
  });
});

describe('metricsWindow', () => {
  const now = new Date('2026-11-20T12:00:00.000Z');

  it('defaults to the last 24 hours and 96 points', () => {
    // Act
    const window = metricsWindow({}, now);

    // Assess
    expect(window).toEqual({ from: new Date('2026-11-19T12:00:00.000Z'), to: now, points: 96 });
  });

  it('takes 24 hours before `to` when only `to` is given, and up to now when only `from` is', () => {
    expect(metricsWindow({ to: '2026-11-20T06:00:00Z' }, now).from.toISOString()).toBe('2026-11-19T06:00:00.000Z');
    expect(metricsWindow({ from: '2026-11-20T11:00:00Z' }, now).to).toEqual(now);
  });

  it('reads zone offsets, fractions and plain dates', () => {
    expect(metricsWindow({ from: '2026-11-20T11:30:00+01:00', to: '2026-11-20T11:00:00.5Z' }, now)).toMatchObject({
      from: new Date('2026-11-20T10:30:00.000Z'),
      to: new Date('2026-11-20T11:00:00.500Z'),
    });
    expect(metricsWindow({ from: '2026-11-20' }, now).from).toEqual(new Date('2026-11-20T00:00:00.000Z'));
    // `+` unencoded in a query string arrives as a space
    expect(metricsWindow({ from: '2026-11-20T11:30:00 01:00' }, now).from).toEqual(new Date('2026-11-20T10:30:00.000Z'));
  });

  it('accepts exactly 15 days and a `to` a little ahead of our clock', () => {
    expect(codeOf(() => metricsWindow({ from: '2026-11-05T12:00:00Z', to: '2026-11-20T12:00:00Z' }, now))).toBeUndefined();
    expect(codeOf(() => metricsWindow({ to: '2026-11-20T12:04:00Z' }, now))).toBeUndefined();
  });

  it.each([
    ['from equal to to', { from: '2026-11-20T10:00:00Z', to: '2026-11-20T10:00:00Z' }],
    ['from after to', { from: '2026-11-20T11:00:00Z', to: '2026-11-20T10:00:00Z' }],
    ['more than 15 days', { from: '2026-11-05T11:59:59Z', to: '2026-11-20T12:00:00Z' }],
    ['only from, more than 15 days ago', { from: '2026-11-01T00:00:00Z' }],
    ['to in the future', { to: '2026-11-20T12:10:00Z' }],
    ['a malformed from', { from: 'yesterday' }],
    ['a malformed to', { to: '2026-13-45T00:00:00Z' }],
    ['a time that is not ISO 8601', { from: 'Nov 20 2026 10:00' }],
    ['a time without a zone', { from: '2026-11-20T10:00:00' }],
  ])('refuses %s with 400 InvalidParameterValue', (_label, query) => {
    expect(codeOf(() => metricsWindow(query, now))).toBe('400 InvalidParameterValue');
  });
});

describe('aggregate', () => {
  it('summarises min, max and averages, totals, and rates per second', () => {
    // Prepare
    const samples = [
      sample(0, { cpuPercent: 10, memoryPercent: 20, memoryBytes: 1_000, diskReadOps: 300, diskWriteOps: 600, networkPackets: 1_500 }),
      sample(5, { cpuPercent: 50, memoryPercent: 30, memoryBytes: 4_000, diskReadOps: 600, diskWriteOps: 0, networkPackets: 3_000 }),
      sample(10, { cpuPercent: 33.333, memoryPercent: 25.5, memoryBytes: 2_000, diskReadOps: 0, diskWriteOps: 0, networkPackets: 0 }),
    ];

    // Act
    const summary = aggregate(samples);

    // Assess
    expect(summary).toEqual({
      cpu: { avgPercent: 31.11, maxPercent: 50, minPercent: 10 },
      memory: { avgPercent: 25.17, maxBytes: 4_000 },
      // 900 ops over 900 s; 600 over 900 s
      diskIo: { totalReadBytes: 300, totalWriteBytes: 600, avgReadIops: 1, avgWriteIops: 0.67 },
      network: { totalBytesIn: 3_000, totalBytesOut: 6_000, avgPacketsPerSec: 5 },
      sampleCount: 3,
    });
  });

  it('weighs averages by the length of each period', () => {
    // Prepare: 10 % for 300 s, 70 % for 60 s
    const samples = [sample(0, { cpuPercent: 10 }), sample(5, { cpuPercent: 70, periodSeconds: 60 })];

    // Act
    const summary = aggregate(samples);

    // Assess: (10·300 + 70·60) / 360
    expect(summary.cpu.avgPercent).toBe(20);
  });

  it('gives zeros and sampleCount 0 without samples', () => {
    expect(aggregate([])).toEqual({
      cpu: { avgPercent: 0, maxPercent: 0, minPercent: 0 },
      memory: { avgPercent: 0, maxBytes: 0 },
      diskIo: { totalReadBytes: 0, totalWriteBytes: 0, avgReadIops: 0, avgWriteIops: 0 },
      network: { totalBytesIn: 0, totalBytesOut: 0, avgPacketsPerSec: 0 },
      sampleCount: 0,
    });
  });
});

describe('bucketSeconds', () => {
  it.each([
    ['24 h in 96 points', 24 * 60, 96, 900],
    ['24 h in 288 points', 24 * 60, 288, 300],
    ['24 h in 1 point', 24 * 60, 1, 86_400],
    ['1 h in 96 points: never narrower than a sample', 60, 96, 300],
    ['15 days in 96 points', 15 * 24 * 60, 96, 13_500],
    ['7 h in 96 points: rounded up to whole samples', 7 * 60, 96, 300],
    ['10 h in 96 points', 10 * 60, 96, 600],
  ])('%s', (_label, minutes, points, expected) => {
    // Act
    const width = bucketSeconds({ from: at(0), to: at(minutes) }, points);

    // Assess: a multiple of the sample period, and never more buckets than points
    expect(width).toBe(expected);
    expect(width % 300).toBe(0);
    expect(Math.ceil((minutes * 60) / width)).toBeLessThanOrEqual(points);
  });
});

describe('downsample', () => {
  it('puts samples in equal buckets from `from` on and summarises each', () => {
    // Prepare: 15-minute buckets; samples at 0, 5, 10 (bucket 0) and 20 (bucket 1), 45 (bucket 3)
    const samples = [
      sample(0, { cpuPercent: 10, networkBytesIn: 1 }),
      sample(5, { cpuPercent: 20, networkBytesIn: 2 }),
      sample(10, { cpuPercent: 60, networkBytesIn: 4 }),
      sample(20, { cpuPercent: 5, memoryPercent: 40 }),
      sample(45, { cpuPercent: 99 }),
    ];

    // Act
    const series = downsample(samples, at(0), 900);

    // Assess: the empty bucket (30–45) is left out
    expect(series.map((point) => point.at)).toEqual([at(0), at(15), at(45)].map((d) => d.toISOString()));
    expect(series[0]).toEqual({
      at: at(0).toISOString(),
      cpuAvgPercent: 30,
      cpuMaxPercent: 60,
      memoryAvgPercent: 20,
      diskReadBytes: 300,
      diskWriteBytes: 600,
      networkBytesIn: 7,
      networkBytesOut: 6_000,
    });
    expect(series[1]).toMatchObject({ cpuAvgPercent: 5, cpuMaxPercent: 5, memoryAvgPercent: 40 });
    expect(series[2]).toMatchObject({ cpuAvgPercent: 99 });
  });

  it('keeps buckets anchored at `from` when `from` is not on a period boundary', () => {
    // Prepare: from 10:02; buckets of 10 minutes: [10:02, 10:12) holds 10:05 and 10:10
    const samples = [sample(5, { cpuPercent: 10 }), sample(10, { cpuPercent: 30 }), sample(15, { cpuPercent: 50 })];

    // Act
    const series = downsample(samples, at(2), 600);

    // Assess
    expect(series.map((point) => [point.at, point.cpuAvgPercent])).toEqual([
      [at(2).toISOString(), 20],
      [at(12).toISOString(), 50],
    ]);
  });

  it('never has more points than asked for over a full window', () => {
    // Prepare: a full day of samples
    const samples = Array.from({ length: 288 }, (_, index) => sample(index * 5, { cpuPercent: index % 100 }));
    const window = { from: at(0), to: at(24 * 60) };

    // Act
    const series = downsample(samples, window.from, bucketSeconds(window, 96));

    // Assess
    expect(series).toHaveLength(96);
    expect(series[1]).toMatchObject({ at: at(15).toISOString(), cpuAvgPercent: 4, cpuMaxPercent: 5 });
  });

  it('gives an empty series without samples', () => {
    expect(downsample([], at(0), 900)).toEqual([]);
  });
});

describe('the Metrics table', () => {
  it('is keyed by instance and sample time, and purged by the cleanup job through its expiry index', () => {
    // Act
    const purged = expiringTables().find((table) => table.key === 'metrics');

    // Assess
    expect(tables.metrics).toMatchObject({ logicalName: 'Metrics', envVar: 'METRICS_TABLE', partitionKey: { name: 'pk' }, sortKey: { name: 'sk' } });
    expect(purged).toEqual({ key: 'metrics', ttlAttribute: 'expiresAt', keyNames: ['pk', 'sk'] });
  });
});
