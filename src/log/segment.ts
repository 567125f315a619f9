/**
 * One log segment: `<base offset, 20 digits>.log` (batches back to back, exactly as stored) with its
 * sparse `.index` and `.timeindex`. It knows its size, next offset and largest timestamp, decides where
 * index entries go (Kafka 3.9's per-batch rule: an entry for a batch once more than indexIntervalBytes
 * were appended since the last one), and reads batch headers for lookups. The log fd is used with
 * positional reads/writes; it and the index fds are opened on demand and closed again when this Worker's
 * LRU of open segments (fd_cache.ts) needs room. PartitionLog owns the policy (rolls, retention, flush).
 */
import * as fs from "node:fs";
import { copyRangeToNewFile } from "./copy_range.ts";
import * as path from "node:path";
import type { LogConfig } from "./log_config.ts";
import { type FdHolder, segmentFds } from "./fd_cache.ts";
import { OffsetIndex } from "./offset_index.ts";
import { TimeIndex } from "./time_index.ts";
import { TXN_INDEX_SUFFIX, TxnIndex } from "./txn_index.ts";
import { scanBatches, type ScanResult } from "./segment_scan.ts";
import {
  BASE_OFFSET_OFFSET,
  BASE_TIMESTAMP_OFFSET,
  BATCH_HEADER_BYTES,
  BATCH_LENGTH_OFFSET,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  MAX_TIMESTAMP_OFFSET,
} from "./record_batch.ts";

export const LOG_SUFFIX = ".log";
export const INDEX_SUFFIX = ".index";
export const TIME_INDEX_SUFFIX = ".timeindex";
export const DELETED_SUFFIX = ".deleted";
/** A segment the log cleaner is still writing (discarded by recovery). */
export const CLEANED_SUFFIX = ".cleaned";
/** A cleaned segment, complete and synced, about to replace the segments it was cleaned from (recovery installs it). */
export const SWAP_SUFFIX = ".swap";

/** Kafka's file name for a base offset: 20 zero-padded digits. */
export function segmentFileName(baseOffset: bigint, suffix: string): string {
  return baseOffset.toString().padStart(20, "0") + suffix;
}

/** Where one batch lies in a segment. */
export interface BatchLocation {
  position: number;
  size: number;
  baseOffset: bigint;
  lastOffset: bigint;
  maxTimestamp: bigint;
}

export class Segment implements FdHolder {
  /** The .log's path (it moves when the segment is marked deleted). */
  logPath: string;
  /** The open .log descriptor, or -1 while closed by the LRU (see `fd`). */
  private openFd: number;
  /** Bytes in the .log. */
  size: number;
  /** Bytes known to be fdatasync'ed. */
  flushedSize: number;
  /** Next offset relative to baseOffset (so nextOffset = baseOffset + nextRel). */
  nextRel = 0;
  /** Largest batch max timestamp in the segment (-1n if none) and the last offset of the first batch with it. */
  maxTimestamp = -1n;
  maxTimestampRel = 0;
  /** Time of the first append (ms) — segment.ms counts from here; null while empty. */
  rollStartMs: number | null = null;
  /** This segment's share of segment.jitter.ms (Kafka draws one per segment). */
  readonly rollJitterMs: number;
  bytesSinceLastIndexEntry = 0;
  offsetIndex: OffsetIndex;
  timeIndex: TimeIndex;
  /** Aborted transactions whose ABORT marker is in this segment (`.txnindex`, created with its first entry). */
  readonly txnIndex: TxnIndex;
  /** fdatasyncs in flight on this segment's fds: closing must wait for them. */
  syncing = 0;
  private closeWhenIdle = false;
  private closed = false;
  private readonly header = new Uint8Array(BATCH_HEADER_BYTES);
  private readonly headerView = new DataView(this.header.buffer);

  private constructor(
    readonly dir: string,
    readonly baseOffset: bigint,
    private readonly config: LogConfig,
    fd: number,
    size: number,
    offsetIndex: OffsetIndex,
    timeIndex: TimeIndex,
  ) {
    this.logPath = path.join(dir, segmentFileName(baseOffset, LOG_SUFFIX));
    this.openFd = fd;
    this.size = size;
    this.flushedSize = size;
    this.offsetIndex = offsetIndex;
    this.timeIndex = timeIndex;
    this.txnIndex = new TxnIndex(path.join(dir, segmentFileName(baseOffset, TXN_INDEX_SUFFIX)));
    const jitter = Math.min(config.segmentJitterMs ?? 0, config.segmentMs);
    this.rollJitterMs = jitter > 0 ? Math.floor(Math.random() * jitter) : 0;
    segmentFds.touch(this);
  }

