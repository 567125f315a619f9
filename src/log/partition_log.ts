/**
 * A partition's log: its directory `<logDir>/<topic>-<partition>/` of segments, as Kafka's UnifiedLog +
 * LocalLog keep it on a single node (HW == LEO). One owner (a handler Worker) calls it; everything but
 * flush/close is synchronous, so reads see a consistent log. Appends go to the active segment with one
 * positional write; rolls, retention and DeleteRecords work on whole segments; flush fdatasyncs
 * asynchronously so appends continue meanwhile, and concurrent flushes share one sync (group commit).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ErrorCode } from "../protocol/errors.ts";
import type { Logger } from "../util/logger.ts";
import type { ProducerStateHooks } from "./producer_state.ts";
import { ensurePartitionMetadata, writePartitionMetadata } from "./partition_metadata.ts";
import { fsyncDirectory } from "./dir_sync.ts";
import { DEFAULT_LOG_CONFIG, type LogConfig } from "./log_config.ts";
import { loadSegments, type RecoveryReport } from "./log_recovery.ts";
import { copyOpenSegments, Segment, SWAP_SUFFIX } from "./segment.ts";
import { SegmentDeletions } from "./segment_deletions.ts";
import { replayWithMarkers, SegmentTxnIndexes } from "./transaction_log.ts";
import { readBatchesFrom, segmentIndexFor } from "./segment_read.ts";
import { maxTimestampAndOffset, offsetForTimestamp, type TimestampAndOffset } from "./timestamp_lookup.ts";
import {
  assignOffsets,
  BATCH_LENGTH_OFFSET,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  MAX_TIMESTAMP_OFFSET,
  setPartitionLeaderEpoch,
} from "./record_batch.ts";

export type { LogConfig } from "./log_config.ts";
export type { RecoveryReport } from "./log_recovery.ts";

// One definition, in producer_state.ts (the manager implements it; the broker wraps it for leader epochs).
export type { ProducerStateHooks } from "./producer_state.ts";

export interface OpenOptions {
  /** The partition directory, `<log dir>/<topic>-<partition>` (created if missing). */
  dir: string;
  topic: string;
  partition: number;
  topicId: string;
  config: LogConfig;
  /** From the checkpoint; 0n if unknown. */
  recoveryPoint: bigint;
  /** From the checkpoint, if known. */
  logStartOffset?: bigint;
  /** false → recover everything from recoveryPoint. */
  cleanShutdown: boolean;
  logger: Logger;
  /** Injectable clock (ms) for tests. */
  now?: () => number;
  producerState?: ProducerStateHooks;
  /** A background write or sync failed (a full disk, EIO, files removed): the owner takes the log offline. */
  onIoError?: (operation: string, error: unknown) => void;
}

export interface AppendResult {
  baseOffset: bigint;
  lastOffset: bigint;
  /** -1n for CreateTime. */
  logAppendTimeMs: bigint;
  logStartOffset: bigint;
}

export type { TimestampAndOffset } from "./timestamp_lookup.ts";

const EMPTY = new Uint8Array(0);
const INT32_MAX = 0x7fffffff;

export class PartitionLog {
  /** The partition directory. */
  readonly dir: string;
  readonly name: string;
  readonly recovery: RecoveryReport | null;
  private config: LogConfig;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly hooks: ProducerStateHooks | undefined;
  private readonly onIoError: (operation: string, error: unknown) => void;
  private segments: Segment[];
  private active: Segment;
  private lso: bigint;
  private rp: bigint;
  private totalSize = 0;
  /** Time (ms, from append's nowMs) of the oldest append not yet covered by a flush; null if none. */
  private unflushedSince: number | null = null;
  private inflight: { promise: Promise<void>; leo: bigint } | null = null;
  /** Directories whose new entries (a new partition, a rolled segment) the next flush must fsync. */
  private readonly unsyncedDirs = new Set<string>();
  private queued: Promise<void> | null = null;
  private readonly deletions = new SegmentDeletions();
  /** Flushes of rolled segments waiting for their delay (see roll()). */
  private readonly rollFlushes = new Set<ReturnType<typeof setTimeout>>();
  private closed = false;

