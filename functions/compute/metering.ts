/**
 * What an instance meters (API.md, Compute; billing's meter catalog): `instance.time` by flavor from
 * entering running to leaving it, exactly the interval `runningSeconds` grows by; `publicIpv4.time`
 * while it holds a public address (from its create to its end: the address stays with it).
 */
import { usageStart, usageStop, type UsageBlock } from '../events/usage';
import type { Instance } from './instance';

export const INSTANCE_TIME = 'instance.time';
export const PUBLIC_IPV4_TIME = 'publicIpv4.time';

type Metered = Pick<Instance, 'flavorId' | 'publicIpAddress'>;

export const runningStarts = (instance: Metered): UsageBlock[] => [usageStart(INSTANCE_TIME, instance.flavorId)];

/** On a move out of `from`: `instance.time` stops only if it was running. */
export const runningStops = (instance: Metered, from: Instance['status']): UsageBlock[] =>
  from === 'running' ? [usageStop(INSTANCE_TIME, instance.flavorId)] : [];

export const publicAddressStarts = (instance: Metered): UsageBlock[] => (instance.publicIpAddress ? [usageStart(PUBLIC_IPV4_TIME)] : []);

export const publicAddressStops = (instance: Metered): UsageBlock[] => (instance.publicIpAddress ? [usageStop(PUBLIC_IPV4_TIME)] : []);

/** `{ usage }` for an event's data when there is any, else nothing. */
export const withUsage = (blocks: UsageBlock[]): { usage?: UsageBlock[] } => (blocks.length > 0 ? { usage: blocks } : {});
