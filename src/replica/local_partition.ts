/**
 * One partition at its owner: the log, the producer state, and the leader's
 * append path (Kafka's Partition.appendRecordsToLeader → UnifiedLog
 * .appendAsLeader): Produce v3+'s one-batch rule, the batch checks of
 * validateBatchForAppend, the rewrite into the topic's compression.type
 * (log/recompress.ts), idempotent-producer sequence checks, then the
 * write with offsets assigned. Reads, offset look-ups and DeleteRecords are
 * thin calls into the log.
 *
 * Transactions: the last stable offset (LSO) is the first offset of the
 * earliest open transaction, else the high watermark. read_committed reads
 * stop there and list the aborted transactions they overlap; ListOffsets
 * LATEST answers it. Markers come from a transaction coordinator
 * (writeTxnMarker, Kafka's WriteTxnMarkers path). KIP-890 part 1: a
 * client's transactional batch from a producer with no transaction open
 * here (at its epoch) is not appended but answered with a verification
 * guard; the handler that received the Produce asks the transaction
 * coordinator whether the partition is in the transaction and re-sends the
 * batch with that guard, which is accepted only while it is still the one
 * handed out (a marker written in between clears it, Kafka's
 * VerificationGuard), so a late batch cannot open a hanging transaction.
 */
import { ErrorCode } from "../protocol/errors.ts";
import {
  type BatchHeader,
  MAGIC_OFFSET,
  MAGIC_V2,
  readBatchHeader,
  splitBatches,
  validateBatchForAppend,
} from "../log/record_batch.ts";
import { visitRecordTimestamps } from "../log/batch_records.ts";
import { parseRecords, recordsSection } from "../log/cleaner/batch_filter.ts";
import { recompressBatch } from "../log/recompress.ts";
import type { PartitionLog } from "../log/partition_log.ts";
import type { LogConfig } from "../log/log_config.ts";
import type { ProducerStateManager } from "../log/producer_state.ts";
import type { AppendPolicy } from "../cluster/topic_config.ts";
import type { TopicImage } from "../cluster/metadata_image.ts";
import type { OffsetAnswer, ProduceItem, ProduceOutcome, ReadOutcome } from "./partition_ops.ts";
import { buildMarkerBatch } from "../log/control_record.ts";
import { batchesBelow, nextOffsetAfter } from "../log/transaction_log.ts";

/** The leader epoch of every partition: one node, never re-elected. */
export const LEADER_EPOCH = 0;

const EARLIEST = -2n;
const LATEST = -1n;
const MAX_TIMESTAMP = -3n;
const EARLIEST_LOCAL = -4n;
const LATEST_TIERED = -5n;
const READ_COMMITTED = 1;
/** Guards handed out and not yet used, per partition, beyond which the oldest are forgotten. */
const MAX_PENDING_GUARDS = 10_000;
/** Verification guards: unique within this Worker, which is where they are handed out and checked. */
let nextGuard = 1;

/** A COMMIT or ABORT marker a transaction coordinator writes (WriteTxnMarkers). */
export interface TxnMarkerWrite {
  producerId: bigint;
  producerEpoch: number;
  coordinatorEpoch: number;
  commit: boolean;
}

export class LocalPartition {
  readonly topic: string;
  readonly topicId: string;
  /** The error of the last append whose write failed, for the owner to act on (then cleared). */
  writeError: unknown = null;
  /**
   * transaction.partition.verification.enable: whether a transactional batch opening a transaction here
   * needs the coordinator's word (KIP-890); off, every transactional batch is appended as it comes.
   */
  verifyTxns = true;
  /** KIP-890: per producer, the guard handed out while it awaits the coordinator (Kafka's VerificationStateEntry). */
  private readonly txnGuards = new Map<bigint, { epoch: number; guard: number }>();
  /** Producers with a transaction open here since their last marker, and its epoch (needs no verification). */
  private readonly openTxns = new Map<bigint, number>();

