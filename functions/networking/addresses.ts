/**
 * Private address allocation in a subnet. Each allocated address is an item `ADDR#<subnet>#<ip>`
 * put with attribute_not_exists, and the subnet's `addressesInUse` moves in the same transaction,
 * conditioned on a free address being left: two allocations can never get the same address, and
 * a full subnet answers 409 InsufficientFreeAddressesInSubnet. The compute issue allocates in its
 * own request transaction with `allocateAddressWrites`; `allocateAddress` commits one on its own.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../kit/db';
import { Conflict } from '../kit/errors';
import { commitWrites, RetryRequest, type Write } from '../kit/transaction';
import { candidateAddresses, cidrHasAddress, usableAddressCount } from './cidr';
import { addressKey, addressPrefix, networkTable, partition, subnetKey } from './keys';
import { prefixOf, type Subnet } from './subnet';
import { getSubnet, subnetNotFound } from './subnet-repository';

export { candidateAddresses };

export function subnetFull(subnetId: string): Conflict {
  return new Conflict('InsufficientFreeAddressesInSubnet', `The subnet ${subnetId} has no free private address left.`);
}

/** The writes that take `ip` in the subnet for `holder` (e.g. an instance or interface id). */
export function allocateAddressWrites(subnet: Pick<Subnet, 'tenantId' | 'id' | 'cidrBlock'>, ip: string, holder?: string): Write[] {
  if (!cidrHasAddress(subnet.cidrBlock, ip)) throw new Error(`${ip} is not in ${subnet.cidrBlock}`);
  const usable = usableAddressCount(prefixOf(subnet.cidrBlock));
  return [
    {
      item: {
        Put: {
          TableName: networkTable(),
          Item: { ...addressKey(subnet.tenantId, subnet.id, ip), subnetId: subnet.id, address: ip, ...(holder ? { holder } : {}) },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      // Someone took this address first: choose again.
      onConditionFailed: 'retry',
    },
    {
      item: {
        Update: {
          TableName: networkTable(),
          Key: subnetKey(subnet.tenantId, subnet.id),
          UpdateExpression: 'ADD addressesInUse :one',
          ConditionExpression: 'attribute_exists(pk) AND addressesInUse < :usable',
          ExpressionAttributeValues: { ':one': 1, ':usable': usable },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      onConditionFailed: (current) => (current ? subnetFull(subnet.id) : subnetNotFound(subnet.id)),
    },
  ];
}

/** The writes that give `ip` back (conditioned on it being allocated). */
export function releaseAddressWrites(subnet: Pick<Subnet, 'tenantId' | 'id'>, ip: string): Write[] {
  return [
    {
      item: {
        Delete: {
          TableName: networkTable(),
          Key: addressKey(subnet.tenantId, subnet.id, ip),
          ConditionExpression: 'attribute_exists(pk)',
        },
      },
      onConditionFailed: new Conflict('InvalidAddress.NotAllocated', `${ip} is not allocated in ${subnet.id}.`),
    },
    {
      item: {
        Update: {
          TableName: networkTable(),
          Key: subnetKey(subnet.tenantId, subnet.id),
          UpdateExpression: 'ADD addressesInUse :minus',
          ConditionExpression: 'attribute_exists(pk) AND addressesInUse > :zero',
          ExpressionAttributeValues: { ':minus': -1, ':zero': 0 },
        },
      },
    },
  ];
}

/** The addresses taken in a subnet (a consistent Query on the table's key, page by page). */
export async function takenAddresses(tenantId: string, subnetId: string): Promise<Set<string>> {
  const taken = new Set<string>();
  let start: Record<string, unknown> | undefined;
  do {
    const out = await documentClient().send(
      new QueryCommand({
        TableName: networkTable(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': partition(tenantId), ':prefix': addressPrefix(subnetId) },
        ProjectionExpression: 'address',
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of out.Items ?? []) taken.add(item.address as string);
    start = out.LastEvaluatedKey;
  } while (start);
  return taken;
}

/**
 * Picks a free address of the subnet: one of the first few free candidates at random, so that
 * concurrent allocations rarely race for the same one.
 */
export function pickCandidate(cidr: string, taken: ReadonlySet<string>, spread = 8): string | undefined {
  const choices: string[] = [];
  for (const address of candidateAddresses(cidr, taken)) {
    choices.push(address);
    if (choices.length >= spread) break;
  }
  return choices[Math.floor(Math.random() * choices.length)];
}

const ATTEMPTS = 40;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Allocates a free address of the subnet in a transaction of its own; 409 InsufficientFreeAddressesInSubnet when full. */
export async function allocateAddress(tenantId: string, subnetId: string, holder?: string): Promise<string> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    const subnet = await getSubnet(tenantId, subnetId);
    const ip = pickCandidate(subnet.cidrBlock, await takenAddresses(tenantId, subnetId));
    if (!ip) throw subnetFull(subnetId);
    try {
      await commitWrites(allocateAddressWrites(subnet, ip, holder));
      return ip;
    } catch (error) {
      if (!(error instanceof RetryRequest)) throw error;
      await pause(5 + Math.random() * 20 * Math.min(attempt + 1, 5));
    }
  }
  throw new Conflict('ConcurrentModification', `Could not allocate an address in ${subnetId}: too much contention; retry.`);
}

/** Gives an address back in a transaction of its own. */
export async function releaseAddress(tenantId: string, subnetId: string, ip: string): Promise<void> {
  await commitWrites(releaseAddressWrites({ tenantId, id: subnetId }, ip));
}
