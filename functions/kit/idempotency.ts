/**
 * Request idempotency (Stripe's model): the record rides in the request's own transaction, on
 * condition that it does not exist yet. If it does, the stored response is replayed; a different
 * request under the same key is a 422. Requests rejected before the commit record nothing.
 */
import { createHash } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { BadRequest } from './errors';
import { documentClient } from './db';
import { expiryAttributes, tableName } from './tables';
import type { Write } from './transaction';

export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;
const KEY_PATTERN = /^[\x20-\x7e]{1,255}$/;

export interface StoredResponse {
  statusCode: number;
  headers: Record<string, string>;
  body?: string;
}

export interface IdempotencyRecord {
  id: string;
  fingerprint: string;
  response: StoredResponse;
  createdAt: string;
  expiration: number;
  expiryBucket: string;
}

export function parseIdempotencyKey(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!KEY_PATTERN.test(value)) {
    throw new BadRequest('InvalidIdempotencyKey', 'Idempotency-Key must be 1 to 255 printable ASCII characters.', [
      { path: 'header.Idempotency-Key', message: 'Must be 1 to 255 printable ASCII characters' },
    ]);
  }
  return value;
}

/** Keys are scoped by tenant (or user, for callers without one) and operation, as Stripe scopes by account. */
export function idempotencyRecordId(scope: string, operationId: string, key: string): string {
  return `req#${scope}#${operationId}#${key}`;
}

/** What makes two requests "the same": method, path and the parsed body, in a stable key order. */
export function requestFingerprint(method: string, path: string, body: unknown): string {
  return createHash('sha256').update(`${method} ${path}\n${stableStringify(body)}`).digest('base64url');
}

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function idempotencyWrite(id: string, fingerprint: string, response: StoredResponse, now = new Date()): Write {
  const record = {
    id,
    fingerprint,
    response,
    createdAt: now.toISOString(),
    ...expiryAttributes('expiration', Math.floor(now.getTime() / 1000) + IDEMPOTENCY_TTL_SECONDS),
  } as IdempotencyRecord;
  return {
    item: {
      Put: {
        TableName: tableName('idempotency'),
        Item: record,
        // An expired record that TTL has not deleted yet no longer holds its key.
        ConditionExpression: 'attribute_not_exists(id) OR expiration <= :now',
        ExpressionAttributeValues: { ':now': Math.floor(now.getTime() / 1000) },
        // DynamoDB returns the existing record with the cancellation, so a replay needs no extra read.
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
  };
}

/** A record still within its 24 hours (TTL deletion lags, so expiry is checked here too). */
export function liveRecord(item: Record<string, unknown> | undefined, now = Date.now()): IdempotencyRecord | undefined {
  const record = item as IdempotencyRecord | undefined;
  if (!record?.response || record.expiration * 1000 <= now) return undefined;
  return record;
}

export async function readIdempotencyRecord(id: string): Promise<IdempotencyRecord | undefined> {
  const out = await documentClient().send(
    new GetCommand({ TableName: tableName('idempotency'), Key: { id }, ConsistentRead: true }),
  );
  return liveRecord(out.Item);
}
