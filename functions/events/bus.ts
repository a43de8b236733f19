/**
 * The event bus as the relay sees it: EventBridge's PutEvents, and nothing else. In the cloud the
 * EventBridge client answers it (eventbridge.ts); locally the in-process bus does
 * (lib/local/event-bus.ts), with the same request and response shapes, so the relay cannot tell
 * them apart.
 */
import type { PutEventsRequestEntry, PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import type { DomainEvent } from './define';

export type BusEntry = PutEventsRequestEntry;

export interface PutEventsOutcome {
  FailedEntryCount?: number;
  /** One result per entry, in order: `EventId` when accepted, `ErrorCode` when not. */
  Entries?: PutEventsResultEntry[];
}

export interface EventBusClient {
  putEvents(entries: BusEntry[]): Promise<PutEventsOutcome>;
}

/** PutEvents takes at most 10 entries and 256 KB per call. */
export const MAX_ENTRIES_PER_PUT = 10;
export const MAX_PUT_BYTES = 256 * 1024;

/**
 * The size EventBridge charges an entry against the 256 KB limit: 14 bytes for Time when present,
 * plus the UTF-8 bytes of Source, DetailType, Detail and every Resource.
 */
export function entrySize(entry: BusEntry): number {
  const bytes = (text: string | undefined) => (text ? Buffer.byteLength(text, 'utf8') : 0);
  return (
    (entry.Time ? 14 : 0) +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    (entry.Resources ?? []).reduce((sum, resource) => sum + bytes(resource), 0)
  );
}

/**
 * Cuts `items` into consecutive PutEvents calls of at most 10 entries and 256 KB each, in order.
 * An entry too big for any call gets a call of its own (EventBridge refuses it, and the relay
 * reports it as failed rather than dropping it).
 */
export function chunkEntries<T>(items: readonly T[], entryOf: (item: T) => BusEntry): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = entrySize(entryOf(item));
    if (current.length > 0 && (current.length >= MAX_ENTRIES_PER_PUT || bytes + size > MAX_PUT_BYTES)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** The PutEvents entry of a domain event. `Time` is when the change happened, not when it was relayed. */
export function busEntry(event: DomainEvent, eventBusName: string | undefined): BusEntry {
  return {
    Source: event.source,
    DetailType: event.detailType,
    Detail: JSON.stringify(event.detail),
    Time: new Date(event.detail.occurredAt),
    ...(eventBusName ? { EventBusName: eventBusName } : {}),
  };
}
