/**
 * Instance metrics, the rules (pure functions, no I/O): which five-minute period a run samples,
 * the high-CPU episode tracker, the window of a query, and how samples become a summary and a
 * chart series.
 */
import { BadRequest } from '../../kit/errors';
import type { MetricSample } from '../../providers/provider';

export const PERIOD_SECONDS = 300;
const PERIOD_MS = PERIOD_SECONDS * 1000;
export const RETENTION_DAYS = 15;
const DAY_MS = 86_400_000;
export const RETENTION_MS = RETENTION_DAYS * DAY_MS;
export const DEFAULT_WINDOW_MS = DAY_MS;
/** A client's clock may run ahead of ours by this much before `to` counts as the future. */
export const FUTURE_TOLERANCE_MS = 5 * 60_000;
export const HIGH_CPU_THRESHOLD_PERCENT = 80;
export const HIGH_CPU_SAMPLES = 3;
export const MAX_POINTS = 288;
export const DEFAULT_POINTS = 96;

/** The last five-minute period that has ended by `at` (a period ending exactly at `at` counts). */
export function lastCompletePeriod(at: Date): Date {
  return new Date(Math.floor(at.getTime() / PERIOD_MS) * PERIOD_MS - PERIOD_MS);
}

// --- the high-CPU episode ---------------------------------------------------------------------

/** What the tracker remembers of an instance between samples. */
export interface EpisodeState {
  /** Samples above the threshold in a row, up to and including `lastPeriod`. */
  consecutiveHigh: number;
  /** An alert was emitted for the current run of high samples; the next comes after a normal one. */
  episodeOpen: boolean;
  /** The periodStart (ISO) of the last sample applied. */
  lastPeriod: string;
}

export interface EpisodeStep {
  state: EpisodeState;
  /** This sample is the one that opens an episode: emit the alert. */
  alert: boolean;
}

/**
 * Applies the sample of `periodStart` to the tracker. "In a row" means consecutive periods: a
 * missing period (the instance was stopped, or a run was lost) breaks the run like a normal
 * sample does, so a restarted instance starts a new episode. The caller applies only periods
 * later than `previous.lastPeriod`.
 */
export function advanceEpisode(previous: EpisodeState | undefined, periodStart: Date, cpuPercent: number): EpisodeStep {
  const lastPeriod = periodStart.toISOString();
  if (cpuPercent <= HIGH_CPU_THRESHOLD_PERCENT) return { state: { consecutiveHigh: 0, episodeOpen: false, lastPeriod }, alert: false };
  const continues = previous !== undefined && Date.parse(previous.lastPeriod) === periodStart.getTime() - PERIOD_MS;
  const consecutiveHigh = (continues ? previous.consecutiveHigh : 0) + 1;
  const wasOpen = continues && previous.episodeOpen;
  const alert = !wasOpen && consecutiveHigh >= HIGH_CPU_SAMPLES;
  return { state: { consecutiveHigh, episodeOpen: wasOpen || alert, lastPeriod }, alert };
}

// --- the query window -------------------------------------------------------------------------

export interface WindowQuery {
  from?: string | undefined;
  to?: string | undefined;
  points?: number | undefined;
}

export interface MetricsWindow {
  from: Date;
  to: Date;
  points: number;
}

const invalid = (detail: string) => new BadRequest('InvalidParameterValue', detail);

/** A date, or a date and time with seconds optional and a zone (`Z` or `±hh:mm`); a date alone is UTC midnight. */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

function isoTime(name: string, raw: string): Date {
  // An unencoded `+01:00` in a query string arrives as ` 01:00`.
  const text = raw.replace(/ (\d{2}:\d{2})$/, '+$1');
  const time = ISO_8601.test(text) ? new Date(text) : new Date(Number.NaN);
  if (Number.isNaN(time.getTime())) throw invalid(`${name} is not an ISO 8601 time (e.g. 2026-11-20T10:00:00Z).`);
  return time;
}

/** `from`/`to` (ISO 8601, default the last 24 h), checked against `now`. */
export function metricsWindow(query: WindowQuery, now: Date): MetricsWindow {
  const to = query.to !== undefined ? isoTime('to', query.to) : now;
  const from = query.from !== undefined ? isoTime('from', query.from) : new Date(to.getTime() - DEFAULT_WINDOW_MS);
  if (from.getTime() >= to.getTime()) throw invalid('from must be before to.');
  if (to.getTime() - from.getTime() > RETENTION_MS) throw invalid(`The window may span at most ${RETENTION_DAYS} days: samples are kept no longer.`);
  if (to.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) throw invalid('to lies in the future.');
  return { from, to, points: query.points ?? DEFAULT_POINTS };
}

// --- aggregation ------------------------------------------------------------------------------

