/**
 * The key → latest offset map of one cleaning (Kafka's SkimpyOffsetMap). Kafka sizes it in bytes: 24 per
 * entry (an MD5 of the key and an offset) out of log.cleaner.dedupe.buffer.size, filled up to
 * log.cleaner.io.buffer.load.factor; the same count bounds this map, so a cleaning covers as many dirty
 * records as Kafka's would. Keys are held whole (no hash, so no collisions can drop a live record).
 */

/** Bytes Kafka counts per map entry: a 16-byte MD5 hash and an 8-byte offset. */
export const BYTES_PER_ENTRY = 24;

export class KeyOffsetMap {
  private readonly map = new Map<string, number>();
  /** The largest offset put so far (-1 while empty). */
  latestOffset = -1;

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError(`the dedupe map needs room for at least one key (${capacity})`);
  }

  /** Entries for `memoryBytes` of dedupe buffer filled to `loadFactor`, as Kafka sizes it. */
  static forMemory(memoryBytes: number, loadFactor: number): KeyOffsetMap {
    return new KeyOffsetMap(Math.max(1, Math.floor(Math.floor(memoryBytes / BYTES_PER_ENTRY) * loadFactor)));
  }

  get size(): number {
    return this.map.size;
  }

  /** Room for `n` more distinct keys, counting every one as new (a batch is taken whole or not at all). */
  hasRoomFor(n: number): boolean {
    return this.map.size + n <= this.capacity;
  }

  put(key: string, offset: number): void {
    this.map.set(key, offset);
    if (offset > this.latestOffset) this.latestOffset = offset;
  }

  /** The latest offset of `key` in the mapped range, or undefined if it does not occur there. */
  get(key: string): number | undefined {
    return this.map.get(key);
  }
}