  /** The .log descriptor, reopened if the LRU closed it; every use counts as recent. */
  get fd(): number {
    if (this.openFd < 0) {
      if (this.closed) throw new Error(`segment ${this.logPath} is closed`);
      this.openFd = fs.openSync(this.logPath, "r+");
    }
    segmentFds.touch(this);
    return this.openFd;
  }

  /** For the LRU: closes the descriptors unless a sync is in flight on them. */
  releaseFds(): boolean {
    if (this.closed) return true;
    if (this.syncing > 0) return false;
    if (this.openFd >= 0) {
      fs.closeSync(this.openFd);
      this.openFd = -1;
    }
    this.offsetIndex.file.closeFd();
    this.timeIndex.file.closeFd();
    return true;
  }

  /**
   * Copies the .log through its open descriptor to `target` (the file itself was removed); returns the
   * bytes copied, or null when the descriptor was already closed and the data is gone with the file.
   */
  copyOpenFileTo(target: string): number | null {
    if (this.openFd < 0 || this.closed) return null;
    copyRangeToNewFile(this.openFd, 0, this.size, target);
    return this.size;
  }

  /** Whether the .log still has a name in a directory (false once removed behind the broker's back). */
  stillLinked(): boolean {
    if (this.openFd >= 0) return fs.fstatSync(this.openFd).nlink > 0;
    return fs.existsSync(this.logPath);
  }

  /**
   * A new, empty segment (creates its .log; the index files appear on the first persist). With a
   * `suffix` (the cleaner's `.cleaned`) every file name carries it until renameSuffix takes it off.
   */
  static create(dir: string, baseOffset: bigint, config: LogConfig, suffix = ""): Segment {
    const logPath = path.join(dir, segmentFileName(baseOffset, LOG_SUFFIX + suffix));
    const fd = fs.openSync(logPath, "w+");
    const seg = new Segment(
      dir,
      baseOffset,
      config,
      fd,
      0,
      OffsetIndex.empty(path.join(dir, segmentFileName(baseOffset, INDEX_SUFFIX + suffix)), config.segmentIndexBytes),
      TimeIndex.empty(
        path.join(dir, segmentFileName(baseOffset, TIME_INDEX_SUFFIX + suffix)),
        config.segmentIndexBytes,
      ),
    );
    seg.logPath = logPath;
    seg.txnIndex.path += suffix;
    seg.nextRel = 0;
    return seg;
  }

  /**
   * Renames the files from `<name><from>` to `<name><to>` (the cleaner's .cleaned → .swap → final): the
   * index files first, the .log last, so a .log under a name is never older than its indexes there.
   * Index files not written yet have nothing to rename. The descriptors stay valid.
   */
  renameSuffix(from: string, to: string): void {
    for (const f of [this.offsetIndex.file, this.timeIndex.file, this.txnIndex]) {
      const target = f.path.slice(0, f.path.length - from.length) + to;
      try {
        fs.renameSync(f.path, target);
      } catch (e) {
        if ((e as { code?: string }).code !== "ENOENT") throw e;
      }
      f.path = target;
    }
    const target = this.logPath.slice(0, this.logPath.length - from.length) + to;
    fs.renameSync(this.logPath, target);
    this.logPath = target;
  }

  /**
   * Opens an existing segment: loads and checks its indexes (rebuilding them from the .log when missing or
   * bad), then walks the batches after the last index entry to find its end. `indexProblem` says why the
   * indexes were rebuilt; `tail` is non-null when the walk met something that is not a valid batch.
   */
  static open(
    dir: string,
    baseOffset: bigint,
    config: LogConfig,
  ): { segment: Segment; indexProblem: string | null; tail: string | null } {
    const logPath = path.join(dir, segmentFileName(baseOffset, LOG_SUFFIX));
    const fd = fs.openSync(logPath, "r+");
    const size = fs.fstatSync(fd).size;
    const idxPath = path.join(dir, segmentFileName(baseOffset, INDEX_SUFFIX));
    const timePath = path.join(dir, segmentFileName(baseOffset, TIME_INDEX_SUFFIX));
    const offsetIndex = OffsetIndex.load(idxPath, config.segmentIndexBytes, size);
    const timeIndex = TimeIndex.load(timePath, config.segmentIndexBytes);
    let indexProblem = typeof offsetIndex === "string" ? offsetIndex : typeof timeIndex === "string" ? timeIndex : null;
    const seg = new Segment(
      dir,
      baseOffset,
      config,
      fd,
      size,
      typeof offsetIndex === "string" ? OffsetIndex.empty(idxPath, config.segmentIndexBytes) : offsetIndex,
      typeof timeIndex === "string" ? TimeIndex.empty(timePath, config.segmentIndexBytes) : timeIndex,
    );
    let tail: string | null = null;
    if (indexProblem === null) {
      tail = seg.loadTail();
      const lastTime = seg.timeIndex.lastEntry();
      const lastIdx = seg.offsetIndex.lastEntry();
      if (
        (lastTime !== null && lastTime.relOffset >= seg.nextRel) ||
        (lastIdx !== null && lastIdx.relOffset >= seg.nextRel)
      ) {
        indexProblem = "index entries point past the end of the log";
      }
    }
    if (indexProblem !== null) tail = seg.rebuildIndexes(false).error;
    if (seg.size > 0) seg.rollStartMs = seg.firstBatchTimestamp();
    return { segment: seg, indexProblem, tail };
  }