  constructor(
    /** The topic as the metadata image had it when the partition opened (reopened from it when offline). */
    readonly topicImage: TopicImage,
    readonly partition: number,
    readonly dir: string,
    readonly log: PartitionLog,
    readonly producers: ProducerStateManager,
    public config: LogConfig,
    public policy: AppendPolicy,
  ) {
    this.topic = topicImage.name;
    this.topicId = topicImage.topicId;
  }

  get name(): string {
    return `${this.topic}-${this.partition}`;
  }

  append(
    records: Uint8Array,
    _acks: number,
    nowMs: number,
    verification?: ProduceItem["txnVerification"],
  ): ProduceOutcome {
    const { batches, error } = splitBatches(records);
    if (error) return failed(error.code, error.message);
    if (batches.length === 0) {
      return failed(ErrorCode.INVALID_RECORD, "Produce requests must have at least one record batch per partition");
    }
    if (batches.length > 1) {
      return failed(
        ErrorCode.INVALID_RECORD,
        "Produce requests are only allowed to contain exactly one record batch per partition",
      );
    }
    const { start, end } = batches[0];
    const invalid = validateBatchForAppend(records, start, end, { maxMessageBytes: this.config.maxMessageBytes });
    if (invalid) {
      // Kafka checks the magic with the request (ProduceRequest.validateRecords) and answers corrupt or
      // too-large batches bare; what its log refuses otherwise comes with the log start offset.
      const bare = invalid.code === ErrorCode.CORRUPT_MESSAGE || invalid.code === ErrorCode.MESSAGE_TOO_LARGE ||
        records[start + MAGIC_OFFSET] !== MAGIC_V2;
      return bare ? failed(invalid.code, invalid.message) : this.refused(invalid.code, invalid.message);
    }
    const header = readBatchHeader(records, start);
    const timestampProblem = this.checkTimestamps(records.subarray(start, end), header, nowMs);
    if (timestampProblem) return timestampProblem;
    const keyProblem = this.config.compact ? this.checkKeys(records.subarray(start, end), header) : null;
    if (keyProblem) return keyProblem;
    if (header.isTransactional) {
      const unverified = this.checkVerification(header, verification);
      if (unverified) return unverified;
    }
    const stored = this.inTopicCodec(records.subarray(start, end), header);
    if (!(stored instanceof Uint8Array)) return stored;
    const verdict = this.producers.prepare(header);
    if (verdict.kind === "error") return this.refused(verdict.code, verdict.message);
    if (verdict.kind === "duplicate") {
      // As Kafka: the retry of an already-written batch gets the original offsets and the time kept for it
      // (its max timestamp, the append time on LogAppendTime topics), no error.
      return ok(verdict.firstOffset, verdict.timestamp, this.log.logStartOffset);
    }
    let result;
    try {
      result = this.log.append(stored, LEADER_EPOCH, nowMs);
    } catch (e) {
      this.writeError = e;
      return failed(
        ErrorCode.KAFKA_STORAGE_ERROR,
        `write to ${this.name} failed: ${e instanceof Error ? e.message : e}`,
      );
    }
    this.producers.commit(verdict.pending, result.baseOffset, result.logAppendTimeMs);
    if (header.isTransactional) {
      this.openTxns.set(header.producerId, header.producerEpoch);
      this.txnGuards.delete(header.producerId);
    }
    return ok(result.baseOffset, result.logAppendTimeMs, result.logStartOffset);
  }

  /**
   * The coordinator has written this partition into the producer's transaction at `producerEpoch`: that is
   * what a verification would confirm, so the transaction's batches are taken without one. It arrives before
   * the transaction's marker (both come from the coordinator's handler, in order), which clears it. Saves a
   * transaction's first produce to each partition the round trip to the coordinator and back.
   */
  admitTxn(producerId: bigint, producerEpoch: number): void {
    this.openTxns.set(producerId, producerEpoch);
    this.txnGuards.delete(producerId);
  }

