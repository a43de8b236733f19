/** Block accounting: writes over a map, incremental snapshots, overwrites, hand-over on deletion, restored and copied lineages, exact GiB. */
import fc from 'fast-check';
import {
  BLOCK_BYTES,
  afterDeletion,
  afterWrite,
  blocksToBytes,
  copiedMap,
  gibDecimal,
  referencedBlocks,
  storedBlocks,
  writeRange,
  type BlockMap,
} from '../../../functions/storage/blocks';
import { errorOf } from '../support/error-of';

/** A volume's life as writes of [start, end) places, named w1, w2… in order. */
function written(...writes: [number, number][]): BlockMap {
  return writes.reduce<BlockMap>((map, [start, end], index) => afterWrite(map, start, end, `w${index + 1}`), []);
}

describe('writeRange', () => {
  it('turns MiB into 512 KiB places, inside the volume', () => {
    // Act
    const range = writeRange(10, 5, 1);

    // Assess
    expect(range).toEqual({ start: 20, end: 30 });
  });

  it.each([
    [1023, 1, 1, true],
    [1023, 2, 1, false],
    [-1, 1, 1, false],
    [0, 0, 1, false],
    [0.5, 1, 1, false],
  ])('offset %i MiB, length %i MiB on %i GiB: accepted %s', (offset, length, size, accepted) => {
    // Act
    const error = errorOf(() => writeRange(offset, length, size));

    // Assess
    expect(error).toEqual(accepted ? undefined : { status: 400, code: 'InvalidParameterValue' });
  });
});

describe('afterWrite', () => {
  it('splits what a write covers and keeps the rest, by place', () => {
    // Act
    const map = written([0, 10], [4, 6], [8, 12]);

    // Assess
    expect(map).toEqual([
      { start: 0, end: 4, writeId: 'w1' },
      { start: 4, end: 6, writeId: 'w2' },
      { start: 6, end: 8, writeId: 'w1' },
      { start: 8, end: 12, writeId: 'w3' },
    ]);
    expect(referencedBlocks(map)).toBe(12);
  });
});

describe('storedBlocks', () => {
  it('bills a first snapshot all it references and a later one what was written since', () => {
    // Prepare: 10 blocks, snapshot; 2 of them rewritten and 3 new, snapshot.
    const first = written([0, 10]);
    const second = afterWrite(afterWrite(first, 2, 4, 'w2'), 10, 13, 'w3');

    // Act
    const stored = storedBlocks([
      { snapshotId: 's1', map: first },
      { snapshotId: 's2', map: second },
    ]);

    // Assess
    expect([...stored]).toEqual([
      ['s1', 10],
      ['s2', 5],
    ]);
    expect(referencedBlocks(second)).toBe(13);
  });

  it('bills nothing to a snapshot of an unchanged volume', () => {
    // Prepare
    const map = written([0, 8]);

    // Act
    const stored = storedBlocks([
      { snapshotId: 's1', map },
      { snapshotId: 's2', map },
    ]);

    // Assess
    expect(stored.get('s2')).toBe(0);
  });

  it("bills a restored volume's snapshot only what was written on it after the restore", () => {
    // Prepare: a snapshot; a volume restored from it gets 1 block rewritten, then is snapshotted.
    const source = written([0, 6]);
    const restored = afterWrite(source, 5, 6, 'w-restored');

    // Act
    const stored = storedBlocks([
      { snapshotId: 's-source', map: source },
      { snapshotId: 's-restored', map: restored },
    ]);

    // Assess
    expect(stored.get('s-restored')).toBe(1);
  });

  it('bills a full copy all it references: it shares no block with its source', () => {
    // Prepare
    const source = written([0, 6], [10, 12]);

    // Act
    const stored = storedBlocks([
      { snapshotId: 's1', map: source },
      { snapshotId: 'copy', map: copiedMap(source, 'copy') },
    ]);

    // Assess
    expect(stored.get('copy')).toBe(referencedBlocks(source));
  });
});

