/**
 * The sampling run: every running instance (the running index, shard by shard) is sampled through
 * the provider for the last complete five-minute period, and each instance's sample, its episode
 * tracker and, when an episode opens, its `instance.alert.high_cpu` event are committed in one
 * transaction. The sample is put only if the period has none, so a second run in the same period
 * changes nothing; one instance's failure is logged and counted and never stops the others.
 */
import { QueryCommand, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { changesWrites, change, type ChangeDraft } from '../../events/outbox';
import { documentClient } from '../../kit/db';
import { logger } from '../../kit/logger';
import { commitWrites, RetryRequest } from '../../kit/transaction';
import type { ComputeProvider, InstanceRef, MetricSample } from '../../providers/provider';
import { computeTable, RUNNING_SHARDS, runningIndexPartition } from '../keys';
import { instanceHighCpu } from './events';
import { advanceEpisode, HIGH_CPU_THRESHOLD_PERCENT, lastCompletePeriod, PERIOD_SECONDS } from './metrics';
import { AlreadySampled, findEpisodeState, putEpisodeState, putSample } from './repository';

export const METRICS_ACTOR = 'system:instance-metrics' as const;
/** Instances sampled at once: the provider call dominates, and DynamoDB takes this easily. */
const DEFAULT_CONCURRENCY = 8;
/** Runs of one instance that lost a race (a concurrent run moved its tracker) before it counts as failed. */
const ATTEMPTS = 3;

export interface SampleRunOptions {
  provider: ComputeProvider;
  /** The run's time (the schedule's time): the period sampled is the last complete one before it. */
  now?: Date;
  /** Recorded as the requestId of the alerts' audit entries (default `instance-metrics:<periodStart>`). */
  runId?: string;
  concurrency?: number;
}

export interface SampleRunResult {
  periodStart: string;
  /** Instances whose sample this run stored. */
  sampled: number;
  /** Instances whose period was already sampled (a second run in the period). */
  skipped: number;
  /** Instances the provider or the commit failed for (logged). */
  failed: number;
  /** `instance.alert.high_cpu` events emitted. */
  alerts: number;
}

/** What a provider hands back is checked before it is stored: a NaN would fail the whole commit. */
const measurement = z.number().check(z.nonnegative());
const sampleSchema = z.object({
  periodSeconds: z.int().check(z.positive()),
  cpuPercent: measurement,
  memoryBytes: measurement,
  memoryPercent: measurement,
  diskReadBytes: measurement,
  diskWriteBytes: measurement,
  diskReadOps: measurement,
  diskWriteOps: measurement,
  networkBytesIn: measurement,
  networkBytesOut: measurement,
  networkPackets: measurement,
});

/** Pages of running instances, shard after shard, to the end of each. */
async function* runningInstances(): AsyncGenerator<InstanceRef[]> {
  for (let shard = 0; shard < RUNNING_SHARDS; shard++) {
    let start: QueryCommandOutput['LastEvaluatedKey'];
    do {
      const out: QueryCommandOutput = await documentClient().send(
        new QueryCommand({
          TableName: computeTable(),
          IndexName: 'gsi2',
          KeyConditionExpression: 'gsi2pk = :pk',
          ExpressionAttributeValues: { ':pk': runningIndexPartition(shard) },
          ProjectionExpression: 'tenantId, id',
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      // The index follows the table a moment late: an instance that just stopped may still be
      // listed; the provider then refuses it and the run counts it as failed.
      yield (out.Items ?? []).map((item) => ({ tenantId: item.tenantId as string, instanceId: item.id as string }));
      start = out.LastEvaluatedKey;
    } while (start);
  }
}

type InstanceOutcome = { result: 'sampled'; alert: boolean } | { result: 'skipped' };

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function sampleInstance(ref: InstanceRef, period: Date, options: Required<Omit<SampleRunOptions, 'concurrency'>>): Promise<InstanceOutcome> {
  const periodStart = period.toISOString();
  let sample: MetricSample | undefined;
  for (let attempt = 1; ; attempt++) {
    const previous = await findEpisodeState(ref);
    // The tracker moves with the sample in one transaction: at this period means sampled.
    if (previous?.lastPeriod === periodStart) return { result: 'skipped' };
    sample ??= { ...sampleSchema.parse(await options.provider.sampleMetrics(ref, period, PERIOD_SECONDS)), periodStart };
    const writes = [putSample(ref, periodStart, sample, options.now)];
    const events: ChangeDraft[] = [];
    // A late run for a period older than the tracker's stores its sample but leaves the tracker be.
    if (!previous || previous.lastPeriod < periodStart) {
      const step = advanceEpisode(previous, period, sample.cpuPercent);
      writes.push(putEpisodeState(ref, step.state, previous, options.now));
      if (step.alert) {
        events.push(
          change(instanceHighCpu, {
            tenantId: ref.tenantId,
            resourceId: ref.instanceId,
            data: {
              periodStart,
              cpuPercent: sample.cpuPercent,
              consecutiveSamples: step.state.consecutiveHigh,
              thresholdPercent: HIGH_CPU_THRESHOLD_PERCENT,
            },
          }),
        );
      }
    }
    try {
      await commitWrites([...writes, ...changesWrites(events, { actor: METRICS_ACTOR, requestId: options.runId, now: options.now })]);
      return { result: 'sampled', alert: events.length > 0 };
    } catch (error) {
      if (error instanceof AlreadySampled) return { result: 'skipped' };
      if (!(error instanceof RetryRequest) || attempt >= ATTEMPTS) throw error;
      await pause(20 * attempt * Math.random());
    }
  }
}

/** Runs `work` over `items`, at most `limit` at a time. */
async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Samples every running instance for the last complete period before `now`. */
export async function sampleRunningInstances(options: SampleRunOptions): Promise<SampleRunResult> {
  const now = options.now ?? new Date();
  const period = lastCompletePeriod(now);
  const periodStart = period.toISOString();
  const run = { provider: options.provider, now, runId: options.runId ?? `instance-metrics:${periodStart}` };
  const result: SampleRunResult = { periodStart, sampled: 0, skipped: 0, failed: 0, alerts: 0 };
  for await (const page of runningInstances()) {
    await eachLimited(page, options.concurrency ?? DEFAULT_CONCURRENCY, async (ref) => {
      try {
        const outcome = await sampleInstance(ref, period, run);
        result[outcome.result] += 1;
        if (outcome.result === 'sampled' && outcome.alert) result.alerts += 1;
      } catch (error) {
        result.failed += 1;
        const failure = error instanceof Error ? error : new Error(String(error));
        logger.warn('instance metrics: sampling failed', { ...ref, periodStart, error: failure.name, detail: failure.message });
      }
    });
  }
  return result;
}
