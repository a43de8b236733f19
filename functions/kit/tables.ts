/**
 * Every DynamoDB table, declared once: the CDK stack creates them from this list, the local
 * runtime creates them on DynamoDB Local from it, and functions find their names through it.
 */
import { settings } from './config';

export interface KeyAttribute {
  name: string;
  type: 'S' | 'N';
}

export interface TableSpec {
  /** The CloudFormation logical id and the local table name's suffix. */
  logicalName: string;
  /** The environment variable that carries the deployed table's name into each function. */
  envVar: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  globalIndexes: { name: string; partitionKey: KeyAttribute; sortKey?: KeyAttribute }[];
  timeToLiveAttribute?: string;
  stream?: 'NEW_IMAGE' | 'NEW_AND_OLD_IMAGES';
  description: string;
}

const s = (name: string): KeyAttribute => ({ name, type: 'S' });
const n = (name: string): KeyAttribute => ({ name, type: 'N' });

/**
 * Items that expire carry `expiryBucket` (the hour they expire in, see expiryAttributes) so the
 * cleanup job finds them with a Query per hour: DynamoDB's TTL deletes within days, not on time
 * (DynamoDB Local's within seconds), so nothing relies on it.
 */
const expiryIndex = (ttlAttribute: string) => ({ name: 'expiry', partitionKey: s('expiryBucket'), sortKey: n(ttlAttribute) });

export const tables = {
  resources: {
    logicalName: 'Resources',
    envVar: 'RESOURCES_TABLE',
    partitionKey: s('pk'),
    sortKey: s('sk'),
    globalIndexes: [
      { name: 'gsi1', partitionKey: s('gsi1pk'), sortKey: s('gsi1sk') },
      { name: 'gsi2', partitionKey: s('gsi2pk'), sortKey: s('gsi2sk') },
      expiryIndex('expiresAt'),
    ],
    timeToLiveAttribute: 'expiresAt',
    stream: 'NEW_AND_OLD_IMAGES',
    description: 'Every tenant resource, with its uniqueness, counter and address items, keyed under its tenant.',
  },
  idempotency: {
    logicalName: 'Idempotency',
    envVar: 'IDEMPOTENCY_TABLE',
    partitionKey: s('id'),
    globalIndexes: [expiryIndex('expiration')],
    timeToLiveAttribute: 'expiration',
    description: 'Idempotency records of requests and of saga steps; expire after 24 hours.',
  },
  outbox: {
    logicalName: 'Outbox',
    envVar: 'OUTBOX_TABLE',
    partitionKey: s('pk'),
    sortKey: s('sk'),
    globalIndexes: [
      { name: 'byType', partitionKey: s('typeKey'), sortKey: s('eventId') },
      { name: 'byResource', partitionKey: s('resourceKey'), sortKey: s('eventId') },
      expiryIndex('expiresAt'),
    ],
    timeToLiveAttribute: 'expiresAt',
    stream: 'NEW_IMAGE',
    description: 'Domain events written in the transaction of the change, kept 90 days; its stream feeds the event relay.',
  },
  audit: {
    logicalName: 'Audit',
    envVar: 'AUDIT_TABLE',
    partitionKey: s('pk'),
    sortKey: s('sk'),
    globalIndexes: [
      { name: 'byResource', partitionKey: s('resourceKey'), sortKey: s('sk') },
      { name: 'byActor', partitionKey: s('actorKey'), sortKey: s('sk') },
    ],
    description: 'The audit trail: one immutable entry per change, written in the transaction of the change.',
  },
  metrics: {
    logicalName: 'Metrics',
    envVar: 'METRICS_TABLE',
    // <tenant>#<instanceId> / S#<periodStart ISO>: one instance's samples, in time order, for a Query by window.
    partitionKey: s('pk'),
    sortKey: s('sk'),
    globalIndexes: [expiryIndex('expiresAt')],
    timeToLiveAttribute: 'expiresAt',
    description: 'Instance metric samples, one per instance and five-minute period, kept 15 days; and each instance\'s high-CPU episode state.',
  },
} as const satisfies Record<string, TableSpec>;

export type TableKey = keyof typeof tables;

const HOUR_SECONDS = 3600;

/** The TTL attribute and the hour bucket the cleanup job queries, for an item expiring at `epochSeconds`. */
export function expiryAttributes(ttlAttribute: string, epochSeconds: number): Record<string, string | number> {
  const hour = new Date(Math.floor(epochSeconds / HOUR_SECONDS) * HOUR_SECONDS * 1000).toISOString().slice(0, 13);
  return { [ttlAttribute]: epochSeconds, expiryBucket: `EXP#${hour}` };
}

export function tableName(key: TableKey): string {
  const spec: TableSpec = tables[key];
  return process.env[spec.envVar] ?? `${settings.tablePrefix()}${spec.logicalName}`;
}
