/**
 * The on-disk side of a sparse index (.index / .timeindex). Entries live in memory (typed arrays, owned
 * by OffsetIndex / TimeIndex) and reach the file by appending: not on every log append, but when the log
 * flushes, rolls or closes. A crash can therefore lose index tail entries, which is harmless: a sparse
 * index with fewer entries is still correct, and segments past the recovery point get their indexes
 * rebuilt anyway. Unlike Kafka we do not preallocate and mmap the file, so its size is always a whole
 * number of entries.
 */
import * as fs from "node:fs";

export class IndexFile {
  private fd: number | null = null;
  /** Bytes of entries already in the file. */
  private writtenBytes = 0;
  /** Set by reset(): the file's content is stale and must be replaced on the next write. */
  private stale = false;
  /** Written since the last datasync. */
  private unsynced = false;

  constructor(public path: string, existingBytes: number) {
    this.writtenBytes = existingBytes;
  }

  /** Forget the file's content; the next persist rewrites it. */
  reset(): void {
    this.writtenBytes = 0;
    this.stale = true;
  }

  get persistedBytes(): number {
    return this.writtenBytes;
  }

  get needsSync(): boolean {
    return this.unsynced;
  }

  /** Appends `bytes` (the encoded entries after persistedBytes). */
  append(bytes: Uint8Array): void {
    if (bytes.length === 0 && !this.stale) return;
    if (this.stale) {
      // Replace the stale content: truncate (through a fresh fd) and write from byte 0.
      this.closeFd();
      this.fd = fs.openSync(this.path, "w");
      this.stale = false;
    } else if (this.fd === null) {
      this.fd = fs.openSync(this.path, "a");
    }
    let done = 0;
    while (done < bytes.length) done += fs.writeSync(this.fd, bytes, done, bytes.length - done);
    this.writtenBytes += bytes.length;
    this.unsynced = true;
  }

  /** The fd to datasync, if anything was written since the last sync (clears the flag). */
  takeSyncFd(): number | null {
    if (!this.unsynced) return null;
    // Closed by the segment LRU after writing: a fresh descriptor syncs the same file.
    if (this.fd === null) this.fd = fs.openSync(this.path, "a");
    this.unsynced = false;
    return this.fd;
  }

  /** Marks the file unsynced again (a sync failed). */
  markUnsynced(): void {
    this.unsynced = true;
  }

  closeFd(): void {
    if (this.fd !== null) {
      fs.closeSync(this.fd);
      this.fd = null;
    }
  }

  rename(to: string): void {
    fs.renameSync(this.path, to);
    this.path = to;
  }
}

/** Reads a whole index file, or null if it does not exist. */
export function readIndexFile(path: string): Uint8Array | null {
  try {
    return fs.readFileSync(path);
  } catch (e) {
    if ((e as { code?: string }).code === "ENOENT") return null;
    throw e;
  }
}

/** Grows a typed array to hold at least `need` entries (doubling, capped at `max`). */
export function grow<T extends Int32Array | BigInt64Array>(arr: T, need: number, max: number): T {
  if (need <= arr.length) return arr;
  const size = Math.min(Math.max(need, arr.length * 2, 64), Math.max(max, need));
  const next = new (arr.constructor as { new (n: number): T })(size);
  next.set(arr as never);
  return next;
}
