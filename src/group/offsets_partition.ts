/**
 * One partition of __consumer_offsets as its coordinator holds it: the
 * groups placed there, their committed offsets, and the log they are
 * written to. Loading replays the log from its start; every write goes
 * through `persist`, which appends one batch (acks=all, so durable mode's
 * fsync applies) and applies offset records to the store once written.
 *
 * Transactions: a TxnOffsetCommit's records are one transactional batch of
 * the producer (persist with `txn`); they stay pending in the store until
 * the producer's COMMIT or ABORT marker lands on this partition (onTxnMarker;
 * on replay, the control batch). A marker that arrives while that producer's
 * own TxnOffsetCommit is still being written waits for the write, so it
 * always applies to what precedes it in the log.
 *
 * Compaction: the coordinator knows the latest record of every key (the
 * offsets in the store, the last group record written per group), so it
 * compacts by rewriting exactly those into a fresh segment and moving the
 * log start past everything older; older segments are then deleted whole.
 * Pending transactional offsets are rewritten as transactional batches of
 * their producer (whose marker is still to come), and every offset record
 * keeps its place relative to the others, so the later of two commits of a
 * partition stays the later one; aborted offsets are gone from memory and so
 * from the rewrite. The rewrite's batches are appended in one go (appends run
 * in call order), so no other write or marker lands between them. Replaying
 * the result gives the same state, and a crash half-way leaves old records
 * followed by a partial rewrite of the same values: still the same state. It
 * runs when the log outgrows offsets.topic.segment.bytes and twice the live
 * records, and only while no write is in flight, so no record appended but
 * not yet applied can be dropped.
 */
import { ErrorCode } from "../protocol/errors.ts";
import type { Logger } from "../util/logger.ts";
import { ClassicGroup } from "./classic_group.ts";
import { ConsumerGroup } from "./consumer_group.ts";
import { TimerTable } from "./group_timers.ts";
import { OFFSETS_TOPIC } from "../cluster/offsets_topic.ts";
import { decodeGroupLog, encodeGroupRecordsBatch, groupRecordBytes, type TxnProducer } from "./offset_records.ts";
import { OffsetStore } from "./offset_store.ts";
import { type SequenceToken, TxnSequences } from "./txn_offsets.ts";
import type { GroupConfig, GroupEnv, GroupRecord, TopicLookup } from "./types.ts";
import type { PartitionLog } from "../log/partition_log.ts";
import type { OffsetAnswer, ProduceOutcome, ReadOutcome } from "../replica/partition_ops.ts";

export type AnyGroup = ClassicGroup | ConsumerGroup;

/** The owner-side log access a partition needs (the handler's ReplicaManager). */
export interface OffsetsLogAccess {
  /**
   * Appends one batch with acks=all. `transactional`: the batch is a TxnOffsetCommit's (a transactional
   * producer's), which the coordinator has checked itself, so the log skips KIP-890's verification.
   */
  append(
    topicId: string,
    partition: number,
    batch: Uint8Array,
    opts?: { readonly transactional?: boolean },
  ): Promise<ProduceOutcome>;
  read(topicId: string, partition: number, offset: bigint, maxBytes: number): Promise<ReadOutcome>;
  earliest(topicId: string, partition: number): Promise<OffsetAnswer>;
  deleteBefore(topicId: string, partition: number, offset: bigint): Promise<number>;
  log(topicId: string, partition: number): PartitionLog | undefined;
}

export interface OffsetsPartitionDeps {
  topicId: string;
  partition: number;
  config: GroupConfig;
  /** offsets.topic.segment.bytes */
  segmentBytes: number;
  logs: OffsetsLogAccess;
  topics: TopicLookup;
  log: Logger;
  now: () => number;
}

const LOAD_CHUNK_BYTES = 4 << 20;
/** Records per batch when rewriting (keeps each batch well under message.max.bytes). */
const REWRITE_BATCH_RECORDS = 500;

export class OffsetsPartition {
  readonly groups = new Map<string, AnyGroup>();
  readonly offsets: OffsetStore;
  readonly timers = new TimerTable();
  readonly env: GroupEnv;
  /** The last non-tombstone group record written per group: what compaction rewrites. */
  private readonly groupRecords = new Map<string, GroupRecord>();
  private pendingWrites = 0;
  /** TxnOffsetCommit writes in flight per producer, and the markers waiting for them (commit flags, in order). */
  private readonly txnWrites = new Map<bigint, { writes: number; markers: boolean[] }>();
  private readonly sequences = new TxnSequences();
  private compacting = false;
  private unloaded = false;
  /** Bytes of the live records at the last load or rewrite. */
  private liveBytes = 0;
  ready: Promise<void> = Promise.resolve();

