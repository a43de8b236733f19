/**
 * Public IPv4 addresses for instances, from the platform's pool (PUBLIC_IP_POOL, default
 * 198.18.0.0/15, the benchmarking range: nothing real answers there). An address in use is an item
 * `PUBLICIP#<ip>` put with attribute_not_exists in the instance's own transaction, so two
 * instances can never share one; a pick that lost that race runs the request again with another.
 */
import ipaddr from 'ipaddr.js';
import { Conflict } from '../kit/errors';
import type { Write } from '../kit/transaction';
import { computeTable, publicIpKey } from './keys';

export const DEFAULT_PUBLIC_IP_POOL = '198.18.0.0/15';

export function publicIpPool(): string {
  return process.env.PUBLIC_IP_POOL || DEFAULT_PUBLIC_IP_POOL;
}


/** A random host address of an IPv4 pool (never its network or broadcast address). */
export function randomPoolAddress(pool: string, random: () => number = Math.random): string {
  const [network, prefix] = ipaddr.IPv4.parseCIDR(pool);
  const base = network.toByteArray().reduce((value, byte) => value * 256 + byte, 0);
  const size = 2 ** (32 - prefix);
  if (size < 4) throw new Error(`The public address pool ${pool} is too small`);
  const start = base - (base % size);
  const value = start + 1 + Math.floor(random() * (size - 2));
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

export function takePublicIpWrite(ip: string, holder: { tenantId: string; instanceId: string }): Write {
  return {
    item: {
      Put: {
        TableName: computeTable(),
        Item: { ...publicIpKey(ip), address: ip, ...holder },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    // Someone holds it: run again, and pick another.
    onConditionFailed: 'retry',
  };
}

export function releasePublicIpWrite(ip: string, instanceId: string): Write {
  return {
    item: {
      Delete: {
        TableName: computeTable(),
        Key: publicIpKey(ip),
        ConditionExpression: 'instanceId = :instance',
        ExpressionAttributeValues: { ':instance': instanceId },
      },
    },
    onConditionFailed: new Conflict('InvalidAddress.NotAllocated', `${ip} is not held by ${instanceId}.`),
  };
}