  private constructor(opts: OpenOptions) {
    this.dir = opts.dir;
    this.name = `${opts.topic}-${opts.partition}`;
    this.config = opts.config;
    this.logger = opts.logger;
    this.now = opts.now ?? Date.now;
    this.hooks = opts.producerState;
    this.onIoError = opts.onIoError ?? (() => {});
    const loaded = loadSegments({
      dir: this.dir,
      name: this.name,
      config: opts.config,
      recoveryPoint: opts.recoveryPoint,
      cleanShutdown: opts.cleanShutdown,
      logger: opts.logger,
    });
    ensurePartitionMetadata(this.dir, opts.topicId, opts.logger, this.name);
    this.recovery = loaded.recovery;
    this.segments = loaded.segments;
    if (this.segments.length === 0) {
      this.segments.push(Segment.create(this.dir, opts.logStartOffset ?? 0n, opts.config));
      // A new partition: its directory entry in the log dir and its first
      // segment's entry must be durable before data in them is called durable.
      this.unsyncedDirs.add(this.dir).add(path.dirname(this.dir));
    }
    this.active = this.segments[this.segments.length - 1];
    for (const s of this.segments) this.totalSize += s.size;
    const leo = this.active.nextOffset;
    let lso = opts.logStartOffset ?? 0n;
    if (lso < this.segments[0].baseOffset) lso = this.segments[0].baseOffset;
    if (lso > leo) {
      this.logger.warn(`${this.name}: log start offset ${lso} is past the log end ${leo}; using ${leo}`);
      lso = leo;
    }
    this.lso = lso;
    if (opts.cleanShutdown && !loaded.recovered) {
      this.rp = leo;
      // After a clean stop the snapshot written at close is at the log end: nothing to replay. After a crash
      // everything is replayed from the start, which also rebuilds the txn indexes a crash may have lost.
      this.hooks?.load?.(leo);
    } else {
      this.rp = opts.recoveryPoint < leo ? opts.recoveryPoint : leo;
      for (const s of this.segments) if (s.nextOffset > this.rp) s.flushedSize = 0;
      if (this.rp < leo) this.unflushedSince = this.now();
    }
    const from = this.hooks?.replayFrom() ?? 0n; // producer state (and txn indexes) catch up from the snapshot
    if (this.hooks) replayWithMarkers(this.segments, from < lso ? lso : from, this.hooks);
  }

  static open(opts: OpenOptions): PartitionLog {
    return new PartitionLog(opts);
  }

  get logStartOffset(): bigint {
    return this.lso;
  }
  get isClosed(): boolean {
    return this.closed;
  }
  get logEndOffset(): bigint {
    return this.active.nextOffset;
  }
  /** A single node: everything appended is committed. */
  get highWatermark(): bigint {
    return this.active.nextOffset;
  }
  /** Everything below is fdatasync'ed. */
  get recoveryPoint(): bigint {
    return this.rp;
  }
  get sizeInBytes(): number {
    return this.totalSize;
  }

  /**
   * A topic's configs changed (AlterConfigs): rolls, retention, flushes and timestamps follow at once. Index
   * interval, index sizes and roll jitter are fixed per segment when it is created, as in Kafka, so they apply
   * from the next segment.
   */
  reconfigure(config: LogConfig): void {
    this.config = config;
  }

  get segmentCount(): number {
    return this.segments.length;
  }
  /** Base offsets of the segments, oldest first (for tests and tools). */
  get segmentBaseOffsets(): bigint[] {
    return this.segments.map((s) => s.baseOffset);
  }