  constructor(private readonly d: OffsetsPartitionDeps) {
    this.offsets = new OffsetStore(d.config);
    this.env = {
      now: d.now,
      timers: this.timers,
      config: d.config,
      topics: d.topics,
      log: d.log,
      persist: (records) => this.persist(records),
    };
  }

  /** True while a write is in flight (offset expiry waits: it must not tombstone under a commit being written). */
  get writing(): boolean {
    return this.pendingWrites > 0;
  }

  get partition(): number {
    return this.d.partition;
  }

  /** Replays the log into offsets and groups; called once, right after the partition is opened. */
  load(): Promise<void> {
    this.ready = this.replay();
    return this.ready;
  }

  private async replay(): Promise<void> {
    const started = this.d.now();
    const { topicId, partition } = this.d;
    const earliest = await this.d.logs.earliest(topicId, partition);
    if (earliest.errorCode !== ErrorCode.NONE) {
      throw new Error(`listing ${OFFSETS_TOPIC}-${partition}: ${earliest.errorCode}`);
    }
    let offset = earliest.offset;
    let count = 0;
    let skipped = 0;
    const lastGroupValue = new Map<string, GroupRecord>();
    for (;;) {
      const read = await this.d.logs.read(topicId, partition, offset, LOAD_CHUNK_BYTES);
      if (read.errorCode !== ErrorCode.NONE) {
        throw new Error(`reading ${OFFSETS_TOPIC}-${partition}: ${read.errorCode}`);
      }
      const bytes = read.records;
      if (!bytes || bytes.byteLength === 0) break;
      const next = nextOffsetAfter(bytes);
      if (next === null || next <= offset) break;
      const decoded = decodeGroupLog(bytes);
      skipped += decoded.skipped;
      for (const entry of decoded.entries) {
        if (entry.type === "txnBatch") {
          const { producerId, producerEpoch } = entry.txn;
          this.sequences.replayed(producerId, producerEpoch, entry.nextSequence, entry.offset);
          continue;
        }
        count++;
        if (entry.type === "marker") this.offsets.endTxn(entry.producerId, entry.commit);
        else if (entry.record.kind === "offset") this.offsets.apply(entry.record, entry.offset, entry.txn);
        else lastGroupValue.set(entry.record.groupId, entry.record);
      }
      offset = next;
      if (offset >= read.highWatermark) break;
    }
    for (const [groupId, record] of lastGroupValue) {
      if (record.value === null) continue;
      this.groupRecords.set(groupId, record);
      if (record.kind === "classic") this.groups.set(groupId, ClassicGroup.fromRecord(groupId, record.value, this.env));
      else if (record.kind === "consumer") {
        this.groups.set(groupId, ConsumerGroup.fromRecord(groupId, record.value, this.env));
      }
    }
    // Groups known only by their offsets (commits from outside group management, committed or still pending in a
    // transaction) are empty classic groups, as Kafka's replay makes them.
    for (const groupId of [...this.offsets.groupIds(), ...this.offsets.pending.groupIds()]) {
      if (!this.groups.has(groupId)) this.groups.set(groupId, new ClassicGroup(groupId, this.env));
    }
    this.liveBytes = this.liveRecords().reduce((sum, r) => sum + groupRecordBytes(r), 0) +
      this.offsets.pending.entries().reduce((sum, p) => sum + groupRecordBytes({ kind: "offset", ...p }), 0);
    if (count > 0 || skipped > 0) {
      this.d.log.info(
        `Loaded ${OFFSETS_TOPIC}-${partition}: ${count} records, ${this.groups.size} groups` +
          `${skipped > 0 ? `, ${skipped} records skipped` : ""} in ${this.d.now() - started} ms`,
      );
    }
  }

