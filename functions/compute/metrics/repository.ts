/**
 * The Metrics table (layout in ../keys.ts): one item per instance and five-minute period, and the
 * instance's high-CPU episode tracker next to its samples.
 *
 *   pk <tenant>#<instanceId>   sk S#<periodStart ISO>   a sample (expires 15 days after its period)
 *   pk <tenant>#<instanceId>   sk STATE                 the episode tracker (expires with the last sample)
 *
 * `S#` sorts before `STATE`, so a window's Query (sk BETWEEN two sample keys) never meets the tracker.
 */
import { QueryCommand, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../kit/db';
import { ApiError } from '../../kit/errors';
import { getItem, type Item } from '../../kit/repository';
import { expiryAttributes, tableName } from '../../kit/tables';
import type { Write } from '../../kit/transaction';
import type { InstanceRef, MetricSample } from '../../providers/provider';
import { RETENTION_MS, type EpisodeState } from './metrics';

export const metricsTable = () => tableName('metrics');

const seriesPk = (ref: InstanceRef) => `${ref.tenantId}#${ref.instanceId}`;
const sampleSk = (periodStart: string) => `S#${periodStart}`;
export const sampleKey = (ref: InstanceRef, periodStart: string) => ({ pk: seriesPk(ref), sk: sampleSk(periodStart) });
export const episodeKey = (ref: InstanceRef) => ({ pk: seriesPk(ref), sk: 'STATE' });

/** The TTL of everything about a period: RETENTION after the period began. */
const expiry = (periodStart: string) => expiryAttributes('expiresAt', Math.floor((Date.parse(periodStart) + RETENTION_MS) / 1000));

/** The sample of this period is already stored: a second run in the period has nothing to do. */
export class AlreadySampled extends ApiError {
  constructor() {
    super(409, 'AlreadySampled', 'The period is already sampled.');
  }
}

const SAMPLE_FIELDS = [
  'periodSeconds',
  'cpuPercent',
  'memoryBytes',
  'memoryPercent',
  'diskReadBytes',
  'diskWriteBytes',
  'diskReadOps',
  'diskWriteOps',
  'networkBytesIn',
  'networkBytesOut',
  'networkPackets',
] as const satisfies readonly (keyof MetricSample)[];

function toSample(item: Item): MetricSample {
  const sample = { periodStart: item.periodStart as string } as MetricSample;
  for (const field of SAMPLE_FIELDS) sample[field] = item[field] as number;
  return sample;
}

/** Puts the sample of `periodStart`, unless that period already has one (AlreadySampled). */
export function putSample(ref: InstanceRef, periodStart: string, sample: MetricSample, now: Date): Write {
  const measured = Object.fromEntries(SAMPLE_FIELDS.map((field) => [field, sample[field]]));
  return {
    item: {
      Put: {
        TableName: metricsTable(),
        Item: {
          ...sampleKey(ref, periodStart),
          tenantId: ref.tenantId,
          instanceId: ref.instanceId,
          periodStart,
          ...measured,
          sampledAt: now.toISOString(),
          ...expiry(periodStart),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    onConditionFailed: new AlreadySampled(),
  };
}

export async function findEpisodeState(ref: InstanceRef): Promise<EpisodeState | undefined> {
  const item = await getItem(metricsTable(), episodeKey(ref), true);
  if (!item) return undefined;
  return { consecutiveHigh: item.consecutiveHigh as number, episodeOpen: item.episodeOpen as boolean, lastPeriod: item.lastPeriod as string };
}

/**
 * Stores the tracker's next state, on condition that it is still the `previous` one read: its
 * lastPeriod only grows, so a concurrent run that applied this (or a later) period makes the
 * condition fail, and no period is applied twice. A lost condition runs the instance again.
 */
export function putEpisodeState(ref: InstanceRef, state: EpisodeState, previous: EpisodeState | undefined, now: Date): Write {
  return {
    item: {
      Put: {
        TableName: metricsTable(),
        Item: { ...episodeKey(ref), tenantId: ref.tenantId, instanceId: ref.instanceId, ...state, updatedAt: now.toISOString(), ...expiry(state.lastPeriod) },
        ...(previous
          ? { ConditionExpression: 'lastPeriod = :previous', ExpressionAttributeValues: { ':previous': previous.lastPeriod } }
          : { ConditionExpression: 'attribute_not_exists(pk)' }),
      },
    },
    onConditionFailed: 'retry',
  };
}

const PROJECTED = ['periodStart', ...SAMPLE_FIELDS];

/** The samples whose period starts in [from, to), oldest first, every page of them. */
export async function querySamples(ref: InstanceRef, from: Date, to: Date): Promise<MetricSample[]> {
  const samples: MetricSample[] = [];
  let start: QueryCommandOutput['LastEvaluatedKey'];
  do {
    const out: QueryCommandOutput = await documentClient().send(
      new QueryCommand({
        TableName: metricsTable(),
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': seriesPk(ref),
          ':from': sampleSk(from.toISOString()),
          // BETWEEN includes its ends: the last millisecond before `to` is the last start in the window.
          ':to': sampleSk(new Date(to.getTime() - 1).toISOString()),
        },
        ProjectionExpression: PROJECTED.map((_, index) => `#p${index}`).join(', '),
        ExpressionAttributeNames: Object.fromEntries(PROJECTED.map((field, index) => [`#p${index}`, field])),
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    samples.push(...(out.Items ?? []).map(toSample));
    start = out.LastEvaluatedKey;
  } while (start);
  return samples;
}
