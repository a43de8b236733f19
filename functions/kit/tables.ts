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

export const tables = {
  resources: {
    logicalName: 'Resources',
    envVar: 'RESOURCES_TABLE',
    partitionKey: s('pk'),
    sortKey: s('sk'),
    globalIndexes: [
      { name: 'gsi1', partitionKey: s('gsi1pk'), sortKey: s('gsi1sk') },
      { name: 'gsi2', partitionKey: s('gsi2pk'), sortKey: s('gsi2sk') },
    ],
    timeToLiveAttribute: 'expiresAt',
    stream: 'NEW_AND_OLD_IMAGES',
    description: 'Every tenant resource, with its uniqueness, counter and address items, keyed under its tenant.',
  },
  idempotency: {
    logicalName: 'Idempotency',
    envVar: 'IDEMPOTENCY_TABLE',
    partitionKey: s('id'),
    globalIndexes: [],
    timeToLiveAttribute: 'expiration',
    description: 'Idempotency records of requests and of saga steps; expire after 24 hours.',
  },
  outbox: {
    logicalName: 'Outbox',
    envVar: 'OUTBOX_TABLE',
    partitionKey: s('pk'),
    sortKey: s('sk'),
    globalIndexes: [],
    timeToLiveAttribute: 'expiresAt',
    stream: 'NEW_IMAGE',
    description: 'Domain events written in the transaction of the change; its stream feeds the event relay.',
  },
} as const satisfies Record<string, TableSpec>;

export type TableKey = keyof typeof tables;

export function tableName(key: TableKey): string {
  const spec: TableSpec = tables[key];
  return process.env[spec.envVar] ?? `${settings.tablePrefix()}${spec.logicalName}`;
}