  /**
   * Appends already-validated batches (back to back, as the producer sent them): assigns offsets in
   * place, stamps LogAppendTime when configured and the leader epoch, rolls first when needed, writes
   * with one positional write, then updates the indexes.
   */
  append(records: Uint8Array, leaderEpoch: number, nowMs: number): AppendResult {
    this.checkOpen();
    const len = records.length;
    const v = new DataView(records.buffer, records.byteOffset, len);
    let count = 0;
    let pos = 0;
    while (pos + LOG_OVERHEAD <= len) {
      count += v.getInt32(pos + LAST_OFFSET_DELTA_OFFSET) + 1;
      pos += LOG_OVERHEAD + v.getInt32(pos + BATCH_LENGTH_OFFSET);
    }
    if (len === 0 || pos !== len) throw new RangeError(`append needs whole batches (${len} bytes given)`);

    let seg = this.active;
    if (this.shouldRoll(seg, len, seg.nextRel + count - 1, nowMs)) seg = this.roll();

    const logAppendTime = this.config.messageTimestampType === "LogAppendTime" ? BigInt(nowMs) : undefined;
    const baseOffset = seg.nextOffset;
    let offset = baseOffset;
    for (pos = 0; pos < len; pos += LOG_OVERHEAD + v.getInt32(pos + BATCH_LENGTH_OFFSET)) {
      assignOffsets(records, pos, offset, logAppendTime);
      setPartitionLeaderEpoch(records, pos, leaderEpoch);
      offset += BigInt(v.getInt32(pos + LAST_OFFSET_DELTA_OFFSET) + 1);
    }
    const startPosition = seg.size;
    seg.write(records);

    let rel = seg.nextRel;
    for (pos = 0; pos < len;) {
      const size = LOG_OVERHEAD + v.getInt32(pos + BATCH_LENGTH_OFFSET);
      const lastRel = rel + v.getInt32(pos + LAST_OFFSET_DELTA_OFFSET);
      seg.indexBatch(lastRel, startPosition + pos, size, v.getBigInt64(pos + MAX_TIMESTAMP_OFFSET));
      rel = lastRel + 1;
      pos += size;
    }
    seg.nextRel = rel;
    if (seg.rollStartMs === null) seg.rollStartMs = nowMs;
    this.totalSize += len;
    if (this.unflushedSince === null) this.unflushedSince = nowMs;
    return {
      baseOffset,
      lastOffset: offset - 1n,
      logAppendTimeMs: logAppendTime ?? -1n,
      logStartOffset: this.lso,
    };
  }

  /** Kafka's shouldRoll: full (segment.bytes), old (segment.ms), a full index, or relative offsets overflowing. */
  private shouldRoll(seg: Segment, incomingBytes: number, lastRel: number, nowMs: number): boolean {
    if (seg.size === 0) return false;
    return seg.size + incomingBytes > this.config.segmentBytes ||
      this.segmentExpired(seg, nowMs) ||
      seg.offsetIndex.isFull ||
      seg.timeIndex.isFull ||
      lastRel > INT32_MAX;
  }

  /** segment.ms; on compacted topics at most max.compaction.lag.ms, as Kafka's maxSegmentMs (only rolled segments are cleaned). */
  private segmentExpired(seg: Segment, nowMs: number): boolean {
    const { segmentMs, compact, maxCompactionLagMs } = this.config;
    const limit = compact && maxCompactionLagMs !== undefined ? Math.min(segmentMs, maxCompactionLagMs) : segmentMs;
    return seg.size > 0 && seg.rollStartMs !== null && nowMs - seg.rollStartMs > limit - seg.rollJitterMs;
  }

  /** Starts a new active segment at the LEO; the old one gets its final index entries and is flushed. */
  private roll(): Segment {
    const old = this.active;
    old.onBecomeInactive();
    const seg = Segment.create(this.dir, old.nextOffset, this.config);
    this.unsyncedDirs.add(this.dir);
    this.segments.push(seg);
    this.active = seg;
    this.hooks?.takeSnapshot(seg.baseOffset);
    // As Kafka after a roll, the finished segment is flushed in the background
    // and the recovery point moves to the new segment, but only after a
    // delay: synced at once, a whole segment's dirty pages went to disk in one
    // fdatasync, and on ext4 (data=ordered) appends to every other file
    // waited for that journal commit (~1 s stalls at 128 MiB segments). Later,
    // the kernel's own writeback has done most of the work.
    const delay = this.config.rollFlushDelayMs ?? DEFAULT_LOG_CONFIG.rollFlushDelayMs!;
    const upTo = seg.baseOffset;
    if (delay <= 0) this.flushRolled(upTo);
    else {
      const timer = setTimeout(() => {
        this.rollFlushes.delete(timer);
        this.flushRolled(upTo);
      }, delay);
      (timer as { unref?: () => void }).unref?.();
      this.rollFlushes.add(timer);
    }
    return seg;
  }