  get nextOffset(): bigint {
    return this.baseOffset + BigInt(this.nextRel);
  }

  get isEmpty(): boolean {
    return this.size === 0;
  }

  /** Finds the end from the last offset index entry on, trusting the indexes before it. */
  private loadTail(): string | null {
    const last = this.offsetIndex.lastEntry();
    const lastTime = this.timeIndex.lastEntry();
    if (lastTime !== null) {
      this.maxTimestamp = lastTime.timestamp;
      this.maxTimestampRel = lastTime.relOffset;
    }
    const start = last === null ? 0 : last.position;
    const result = scanBatches(this.fd, start, this.size, { verify: false, segmentBase: this.baseOffset }, (
      _buf,
      at,
      _pos,
      v,
    ) => {
      const lastRel = Number(v.getBigInt64(at + BASE_OFFSET_OFFSET) - this.baseOffset) +
        v.getInt32(at + LAST_OFFSET_DELTA_OFFSET);
      const ts = v.getBigInt64(at + MAX_TIMESTAMP_OFFSET);
      if (ts > this.maxTimestamp) {
        this.maxTimestamp = ts;
        this.maxTimestampRel = lastRel;
      }
      this.nextRel = lastRel + 1;
    });
    this.bytesSinceLastIndexEntry = result.validEnd - start;
    if (result.error !== null) this.size = result.validEnd; // not truncated here: recovery decides
    return result.error;
  }

  /**
   * Rebuilds both indexes, max timestamp and next offset by walking the whole .log; with `verify`, also
   * checks CRCs. Does not truncate: the caller gets the scan result and decides.
   */
  rebuildIndexes(verify: boolean, onBatch?: (buf: Uint8Array, at: number) => void): ScanResult {
    this.offsetIndex.reset();
    this.timeIndex.reset();
    this.maxTimestamp = -1n;
    this.maxTimestampRel = 0;
    this.nextRel = 0;
    this.bytesSinceLastIndexEntry = 0;
    const fileSize = fs.fstatSync(this.fd).size;
    const result = scanBatches(this.fd, 0, fileSize, { verify, segmentBase: this.baseOffset }, (buf, at, pos, v) => {
      const lastRel = Number(v.getBigInt64(at + BASE_OFFSET_OFFSET) - this.baseOffset) +
        v.getInt32(at + LAST_OFFSET_DELTA_OFFSET);
      const size = LOG_OVERHEAD + v.getInt32(at + BATCH_LENGTH_OFFSET);
      this.indexBatch(lastRel, pos, size, v.getBigInt64(at + MAX_TIMESTAMP_OFFSET));
      this.nextRel = lastRel + 1;
      if (onBatch) onBatch(buf, at);
    });
    this.size = result.validEnd;
    return result;
  }

  /** Cuts the .log at `bytes` (recovery of a torn tail). */
  truncateTo(bytes: number): void {
    fs.ftruncateSync(this.fd, bytes);
    this.size = bytes;
    this.flushedSize = Math.min(this.flushedSize, bytes);
  }

  /**
   * Kafka 3.9's per-batch index rule: track the max timestamp, and add an offset entry (this batch's last
   * offset → its position) plus a time entry once more than indexIntervalBytes were appended since the
   * last entry.
   */
  indexBatch(lastRel: number, position: number, size: number, maxTimestamp: bigint): void {
    if (maxTimestamp > this.maxTimestamp) {
      this.maxTimestamp = maxTimestamp;
      this.maxTimestampRel = lastRel;
    }
    if (this.bytesSinceLastIndexEntry > this.config.indexIntervalBytes) {
      this.offsetIndex.append(lastRel, position);
      this.timeIndex.maybeAppend(this.maxTimestamp, this.maxTimestampRel);
      this.bytesSinceLastIndexEntry = 0;
    }
    this.bytesSinceLastIndexEntry += size;
  }

