/**
 * Block accounting of volumes and snapshots, pure, in ranges (EBS's incremental snapshots): a
 * volume's data is 512 KiB blocks; each write makes new blocks, named by the write and their place on
 * the volume. A volume's block map is a list of extents (a range of places and the write that last
 * filled it); a snapshot keeps the map of its moment, and a volume restored from it starts with that
 * map, so both reference the same blocks. A block is billed to the oldest live snapshot that
 * references it: a first snapshot holds all it references, a later one what was written since, and a
 * deleted snapshot's blocks pass to the next oldest that references them. Every computation walks
 * extents, never blocks: its cost is what changed, not the volume's size.
 */
import { BadRequest } from '../kit/errors';

export const BLOCK_BYTES = 512 * 1024;
const BLOCKS_PER_MIB = (1024 * 1024) / BLOCK_BYTES;
const BLOCKS_PER_GIB = 1024 * BLOCKS_PER_MIB;

/** Places `start` (inclusive) to `end` (exclusive) of a volume, filled by write `writeId`. */
export interface Extent {
  start: number;
  end: number;
  writeId: string;
}

/** Disjoint extents, by place: places in none were never written (they read as zeros and take no space). */
export type BlockMap = readonly Extent[];

/** The places a write of `lengthMiB` at `offsetMiB` covers; outside a volume of `sizeGiB`, 400 InvalidParameterValue. */
export function writeRange(offsetMiB: number, lengthMiB: number, sizeGiB: number): { start: number; end: number } {
  const start = offsetMiB * BLOCKS_PER_MIB;
  const end = (offsetMiB + lengthMiB) * BLOCKS_PER_MIB;
  if (!Number.isInteger(offsetMiB) || !Number.isInteger(lengthMiB) || offsetMiB < 0 || lengthMiB < 1 || end > sizeGiB * BLOCKS_PER_GIB) {
    throw new BadRequest('InvalidParameterValue', `A write is whole MiB inside the volume's ${sizeGiB} GiB.`);
  }
  return { start, end };
}

/** The map after a write of [start, end) as `writeId`: what it covers is the write's now. */
export function afterWrite(map: BlockMap, start: number, end: number, writeId: string): Extent[] {
  const result: Extent[] = [];
  for (const extent of map) {
    if (extent.end <= start || extent.start >= end) {
      result.push(extent);
      continue;
    }
    if (extent.start < start) result.push({ ...extent, end: start });
    if (extent.end > end) result.push({ ...extent, start: end });
  }
  result.push({ start, end, writeId });
  return result.sort((a, b) => a.start - b.start);
}

/** Blocks a map references (its written places). */
export function referencedBlocks(map: BlockMap): number {
  return map.reduce((sum, extent) => sum + (extent.end - extent.start), 0);
}

/** Disjoint, sorted ranges of places of one write: the blocks of that write someone already holds. */
type Ranges = { start: number; end: number }[];

/** How many places of [start, end) `held` does not cover. */
function uncovered(held: Ranges, start: number, end: number): number {
  let free = end - start;
  for (const range of held) {
    if (range.end <= start) continue;
    if (range.start >= end) break;
    free -= Math.min(end, range.end) - Math.max(start, range.start);
  }
  return free;
}

/** `held` with [start, end) added, still disjoint and sorted. */
function withRange(held: Ranges, start: number, end: number): Ranges {
  const result: Ranges = [];
  let merged = { start, end };
  let placed = false;
  for (const range of held) {
    if (range.end < merged.start) result.push(range);
    else if (range.start > merged.end) {
      if (!placed) {
        result.push(merged);
        placed = true;
      }
      result.push(range);
    } else merged = { start: Math.min(range.start, merged.start), end: Math.max(range.end, merged.end) };
  }
  if (!placed) result.push(merged);
  return result;
}

export interface SnapshotBlocks {
  snapshotId: string;
  map: BlockMap;
}

/**
 * The blocks each live snapshot is billed for, given them oldest first: those no older one references.
 * A lineage is every snapshot that shares a write with another (a volume's, and those of volumes
 * restored from them); snapshots of unrelated lineages may be passed together.
 */
export function storedBlocks(oldestFirst: readonly SnapshotBlocks[]): Map<string, number> {
  const heldByWrite = new Map<string, Ranges>();
  const stored = new Map<string, number>();
  for (const snapshot of oldestFirst) {
    let owned = 0;
    for (const extent of snapshot.map) {
      const held = heldByWrite.get(extent.writeId) ?? [];
      owned += uncovered(held, extent.start, extent.end);
      heldByWrite.set(extent.writeId, withRange(held, extent.start, extent.end));
    }
    stored.set(snapshot.snapshotId, owned);
  }
  return stored;
}

/**
 * What deleting one snapshot hands on: the snapshots whose bill changes, with their new stored blocks
 * (only ones that share a write with the deleted snapshot can change).
 */
export function afterDeletion(oldestFirst: readonly SnapshotBlocks[], deletedId: string): Map<string, number> {
  const before = storedBlocks(oldestFirst);
  const after = storedBlocks(oldestFirst.filter((s) => s.snapshotId !== deletedId));
  return new Map([...after].filter(([id, blocks]) => before.get(id) !== blocks));
}

/** A full copy's map: the same places, each extent a new write of the copy's own, so it shares nothing. */
export function copiedMap(map: BlockMap, copyId: string): Extent[] {
  return map.map((extent, index) => ({ ...extent, writeId: `${copyId}:${index}` }));
}

export function blocksToBytes(blocks: number): number {
  return blocks * BLOCK_BYTES;
}

/** Bytes as GiB in an exact decimal string (10 MiB is "0.009765625"), as the meters take levels. */
export function gibDecimal(bytes: number): string {
  const scaled = (BigInt(bytes) * 10n ** 30n) / 2n ** 30n;
  const digits = scaled.toString().padStart(31, '0');
  const whole = digits.slice(0, -30);
  const fraction = digits.slice(-30).replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : whole;
}