  /** fdatasyncs the segments wholly below `upTo` (rolled ones), then moves the recovery point to `upTo`. */
  private flushRolled(upTo: bigint): void {
    if (this.closed) return;
    const done = this.segments.filter((s) => s !== this.active && s.nextOffset <= upTo && s.dirty);
    Promise.all(done.map((s) => s.sync())).then(() => {
      if (upTo > this.rp) this.rp = upTo;
      for (const s of done) s.releaseIndexFds();
      if (!this.closed) this.deletions.process(this.now());
    }).catch((e) => {
      this.logger.error(`${this.name}: flush after roll failed: ${e}`);
      this.onIoError("flush after roll", e);
    });
  }

  /** Index of the segment holding `offset` (the last one with baseOffset <= offset; 0 if below all). */
  private segmentIndexFor(offset: bigint): number {
    return segmentIndexFor(this.segments, offset);
  }

  /**
   * Whole batches from the one containing `offset`, at most maxBytes (the first one whole regardless
   * with minOneMessage), from one segment as Kafka reads.
   */
  read(offset: bigint, maxBytes: number, minOneMessage: boolean): { error: number } | { records: Uint8Array } {
    this.checkOpen();
    const leo = this.active.nextOffset;
    if (offset < this.lso || offset > leo) return { error: ErrorCode.OFFSET_OUT_OF_RANGE };
    if (offset === leo) return { records: EMPTY };
    return { records: readBatchesFrom(this.segments, this.segmentIndexFor(offset), offset, maxBytes, minOneMessage) };
  }

  /** The segments' aborted-transaction indexes, for read_committed fetches and ABORT markers (transaction_log.ts). */
  get txnIndexes(): SegmentTxnIndexes {
    return new SegmentTxnIndexes(this.segments);
  }

  /** ListOffsets by timestamp (see timestamp_lookup.ts). */
  offsetForTimestamp(ts: bigint): TimestampAndOffset | null {
    this.checkOpen();
    return offsetForTimestamp(this.segments, this.segmentIndexFor(this.lso), this.lso, ts);
  }

  /** ListOffsets MAX_TIMESTAMP (see timestamp_lookup.ts). */
  maxTimestampAndOffset(): TimestampAndOffset | null {
    this.checkOpen();
    return maxTimestampAndOffset(this.segments, this.lso);
  }

  /** DeleteRecords: moves the log start offset up to `offset` (-1n = the high watermark). */
  deleteRecordsBefore(offset: bigint): { error: number } | { lowWatermark: bigint } {
    this.checkOpen();
    const hw = this.highWatermark;
    if (offset === -1n) offset = hw;
    if (offset < 0n || offset > hw) return { error: ErrorCode.OFFSET_OUT_OF_RANGE };
    if (offset > this.lso) {
      this.lso = offset;
      this.hooks?.onLogStartOffset(offset);
      this.deleteSegments(this.deletable((_seg, next) => next !== null && next.baseOffset <= this.lso), this.now());
    }
    return { lowWatermark: this.lso };
  }

  /**
   * Retention by whole segments, as Kafka's deleteOldSegments: retention.ms against each segment's
   * largest timestamp, then retention.bytes on the total size, then segments below the log start
   * offset. A wholly expired active segment is rolled first (an empty one at the LEO) and deleted too.
   */
  enforceRetention(nowMs: number): number {
    this.checkOpen();
    let deleted = 0;
    // cleanup.policy without delete (compact alone, or empty): only the log start offset deletes segments.
    const byRetention = this.config.deleteByRetention !== false;
    const { retentionMs, retentionBytes } = byRetention ? this.config : { retentionMs: -1, retentionBytes: -1 };
    if (retentionMs >= 0) {
      deleted += this.deleteSegments(this.deletable((seg) => nowMs - this.largestTimestamp(seg) > retentionMs), nowMs);
    }
    if (retentionBytes >= 0) {
      let excess = this.totalSize - retentionBytes;
      deleted += this.deleteSegments(
        this.deletable((seg) => {
          if (excess - seg.size < 0) return false;
          excess -= seg.size;
          return true;
        }),
        nowMs,
      );
    }
    deleted += this.deleteSegments(this.deletable((_seg, next) => next !== null && next.baseOffset <= this.lso), nowMs);
    this.deletions.process(nowMs);
    return deleted;
  }

  /** Kafka's segment.largestTimestamp: its max timestamp, or the file's mtime when it has none. */
  private largestTimestamp(seg: Segment): number {
    return seg.maxTimestamp >= 0n ? Number(seg.maxTimestamp) : fs.fstatSync(seg.fd).mtimeMs;
  }

