/**
 * One partition of __consumer_offsets as its coordinator holds it: the
 * groups placed there, their committed offsets, and the log they are
 * written to. Loading replays the log from its start; every write goes
 * through `persist`, which appends one batch (acks=all, so durable mode's
 * fsync applies) and applies offset records to the store once written.
 *
 * Compaction: the coordinator knows the latest record of every key (the
 * offsets in the store, the last group record written per group), so it
 * compacts by rewriting exactly those into a fresh segment and moving the
 * log start past everything older; older segments are then deleted whole.
 * Replaying the result gives the same state, and a crash half-way leaves old
 * records followed by a partial rewrite of the same values: still the same
 * state. It runs when the log outgrows offsets.topic.segment.bytes and twice
 * the live records, and only while no write is in flight, so no record
 * appended but not yet applied can be dropped.
 */
import { ErrorCode } from "../protocol/errors.ts";
import type { Logger } from "../util/logger.ts";
import { ClassicGroup } from "./classic_group.ts";
import { ConsumerGroup } from "./consumer_group.ts";
import { TimerTable } from "./group_timers.ts";
import { OFFSETS_TOPIC } from "./offsets_topic.ts";
import { decodeGroupRecords, encodeGroupRecordsBatch, groupRecordBytes } from "./offset_records.ts";
import { OffsetStore } from "./offset_store.ts";
import type { GroupConfig, GroupEnv, GroupRecord, TopicLookup } from "./types.ts";
import type { PartitionLog } from "../log/partition_log.ts";
import type { OffsetAnswer, ProduceOutcome, ReadOutcome } from "../server/partition_ops.ts";

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
      const decoded = decodeGroupRecords(bytes);
      skipped += decoded.skipped;
      for (const record of decoded.records) {
        count++;
        if (record.kind === "offset") this.offsets.apply(record);
        else lastGroupValue.set(record.groupId, record);
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
    // Groups known only by their offsets (commits from outside group management) are empty classic groups.
    for (const groupId of this.offsets.groupIds()) {
      if (!this.groups.has(groupId)) this.groups.set(groupId, new ClassicGroup(groupId, this.env));
    }
    this.liveBytes = this.liveRecords().reduce((sum, r) => sum + groupRecordBytes(r), 0);
    if (count > 0 || skipped > 0) {
      this.d.log.info(
        `Loaded ${OFFSETS_TOPIC}-${partition}: ${count} records, ${this.groups.size} groups` +
          `${skipped > 0 ? `, ${skipped} records skipped` : ""} in ${this.d.now() - started} ms`,
      );
    }
  }

  /** Appends `records` as one batch; offset records are applied to the store once written. */
  async persist(records: GroupRecord[]): Promise<number> {
    if (records.length === 0) return ErrorCode.NONE;
    if (this.unloaded) return ErrorCode.NOT_COORDINATOR;
    this.pendingWrites++;
    try {
      const batch = encodeGroupRecordsBatch(records, this.d.now());
      const outcome = await this.d.logs.append(this.d.topicId, this.d.partition, batch);
      const code = coordinatorError(outcome.errorCode, records.some((r) => r.kind === "offset"));
      if (code !== ErrorCode.NONE) {
        this.d.log.warn(
          `writing ${records.length} group records to ${OFFSETS_TOPIC}-${this.d.partition} failed: ${outcome.errorCode} ${
            outcome.errorMessage ?? ""
          }`,
        );
        return code;
      }
      for (const record of records) {
        if (record.kind === "offset") this.offsets.apply(record);
        else if (record.value === null) this.groupRecords.delete(record.groupId);
        else this.groupRecords.set(record.groupId, record);
      }
      return ErrorCode.NONE;
    } finally {
      this.pendingWrites--;
      if (this.pendingWrites === 0) this.maybeCompact();
    }
  }

  /** Has a group record (classic or consumer metadata) of `groupId` been written and not deleted? */
  hasGroupRecord(groupId: string): boolean {
    return this.groupRecords.has(groupId);
  }

  /** The live state as records: every committed offset and each group's last written record. */
  liveRecords(): GroupRecord[] {
    return [...this.offsets.liveRecords(), ...this.groupRecords.values()];
  }

  private maybeCompact(): void {
    if (this.compacting || this.unloaded) return;
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
    const live = this.liveRecords();
    let bytes = 0;
    for (let i = 0; i < live.length; i += REWRITE_BATCH_RECORDS) {
      const chunk = live.slice(i, i + REWRITE_BATCH_RECORDS);
      const outcome = await this.d.logs.append(
        this.d.topicId,
        this.d.partition,
        encodeGroupRecordsBatch(chunk, this.d.now()),
      );
      if (outcome.errorCode !== ErrorCode.NONE) throw new Error(`rewrite append failed: ${outcome.errorCode}`);
      bytes += chunk.reduce((sum, r) => sum + groupRecordBytes(r), 0);
    }
    const error = await this.d.logs.deleteBefore(this.d.topicId, this.d.partition, start);
    if (error !== ErrorCode.NONE) throw new Error(`moving the log start to ${start} failed: ${error}`);
    this.liveBytes = bytes;
    this.d.log.info(
      `Compacted ${OFFSETS_TOPIC}-${this.d.partition}: ${before} → ${log.sizeInBytes} bytes, ${live.length} live records`,
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