  /** Writes `bytes` at the end of the .log (one positional write, retried only if short). */
  write(bytes: Uint8Array): void {
    let done = 0;
    try {
      while (done < bytes.length) {
        done += fs.writeSync(this.fd, bytes, done, bytes.length - done, this.size + done);
      }
    } catch (e) {
      // Leave no partial batch behind, so the log stays readable; the caller reports the error.
      if (done > 0) {
        try {
          fs.ftruncateSync(this.fd, this.size);
        } catch { /* the next recovery truncates it */ }
      }
      throw e;
    }
    this.size += bytes.length;
  }

  /**
   * Appends whole batches that already carry their offsets (the cleaner's output, in offset order) and
   * indexes them as appends are indexed.
   */
  appendBatches(bytes: Uint8Array): void {
    const start = this.size;
    this.write(bytes);
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    for (let pos = 0; pos < bytes.length;) {
      const size = LOG_OVERHEAD + v.getInt32(pos + BATCH_LENGTH_OFFSET);
      const lastRel = Number(v.getBigInt64(pos + BASE_OFFSET_OFFSET) - this.baseOffset) +
        v.getInt32(pos + LAST_OFFSET_DELTA_OFFSET);
      this.indexBatch(lastRel, start + pos, size, v.getBigInt64(pos + MAX_TIMESTAMP_OFFSET));
      this.nextRel = lastRel + 1;
      pos += size;
    }
  }

  /** Reads the 61-byte header at `position` into a reused buffer; null past the end. */
  headerAt(position: number): DataView | null {
    if (position + BATCH_HEADER_BYTES > this.size) return null;
    let got = 0;
    while (got < BATCH_HEADER_BYTES) {
      const n = fs.readSync(this.fd, this.header, got, BATCH_HEADER_BYTES - got, position + got);
      if (n === 0) return null;
      got += n;
    }
    return this.headerView;
  }

  /** The location of the batch at `position` (its header read from disk), or null past the end. */
  batchAt(position: number): BatchLocation | null {
    const v = this.headerAt(position);
    if (v === null) return null;
    const baseOffset = v.getBigInt64(BASE_OFFSET_OFFSET);
    return {
      position,
      size: LOG_OVERHEAD + v.getInt32(BATCH_LENGTH_OFFSET),
      baseOffset,
      lastOffset: baseOffset + BigInt(v.getInt32(LAST_OFFSET_DELTA_OFFSET)),
      maxTimestamp: v.getBigInt64(MAX_TIMESTAMP_OFFSET),
    };
  }

  /** The first batch whose last offset is >= `offset`, found from the offset index; null if none here. */
  findBatch(offset: bigint): BatchLocation | null {
    const rel = offset <= this.baseOffset ? 0 : Number(offset - this.baseOffset);
    let pos = this.offsetIndex.lookup(rel);
    while (pos < this.size) {
      const b = this.batchAt(pos);
      if (b === null) return null;
      if (b.lastOffset >= offset) return b;
      pos += b.size;
    }
    return null;
  }

  /** Reads `length` bytes at `position` into a new buffer with its own ArrayBuffer (safe to transfer). */
  read(position: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    let got = 0;
    while (got < length) {
      const n = fs.readSync(this.fd, out, got, length - got, position + got);
      if (n === 0) break;
      got += n;
    }
    return got === length ? out : out.subarray(0, got);
  }

  /** baseTimestamp…maxTimestamp of the first batch: stands in for the first append time after a reload. */
  private firstBatchTimestamp(): number | null {
    const v = this.headerAt(0);
    if (v === null) return null;
    const ts = v.getBigInt64(MAX_TIMESTAMP_OFFSET);
    return ts >= 0n ? Number(ts) : Number(v.getBigInt64(BASE_TIMESTAMP_OFFSET));
  }

  /** Kafka's onBecomeInactiveSegment: the final time index entry, indexes written out. */
  onBecomeInactive(): void {
    if (this.maxTimestamp >= 0n) this.timeIndex.maybeAppend(this.maxTimestamp, this.maxTimestampRel, true);
    this.persistIndexes();
  }

  persistIndexes(): void {
    if (this.closed) return;
    this.offsetIndex.persist();
    this.timeIndex.persist();
  }

