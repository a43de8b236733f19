/**
 * Opaque, tamper-evident list cursors: the DynamoDB key to resume from, bound to the list it came
 * from (tenant, operation, filters), signed with HMAC-SHA256. A cursor that was altered, forged or
 * taken from another list is a 400, never a 500 and never a peek into someone else's data.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { BadRequest } from './errors';
import { settings } from './config';

let secretPromise: Promise<string> | undefined;

async function loadSecret(): Promise<string> {
  const local = settings.cursorSecret();
  if (local) return local;
  const arn = settings.cursorSecretArn();
  if (!arn) throw new Error('Neither CURSOR_SECRET nor CURSOR_SECRET_ARN is set');
  // Loaded only by functions that list, so other bundles stay small.
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const out = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: arn }));
  if (!out.SecretString) throw new Error('The cursor secret is empty');
  return out.SecretString;
}

function cursorSecret(): Promise<string> {
  secretPromise ??= loadSecret().catch((error: unknown) => {
    secretPromise = undefined;
    throw error;
  });
  return secretPromise;
}

/** Forget the cached secret (tests that change CURSOR_SECRET). */
export function resetCursorSecret(): void {
  secretPromise = undefined;
}

const SIGNATURE_BYTES = 16;

function sign(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(payload).digest().subarray(0, SIGNATURE_BYTES);
}

export async function encodeCursor(key: Record<string, unknown>, scope: string): Promise<string> {
  const payload = Buffer.from(JSON.stringify({ k: key, s: scope })).toString('base64url');
  return `${payload}.${sign(await cursorSecret(), payload).toString('base64url')}`;
}

function invalidCursor(): BadRequest {
  return new BadRequest('InvalidCursor', 'The cursor is not one this list returned.', [
    { path: 'query.cursor', message: 'Invalid cursor' },
  ]);
}

export async function decodeCursor(cursor: string, scope: string): Promise<Record<string, unknown>> {
  const [payload, signature, extra] = cursor.split('.');
  if (!payload || !signature || extra !== undefined) throw invalidCursor();
  const given = Buffer.from(signature, 'base64url');
  // Node decodes base64url leniently; only the canonical spelling of a cursor is accepted.
  if (given.toString('base64url') !== signature || Buffer.from(payload, 'base64url').toString('base64url') !== payload) {
    throw invalidCursor();
  }
  const expected = sign(await cursorSecret(), payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalidCursor();
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  const { k, s } = (decoded ?? {}) as { k?: unknown; s?: unknown };
  if (s !== scope || typeof k !== 'object' || k === null || Array.isArray(k)) throw invalidCursor();
  return k as Record<string, unknown>;
}