  /**
   * KIP-890 part 1 (Kafka's UnifiedLog.maybeStartTransactionVerification and its append check): a
   * transactional batch is appended when written by a coordinator here ("trusted"), when its producer's
   * transaction is already open here at its epoch, or when it carries the guard handed out for it. Else a
   * guard is handed out (the same one while it waits) for the receiving handler to get verified.
   */
  private checkVerification(header: BatchHeader, verification: ProduceItem["txnVerification"]): ProduceOutcome | null {
    if (!this.verifyTxns || verification === "trusted") return null;
    const { producerId, producerEpoch } = header;
    if (this.openTxns.get(producerId) === producerEpoch) return null;
    const handed = this.txnGuards.get(producerId);
    if (verification !== undefined) {
      if (handed?.guard === verification && handed.epoch === producerEpoch) return null;
      // The guard was cleared by a marker (the transaction ended) or replaced: the batch came too late.
      return this.refused(ErrorCode.INVALID_TXN_STATE, "Record was not part of an ongoing transaction");
    }
    const guard = handed !== undefined && handed.epoch === producerEpoch ? handed.guard : nextGuard++;
    if (handed === undefined && this.txnGuards.size >= MAX_PENDING_GUARDS) {
      this.txnGuards.delete(this.txnGuards.keys().next().value!);
    }
    this.txnGuards.set(producerId, { epoch: producerEpoch, guard });
    return {
      ...failed(ErrorCode.INVALID_TXN_STATE, "The partition must be verified with the transaction coordinator"),
      verificationGuard: guard,
    };
  }

  /**
   * The first offset of the earliest open transaction, else the high watermark; never below the log start
   * (retention may delete an open transaction's first batches, and Kafka then uses the log start).
   */
  get lastStableOffset(): bigint {
    const hw = this.log.highWatermark;
    const first = this.producers.firstUnstableOffset();
    const lso = first !== null && first < hw ? first : hw;
    return lso < this.log.logStartOffset ? this.log.logStartOffset : lso;
  }

  /**
   * Kafka's UnifiedLog.read: read_uncommitted up to the high watermark; read_committed (isolationLevel 1) up to
   * the LSO, with the aborted transactions overlapping what it returns (an empty list when it returns nothing).
   */
  read(fetchOffset: bigint, maxBytes: number, isolationLevel = 0): ReadOutcome {
    const answer = this.log.read(fetchOffset, maxBytes, true);
    const hw = this.log.highWatermark;
    const lso = this.lastStableOffset;
    const base = { highWatermark: hw, lastStableOffset: lso, logStartOffset: this.log.logStartOffset };
    if ("error" in answer) return { errorCode: answer.error, ...base, records: null };
    if (isolationLevel !== READ_COMMITTED) return { errorCode: ErrorCode.NONE, ...base, records: answer.records };
    const records = lso < hw ? batchesBelow(answer.records, lso) : answer.records;
    const upTo = nextOffsetAfter(records);
    const aborted = upTo === null ? [] : this.log.txnIndexes.collect(fetchOffset, upTo);
    return {
      errorCode: ErrorCode.NONE,
      ...base,
      records,
      abortedTransactions: aborted.map((a) => ({ producerId: a.producerId, firstOffset: a.firstOffset })),
    };
  }

