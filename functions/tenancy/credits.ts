/**
 * The credit ledger: immutable entries under the tenant (pk `T#<tenant>`, sk `CREDIT#<id>`), with
 * amounts as decimal strings in USD. Nothing is ever updated or deleted: a grant is undone by a
 * reversing entry of the opposite amount (sk `CREDIT#<original id>#REVERSAL`, so an entry can be
 * reversed once only), and the balance is the sum of the entries. Billing builds on this later.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../kit/db';
import { newId } from '../kit/ids';
import { tableName } from '../kit/tables';
import type { Write } from '../kit/transaction';

export interface CreditEntry {
  id: string;
  tenantId: string;
  /** Decimal string, negative for reversals: `100.00`, `-100.00`. */
  amount: string;
  currency: 'USD';
  reason: string;
  /** The operation that granted it (provisioning). */
  operationId?: string;
  /** The entry this one reverses. */
  reverses?: string;
  createdAt: string;
}

const SCALE = 6;
const DECIMAL = /^(-)?(\d+)(?:\.(\d{1,6}))?$/;

/** Decimal string → integer in millionths, exactly (no floats for money). */
export function toMicros(amount: string): bigint {
  const match = DECIMAL.exec(amount);
  if (!match) throw new Error(`Not a decimal amount: ${amount}`);
  const [, sign, whole, fraction = ''] = match;
  const micros = BigInt(whole as string) * 10n ** BigInt(SCALE) + BigInt(fraction.padEnd(SCALE, '0'));
  return sign ? -micros : micros;
}

/** Integer millionths → decimal string with two to six decimals. */
export function fromMicros(micros: bigint): string {
  const negative = micros < 0n;
  const absolute = negative ? -micros : micros;
  const whole = absolute / 10n ** BigInt(SCALE);
  let fraction = (absolute % 10n ** BigInt(SCALE)).toString().padStart(SCALE, '0').replace(/0+$/, '');
  fraction = fraction.padEnd(2, '0');
  return `${negative && absolute !== 0n ? '-' : ''}${whole}.${fraction}`;
}

export function negate(amount: string): string {
  return fromMicros(-toMicros(amount));
}

export function sumAmounts(amounts: string[]): string {
  return fromMicros(amounts.reduce((sum, amount) => sum + toMicros(amount), 0n));
}

const creditKey = (tenantId: string, sortKey: string) => ({ pk: `T#${tenantId}`, sk: sortKey });

/** A new grant entry, for the transaction that grants it. */
export function grantCredit(
  tenantId: string,
  fields: { amount: string; reason: string; operationId?: string; now: Date },
): { entry: CreditEntry; write: Write } {
  toMicros(fields.amount);
  const entry: CreditEntry = {
    id: newId('crd'),
    tenantId,
    amount: fields.amount,
    currency: 'USD',
    reason: fields.reason,
    ...(fields.operationId ? { operationId: fields.operationId } : {}),
    createdAt: fields.now.toISOString(),
  };
  return {
    entry,
    write: {
      item: {
        Put: { TableName: tableName('resources'), Item: { ...creditKey(tenantId, `CREDIT#${entry.id}`), ...entry }, ConditionExpression: 'attribute_not_exists(pk)' },
      },
    },
  };
}

/** The entry reversing `original`; its key makes a second reversal of the same entry fail. */
export function reverseCredit(original: CreditEntry, fields: { reason: string; now: Date }): { entry: CreditEntry; write: Write } {
  const entry: CreditEntry = {
    id: newId('crd'),
    tenantId: original.tenantId,
    amount: negate(original.amount),
    currency: 'USD',
    reason: fields.reason,
    reverses: original.id,
    ...(original.operationId ? { operationId: original.operationId } : {}),
    createdAt: fields.now.toISOString(),
  };
  return {
    entry,
    write: {
      item: {
        Put: {
          TableName: tableName('resources'),
          Item: { ...creditKey(original.tenantId, `CREDIT#${original.id}#REVERSAL`), ...entry },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      // Reversed meanwhile by a concurrent run: compute again, and find nothing left to reverse.
      onConditionFailed: 'retry',
    },
  };
}

/** Every ledger entry of the tenant, oldest first (a tenant has few; paged through all). */
export async function listCredits(tenantId: string): Promise<CreditEntry[]> {
  const entries: CreditEntry[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await documentClient().send(
      new QueryCommand({
        TableName: tableName('resources'),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': `T#${tenantId}`, ':prefix': 'CREDIT#' },
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of out.Items ?? []) {
      const { pk: _pk, sk: _sk, ...entry } = item;
      entries.push(entry as CreditEntry);
    }
    start = out.LastEvaluatedKey;
  } while (start);
  return entries;
}

export function balanceOf(entries: CreditEntry[]): string {
  return sumAmounts(entries.map((entry) => entry.amount));
}

/** Entries that are grants and have no reversal yet. */
export function unreversed(entries: CreditEntry[]): CreditEntry[] {
  const reversed = new Set(entries.flatMap((entry) => (entry.reverses ? [entry.reverses] : [])));
  return entries.filter((entry) => !entry.reverses && !reversed.has(entry.id));
}
