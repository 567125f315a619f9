/**
 * Idempotent-producer state of one partition (Kafka 3.9's ProducerStateManager
 * with ProducerAppendInfo's checks), so that a producer's retries are not
 * written twice and its batches land in sequence order.
 *
 * Appending is two-phase, so a failed log write changes nothing:
 *
 *   const verdict = psm.prepare(headers);      // every batch of one produce, in order
 *   switch (verdict.kind) {
 *     case "error":     answer verdict.code;  nothing was written
 *     case "duplicate": answer NONE with verdict.firstOffset and verdict.timestamp (Kafka's answer to a
 *                       retry: the logAppendTime it kept); write nothing
 *     case "append":    write the batches with offsets from `base` on, contiguously, then
 *                       psm.commit(verdict.pending, base, logAppendTimeMs?)
 *   }
 *
 * prepare() only reads the state: as Kafka's ProducerAppendInfo, it checks
 * each batch against the state left by the batches before it in the same call.
 * Duplicates are looked up in the committed state only, and any duplicate
 * makes the whole call a duplicate, as in Kafka's UnifiedLog. commit() applies
 * exactly what prepare() validated; it throws if the state changed in between
 * (a misuse: the partition's single owner prepares and commits back to back).
 * Batches without a producer id (-1) pass through both untouched.
 *
 * Checks, per batch with a producer id (errors from ErrorCode):
 * - epoch below the producer's epoch: INVALID_PRODUCER_EPOCH;
 * - same epoch and the same (firstSeq, lastSeq) as one of the last 5 batches: duplicate;
 * - new epoch: firstSeq must be 0 unless the epoch was unknown (-1), else OUT_OF_ORDER_SEQUENCE_NUMBER;
 * - same epoch: firstSeq must follow the last sequence (Int32 max wraps to 0), else
 *   OUT_OF_ORDER_SEQUENCE_NUMBER; unless the committed epoch is unknown, which accepts any sequence.
 * An unknown producer has epoch -1, so its first batch is accepted whatever its
 * sequence (Kafka 3.9 does the same: state lost to retention or expiry must not
 * wedge a producer). DUPLICATE_SEQUENCE_NUMBER is never answered: since Kafka
 * 1.0 (KIP-98's follow-ups) a retry is answered with the original offsets.
 *
 * Transactions (KIP-98): a producer's first transactional batch opens its transaction at that batch's
 * offset; a COMMIT or ABORT marker (completeTxn) closes it. The earliest open transaction's first offset
 * is the partition's first unstable offset, which bounds the last stable offset (LSO) that read_committed
 * fetches stop at. A non-transactional batch from a producer with an open transaction is INVALID_TXN_STATE,
 * a marker with an older producer epoch INVALID_PRODUCER_EPOCH, one with an older coordinator epoch
 * TRANSACTION_COORDINATOR_FENCED, as in Kafka's ProducerAppendInfo.
 *
 * Differences from Kafka: snapshots keep each producer's last 5 batches (Kafka
 * keeps only the last), so duplicates are still found after a restart; and
 * onLogStartOffset() forgets producers whose last batch is below the new log
 * start (Kafka 3.9 keeps them in memory until they expire).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ErrorCode } from "../protocol/errors.ts";
import type { Logger } from "../util/logger.ts";
import { writeFileAtomic } from "../util/atomic_file.ts";
import { type BatchHeader, NO_PRODUCER_EPOCH } from "./record_batch.ts";
import { batchLastSequence, inSequence, lastOffsetOf, ProducerEntry } from "./producer_entry.ts";
import { decodeSnapshot, encodeSnapshot, listSnapshots, snapshotFileName } from "./producer_snapshot.ts";
import type { TxnMarker } from "./control_record.ts";
import type { AbortedTxn } from "./txn_index.ts";

/** Kafka's default `producer.id.expiration.ms` (1 day). */
export const DEFAULT_PRODUCER_ID_EXPIRATION_MS = 86_400_000;
/** Snapshots kept on disk; older ones are deleted when a new one is written. */
export const SNAPSHOTS_TO_KEEP = 2;