  /** The oldest segments matching `predicate`, in order; rolls the active one if it matches too. */
  private deletable(predicate: (seg: Segment, next: Segment | null) => boolean): Segment[] {
    const out: Segment[] = [];
    for (let i = 0; i < this.segments.length; i++) {
      const seg = this.segments[i];
      const next = i + 1 < this.segments.length ? this.segments[i + 1] : null;
      if (next === null && seg.size === 0) break;
      if (!predicate(seg, next)) break;
      if (next === null) this.roll();
      out.push(seg);
    }
    return out;
  }

  private deleteSegments(doomed: Segment[], nowMs: number): number {
    if (doomed.length === 0) return 0;
    this.segments.splice(0, doomed.length);
    for (const seg of doomed) {
      this.totalSize -= seg.size;
      this.deletions.schedule(seg, nowMs + this.config.fileDeleteDelayMs);
    }
    const first = this.segments[0].baseOffset;
    if (first > this.lso) {
      this.lso = first;
      this.hooks?.onLogStartOffset(first);
    }
    this.logger.debug(`${this.name}: deleted ${doomed.length} segments, log start offset ${this.lso}`);
    this.deletions.process(nowMs);
    return doomed.length;
  }

  /** Starts a new segment now unless the active one is empty (compaction of __consumer_offsets rewrites into a fresh one). */
  rollIfNotEmpty(): void {
    this.checkOpen();
    if (this.active.nextOffset > this.active.baseOffset) this.roll();
  }

  /** The segments the log cleaner may rewrite: every one but the active segment (cleaner/). */
  inactiveSegments(): readonly Segment[] {
    this.checkOpen();
    return this.segments.slice(0, -1);
  }

  /**
   * Puts `cleaned` (synced, named `<base>.log.swap`) in place of the consecutive inactive segments `old`
   * (Kafka's replaceSegments): old files go to .deleted first (the first has the cleaned one's name), then
   * the cleaned ones take their names (null: they just go). False, changing nothing, if `old` is not all here.
   */
  replaceSegments(old: readonly Segment[], cleaned: Segment | null, step?: (what: string) => void): boolean {
    const at = this.closed ? -1 : this.segments.indexOf(old[0]);
    if (at < 0 || old.some((s, i) => this.segments[at + i] !== s || s === this.active)) return false;
    const now = this.now();
    // Cleaning keeps offsets and markers, so the old segments' aborted transactions hold for the cleaned one.
    const aborted = old.flatMap((s) => s.txnIndex.entries);
    for (const seg of old) {
      this.deletions.schedule(seg, now + this.config.fileDeleteDelayMs);
      step?.(`deleted ${seg.baseOffset}`);
    }
    cleaned?.renameSuffix(SWAP_SUFFIX, "");
    for (const txn of aborted) cleaned?.txnIndex.append(txn);
    this.segments.splice(at, old.length, ...(cleaned ? [cleaned] : []));
    this.totalSize += (cleaned?.size ?? 0) - old.reduce((sum, seg) => sum + seg.size, 0);
    this.unsyncedDirs.add(this.dir);
    return true;
  }

  /** Rolls when the active segment is older than segment.ms (called periodically). */
  maybeRoll(nowMs: number): void {
    this.checkOpen();
    if (this.segmentExpired(this.active, nowMs)) this.roll();
    this.deletions.process(nowMs);
  }

  /** Does flush.messages / flush.ms ask for a flush now? */
  flushDue(nowMs: number): boolean {
    if (this.closed) return false;
    if (Number(this.active.nextOffset - this.rp) >= this.config.flushMessages) return true;
    return this.unflushedSince !== null && nowMs - this.unflushedSince >= this.config.flushMs;
  }

  /**
   * fdatasyncs every segment (and index file) with unflushed data up to the current LEO, then advances
   * the recovery point to it. A call while a sync covering its LEO is in flight shares it; otherwise it
   * shares the one sync queued behind the in-flight one (group commit).
   */
  flush(): Promise<void> {
    if (this.closed) return Promise.resolve();
    const target = this.active.nextOffset;
    if (this.inflight !== null) {
      if (this.inflight.leo >= target) return this.inflight.promise;
      if (this.queued === null) {
        this.queued = this.inflight.promise.catch(() => {}).then(() => {
          this.queued = null;
          return this.startSync();
        });
      }
      return this.queued;
    }
    return this.startSync();
  }