export interface MetricsSummary {
  cpu: { avgPercent: number; maxPercent: number; minPercent: number };
  memory: { avgPercent: number; maxBytes: number };
  diskIo: { totalReadBytes: number; totalWriteBytes: number; avgReadIops: number; avgWriteIops: number };
  network: { totalBytesIn: number; totalBytesOut: number; avgPacketsPerSec: number };
  sampleCount: number;
}

/** Percentages and rates to two decimals; byte counts are whole. */
const round2 = (value: number) => Math.round(value * 100) / 100;
const sum = (samples: readonly MetricSample[], pick: (sample: MetricSample) => number) => samples.reduce((total, sample) => total + pick(sample), 0);
/** An average over time: each sample weighs as long as its period. */
const timeAverage = (samples: readonly MetricSample[], pick: (sample: MetricSample) => number, seconds: number) =>
  seconds > 0 ? sum(samples, (sample) => pick(sample) * sample.periodSeconds) / seconds : 0;
const perSecond = (total: number, seconds: number) => (seconds > 0 ? total / seconds : 0);

/** The summary of `samples`; no samples give zeros everywhere (and sampleCount 0). */
export function aggregate(samples: readonly MetricSample[]): MetricsSummary {
  const seconds = sum(samples, (sample) => sample.periodSeconds);
  const cpu = samples.map((sample) => sample.cpuPercent);
  return {
    cpu: {
      avgPercent: round2(timeAverage(samples, (sample) => sample.cpuPercent, seconds)),
      maxPercent: round2(cpu.length ? Math.max(...cpu) : 0),
      minPercent: round2(cpu.length ? Math.min(...cpu) : 0),
    },
    memory: {
      avgPercent: round2(timeAverage(samples, (sample) => sample.memoryPercent, seconds)),
      maxBytes: Math.round(samples.reduce((max, sample) => Math.max(max, sample.memoryBytes), 0)),
    },
    diskIo: {
      totalReadBytes: Math.round(sum(samples, (sample) => sample.diskReadBytes)),
      totalWriteBytes: Math.round(sum(samples, (sample) => sample.diskWriteBytes)),
      avgReadIops: round2(perSecond(sum(samples, (sample) => sample.diskReadOps), seconds)),
      avgWriteIops: round2(perSecond(sum(samples, (sample) => sample.diskWriteOps), seconds)),
    },
    network: {
      totalBytesIn: Math.round(sum(samples, (sample) => sample.networkBytesIn)),
      totalBytesOut: Math.round(sum(samples, (sample) => sample.networkBytesOut)),
      avgPacketsPerSec: round2(perSecond(sum(samples, (sample) => sample.networkPackets), seconds)),
    },
    sampleCount: samples.length,
  };
}

// --- the chart series -------------------------------------------------------------------------

export interface SeriesPoint {
  /** The bucket's start. */
  at: string;
  cpuAvgPercent: number;
  cpuMaxPercent: number;
  memoryAvgPercent: number;
  diskReadBytes: number;
  diskWriteBytes: number;
  networkBytesIn: number;
  networkBytesOut: number;
}

/**
 * The width of a series bucket for at most `points` buckets over the window: a whole number of
 * sample periods, so that every bucket holds the same number of periods.
 */
export function bucketSeconds(window: Pick<MetricsWindow, 'from' | 'to'>, points: number): number {
  const seconds = (window.to.getTime() - window.from.getTime()) / 1000;
  return Math.max(1, Math.ceil(seconds / points / PERIOD_SECONDS)) * PERIOD_SECONDS;
}

/**
 * The samples in buckets of `widthSeconds` from `from` on, oldest first. Buckets without samples
 * are left out (a chart shows a gap), so the series is never longer than the window has buckets.
 */
export function downsample(samples: readonly MetricSample[], from: Date, widthSeconds: number): SeriesPoint[] {
  const widthMs = widthSeconds * 1000;
  const buckets = new Map<number, MetricSample[]>();
  for (const sample of samples) {
    const index = Math.floor((Date.parse(sample.periodStart) - from.getTime()) / widthMs);
    if (index < 0) continue;
    const bucket = buckets.get(index);
    if (bucket) bucket.push(sample);
    else buckets.set(index, [sample]);
  }
  return [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([index, inBucket]) => {
      const summary = aggregate(inBucket);
      return {
        at: new Date(from.getTime() + index * widthMs).toISOString(),
        cpuAvgPercent: summary.cpu.avgPercent,
        cpuMaxPercent: summary.cpu.maxPercent,
        memoryAvgPercent: summary.memory.avgPercent,
        diskReadBytes: summary.diskIo.totalReadBytes,
        diskWriteBytes: summary.diskIo.totalWriteBytes,
        networkBytesIn: summary.network.totalBytesIn,
        networkBytesOut: summary.network.totalBytesOut,
      };
    });
}