/** What the log calls during recovery, segment roll, shutdown and retention. */
export interface ProducerStateHooks {
  /** Replays a batch already in the log; for a marker (control batch), the aborted transaction it ended, if any. */
  onRecoveredBatch(header: BatchHeader, baseOffset: bigint, marker?: TxnMarker | null): AbortedTxn | null | void;
  /** At open, before replayFrom: loads the newest valid snapshot at or below `maxOffset` (the log end). */
  load?(maxOffset: bigint): void;
  /** The offset from which the log replays batch headers (the loaded snapshot's offset), or 0n. */
  replayFrom(): bigint;
  /** On segment roll and close, with the log end offset: writes a snapshot. */
  takeSnapshot(logEndOffset: bigint): void;
  /** When segments below `offset` are deleted (retention, DeleteRecords). */
  onLogStartOffset(offset: bigint): void;
}

/** One validated batch awaiting its offsets. */
interface PendingBatch {
  producerId: bigint;
  epoch: number;
  firstSeq: number;
  lastSeq: number;
  /** Offset of this batch relative to the first batch of the prepare() call. */
  relativeOffset: bigint;
  lastOffsetDelta: number;
  maxTimestamp: bigint;
  isTransactional: boolean;
}

/** Opaque result of prepare(), handed back to commit(). */
export interface PendingProducerState {
  readonly generation: number;
  readonly batches: readonly PendingBatch[];
}

export type ProducerVerdict =
  | { kind: "append"; pending: PendingProducerState }
  | { kind: "duplicate"; firstOffset: bigint; lastOffset: bigint; timestamp: bigint }
  | { kind: "error"; code: number; message: string };

/** A transaction ended by a marker at lastOffset (Kafka's CompletedTxn). */
export interface CompletedTxn {
  producerId: bigint;
  /** The transaction's first offset here (the marker's own when nothing was written). */
  firstOffset: bigint;
  lastOffset: bigint;
  isAborted: boolean;
  /** The partition's LSO once this transaction completed: the aborted-transaction index records it. */
  lastStableOffset: bigint;
}

export interface ProducerInfo {
  producerId: bigint;
  epoch: number;
  lastSequence: number;
  lastTimestamp: bigint;
  coordinatorEpoch: number;
  currentTxnStartOffset: bigint;
}

export class ProducerStateManager implements ProducerStateHooks {
  private readonly producers = new Map<bigint, ProducerEntry>();
  private readonly logger: Logger;
  private readonly expirationMs: bigint;
  private readonly now: () => number;
  /** Bumped by every change, so commit() can refuse a stale prepare(). */
  private generation = 0;
  private loadedOffset = 0n;
  /** Offset and generation of the last snapshot written or loaded, to skip rewriting an identical one. */
  private snapshotAt: { offset: bigint; generation: number } | undefined;
  /** Producer id → first offset of its open transaction. */
  private readonly ongoing = new Map<bigint, bigint>();
  /** The smallest first offset in `ongoing` (null: none open), recomputed after a transaction ends. */
  private firstUnstable: bigint | null | undefined = null;

  constructor(
    private readonly dir: string,
    opts: { logger: Logger; expirationMs?: number; now?: () => number },
  ) {
    this.logger = opts.logger;
    this.expirationMs = BigInt(opts.expirationMs ?? DEFAULT_PRODUCER_ID_EXPIRATION_MS);
    this.now = opts.now ?? Date.now;
  }

