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
import { writeFileAtomic } from "../util/atomic_file.ts";
import { DEFAULT_LOG_CONFIG, type LogConfig } from "./log_config.ts";
import { loadSegments, type RecoveryReport } from "./log_recovery.ts";
import { Segment } from "./segment.ts";
import { scanBatches } from "./segment_scan.ts";
import { visitRecordTimestamps } from "./batch_records.ts";
import {
  assignOffsets,
  ATTRIBUTES_OFFSET,
  BASE_OFFSET_OFFSET,
  BATCH_LENGTH_OFFSET,
  type BatchHeader,
  COMPRESSION_MASK,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  MAX_TIMESTAMP_OFFSET,
  PARTITION_LEADER_EPOCH_OFFSET,
  readBatchHeader,
  setPartitionLeaderEpoch,
  TIMESTAMP_TYPE_MASK,
} from "./record_batch.ts";

export type { LogConfig } from "./log_config.ts";
export type { RecoveryReport } from "./log_recovery.ts";

export interface ProducerStateHooks {
  /** Called by recovery for every valid batch header after the producer-state snapshot point. */
  onRecoveredBatch(header: BatchHeader, baseOffset: bigint): void;
  /** The offset from which recovery must replay batch headers (the snapshot's offset), or 0n. */
  replayFrom(): bigint;
  /** Called on segment roll and close with the LEO, to write a snapshot. */
  takeSnapshot(logEndOffset: bigint): void;
  /** Called when segments below `offset` are deleted (retention/DeleteRecords). */
  onLogStartOffset(offset: bigint): void;
}

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
}

export interface AppendResult {
  baseOffset: bigint;
  lastOffset: bigint;
  /** -1n for CreateTime. */
  logAppendTimeMs: bigint;
  logStartOffset: bigint;
}

export interface TimestampAndOffset {
  offset: bigint;
  timestamp: bigint;
  /** The batch's partition leader epoch, -1 when it has none. */
  leaderEpoch: number;
}

const EMPTY = new Uint8Array(0);
const INT32_MAX = 0x7fffffff;

interface PendingDelete {
  segment: Segment;
  files: string[];
  deleteAtMs: number;
}

