/**
 * A segment's sparse offset index (`.index`), as Kafka lays it out: 8-byte big-endian entries
 * (int32 offset relative to the segment's base offset, int32 byte position in the .log). Like Kafka 3.9's
 * LogSegment, an entry maps a batch's *last* offset to the batch's position, so a lookup for the largest
 * entry <= target yields a batch at or before the one holding target. Entries are kept in memory (typed
 * arrays) for binary search; IndexFile appends them to disk on flush/roll/close.
 */
import { grow, IndexFile, readIndexFile } from "./index_file.ts";

export const OFFSET_INDEX_ENTRY_BYTES = 8;

export class OffsetIndex {
  private relOffsets = new Int32Array(0);
  private positions = new Int32Array(0);
  private count = 0;
  readonly maxEntries: number;
  readonly file: IndexFile;

  private constructor(path: string, maxIndexBytes: number, persisted: number) {
    this.maxEntries = Math.max(1, Math.floor(maxIndexBytes / OFFSET_INDEX_ENTRY_BYTES));
    this.file = new IndexFile(path, persisted);
  }

  /** A new, empty index (its file is written on the first persist). */
  static empty(path: string, maxIndexBytes: number): OffsetIndex {
    const idx = new OffsetIndex(path, maxIndexBytes, 0);
    idx.file.reset();
    return idx;
  }

  /**
   * Loads and checks an existing index file against its .log size. Returns the index, or a reason it
   * must be rebuilt (missing, partial entry, entries not increasing, a position outside the log).
   */
  static load(path: string, maxIndexBytes: number, logSize: number): OffsetIndex | string {
    const bytes = readIndexFile(path);
    if (bytes === null) return "missing offset index";
    if (bytes.length % OFFSET_INDEX_ENTRY_BYTES !== 0) {
      return `offset index size ${bytes.length} is not a multiple of ${OFFSET_INDEX_ENTRY_BYTES}`;
    }
    const n = bytes.length / OFFSET_INDEX_ENTRY_BYTES;
    const idx = new OffsetIndex(path, maxIndexBytes, bytes.length);
    idx.relOffsets = new Int32Array(n);
    idx.positions = new Int32Array(n);
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    let prevRel = -1;
    let prevPos = 0;
    for (let i = 0; i < n; i++) {
      const rel = v.getInt32(i * 8);
      const pos = v.getInt32(i * 8 + 4);
      if (rel <= prevRel) return `offset index entry ${i} has relative offset ${rel} after ${prevRel}`;
      if (pos <= prevPos || pos >= logSize) return `offset index entry ${i} has position ${pos} (log is ${logSize})`;
      idx.relOffsets[i] = rel;
      idx.positions[i] = pos;
      prevRel = rel;
      prevPos = pos;
    }
    idx.count = n;
    return idx;
  }

  get entries(): number {
    return this.count;
  }

  get isFull(): boolean {
    return this.count >= this.maxEntries;
  }

  /** Relative offset and position of the last entry, or null. */
  lastEntry(): { relOffset: number; position: number } | null {
    if (this.count === 0) return null;
    return { relOffset: this.relOffsets[this.count - 1], position: this.positions[this.count - 1] };
  }

  entryAt(i: number): { relOffset: number; position: number } {
    return { relOffset: this.relOffsets[i], position: this.positions[i] };
  }

  append(relOffset: number, position: number): void {
    if (this.count > 0 && relOffset <= this.relOffsets[this.count - 1]) {
      throw new RangeError(`offset index: ${relOffset} is not above the last entry ${this.relOffsets[this.count - 1]}`);
    }
    // Full only within one multi-batch append (rolls are decided before it): a skipped entry is harmless.
    if (this.isFull) return;
    if (this.count === this.relOffsets.length) {
      this.relOffsets = grow(this.relOffsets, this.count + 1, this.maxEntries);
      this.positions = grow(this.positions, this.count + 1, this.maxEntries);
    }
    this.relOffsets[this.count] = relOffset;
    this.positions[this.count] = position;
    this.count++;
  }

  /** Byte position of the last entry whose relative offset is <= relTarget; 0 when there is none. */
  lookup(relTarget: number): number {
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.relOffsets[mid] <= relTarget) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0 ? 0 : this.positions[found];
  }

  /** Drops all entries (before a rebuild); the file is rewritten on the next persist. */
  reset(): void {
    this.count = 0;
    this.file.reset();
  }

  /** Appends the entries not yet on disk to the file. */
  persist(): void {
    const from = this.file.persistedBytes / OFFSET_INDEX_ENTRY_BYTES;
    const out = new Uint8Array((this.count - from) * OFFSET_INDEX_ENTRY_BYTES);
    const v = new DataView(out.buffer);
    for (let i = from, o = 0; i < this.count; i++, o += 8) {
      v.setInt32(o, this.relOffsets[i]);
      v.setInt32(o + 4, this.positions[i]);
    }
    this.file.append(out);
  }
}