  /**
   * Load the newest valid snapshot ≤ maxOffset (the log's LEO after recovery
   * might be lower than a snapshot → delete those). A corrupt snapshot is
   * deleted with a warning and the next older one tried; the log then replays
   * its batches from replayFrom() through onRecoveredBatch().
   */
  load(maxOffset: bigint): void {
    this.producers.clear();
    this.ongoing.clear();
    this.firstUnstable = null;
    this.loadedOffset = 0n;
    this.snapshotAt = undefined;
    this.generation++;
    const snapshots = listSnapshots(this.dir);
    for (let i = snapshots.length - 1; i >= 0; i--) {
      const { offset, file } = snapshots[i];
      if (offset > maxOffset) {
        this.logger.info(`deleting producer snapshot ${file}: above the log end offset ${maxOffset}`);
        deleteIfExists(file);
        continue;
      }
      let entries: ProducerEntry[];
      try {
        entries = decodeSnapshot(fs.readFileSync(file));
      } catch (e) {
        this.logger.warn(`ignoring producer snapshot ${file} (${(e as Error).message}); rebuilding from the log`);
        deleteIfExists(file);
        continue;
      }
      const now = this.now();
      let expired = 0;
      for (const entry of entries) {
        if (this.isExpired(entry, now)) expired++;
        else {
          this.producers.set(entry.producerId, entry);
          if (entry.currentTxnFirstOffset >= 0n) this.openTxn(entry.producerId, entry.currentTxnFirstOffset);
        }
      }
      this.loadedOffset = offset;
      this.snapshotAt = { offset, generation: this.generation };
      this.logger.info(
        `loaded producer state from ${file}: ${this.producers.size} producers` +
          (expired ? `, ${expired} expired dropped` : ""),
      );
      return;
    }
  }

  replayFrom(): bigint {
    return this.loadedOffset;
  }

  /** Checks the batches of one produce request, in order; see the file header. */
  prepare(batches: BatchHeader | readonly BatchHeader[]): ProducerVerdict {
    const list: readonly BatchHeader[] = Array.isArray(batches) ? batches : [batches as BatchHeader];
    const working = new Map<bigint, ProducerEntry>();
    const pending: PendingBatch[] = [];
    let relativeOffset = 0n;
    for (const h of list) {
      const batchOffset = relativeOffset;
      relativeOffset += BigInt(h.lastOffsetDelta) + 1n;
      const pid = h.producerId;
      if (pid < 0n) continue;
      const epoch = h.producerEpoch;
      const firstSeq = h.baseSequence;
      const lastSeq = batchLastSequence(firstSeq, h.lastOffsetDelta);
      const current = this.producers.get(pid);
      const dup = current?.findDuplicate(epoch, firstSeq, lastSeq);
      if (dup) {
        return {
          kind: "duplicate",
          firstOffset: dup.firstOffset,
          lastOffset: lastOffsetOf(dup),
          timestamp: dup.timestamp,
        };
      }

      let updated = working.get(pid);
      if (!updated) {
        updated = current ? current.clone() : new ProducerEntry(pid);
        working.set(pid, updated);
      }
      const rejected = rejectBatch(h, current, updated);
      if (rejected) return rejected;
      const batch = {
        producerId: pid,
        epoch,
        firstSeq,
        lastSeq,
        relativeOffset: batchOffset,
        lastOffsetDelta: h.lastOffsetDelta,
        maxTimestamp: h.maxTimestamp,
        isTransactional: h.isTransactional,
      };
      // The working copy only feeds the checks of later batches; offsets come at commit.
      updated.addBatch(epoch, {
        firstSeq,
        lastSeq,
        firstOffset: -1n,
        lastOffsetDelta: h.lastOffsetDelta,
        timestamp: h.maxTimestamp,
      });
      pending.push(batch);
    }
    return { kind: "append", pending: { generation: this.generation, batches: pending } };
  }

