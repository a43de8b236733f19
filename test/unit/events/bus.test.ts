import { busEntry, chunkEntries, entrySize, MAX_PUT_BYTES, type BusEntry } from '../../../functions/events/bus';

const entry = (detailBytes: number): BusEntry => ({ Source: 'platform.x', DetailType: 'a.b', Detail: 'x'.repeat(detailBytes) });

describe('PutEvents limits', () => {
  it('counts an entry as EventBridge does: Time, Source, DetailType, Detail and Resources in UTF-8 bytes', () => {
    // Prepare
    const withTime: BusEntry = { Source: 'ab', DetailType: 'c.d', Detail: '{"é":1}', Time: new Date(), Resources: ['r1'] };
    // Act
    const size = entrySize(withTime);
    // Assess: 14 + 2 + 3 + 8 (7 characters, é takes two bytes) + 2
    expect(size).toBe(29);
  });

  it('cuts entries into calls of at most 10, in order', () => {
    // Prepare
    const entries = Array.from({ length: 23 }, () => entry(10));
    // Act
    const chunks = chunkEntries(entries, (e) => e);
    // Assess
    expect(chunks.map((c) => c.length)).toEqual([10, 10, 3]);
    expect(chunks.flat()).toEqual(entries);
  });

  it('cuts before a call would pass 256 KB', () => {
    // Prepare: 100 KB each, so two fit and the third does not
    const entries = Array.from({ length: 5 }, () => entry(100 * 1024));
    // Act
    const chunks = chunkEntries(entries, (e) => e);
    // Assess
    expect(chunks.map((c) => c.length)).toEqual([2, 2, 1]);
    for (const chunk of chunks) expect(chunk.reduce((sum, e) => sum + entrySize(e), 0)).toBeLessThanOrEqual(MAX_PUT_BYTES);
  });

  it('gives an entry too big for any call a call of its own, so it is refused rather than dropped', () => {
    // Prepare
    const entries = [entry(10), entry(MAX_PUT_BYTES), entry(10)];
    // Act
    const chunks = chunkEntries(entries, (e) => e);
    // Assess
    expect(chunks.map((c) => c.length)).toEqual([1, 1, 1]);
  });

  it('builds the entry of a domain event with its occurrence time and the bus name', () => {
    // Prepare
    const detail = { eventId: 'evt-1', tenantId: 't', resourceType: 'r', resourceId: 'r-1', occurredAt: '2026-03-01T10:00:00.000Z', actor: 'user:u' as const, data: { a: 1 } };
    // Act
    const built = busEntry({ source: 'platform.r', detailType: 'r.made', detail }, 'bus-1');
    // Assess
    expect(built).toEqual({ Source: 'platform.r', DetailType: 'r.made', Detail: JSON.stringify(detail), Time: new Date(detail.occurredAt), EventBusName: 'bus-1' });
  });
});
