/**
 * The open segment files of one Worker, as an LRU with a bound. A segment
 * opens its files when first used and the least recently used ones are
 * closed once more than `capacity` segments hold descriptors, so a broker
 * with tens of thousands of partitions starts and runs within the process's
 * file-descriptor limit (each segment holds up to three: .log, .index,
 * .timeindex). A segment with a sync in flight is never closed under it
 * (its fd number could be reused while the fdatasync still runs). Closing a
 * file with unsynced data is safe: a later fdatasync on a fresh descriptor
 * syncs the same inode.
 *
 * A touch is one comparison when the same segment is used again (appends
 * to one partition, a fetch walking one segment) and a Map delete + set
 * otherwise.
 */
import { openFilesLimit } from "../util/fd_limit.ts";

export interface FdHolder {
  /** Closes the holder's descriptors if it can now; false if it must keep them (a sync in flight). */
  releaseFds(): boolean;
}

/** Descriptors each cached segment may hold. */
const FDS_PER_SEGMENT = 3;
/** Share of the process's descriptor limit for segment files: the rest is for sockets and everything else. */
const SEGMENT_SHARE = 0.4;
const MIN_CAPACITY = 16;
const UNLIMITED_CAPACITY = 10_000;

export class FdCache {
  private readonly lru = new Map<FdHolder, true>();
  private last: FdHolder | null = null;
  /** Times a holder was closed to make room (for tests and the report). */
  evictions = 0;

  constructor(public capacity: number) {}

  get size(): number {
    return this.lru.size;
  }

  /** `holder` just used (and opened if needed) its descriptors. */
  touch(holder: FdHolder): void {
    if (this.last === holder) return;
    this.last = holder;
    this.lru.delete(holder);
    this.lru.set(holder, true);
    if (this.lru.size > this.capacity) this.evict();
  }

  /** `holder` closed its descriptors itself. */
  forget(holder: FdHolder): void {
    this.lru.delete(holder);
    if (this.last === holder) this.last = null;
  }

  /** Closes holders over the capacity now (after syncs, which keep theirs open, have finished). */
  trim(): void {
    if (this.lru.size > this.capacity) this.evict();
  }

  private evict(): void {
    for (const holder of this.lru.keys()) {
      if (this.lru.size <= this.capacity) return;
      if (holder === this.last) continue;
      if (holder.releaseFds()) {
        this.lru.delete(holder);
        this.evictions++;
      }
    }
  }
}

/**
 * The segment capacity for one of `workers` Workers sharing the process: 40% of the descriptor limit,
 * three per segment, split evenly (at least 16 each).
 */
export function segmentCapacity(workers: number, limit: number | null = openFilesLimit()): number {
  if (limit === null) return UNLIMITED_CAPACITY;
  return Math.max(MIN_CAPACITY, Math.floor((limit * SEGMENT_SHARE) / FDS_PER_SEGMENT / Math.max(1, workers)));
}

/** This Worker's cache (each Worker has its own module instance); ReplicaManager sets the capacity. */
export const segmentFds = new FdCache(segmentCapacity(1));