  /**
   * Records batches that prepare() accepted and the log has now written, the
   * first at `baseOffset` and the rest right after it. `logAppendTimeMs`: the
   * time stamped on them for LogAppendTime topics (their max timestamp then);
   * undefined or negative (-1n, "none") keeps each batch's own max timestamp.
   */
  commit(pending: PendingProducerState, baseOffset: bigint, logAppendTimeMs?: bigint): void {
    if (pending.generation !== this.generation) {
      throw new Error("producer state changed between prepare() and commit()");
    }
    if (pending.batches.length === 0) return;
    for (const b of pending.batches) {
      let entry = this.producers.get(b.producerId);
      if (!entry) {
        entry = new ProducerEntry(b.producerId);
        this.producers.set(b.producerId, entry);
      }
      const firstOffset = baseOffset + b.relativeOffset;
      entry.addBatch(b.epoch, {
        firstSeq: b.firstSeq,
        lastSeq: b.lastSeq,
        firstOffset,
        lastOffsetDelta: b.lastOffsetDelta,
        timestamp: logAppendTimeMs !== undefined && logAppendTimeMs >= 0n ? logAppendTimeMs : b.maxTimestamp,
      });
      if (b.isTransactional && entry.currentTxnFirstOffset < 0n) {
        entry.currentTxnFirstOffset = firstOffset;
        this.openTxn(b.producerId, firstOffset);
      }
    }
    this.generation++;
  }

  /**
   * Replays a batch found in the log (recovery), without sequence checks, as
   * Kafka does for batches that are already written. Batches at or below what
   * the state already holds for that producer are skipped, so replaying from a
   * little too early is harmless.
   */
  onRecoveredBatch(header: BatchHeader, baseOffset: bigint, marker?: TxnMarker | null): AbortedTxn | null {
    const pid = header.producerId;
    if (pid < 0n) return null;
    let entry = this.producers.get(pid);
    if (!entry) {
      entry = new ProducerEntry(pid);
      this.producers.set(pid, entry);
    } else if (!entry.isEmpty && baseOffset <= entry.lastDataOffset) {
      return null;
    }
    this.generation++;
    if (header.isControl) {
      // A marker ends the open transaction; one whose record is not a COMMIT/ABORT (or unread) commits nothing
      // into the index but still closes it, as the header alone says.
      const done = this.completeTxn(pid, header.producerEpoch, marker?.coordinatorEpoch ?? -1, {
        offset: baseOffset,
        aborted: marker !== undefined && marker !== null && !marker.commit,
        timestamp: header.maxTimestamp,
      });
      return done.isAborted ? done : null;
    }
    entry.addBatch(header.producerEpoch, {
      firstSeq: header.baseSequence,
      lastSeq: batchLastSequence(header.baseSequence, header.lastOffsetDelta),
      firstOffset: baseOffset,
      lastOffsetDelta: header.lastOffsetDelta,
      timestamp: header.maxTimestamp,
    });
    if (header.isTransactional && entry.currentTxnFirstOffset < 0n) {
      entry.currentTxnFirstOffset = baseOffset;
      this.openTxn(pid, baseOffset);
    }
    return null;
  }

  /**
   * Kafka's checks of a marker the coordinator writes (ProducerAppendInfo.appendEndTxnMarker): an older
   * producer epoch is INVALID_PRODUCER_EPOCH, an older coordinator epoch TRANSACTION_COORDINATOR_FENCED.
   */
  checkMarker(
    producerId: bigint,
    producerEpoch: number,
    coordinatorEpoch: number,
  ): { code: number; message: string } | null {
    const entry = this.producers.get(producerId);
    if (entry === undefined) return null;
    if (producerEpoch < entry.epoch) {
      return {
        code: ErrorCode.INVALID_PRODUCER_EPOCH,
        message:
          `marker of producer ${producerId}: epoch ${producerEpoch} is older than the current epoch ${entry.epoch}`,
      };
    }
    if (coordinatorEpoch < entry.coordinatorEpoch) {
      return {
        code: ErrorCode.TRANSACTION_COORDINATOR_FENCED,
        message: `marker of producer ${producerId}: coordinator epoch ${coordinatorEpoch} is older than ` +
          `${entry.coordinatorEpoch}`,
      };
    }
    return null;
  }