  /** Has data or index entries not yet fdatasync'ed. */
  get dirty(): boolean {
    return this.size > this.flushedSize || this.offsetIndex.file.needsSync || this.timeIndex.file.needsSync ||
      this.txnIndex.needsSync;
  }

  /**
   * fdatasyncs the .log (up to its current size) and the index files written so far; resolves once all
   * are on disk. Index entries are written out first.
   */
  sync(): Promise<void> {
    try {
      return this.startSync();
    } catch (e) {
      // Writing index entries or reopening a file failed (a full disk, EIO): a rejected sync, never a throw.
      return Promise.reject(e);
    }
  }

  private startSync(): Promise<void> {
    if (this.closed) return Promise.resolve();
    segmentFds.touch(this);
    this.persistIndexes();
    const target = this.size;
    const fds: number[] = [];
    if (this.size > this.flushedSize) fds.push(this.fd);
    const idxFd = this.offsetIndex.file.takeSyncFd();
    const timeFd = this.timeIndex.file.takeSyncFd();
    if (idxFd !== null) fds.push(idxFd);
    if (timeFd !== null) fds.push(timeFd);
    if (fds.length === 0 && !this.txnIndex.needsSync) return Promise.resolve();
    this.syncing++;
    return Promise.all([
      ...fds.map((fd) =>
        new Promise<void>((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve())))
      ),
      this.txnIndex.sync(),
    ]).then(
      () => {
        if (target > this.flushedSize) this.flushedSize = target;
        this.syncDone();
      },
      (err) => {
        if (idxFd !== null) this.offsetIndex.file.markUnsynced();
        if (timeFd !== null) this.timeIndex.file.markUnsynced();
        this.syncDone();
        throw err;
      },
    );
  }

  private syncDone(): void {
    this.syncing--;
    if (this.syncing === 0 && this.closeWhenIdle) this.closeFds();
    else if (this.syncing === 0) segmentFds.trim();
  }

  /** Closes the fds now, or once in-flight syncs finish. */
  close(): void {
    if (this.syncing > 0) this.closeWhenIdle = true;
    else this.closeFds();
  }

  /** Closes index fds of an inactive, synced segment (they are reopened if ever written again). */
  releaseIndexFds(): void {
    if (this.syncing === 0 && !this.offsetIndex.file.needsSync && !this.timeIndex.file.needsSync) {
      this.offsetIndex.file.closeFd();
      this.timeIndex.file.closeFd();
    }
  }

  private closeFds(): void {
    if (this.closed) return;
    this.closed = true;
    segmentFds.forget(this);
    if (this.openFd >= 0) fs.closeSync(this.openFd);
    this.openFd = -1;
    this.offsetIndex.file.closeFd();
    this.timeIndex.file.closeFd();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Renames the files to *.deleted (Kafka's first deletion step); the fds stay valid. */
  markDeleted(): string[] {
    const files: string[] = [];
    const move = (from: string): string | null => {
      try {
        fs.renameSync(from, from + DELETED_SUFFIX);
        return from + DELETED_SUFFIX;
      } catch (e) {
        if ((e as { code?: string }).code === "ENOENT") return null;
        throw e;
      }
    };
    const log = move(this.logPath);
    if (log) {
      this.logPath = log;
      files.push(log);
    }
    for (const f of [this.offsetIndex.file, this.timeIndex.file, this.txnIndex]) {
      const to = move(f.path);
      if (to) {
        f.path = to;
        files.push(to);
      }
    }
    return files;
  }
}

/**
 * Copies every non-empty segment whose .log descriptor is still open into `dir` (recreated; the files
 * were removed behind the broker's back): the saved and lost offset ranges, and the bytes saved.
 */
export function copyOpenSegments(
  dir: string,
  segments: Segment[],
): { savedBytes: number; saved: string[]; lost: string[] } {
  const saved: string[] = [];
  const lost: string[] = [];
  let savedBytes = 0;
  fs.mkdirSync(dir, { recursive: true });
  for (const seg of segments) {
    const range = `${seg.baseOffset}..${seg.nextOffset - 1n}`;
    if (seg.size === 0) continue;
    const target = path.join(dir, path.basename(seg.logPath));
    let bytes: number | null = null;
    try {
      bytes = fs.existsSync(target) ? null : seg.copyOpenFileTo(target);
    } catch (e) {
      lost.push(`${range} (${e instanceof Error ? e.message : e})`);
      continue;
    }
    if (bytes === null) lost.push(range);
    else {
      saved.push(range);
      savedBytes += bytes;
    }
  }
  return { savedBytes, saved, lost };
}