  /**
   * Appends `records` as one batch; offset records are applied to the store once written. `txn`: the
   * batch is that producer's transactional batch (TxnOffsetCommit), its offsets pending until its marker.
   */
  async persist(records: GroupRecord[], txn?: TxnProducer): Promise<number> {
    if (records.length === 0) return ErrorCode.NONE;
    if (this.unloaded) return ErrorCode.NOT_COORDINATOR;
    this.pendingWrites++;
    const inFlight = txn ? this.txnWriteStarted(txn.producerId) : null;
    let sequence: SequenceToken | undefined;
    try {
      sequence = txn ? this.sequences.reserve(txn, records.length) : undefined;
      const batch = encodeGroupRecordsBatch(records, this.d.now(), txn, sequence?.baseSequence);
      const outcome = await this.d.logs.append(
        this.d.topicId,
        this.d.partition,
        batch,
        txn ? { transactional: true } : undefined,
      );
      if (sequence && outcome.errorCode === ErrorCode.NONE) {
        this.sequences.written(sequence, outcome.baseOffset);
        sequence = undefined;
      }
      const code = txn
        ? txnCoordinatorError(outcome.errorCode)
        : coordinatorError(outcome.errorCode, records.some((r) => r.kind === "offset"));
      if (code !== ErrorCode.NONE) {
        this.d.log.warn(
          `writing ${records.length} group records to ${OFFSETS_TOPIC}-${this.d.partition} failed: ${outcome.errorCode} ${
            outcome.errorMessage ?? ""
          }`,
        );
        return code;
      }
      records.forEach((record, i) => {
        if (record.kind === "offset") this.offsets.apply(record, outcome.baseOffset + BigInt(i), txn ?? null);
        else if (record.value === null) this.groupRecords.delete(record.groupId);
        else this.groupRecords.set(record.groupId, record);
      });
      return ErrorCode.NONE;
    } finally {
      if (sequence) this.sequences.failed(sequence);
      if (txn && inFlight) this.txnWriteEnded(txn.producerId, inFlight);
      this.pendingWrites--;
      if (this.pendingWrites === 0) this.maybeCompact();
    }
  }

  /**
   * The producer's COMMIT (commit true) or ABORT marker was written to this partition: its pending offsets
   * become committed or are dropped. Must be called as soon as the marker is in the log (before anything
   * else is appended here): a compaction meanwhile would rewrite the ended transaction's offsets as open.
   */
  onTxnMarker(producerId: bigint, commit: boolean): void {
    if (this.unloaded) return;
    const writing = this.txnWrites.get(producerId);
    if (writing) {
      writing.markers.push(commit);
      return;
    }
    this.offsets.endTxn(producerId, commit);
  }

  private txnWriteStarted(producerId: bigint): { writes: number; markers: boolean[] } {
    let entry = this.txnWrites.get(producerId);
    if (!entry) this.txnWrites.set(producerId, entry = { writes: 0, markers: [] });
    entry.writes++;
    return entry;
  }

  /** The producer's last write in flight is done: markers that came meanwhile apply now, in order. */
  private txnWriteEnded(producerId: bigint, entry: { writes: number; markers: boolean[] }): void {
    if (--entry.writes > 0) return;
    this.txnWrites.delete(producerId);
    for (const commit of entry.markers) this.offsets.endTxn(producerId, commit);
  }

  /** Has a group record (classic or consumer metadata) of `groupId` been written and not deleted? */
  hasGroupRecord(groupId: string): boolean {
    return this.groupRecords.has(groupId);
  }

  /** The live state as records: every committed offset and each group's last written record. */
  liveRecords(): GroupRecord[] {
    return [...this.offsets.liveRecords(), ...this.groupRecords.values()];
  }

  /**
   * What compaction writes, as batches: each group's last record, then every offset record, committed and
   * pending, in log order; a run of consecutive records of one kind (plain, or one producer's pending
   * ones) shares a batch of up to REWRITE_BATCH_RECORDS.
   */
  private rewriteBatches(): Array<{ records: GroupRecord[]; txn: TxnProducer | null }> {
    const batches: Array<{ records: GroupRecord[]; txn: TxnProducer | null }> = [];
    const groups = [...this.groupRecords.values()];
    for (let i = 0; i < groups.length; i += REWRITE_BATCH_RECORDS) {
      batches.push({ records: groups.slice(i, i + REWRITE_BATCH_RECORDS), txn: null });
    }
    let current: { records: GroupRecord[]; txn: TxnProducer | null } | null = null;
    for (const { record, txn } of this.offsets.liveEntries()) {
      const same = current !== null && current.records.length < REWRITE_BATCH_RECORDS &&
        current.txn?.producerId === txn?.producerId;
      if (!same) batches.push(current = { records: [], txn });
      current!.records.push(record);
    }
    return batches;
  }

  private maybeCompact(): void {
    if (this.compacting || this.unloaded || this.txnWrites.size > 0) return;
    const log = this.d.logs.log(this.d.topicId, this.d.partition);
    if (!log) return;
    if (log.sizeInBytes <= Math.max(this.d.segmentBytes, 2 * this.liveBytes)) return;
    this.compacting = true;
    this.compact(log).catch((e) =>
      this.d.log.error(`compacting ${OFFSETS_TOPIC}-${this.d.partition} failed: ${e instanceof Error ? e.stack : e}`)
    )
      .finally(() => this.compacting = false);
  }