describe('afterDeletion', () => {
  it("hands a deleted snapshot's blocks to the next oldest that references them", () => {
    // Prepare: s1 holds 10 blocks; s2 rewrote 2; s3 rewrote 2 others.
    const m1 = written([0, 10]);
    const m2 = afterWrite(m1, 0, 2, 'w2');
    const m3 = afterWrite(m2, 8, 10, 'w3');
    const lineage = [
      { snapshotId: 's1', map: m1 },
      { snapshotId: 's2', map: m2 },
      { snapshotId: 's3', map: m3 },
    ];

    // Act
    const handedOn = afterDeletion(lineage, 's1');

    // Assess: s2 now holds the 8 blocks of w1 it references, plus its own 2; s3 still its 2.
    expect([...handedOn]).toEqual([['s2', 10]]);
    expect(storedBlocks(lineage.slice(1)).get('s3')).toBe(2);
  });

  it('hands nothing on when no one else references the blocks, and changes no one unrelated', () => {
    // Prepare
    const lineage = [
      { snapshotId: 's1', map: written([0, 4]) },
      { snapshotId: 'other', map: copiedMap(written([0, 4]), 'other') },
    ];

    // Act
    const handedOn = afterDeletion(lineage, 's1');

    // Assess
    expect([...handedOn]).toEqual([]);
  });

  it('hands a middle snapshot the blocks only it and a younger one share', () => {
    // Prepare: w2 is written after s1, kept by s2 and s3.
    const m1 = written([0, 4]);
    const m2 = afterWrite(m1, 4, 6, 'w2');
    const lineage = [
      { snapshotId: 's1', map: m1 },
      { snapshotId: 's2', map: m2 },
      { snapshotId: 's3', map: m2 },
    ];

    // Act
    const handedOn = afterDeletion(lineage, 's2');

    // Assess
    expect([...handedOn]).toEqual([['s3', 2]]);
  });
});

describe('gibDecimal', () => {
  it.each([
    [10 * 1024 * 1024, '0.009765625'],
    [BLOCK_BYTES, '0.00048828125'],
    [1024 ** 3, '1'],
    [3 * 1024 ** 3 + BLOCK_BYTES, '3.00048828125'],
    [0, '0'],
  ])('%i bytes is %s GiB', (bytes, gib) => {
    // Act
    const text = gibDecimal(bytes);

    // Assess
    expect(text).toBe(gib);
  });

  it('counts blocks in bytes', () => {
    // Act
    const bytes = blocksToBytes(20);

    // Assess
    expect(gibDecimal(bytes)).toBe('0.009765625');
  });
});

describe('storedBlocks against a block-by-block count', () => {
  /** The same bill, computed block by block: each (write, place) billed to its oldest referencer. */
  function bruteForce(snapshots: { snapshotId: string; map: BlockMap }[]): Map<string, number> {
    const owner = new Map<string, string>();
    const stored = new Map(snapshots.map((s) => [s.snapshotId, 0]));
    for (const { snapshotId, map } of snapshots) {
      for (const extent of map) {
        for (let place = extent.start; place < extent.end; place++) {
          const block = `${extent.writeId}@${place}`;
          if (owner.has(block)) continue;
          owner.set(block, snapshotId);
          stored.set(snapshotId, (stored.get(snapshotId) ?? 0) + 1);
        }
      }
    }
    return stored;
  }

  it('agrees on random lives of a volume, its restores and their snapshots (fixed seed)', () => {
    // Prepare: a volume written and snapshotted at random; some snapshots restored and written on.
    const write = fc.tuple(fc.nat(60), fc.integer({ min: 1, max: 20 }));
    const step = fc.oneof(
      fc.record({ kind: fc.constant('write' as const), at: write, volume: fc.nat(3) }),
      fc.record({ kind: fc.constant('snapshot' as const), volume: fc.nat(3) }),
      fc.record({ kind: fc.constant('restore' as const), from: fc.nat(20), volume: fc.nat(3) }),
    );

    // Act and assess
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), (steps) => {
        const volumes: BlockMap[] = [[], [], [], []];
        const snapshots: { snapshotId: string; map: BlockMap }[] = [];
        steps.forEach((s, index) => {
          if (s.kind === 'write') volumes[s.volume] = afterWrite(volumes[s.volume] as BlockMap, s.at[0], s.at[0] + s.at[1], `w${index}`);
          else if (s.kind === 'snapshot') snapshots.push({ snapshotId: `s${index}`, map: volumes[s.volume] as BlockMap });
          else if (snapshots.length > 0) volumes[s.volume] = (snapshots[s.from % snapshots.length] as { map: BlockMap }).map;
        });
        expect(storedBlocks(snapshots)).toEqual(bruteForce(snapshots));
        const deleted = snapshots[0];
        if (deleted) {
          const rest = snapshots.slice(1);
          const expected = bruteForce(rest);
          const before = bruteForce(snapshots);
          const changed = afterDeletion(snapshots, deleted.snapshotId);
          for (const { snapshotId } of rest) expect(changed.get(snapshotId) ?? before.get(snapshotId)).toBe(expected.get(snapshotId));
        }
      }),
      { numRuns: 300, seed: 20261204 },
    );
  });
});
