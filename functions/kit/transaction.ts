/**
 * One request, one transaction: the writes a handler computed, its outbox events and its
 * idempotency record are committed together, and a lost condition is mapped to what it means.
 */
import { TransactionCanceledException, type CancellationReason } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { type ApiError, Conflict } from './errors';
import { documentClient } from './db';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** What a lost condition on this item means: a client error, or a race to lose by running again. */
export type OnConditionFailed = ApiError | 'retry' | ((current: Record<string, unknown> | undefined) => ApiError | 'retry');

export interface Write {
  item: TransactItem;
  onConditionFailed?: OnConditionFailed;
}

export const MAX_TRANSACTION_ITEMS = 100;

/** Thrown to make the handler kit run the request again from the start. */
export class RetryRequest extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** The commit lost on a condition of an item the caller asked to hear about (the idempotency record). */
export class ConditionLost extends Error {
  constructor(
    readonly index: number,
    readonly current: Record<string, unknown> | undefined,
  ) {
    super(`condition lost on item ${index}`);
  }
}

function currentItem(reason: CancellationReason | undefined): Record<string, unknown> | undefined {
  return reason?.Item ? unmarshall(reason.Item) : undefined;
}

/**
 * Commits `writes` in one TransactWriteItems. Items whose index is in `watch` report a lost
 * condition as ConditionLost (checked first); other lost conditions follow their `onConditionFailed`
 * (default: the request runs again). A conflict with a concurrent transaction also runs it again.
 */
export async function commitWrites(writes: Write[], watch: ReadonlySet<number> = new Set()): Promise<void> {
  if (writes.length === 0) return;
  if (writes.length > MAX_TRANSACTION_ITEMS) {
    throw new Error(`A request may write at most ${MAX_TRANSACTION_ITEMS} items; this one wrote ${writes.length}`);
  }
  try {
    await documentClient().send(new TransactWriteCommand({ TransactItems: writes.map((w) => w.item) }));
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const reasons = error.CancellationReasons ?? [];
    for (const index of watch) {
      if (reasons[index]?.Code === 'ConditionalCheckFailed') throw new ConditionLost(index, currentItem(reasons[index]));
    }
    for (const [index, reason] of reasons.entries()) {
      if (reason.Code !== 'ConditionalCheckFailed') continue;
      const rule = writes[index]?.onConditionFailed ?? 'retry';
      const verdict = typeof rule === 'function' ? rule(currentItem(reason)) : rule;
      if (verdict === 'retry') throw new RetryRequest(`condition lost on item ${index}`);
      throw verdict;
    }
    if (reasons.some((r) => r.Code === 'TransactionConflict')) throw new RetryRequest('transaction conflict');
    throw error;
  }
}

export function concurrentModification(): Conflict {
  return new Conflict('ConcurrentModification', 'The resource changed while the request ran; retry it.');
}