  private async compact(log: PartitionLog): Promise<void> {
    const before = log.sizeInBytes;
    log.rollIfNotEmpty();
    const start = log.logEndOffset;
    const batches = this.rewriteBatches();
    const now = this.d.now();
    // Every append is started before the first is awaited: they reach the log back to back, in this order.
    const sequences = batches.map(({ records, txn }) => txn ? this.sequences.reserve(txn, records.length) : undefined);
    const appends = batches.map(({ records, txn }, i) =>
      this.d.logs.append(
        this.d.topicId,
        this.d.partition,
        encodeGroupRecordsBatch(records, now, txn ?? undefined, sequences[i]?.baseSequence),
        txn ? { transactional: true } : undefined,
      )
    );
    const outcomes = await Promise.all(appends);
    outcomes.forEach((outcome, i) => {
      const sequence = sequences[i];
      if (!sequence) return;
      if (outcome.errorCode === ErrorCode.NONE) this.sequences.written(sequence, outcome.baseOffset);
      else this.sequences.failed(sequence);
    });
    for (const outcome of outcomes) {
      if (outcome.errorCode !== ErrorCode.NONE) throw new Error(`rewrite append failed: ${outcome.errorCode}`);
    }
    const live = batches.reduce((n, b) => n + b.records.length, 0);
    const bytes = batches.reduce((sum, b) => sum + b.records.reduce((s, r) => s + groupRecordBytes(r), 0), 0);
    const error = await this.d.logs.deleteBefore(this.d.topicId, this.d.partition, start);
    if (error !== ErrorCode.NONE) throw new Error(`moving the log start to ${start} failed: ${error}`);
    // The partition's producer state forgot the producers wholly below the new start; so does this.
    this.sequences.forgetBelow(start, (producerId) => this.offsets.pending.isOpen(producerId));
    this.liveBytes = bytes;
    this.d.log.info(
      `Compacted ${OFFSETS_TOPIC}-${this.d.partition}: ${before} → ${log.sizeInBytes} bytes, ${live} live records`,
    );
  }

  /** Stops every group (waiting requests get NOT_COORDINATOR) and its timers. */
  unload(): void {
    this.unloaded = true;
    for (const group of this.groups.values()) group.shutdown();
    this.groups.clear();
    this.timers.clearAll();
  }
}

/** The offset after the last whole batch in `bytes`, or null if there is none. */
function nextOffsetAfter(bytes: Uint8Array): bigint | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  let next: bigint | null = null;
  while (pos + 27 <= bytes.byteLength) {
    const size = 12 + view.getInt32(pos + 8);
    if (pos + size > bytes.byteLength) break;
    next = view.getBigInt64(pos) + BigInt(view.getInt32(pos + 23)) + 1n;
    pos += size;
  }
  return next;
}

/** Kafka's mapping of append errors to what a group client is told. */
function coordinatorError(code: number, offsetCommit: boolean): number {
  switch (code) {
    case ErrorCode.NONE:
      return ErrorCode.NONE;
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case ErrorCode.REQUEST_TIMED_OUT:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
      return ErrorCode.NOT_COORDINATOR;
    case ErrorCode.MESSAGE_TOO_LARGE:
    case ErrorCode.RECORD_LIST_TOO_LARGE:
    case ErrorCode.INVALID_FETCH_SIZE:
      return offsetCommit ? ErrorCode.INVALID_COMMIT_OFFSET_SIZE : ErrorCode.UNKNOWN_SERVER_ERROR;
    default:
      return ErrorCode.UNKNOWN_SERVER_ERROR;
  }
}

/**
 * Kafka's mapping for a transactional write (CoordinatorOperationExceptionHelper): the storage errors as
 * above (too large is UNKNOWN_SERVER_ERROR), and the log's transactional answers (INVALID_PRODUCER_EPOCH,
 * INVALID_TXN_STATE…) passed on as they are.
 */
function txnCoordinatorError(code: number): number {
  switch (code) {
    case ErrorCode.MESSAGE_TOO_LARGE:
    case ErrorCode.RECORD_LIST_TOO_LARGE:
    case ErrorCode.INVALID_FETCH_SIZE:
      return ErrorCode.UNKNOWN_SERVER_ERROR;
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case ErrorCode.REQUEST_TIMED_OUT:
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
      return coordinatorError(code, true);
    default:
      return code;
  }
}
