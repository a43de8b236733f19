/**
 * Every DynamoDB key of the compute domain, so that one place says what each item is called.
 *
 * Resources table, tenant partition `T#<tenant>`:
 *   INSTANCE#<id>        an instance     gsi1 T#<t>#INSTANCE  <createdAt>#<id>
 *                                        gsi2 RUNNING#<shard> <tenant>#<id>   only while `running` (the metrics job's work list)
 *   TEMPLATE#<id>        a template      gsi1 T#<t>#TEMPLATE  <createdAt>#<id>
 * Resources table, platform partitions:
 *   CATALOG / FLAVOR#<id>, CATALOG / IMAGE#<id>      the catalog (one partition: a few hundred items)
 *   PUBLICIP#<ip> / PUBLICIP                          a public address in use, with its holder
 *   SIMVM#<tenant> / <instanceId>                     a machine of the simulated provider
 * Metrics table (tables.metrics):
 *   <tenant>#<instanceId> / S#<periodStart ISO>        one sample per instance and five-minute period
 *   <tenant>#<instanceId> / STATE                      the high-CPU episode tracker
 */
import { tableName } from '../kit/tables';

export const computeTable = () => tableName('resources');
export const partition = (tenantId: string) => `T#${tenantId}`;

export const instanceKey = (tenantId: string, id: string) => ({ pk: partition(tenantId), sk: `INSTANCE#${id}` });
export const templateKey = (tenantId: string, id: string) => ({ pk: partition(tenantId), sk: `TEMPLATE#${id}` });
export const flavorKey = (id: string) => ({ pk: 'CATALOG', sk: `FLAVOR#${id}` });
export const imageKey = (id: string) => ({ pk: 'CATALOG', sk: `IMAGE#${id}` });
export const publicIpKey = (ip: string) => ({ pk: `PUBLICIP#${ip}`, sk: 'PUBLICIP' });

export const listIndexKeys = (tenantId: string, type: 'INSTANCE' | 'TEMPLATE', createdAt: string, id: string) => ({
  gsi1pk: `${partition(tenantId)}#${type}`,
  gsi1sk: `${createdAt}#${id}`,
});

/** The running index is sharded so that a large fleet does not make one hot partition. */
export const RUNNING_SHARDS = 4;

export function runningShard(instanceId: string): number {
  let hash = 0;
  for (const char of instanceId) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash % RUNNING_SHARDS;
}

export const runningIndexKeys = (tenantId: string, instanceId: string) => ({
  gsi2pk: `RUNNING#${runningShard(instanceId)}`,
  gsi2sk: `${tenantId}#${instanceId}`,
});

/** Index keys and the cleanup job's bucket; `expiresAt` (epoch seconds) stays: views show it as a time. */
export const INTERNAL_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'expiryBucket'] as const;

export function stripKeys<T>(item: Record<string, unknown>): T {
  const copy: Record<string, unknown> = { ...item };
  for (const name of INTERNAL_ATTRIBUTES) delete copy[name];
  return copy as T;
}

/** A machine of the simulated provider: one partition per tenant (the provider owns the key). */
export { simulatedMachineKey } from '../providers/keys';

// --- Catalog and template additions -------------------------------------------------------------

/** Written once the built-in catalog of `revision` is in the table (see catalog-repository). */
export const catalogMarkerKey = () => ({ pk: 'CATALOG', sk: 'SEEDED' });

/**
 * The catalog's list index (gsi1): flavors by family, then size (`CATALOG#FLAVOR` /
 * `<family>#<vcpus>#<memoryMib>#<id>`, numbers zero-padded); images by os, then id.
 */
export const flavorIndexKeys = (flavor: { id: string; family: string; vcpus: number; memoryMib: number }) => ({
  gsi1pk: 'CATALOG#FLAVOR',
  gsi1sk: `${flavor.family}#${String(flavor.vcpus).padStart(4, '0')}#${String(flavor.memoryMib).padStart(8, '0')}#${flavor.id}`,
});
export const imageIndexKeys = (image: { id: string; os: string }) => ({ gsi1pk: 'CATALOG#IMAGE', gsi1sk: `${image.os}#${image.id}` });

/** A template's name, unique in the tenant (case-sensitive, as AWS launch template names). */
export const templateNameKey = (tenantId: string, name: string) => ({ pk: partition(tenantId), sk: `TEMPLATENAME#${name}` });

/** The running index's partition of one shard: the metrics job queries each. */
export const runningIndexPartition = (shard: number) => `RUNNING#${shard}`;