  /**
   * Appends a COMMIT or ABORT marker for a producer's transaction (as Kafka's WriteTxnMarkers has the
   * partition leader do): checks the producer and coordinator epochs, writes the control batch, closes the
   * transaction, and records an abort in the aborted-transaction index.
   */
  writeTxnMarker(marker: TxnMarkerWrite, nowMs: number): ProduceOutcome {
    const { producerId, producerEpoch, coordinatorEpoch, commit } = marker;
    const refused = this.producers.checkMarker(producerId, producerEpoch, coordinatorEpoch);
    if (refused) return this.refused(refused.code, refused.message);
    const batch = buildMarkerBatch({ producerId, producerEpoch, coordinatorEpoch, commit, timestamp: BigInt(nowMs) });
    let result;
    try {
      result = this.log.append(batch, LEADER_EPOCH, nowMs);
    } catch (e) {
      this.writeError = e;
      return failed(
        ErrorCode.KAFKA_STORAGE_ERROR,
        `write to ${this.name} failed: ${e instanceof Error ? e.message : e}`,
      );
    }
    const done = this.producers.completeTxn(producerId, producerEpoch, coordinatorEpoch, {
      offset: result.baseOffset,
      aborted: !commit,
      timestamp: result.logAppendTimeMs >= 0n ? result.logAppendTimeMs : BigInt(nowMs),
    });
    if (done.isAborted) this.log.txnIndexes.record(done);
    // The transaction is over here: its next batch (a new transaction) must be verified again.
    this.openTxns.delete(producerId);
    this.txnGuards.delete(producerId);
    return ok(result.baseOffset, result.logAppendTimeMs, result.logStartOffset);
  }

  /** Kafka's UnifiedLog.fetchOffsetByTimestamp, for a log without tiered storage. */
  listOffset(timestamp: bigint, isolationLevel = 0): OffsetAnswer {
    const none = { errorCode: ErrorCode.NONE, offset: -1n, timestamp: -1n, leaderEpoch: -1 };
    switch (timestamp) {
      case EARLIEST:
      case EARLIEST_LOCAL:
        return {
          errorCode: ErrorCode.NONE,
          offset: this.log.logStartOffset,
          timestamp: -1n,
          leaderEpoch: LEADER_EPOCH,
        };
      case LATEST: {
        // read_committed (ListOffsets v2+) sees up to the LSO, as Kafka's fetchOffsetForTimestamp.
        const offset = isolationLevel === READ_COMMITTED ? this.lastStableOffset : this.log.highWatermark;
        return { errorCode: ErrorCode.NONE, offset, timestamp: -1n, leaderEpoch: LEADER_EPOCH };
      }
      case LATEST_TIERED:
        return none;
      case MAX_TIMESTAMP: {
        const max = this.log.maxTimestampAndOffset();
        return max && this.fetchable(max.offset, isolationLevel) ? { errorCode: ErrorCode.NONE, ...max } : none;
      }
    }
    if (timestamp < 0n) return { ...none, errorCode: ErrorCode.INVALID_REQUEST };
    const found = this.log.offsetForTimestamp(timestamp);
    return found && this.fetchable(found.offset, isolationLevel) ? { errorCode: ErrorCode.NONE, ...found } : none;
  }

  /** Kafka's Partition.fetchOffsetForTimestamp answers a timestamp look-up only below the last fetchable offset. */
  private fetchable(offset: bigint, isolationLevel: number): boolean {
    return offset < (isolationLevel === READ_COMMITTED ? this.lastStableOffset : this.log.highWatermark);
  }

  /**
   * Kafka's message.timestamp.before/after.max.ms for CreateTime topics,
   * record by record as Kafka's LogValidator does (each offender listed in
   * recordErrors). A compressed batch is judged by its header's base and
   * max timestamps, as its records are never decompressed here.
   */
  private checkTimestamps(batch: Uint8Array, header: BatchHeader, nowMs: number): ProduceOutcome | null {
    if (this.config.messageTimestampType !== "CreateTime") return null;
    const before = this.policy.messageTimestampBeforeMaxMs;
    const after = this.policy.messageTimestampAfterMaxMs;
    if (before >= Number.MAX_SAFE_INTEGER && after >= Number.MAX_SAFE_INTEGER) return null;
    const now = BigInt(nowMs);
    const low = before >= Number.MAX_SAFE_INTEGER ? null : now - BigInt(before);
    const high = after >= Number.MAX_SAFE_INTEGER ? null : now + BigInt(after);
    const outside = (ts: bigint) => (low !== null && ts < low) || (high !== null && ts > high);
    const headerLow = header.baseTimestamp < header.maxTimestamp ? header.baseTimestamp : header.maxTimestamp;
    if (!outside(headerLow) && !outside(header.maxTimestamp)) return null;
    const range = `[${low ?? "-inf"}, ${high ?? "+inf"}]`;
    const recordErrors: ProduceOutcome["recordErrors"] = [];
    if (header.compression === 0) {
      visitRecordTimestamps(batch, (delta, ts) => {
        if (outside(ts)) {
          recordErrors.push({
            batchIndex: delta,
            batchIndexErrorMessage:
              `Timestamp ${ts} of message with offset ${delta} is out of range. The timestamp should be within ${range}`,
          });
        }
        return false;
      });
      if (recordErrors.length === 0) return null;
    }
    return {
      ...this.refused(ErrorCode.INVALID_TIMESTAMP, "One or more records have been rejected due to invalid timestamp"),
      recordErrors,
    };
  }