export class PartitionLog {
  /** The partition directory. */
  readonly dir: string;
  readonly name: string;
  readonly recovery: RecoveryReport | null;
  private readonly config: LogConfig;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly hooks: ProducerStateHooks | undefined;
  private segments: Segment[];
  private active: Segment;
  private lso: bigint;
  private rp: bigint;
  private totalSize = 0;
  /** Time (ms, from append's nowMs) of the oldest append not yet covered by a flush; null if none. */
  private unflushedSince: number | null = null;
  private inflight: { promise: Promise<void>; leo: bigint } | null = null;
  private queued: Promise<void> | null = null;
  private pendingDeletes: PendingDelete[] = [];
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
    const loaded = loadSegments({
      dir: this.dir,
      name: this.name,
      config: opts.config,
      recoveryPoint: opts.recoveryPoint,
      cleanShutdown: opts.cleanShutdown,
      logger: opts.logger,
    });
    writePartitionMetadata(this.dir, opts.topicId);
    this.recovery = loaded.recovery;
    this.segments = loaded.segments;
    if (this.segments.length === 0) {
      this.segments.push(Segment.create(this.dir, opts.logStartOffset ?? 0n, opts.config));
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
    } else {
      this.rp = opts.recoveryPoint < leo ? opts.recoveryPoint : leo;
      for (const s of this.segments) if (s.nextOffset > this.rp) s.flushedSize = 0;
      if (this.rp < leo) this.unflushedSince = this.now();
    }
    this.replayProducerState();
  }

  static open(opts: OpenOptions): PartitionLog {
    return new PartitionLog(opts);
  }

  get logStartOffset(): bigint {
    return this.lso;
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

  private segmentExpired(seg: Segment, nowMs: number): boolean {
    return seg.size > 0 && seg.rollStartMs !== null &&
      nowMs - seg.rollStartMs > this.config.segmentMs - seg.rollJitterMs;
  }

  /** Starts a new active segment at the LEO; the old one gets its final index entries and is flushed. */
  private roll(): Segment {
    const old = this.active;
    old.onBecomeInactive();
    const seg = Segment.create(this.dir, old.nextOffset, this.config);
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
      if (!this.closed) this.processPendingDeletes(this.now());
    }).catch((e) => this.logger.error(`${this.name}: flush after roll failed: ${e}`));
  }

  /** Index of the segment holding `offset` (the last one with baseOffset <= offset; 0 if below all). */
  private segmentIndexFor(offset: bigint): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.segments[mid].baseOffset <= offset) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
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
    for (let i = this.segmentIndexFor(offset); i < this.segments.length; i++) {
      const seg = this.segments[i];
      const b = seg.findBatch(offset);
      if (b === null) continue;
      let length = Math.min(maxBytes, seg.size - b.position);
      if (b.size > length) {
        if (!minOneMessage) return { records: EMPTY };
        length = b.size;
      }
      const buf = seg.read(b.position, length);
      const v = new DataView(buf.buffer, buf.byteOffset, buf.length);
      let end = 0;
      while (end + LOG_OVERHEAD <= buf.length) {
        const size = LOG_OVERHEAD + v.getInt32(end + BATCH_LENGTH_OFFSET);
        if (end + size > buf.length) break;
        end += size;
      }
      return { records: end === buf.length ? buf : buf.subarray(0, end) };
    }
    return { records: EMPTY };
  }

  /**
   * ListOffsets by timestamp: the first offset (>= logStartOffset) whose record timestamp is >= ts. The
   * time index picks where to start in the first segment whose max timestamp reaches ts; uncompressed
   * batches are searched record by record; a compressed or LogAppendTime batch answers with its first
   * offset and its max timestamp (we never decompress).
   */
  offsetForTimestamp(ts: bigint): TimestampAndOffset | null {
    this.checkOpen();
    for (let i = this.segmentIndexFor(this.lso); i < this.segments.length; i++) {
      const seg = this.segments[i];
      if (seg.maxTimestamp < ts) continue;
      const rel = seg.timeIndex.lookup(ts);
      let from = rel < 0 ? seg.baseOffset : seg.baseOffset + BigInt(rel);
      if (from < this.lso) from = this.lso;
      const first = seg.findBatch(from);
      if (first === null) continue;
      for (let pos = first.position; pos < seg.size;) {
        const v = seg.headerAt(pos);
        if (v === null) break;
        const size = LOG_OVERHEAD + v.getInt32(BATCH_LENGTH_OFFSET);
        const baseOffset = v.getBigInt64(BASE_OFFSET_OFFSET);
        const lastOffset = baseOffset + BigInt(v.getInt32(LAST_OFFSET_DELTA_OFFSET));
        if (lastOffset >= this.lso && v.getBigInt64(MAX_TIMESTAMP_OFFSET) >= ts) {
          const found = this.recordAtOrAfter(seg, pos, size, ts);
          if (found !== null) return found;
        }
        pos += size;
      }
    }
    return null;
  }

  /** The first record of the batch at `pos` with timestamp >= ts (or == ts when `exact`) and offset >= LSO. */
  private recordAtOrAfter(
    seg: Segment,
    pos: number,
    size: number,
    ts: bigint,
    exact = false,
  ): TimestampAndOffset | null {
    const v = seg.headerAt(pos)!;
    const attributes = v.getInt16(ATTRIBUTES_OFFSET);
    const baseOffset = v.getBigInt64(BASE_OFFSET_OFFSET);
    const maxTimestamp = v.getBigInt64(MAX_TIMESTAMP_OFFSET);
    const epoch = v.getInt32(PARTITION_LEADER_EPOCH_OFFSET);
    const leaderEpoch = epoch >= 0 ? epoch : -1;
    const floor = baseOffset < this.lso ? this.lso : baseOffset;
    if ((attributes & TIMESTAMP_TYPE_MASK) !== 0 || (attributes & COMPRESSION_MASK) !== 0) {
      return { offset: floor, timestamp: maxTimestamp, leaderEpoch };
    }
    const batch = seg.read(pos, size);
    let result: TimestampAndOffset | null = null;
    visitRecordTimestamps(batch, (offsetDelta, timestamp) => {
      const offset = baseOffset + BigInt(offsetDelta);
      if (offset < this.lso || (exact ? timestamp !== ts : timestamp < ts)) return false;
      result = { offset, timestamp, leaderEpoch };
      return true;
    });
    return result;
  }

  /**
   * ListOffsets MAX_TIMESTAMP: the record with the largest timestamp (earliest such offset), found from
   * the per-segment max and one batch read, as Kafka 3.9 does; null on an empty log.
   */
  maxTimestampAndOffset(): TimestampAndOffset | null {
    this.checkOpen();
    let best: Segment | null = null;
    for (const s of this.segments) {
      if (s.size > 0 && s.maxTimestamp >= 0n && (best === null || s.maxTimestamp > best.maxTimestamp)) best = s;
    }
    if (best === null) return null;
    const b = best.findBatch(best.baseOffset + BigInt(best.maxTimestampRel));
    for (let pos = b === null ? 0 : b.position; pos < best.size;) {
      const loc = best.batchAt(pos);
      if (loc === null) break;
      if (loc.maxTimestamp === best.maxTimestamp) {
        const found = this.recordAtOrAfter(best, pos, loc.size, best.maxTimestamp, true);
        if (found !== null) return found;
      }
      pos += loc.size;
    }
    return null;
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
    const { retentionMs, retentionBytes } = this.config;
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
    this.processPendingDeletes(nowMs);
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
      const files = seg.markDeleted();
      this.pendingDeletes.push({ segment: seg, files, deleteAtMs: nowMs + this.config.fileDeleteDelayMs });
    }
    const first = this.segments[0].baseOffset;
    if (first > this.lso) {
      this.lso = first;
      this.hooks?.onLogStartOffset(first);
    }
    this.logger.debug(`${this.name}: deleted ${doomed.length} segments, log start offset ${this.lso}`);
    this.processPendingDeletes(nowMs);
    return doomed.length;
  }

  /** Closes and unlinks deleted segments whose delay has passed (an in-flight sync delays the close). */
  private processPendingDeletes(nowMs: number, all = false): void {
    if (this.pendingDeletes.length === 0) return;
    this.pendingDeletes = this.pendingDeletes.filter((p) => {
      if (!all && nowMs < p.deleteAtMs) return true;
      p.segment.close();
      for (const f of p.files) fs.rmSync(f, { force: true });
      return false;
    });
  }

  /** Rolls when the active segment is older than segment.ms (called periodically). */
  /** Starts a new segment now unless the active one is empty (compaction of __consumer_offsets rewrites into a fresh one). */
  rollIfNotEmpty(): void {
    this.checkOpen();
    if (this.active.nextOffset > this.active.baseOffset) this.roll();
  }

  maybeRoll(nowMs: number): void {
    this.checkOpen();
    if (this.segmentExpired(this.active, nowMs)) this.roll();
    this.processPendingDeletes(nowMs);
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
    const promise = Promise.all(dirty.map((s) => s.sync())).then(
      () => {
        this.inflight = null;
        if (leo > this.rp) this.rp = leo;
        for (const s of dirty) if (s !== this.active) s.releaseIndexFds();
        this.processPendingDeletes(this.now());
      },
      (err) => {
        this.inflight = null;
        if (since !== null && (this.unflushedSince === null || since < this.unflushedSince)) {
          this.unflushedSince = since;
        }
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
    this.processPendingDeletes(0, true);
  }

  /** Deletes the partition directory (topic deletion); the log is unusable afterwards. */
  deleteFiles(): void {
    for (const timer of this.rollFlushes) clearTimeout(timer);
    this.rollFlushes.clear();
    this.closed = true;
    for (const s of this.segments) s.close();
    for (const p of this.pendingDeletes) p.segment.close();
    this.pendingDeletes = [];
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private checkOpen(): void {
    if (this.closed) throw new Error(`partition log ${this.name} is closed`);
  }

  /** Replays batch headers from the producer-state snapshot point to the LEO (headers only). */
  private replayProducerState(): void {
    const hooks = this.hooks;
    if (!hooks) return;
    let from = hooks.replayFrom();
    if (from < this.lso) from = this.lso;
    for (let i = this.segmentIndexFor(from); i < this.segments.length; i++) {
      const seg = this.segments[i];
      if (seg.nextOffset <= from) continue;
      const first = seg.findBatch(from);
      if (first === null) continue;
      scanBatches(seg.fd, first.position, seg.size, { verify: false, segmentBase: seg.baseOffset }, (buf, at) => {
        const header = readBatchHeader(buf, at);
        hooks.onRecoveredBatch(header, header.baseOffset);
      });
    }
  }
}

/** Kafka's partition.metadata; a different topic id in an existing file means the dir belongs to another topic. */
function writePartitionMetadata(dir: string, topicId: string): void {
  const file = path.join(dir, "partition.metadata");
  const content = `version: 0\ntopic_id: ${topicId}\n`;
  let existing: string | null = null;
  try {
    existing = fs.readFileSync(file, "utf8");
  } catch (e) {
    if ((e as { code?: string }).code !== "ENOENT") throw e;
  }
  if (existing === content) return;
  const m = existing === null ? null : /topic_id:\s*(\S+)/.exec(existing);
  if (m && m[1] !== topicId) {
    throw new Error(`${file} belongs to topic id ${m[1]}, not ${topicId}`);
  }
  writeFileAtomic(file, content);
}