  /**
   * A marker for `producerId` was written at `marker.offset`: closes its open transaction (if any) and says
   * what completed, with the LSO right after (Kafka's lastStableOffset(completedTxn): the first offset of the
   * earliest transaction still open by another producer, else the marker's offset + 1).
   */
  completeTxn(
    producerId: bigint,
    producerEpoch: number,
    coordinatorEpoch: number,
    marker: { offset: bigint; aborted: boolean; timestamp: bigint },
  ): CompletedTxn {
    let entry = this.producers.get(producerId);
    if (!entry) {
      entry = new ProducerEntry(producerId);
      this.producers.set(producerId, entry);
    }
    const firstOffset = entry.currentTxnFirstOffset >= 0n ? entry.currentTxnFirstOffset : marker.offset;
    entry.maybeUpdateEpoch(producerEpoch);
    entry.currentTxnFirstOffset = -1n;
    if (coordinatorEpoch >= 0) entry.coordinatorEpoch = coordinatorEpoch;
    entry.lastTimestamp = marker.timestamp;
    if (this.ongoing.delete(producerId)) this.firstUnstable = undefined;
    this.generation++;
    const next = this.firstUnstableOffset();
    return {
      producerId,
      firstOffset,
      lastOffset: marker.offset,
      isAborted: marker.aborted,
      lastStableOffset: next ?? marker.offset + 1n,
    };
  }

  /** The first offset of the earliest open transaction, or null when none is open. */
  firstUnstableOffset(): bigint | null {
    if (this.firstUnstable === undefined) {
      let min: bigint | null = null;
      for (const first of this.ongoing.values()) if (min === null || first < min) min = first;
      this.firstUnstable = min;
    }
    return this.firstUnstable;
  }

  private openTxn(producerId: bigint, firstOffset: bigint): void {
    this.ongoing.set(producerId, firstOffset);
    const current = this.firstUnstable;
    if (current === null || (current !== undefined && firstOffset < current)) this.firstUnstable = firstOffset;
  }

  /**
   * Writes `<logEndOffset>.snapshot` (atomically) unless an identical one is
   * already there, deletes snapshots above it (a truncated log's) and keeps
   * only the newest SNAPSHOTS_TO_KEEP.
   */
  takeSnapshot(logEndOffset: bigint): void {
    const existing = listSnapshots(this.dir);
    for (const s of existing) if (s.offset > logEndOffset) deleteIfExists(s.file);
    const unchanged = this.snapshotAt?.offset === logEndOffset && this.snapshotAt.generation === this.generation;
    const file = path.join(this.dir, snapshotFileName(logEndOffset));
    if (!(unchanged && fs.existsSync(file))) {
      const started = performance.now();
      writeFileAtomic(file, encodeSnapshot(this.producers.values()));
      this.snapshotAt = { offset: logEndOffset, generation: this.generation };
      this.logger.debug(
        `wrote producer snapshot ${file} with ${this.producers.size} producers in ${
          (performance.now() - started).toFixed(1)
        } ms`,
      );
    }
    const kept = existing.filter((s) => s.offset < logEndOffset);
    for (const s of kept.slice(0, Math.max(0, kept.length - (SNAPSHOTS_TO_KEEP - 1)))) deleteIfExists(s.file);
  }

  /** The log start moved (retention, DeleteRecords): drop snapshots and producers wholly below it. */
  onLogStartOffset(offset: bigint): void {
    for (const s of listSnapshots(this.dir)) if (s.offset < offset) deleteIfExists(s.file);
    for (const [pid, entry] of this.producers) {
      if (entry.lastDataOffset < offset && entry.currentTxnFirstOffset < 0n) {
        this.producers.delete(pid);
        this.generation++;
      }
    }
  }