  private startSync(): Promise<void> {
    if (this.closed) return Promise.resolve();
    const leo = this.active.nextOffset;
    const dirty = this.segments.filter((s) => s.dirty);
    if (dirty.length === 0 && leo <= this.rp) return Promise.resolve();
    const since = this.unflushedSince;
    this.unflushedSince = null;
    // An fdatasync of a removed file succeeds: check the file is still there before calling data durable.
    const missing = this.missingFiles();
    // New files' directory entries, as Kafka's flush does (Utils.flushDir):
    // fdatasync of a file alone does not make its name durable on every file system.
    const dirs = [...this.unsyncedDirs];
    this.unsyncedDirs.clear();
    const syncs = missing === null
      ? Promise.all([...dirty.map((s) => s.sync()), ...dirs.map(fsyncDirectory)])
      : Promise.reject(Object.assign(new Error(missing), { code: "ENOENT" }));
    const promise = syncs.then(
      () => {
        this.inflight = null;
        if (leo > this.rp) this.rp = leo;
        for (const s of dirty) if (s !== this.active) s.releaseIndexFds();
        this.deletions.process(this.now());
      },
      (err) => {
        this.inflight = null;
        for (const d of dirs) this.unsyncedDirs.add(d);
        if (since !== null && (this.unflushedSince === null || since < this.unflushedSince)) {
          this.unflushedSince = since;
        }
        this.onIoError("flush", err);
        throw err;
      },
    );
    this.inflight = { promise, leo };
    return promise;
  }

  /** Clean close: final index entries, flush, producer-state snapshot, fds closed. */
  async close(): Promise<void> {
    if (this.closed) return;
    for (const s of this.segments) {
      if (s === this.active) s.onBecomeInactive();
      else s.persistIndexes();
    }
    for (const timer of this.rollFlushes) clearTimeout(timer);
    this.rollFlushes.clear();
    while (this.inflight !== null || this.queued !== null) {
      await (this.queued ?? this.inflight!.promise).catch(() => {});
    }
    await this.flush();
    this.hooks?.takeSnapshot(this.active.nextOffset);
    this.closed = true;
    for (const s of this.segments) s.close();
    this.deletions.process(0, true);
  }

  /** Deletes the partition directory (topic deletion); the log is unusable afterwards. */
  deleteFiles(): void {
    for (const timer of this.rollFlushes) clearTimeout(timer);
    this.rollFlushes.clear();
    this.closed = true;
    for (const s of this.segments) s.close();
    this.deletions.closeAll();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /**
   * Files missing behind the broker's back: the directory or the active segment's .log removed while
   * open (its descriptor still works, so writes would be acknowledged into an unlinked file). Returns
   * why, or null when all is in place.
   */
  missingFiles(): string | null {
    if (this.closed) return null;
    try {
      if (!fs.statSync(this.dir).isDirectory()) return `${this.dir} is no longer a directory`;
      if (!this.active.stillLinked()) return `${this.active.logPath} was removed while open`;
    } catch (e) {
      if ((e as { code?: string }).code === "ENOENT") return `${this.dir} was removed while the broker ran`;
      return `${this.dir} cannot be checked: ${e instanceof Error ? e.message : e}`;
    }
    return null;
  }

  /**
   * After the directory was removed: recreates it and copies every segment whose .log descriptor is
   * still open back into it (the data lives on until the descriptor closes), so a restart recovers
   * them. Says what was saved and which offset ranges were lost (segments whose descriptor the LRU had
   * already closed). The log is closed afterwards, without a flush.
   */
  salvage(topicId: string): { savedBytes: number; saved: string[]; lost: string[] } {
    const result = copyOpenSegments(this.dir, this.segments);
    writePartitionMetadata(this.dir, topicId);
    this.abandon();
    return result;
  }

  /** Closes every descriptor without flushing or writing anything (the log's storage failed). */
  abandon(): void {
    for (const timer of this.rollFlushes) clearTimeout(timer);
    this.rollFlushes.clear();
    this.closed = true;
    for (const s of this.segments) {
      try {
        s.close();
      } catch { /* closing a descriptor of a failed disk may fail too; it is released either way */ }
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new Error(`partition log ${this.name} is closed`);
  }
}
