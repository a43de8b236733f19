import { randomFillSync } from 'node:crypto';
import { ulid } from 'ulid';

/**
 * The ULIDs' randomness: bytes from the system's CSPRNG, drawn 4 KiB at a time. Left to itself, the
 * ulid package looks for a PRNG on every call and asks WebCrypto for one byte per character, sixteen
 * calls into the system per id (a VPC create makes seven ids): that was most of a create's own CPU.
 * A byte / 256 is uniform over [0, 1) in steps of 1/256, so each of the 32 characters stays equally likely.
 */
const pool = { bytes: Buffer.alloc(4096), next: 4096 };

function randomFraction(): number {
  if (pool.next >= pool.bytes.length) {
    randomFillSync(pool.bytes);
    pool.next = 0;
  }
  return (pool.bytes[pool.next++] as number) / 256;
}

/** A resource id: its type prefix and a lowercase ULID, e.g. `vpc-01jd5f3w3t9k8m2x0c4s6v7b8n`. */
export function newId(prefix: string): string {
  return `${prefix}-${ulid(undefined, randomFraction).toLowerCase()}`;
}

const idPattern = /^[a-z]{1,12}-[0-9a-hjkmnp-tv-z]{26}$/;

export function isId(value: string, prefix?: string): boolean {
  return idPattern.test(value) && (prefix === undefined || value.startsWith(`${prefix}-`));
}