  /** Removes producers idle for `producer.id.expiration.ms` (by their last batch's timestamp); returns how many. */
  removeExpired(nowMs: number = this.now()): number {
    let removed = 0;
    for (const [pid, entry] of this.producers) {
      if (this.isExpired(entry, nowMs)) {
        this.producers.delete(pid);
        removed++;
      }
    }
    if (removed) this.generation++;
    return removed;
  }

  lastSequence(producerId: bigint): number | undefined {
    return this.producers.get(producerId)?.lastSeq;
  }

  epochOf(producerId: bigint): number | undefined {
    return this.producers.get(producerId)?.epoch;
  }

  get producerCount(): number {
    return this.producers.size;
  }

  /** Producer id → last offset of its last batch: the batches the log cleaner keeps (cleaner/cleaner.ts). */
  lastBatchOffsets(): Map<bigint, bigint> {
    const out = new Map<bigint, bigint>();
    for (const e of this.producers.values()) {
      const last = e.batches[e.batches.length - 1];
      if (last !== undefined) out.set(e.producerId, lastOffsetOf(last));
    }
    return out;
  }

  /** For DescribeProducers (later). */
  activeProducers(): ProducerInfo[] {
    return [...this.producers.values()].map((e) => ({
      producerId: e.producerId,
      epoch: e.epoch,
      lastSequence: e.lastSeq,
      lastTimestamp: e.lastTimestamp,
      coordinatorEpoch: e.coordinatorEpoch,
      currentTxnStartOffset: e.currentTxnFirstOffset,
    }));
  }

  /** Kafka: a producer with an open transaction never expires here (the coordinator aborts it first). */
  private isExpired(entry: ProducerEntry, nowMs: number): boolean {
    return entry.currentTxnFirstOffset < 0n && BigInt(Math.floor(nowMs)) - entry.lastTimestamp >= this.expirationMs;
  }
}

function deleteIfExists(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch (e) {
    if ((e as { code?: unknown }).code !== "ENOENT") throw e;
  }
}

/**
 * Why a batch cannot follow what its producer has written, counting the
 * request's earlier batches (`updated`): an older epoch, a new epoch not
 * starting at sequence 0, a sequence gap, or a non-transactional write while
 * the producer's transaction is open. Null when it may be appended.
 */
function rejectBatch(
  h: BatchHeader,
  current: ProducerEntry | undefined,
  updated: ProducerEntry,
): Extract<ProducerVerdict, { kind: "error" }> | null {
  const pid = h.producerId;
  const epoch = h.producerEpoch;
  const firstSeq = h.baseSequence;
  if (epoch < updated.epoch) {
    return {
      kind: "error",
      code: ErrorCode.INVALID_PRODUCER_EPOCH,
      message: `producer ${pid}: epoch ${epoch} is older than the current epoch ${updated.epoch}`,
    };
  }
  if (epoch !== updated.epoch) {
    if (firstSeq !== 0 && updated.epoch !== NO_PRODUCER_EPOCH) {
      return {
        kind: "error",
        code: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
        message: `producer ${pid}: new epoch ${epoch} must start at sequence 0, not ${firstSeq}` +
          ` (current epoch ${updated.epoch})`,
      };
    }
  } else {
    // Kafka: with no committed epoch (all state lost), any sequence is accepted.
    const committedEpoch = current?.epoch ?? NO_PRODUCER_EPOCH;
    if (committedEpoch !== NO_PRODUCER_EPOCH && !inSequence(updated.lastSeq, firstSeq)) {
      return {
        kind: "error",
        code: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
        message: `producer ${pid} epoch ${epoch}: sequence ${firstSeq} does not follow ${updated.lastSeq}`,
      };
    }
  }
  if (!h.isTransactional && updated.currentTxnFirstOffset >= 0n) {
    return {
      kind: "error",
      code: ErrorCode.INVALID_TXN_STATE,
      message: `Expected transactional write from producer ${pid}: its transaction from offset ` +
        `${updated.currentTxnFirstOffset} is still open`,
    };
  }
  return null;
}
