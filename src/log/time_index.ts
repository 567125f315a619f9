/**
 * A segment's sparse time index (`.timeindex`), as Kafka lays it out: 12-byte big-endian entries (int64
 * timestamp, int32 relative offset). An entry is added at the offset index's cadence, and only when the
 * segment's max timestamp so far has grown; its offset is the last offset of the batch that first reached
 * that timestamp, so every batch before that one has a smaller max timestamp. As in Kafka, the index
 * counts as full one entry early, keeping room for the final entry written when the segment is rolled.
 */
import { grow, IndexFile, readIndexFile } from "./index_file.ts";

export const TIME_INDEX_ENTRY_BYTES = 12;

export class TimeIndex {
  private timestamps = new BigInt64Array(0);
  private relOffsets = new Int32Array(0);
  private count = 0;
  readonly maxEntries: number;
  readonly file: IndexFile;

  private constructor(path: string, maxIndexBytes: number, persisted: number) {
    this.maxEntries = Math.max(2, Math.floor(maxIndexBytes / TIME_INDEX_ENTRY_BYTES));
    this.file = new IndexFile(path, persisted);
  }

  static empty(path: string, maxIndexBytes: number): TimeIndex {
    const idx = new TimeIndex(path, maxIndexBytes, 0);
    idx.file.reset();
    return idx;
  }

  /** Loads and checks an existing file; returns the index or why it must be rebuilt. */
  static load(path: string, maxIndexBytes: number): TimeIndex | string {
    const bytes = readIndexFile(path);
    if (bytes === null) return "missing time index";
    if (bytes.length % TIME_INDEX_ENTRY_BYTES !== 0) {
      return `time index size ${bytes.length} is not a multiple of ${TIME_INDEX_ENTRY_BYTES}`;
    }
    const n = bytes.length / TIME_INDEX_ENTRY_BYTES;
    const idx = new TimeIndex(path, maxIndexBytes, bytes.length);
    idx.timestamps = new BigInt64Array(n);
    idx.relOffsets = new Int32Array(n);
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    for (let i = 0; i < n; i++) {
      const ts = v.getBigInt64(i * 12);
      const rel = v.getInt32(i * 12 + 8);
      if (rel < 0) return `time index entry ${i} has negative relative offset ${rel}`;
      if (i > 0 && (ts <= idx.timestamps[i - 1] || rel < idx.relOffsets[i - 1])) {
        return `time index entry ${i} (${ts}, ${rel}) does not follow (${idx.timestamps[i - 1]}, ${
          idx.relOffsets[i - 1]
        })`;
      }
      idx.timestamps[i] = ts;
      idx.relOffsets[i] = rel;
    }
    idx.count = n;
    return idx;
  }

  get entries(): number {
    return this.count;
  }

  get isFull(): boolean {
    return this.count >= this.maxEntries - 1;
  }

  lastEntry(): { timestamp: bigint; relOffset: number } | null {
    if (this.count === 0) return null;
    return { timestamp: this.timestamps[this.count - 1], relOffset: this.relOffsets[this.count - 1] };
  }

  /** Adds (timestamp, relOffset) if the timestamp is above the last entry's (Kafka's maybeAppend). */
  maybeAppend(timestamp: bigint, relOffset: number, skipFullCheck = false): void {
    // As Kafka, an empty index behaves as if its last timestamp were -1 (no timestamp).
    if (timestamp <= (this.count > 0 ? this.timestamps[this.count - 1] : -1n)) return;
    // A full index only happens inside one multi-batch append (the roll check runs before it): skipping an
    // entry keeps the index sparse but correct.
    if ((!skipFullCheck && this.isFull) || this.count >= this.maxEntries) return;
    if (this.count > 0 && relOffset < this.relOffsets[this.count - 1]) {
      throw new RangeError(
        `time index: offset ${relOffset} is below the last entry ${this.relOffsets[this.count - 1]}`,
      );
    }
    if (this.count === this.timestamps.length) {
      this.timestamps = grow(this.timestamps, this.count + 1, this.maxEntries);
      this.relOffsets = grow(this.relOffsets, this.count + 1, this.maxEntries);
    }
    this.timestamps[this.count] = timestamp;
    this.relOffsets[this.count] = relOffset;
    this.count++;
  }

  /** Relative offset of the last entry whose timestamp is <= ts; -1 when there is none. */
  lookup(ts: bigint): number {
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timestamps[mid] <= ts) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0 ? -1 : this.relOffsets[found];
  }

  reset(): void {
    this.count = 0;
    this.file.reset();
  }

  persist(): void {
    const from = this.file.persistedBytes / TIME_INDEX_ENTRY_BYTES;
    const out = new Uint8Array((this.count - from) * TIME_INDEX_ENTRY_BYTES);
    const v = new DataView(out.buffer);
    for (let i = from, o = 0; i < this.count; i++, o += 12) {
      v.setBigInt64(o, this.timestamps[i]);
      v.setInt32(o + 8, this.relOffsets[i]);
    }
    this.file.append(out);
  }
}