  /**
   * The batch in the topic's compression.type (Kafka's LogValidator): as it came when that is producer or its
   * codec already, else recompressed; as in Kafka's UnifiedLog, a batch that grows past max.message.bytes by
   * it is refused then.
   */
  private inTopicCodec(batch: Uint8Array, header: BatchHeader): Uint8Array | ProduceOutcome {
    const codec = this.policy.compression;
    if (codec === null || codec === header.compression) return batch;
    const converted = recompressBatch(batch, { codec, level: this.policy.compressionLevel });
    if ("error" in converted) {
      const { code, message } = converted.error;
      return code === ErrorCode.CORRUPT_MESSAGE ? failed(code, message) : this.refused(code, message);
    }
    const size = converted.batch.length;
    if (size > this.config.maxMessageBytes) {
      return failed(
        ErrorCode.MESSAGE_TOO_LARGE,
        `Message batch size is ${size} bytes in append to partition ${this.name} which exceeds the maximum configured size of ${this.config.maxMessageBytes}.`,
      );
    }
    return converted.batch;
  }

  /**
   * Kafka's LogValidator.validateKey: a compacted topic refuses records without a key (INVALID_RECORD,
   * each one listed in recordErrors); compressed batches are decompressed to look, as Kafka does.
   */
  private checkKeys(batch: Uint8Array, header: BatchHeader): ProduceOutcome | null {
    let records;
    try {
      records = parseRecords(recordsSection(batch), header.recordsCount, 0);
    } catch (e) {
      return this.refused(ErrorCode.CORRUPT_MESSAGE, `records of the batch do not decode: ${e}`);
    }
    const message = `Compacted topic cannot accept message without key in topic partition ${this.name}`;
    const recordErrors = records.flatMap((r, batchIndex) =>
      r.keyStart < 0 ? [{ batchIndex, batchIndexErrorMessage: message }] : []
    );
    if (recordErrors.length === 0) return null;
    const shown = recordErrors.slice(0, 3).map((e) => `RecordError(batchIndex=${e.batchIndex}, message='${message}')`);
    return {
      ...this.refused(
        ErrorCode.INVALID_RECORD,
        `One or more records have been rejected due to ${recordErrors.length} record errors in total, ` +
          `and only showing the first three errors at most: [${shown.join(", ")}]`,
      ),
      recordErrors,
    };
  }

  /**
   * An error of the log itself (sequence, epoch, record checks): Kafka's
   * ReplicaManager answers those with the partition's log start offset.
   */
  private refused(errorCode: number, message: string): ProduceOutcome {
    return { ...failed(errorCode, message), logStartOffset: this.log.logStartOffset };
  }
}

function ok(baseOffset: bigint, logAppendTimeMs: bigint, logStartOffset: bigint): ProduceOutcome {
  return {
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    baseOffset,
    logAppendTimeMs,
    logStartOffset,
    recordErrors: [],
  };
}

export function failed(errorCode: number, message: string | null): ProduceOutcome {
  return {
    errorCode,
    errorMessage: message,
    baseOffset: -1n,
    logAppendTimeMs: -1n,
    logStartOffset: -1n,
    recordErrors: [],
  };
}
