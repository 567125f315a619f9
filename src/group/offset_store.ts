/**
 * The committed offsets of every group one coordinator holds, in memory, as
 * Kafka 3.9's OffsetMetadataManager keeps them: fed by replaying
 * `__consumer_offsets` at start-up and by `apply` after each successful
 * persist. Operations that change offsets (commit, delete, expiry) only
 * *prepare* records; the coordinator persists them and then applies them,
 * so memory never runs ahead of the log.
 *
 * Transactional offsets (TxnOffsetCommit) stay pending per producer until
 * the producer's transaction ends (txn_offsets.ts): they are invisible to
 * OffsetFetch (UNSTABLE_OFFSET_COMMIT with require_stable), hold back expiry
 * of their partition and their group's removal, and are deleted with the
 * partition's or group's offsets.
 */
import { ErrorCode } from "../protocol/errors.ts";
import type {
  CommitOffsetsArgs,
  CommitOffsetsResult,
  DeleteOffsetsArgs,
  DeleteOffsetsResult,
  FetchOffsetsArgs,
  FetchOffsetsResult,
} from "./group_ops.ts";
import type { GroupConfig, GroupRecord, OffsetCommitValue } from "./types.ts";
import type { TxnProducer } from "./offset_records.ts";
import { PendingTxnOffsets, type StoredOffset } from "./txn_offsets.ts";

export type OffsetRecord = Extract<GroupRecord, { kind: "offset" }>;

/**
 * What offset expiry needs to know of the group that owns some offsets.
 * Kafka's rules (Group.offsetExpirationCondition, isSubscribedToTopic, and
 * OffsetMetadataManager.cleanupExpiredOffsets; the same as 2.x's
 * GroupMetadata.removeExpiredOffsets) are applied by `expiredRecords`; the
 * fields below say how to fill them so that they match.
 */
export interface ExpiryGroupInfo {
  /**
   * False when the coordinator has offsets but no group for them (commits
   * from outside group management): Kafka's group without a protocol type,
   * whose offsets age from their commit time.
   */
  exists: boolean;
  /** The group has no members. */
  empty: boolean;
  /**
   * The base of retention while the group is empty: a classic group's
   * currentStateTimestamp (when it became Empty). Give -1 for a KIP-848
   * group and for a classic group without a protocol type: Kafka ages their
   * offsets from the commit time instead, and so does a classic group whose
   * record had no timestamp (GroupMetadataValue v0/v1).
   */
  stateTimestampMs: number;
  /**
   * The members follow the consumer protocol: a KIP-848 group, or a classic
   * group of protocol type "consumer". A non-empty group that does not (e.g.
   * Kafka Connect's) never loses offsets to expiry.
   */
  usesConsumerProtocol: boolean;
  /**
   * Whether the members subscribe to `topic`: its offsets are kept while
   * they do. Undefined when the group does not know its subscriptions, which
   * keeps every offset of a non-empty group; Kafka's classic group knows
   * them only while Stable (and only when the members' metadata parses).
   */
  isSubscribed: (topic: string) => boolean | undefined;
}

type PartitionOffsets = Map<number, StoredOffset>;
type GroupOffsets = Map<string, PartitionOffsets>;

const tombstone = (groupId: string, topic: string, partition: number): OffsetRecord => ({
  kind: "offset",
  groupId,
  topic,
  partition,
  value: null,
});

const byNumber = (a: number, b: number) => a - b;
const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export class OffsetStore {
  private readonly groups = new Map<string, GroupOffsets>();
  /** Offsets of transactions not ended yet. */
  readonly pending = new PendingTxnOffsets();

  constructor(private readonly config: GroupConfig) {}

  /**
   * Replay (start-up) and after a successful persist: apply one offset record written at log offset
   * `recordOffset` (value null removes the committed offset and the partition's pending ones). `txn`: the
   * record is a transactional producer's, pending until endTxn.
   */
  apply(record: OffsetRecord, recordOffset = -1n, txn: TxnProducer | null = null): void {
    const { groupId, topic, partition, value } = record;
    if (value === null) {
      this.pending.removePartition(groupId, topic, partition);
      this.remove(groupId, topic, partition);
    } else if (txn !== null) {
      this.pending.add(txn, groupId, topic, partition, { value, recordOffset });
    } else {
      this.put(groupId, topic, partition, { value, recordOffset });
    }
  }

  /**
   * A COMMIT or ABORT marker of the producer: its pending offsets are dropped, and on COMMIT each becomes
   * the committed offset unless a record later in the log already set that one (Kafka keeps the most
   * recent record when transactional and plain commits mix). Returns how many were committed.
   */
  endTxn(producerId: bigint, commit: boolean): number {
    const ended = this.pending.end(producerId);
    if (!ended || !commit) return 0;
    let committed = 0;
    for (const { groupId, topic, partition, value, recordOffset } of ended) {
      const existing = this.groups.get(groupId)?.get(topic)?.get(partition);
      if (existing && existing.recordOffset >= recordOffset) continue;
      this.put(groupId, topic, partition, { value, recordOffset });
      committed++;
    }
    return committed;
  }

  private put(groupId: string, topic: string, partition: number, stored: StoredOffset): void {
    let topics = this.groups.get(groupId);
    if (!topics) this.groups.set(groupId, topics = new Map());
    let partitions = topics.get(topic);
    if (!partitions) topics.set(topic, partitions = new Map());
    partitions.set(partition, stored);
  }

  private remove(groupId: string, topic: string, partition: number): void {
    const topics = this.groups.get(groupId);
    const partitions = topics?.get(topic);
    if (!topics || !partitions) return;
    partitions.delete(partition);
    if (partitions.size === 0) topics.delete(topic);
    if (topics.size === 0) this.groups.delete(groupId);
  }

  /**
   * OffsetCommit: the records to persist (one per partition that passes the
   * checks) and per-partition errors in request order. As Kafka: metadata
   * longer than offset.metadata.max.bytes is OFFSET_METADATA_TOO_LARGE
   * (Kafka compares the string's length in UTF-16 units, not bytes); null
   * metadata is stored as ""; commitTimestamp -1 means now; a retention time
   * (v2–v4) sets expireTimestamp = now + retention. Changes nothing: the
   * coordinator applies the records once persisted.
   */
  prepareCommit(args: CommitOffsetsArgs, nowMs: number): { records: GroupRecord[]; result: CommitOffsetsResult } {
    const records: GroupRecord[] = [];
    const now = BigInt(nowMs);
    const expireTimestamp = args.retentionTimeMs === -1 ? -1n : now + BigInt(args.retentionTimeMs);
    const topics = args.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((p) => {
        const metadata = p.metadata ?? "";
        if (metadata.length > this.config.offsetMetadataMaxBytes) {
          return { partition: p.partition, errorCode: ErrorCode.OFFSET_METADATA_TOO_LARGE };
        }
        records.push({
          kind: "offset",
          groupId: args.groupId,
          topic: topic.name,
          partition: p.partition,
          value: {
            offset: p.offset,
            // Kafka keeps any negative epoch as "none", written -1.
            leaderEpoch: p.leaderEpoch < 0 ? -1 : p.leaderEpoch,
            metadata,
            commitTimestamp: p.commitTimestamp === -1n ? now : p.commitTimestamp,
            expireTimestamp,
          },
        });
        return { partition: p.partition, errorCode: ErrorCode.NONE };
      }),
    }));
    return { records, result: { topics } };
  }

  /**
   * OffsetFetch. `topics` null: every committed offset, sorted by topic and
   * partition. A partition without one answers offset -1, leader epoch -1,
   * metadata "" (what Kafka answers; the API file maps it per version).
   * Pending transactional offsets are never shown; with `requireStable` a
   * partition that has one answers UNSTABLE_OFFSET_COMMIT (offset -1), as
   * Kafka does per partition. Asking for all offsets lists only partitions
   * with a committed offset, so a partition whose only offset is pending is
   * not listed at all (Kafka's fetchAllOffsets).
   */
  fetch(groupId: string, topics: FetchOffsetsArgs["topics"], requireStable = false): FetchOffsetsResult["topics"] {
    const group = this.groups.get(groupId);
    const entry = (topic: string, partition: number, stored: StoredOffset | undefined) => {
      const unstable = requireStable && this.pending.has(groupId, topic, partition);
      const v = unstable ? undefined : stored?.value;
      return {
        partition,
        offset: v ? v.offset : -1n,
        leaderEpoch: v ? v.leaderEpoch : -1,
        metadata: v ? v.metadata : "",
        errorCode: unstable ? ErrorCode.UNSTABLE_OFFSET_COMMIT : ErrorCode.NONE,
      };
    };
    if (topics === null) {
      if (!group) return [];
      return [...group.keys()].sort(byString).map((name) => {
        const partitions = group.get(name)!;
        return {
          name,
          partitions: [...partitions.keys()].sort(byNumber).map((p) => entry(name, p, partitions.get(p))),
        };
      });
    }
    return topics.map(({ name, partitions }) => {
      const committed = group?.get(name);
      return { name, partitions: partitions.map((p) => entry(name, p, committed?.get(p))) };
    });
  }

  /**
   * OffsetDelete, as Kafka: a topic the group subscribes to answers
   * GROUP_SUBSCRIBED_TO_TOPIC for each of its partitions; otherwise every
   * requested partition answers NONE, and those with an offset, committed
   * or pending, get a tombstone.
   */
  prepareDelete(
    groupId: string,
    topics: DeleteOffsetsArgs["topics"],
    isSubscribed: (topic: string) => boolean,
  ): { records: GroupRecord[]; result: DeleteOffsetsResult["topics"] } {
    const records: GroupRecord[] = [];
    const group = this.groups.get(groupId);
    const result = topics.map(({ name, partitions }) => {
      if (isSubscribed(name)) {
        return {
          name,
          partitions: partitions.map((partition) => ({ partition, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC })),
        };
      }
      const committed = group?.get(name);
      return {
        name,
        partitions: partitions.map((partition) => {
          if (committed?.has(partition) || this.pending.has(groupId, name, partition)) {
            records.push(tombstone(groupId, name, partition));
          }
          return { partition, errorCode: ErrorCode.NONE };
        }),
      };
    });
    return { records, result };
  }

  /**
   * Tombstones for every offset of a group (DeleteGroups), and, as Kafka, one for each partition with only
   * a pending offset, so that a later COMMIT of that transaction brings nothing back.
   */
  deleteGroupRecords(groupId: string): GroupRecord[] {
    const records = this.liveRecords(groupId).map((r) => tombstone(r.groupId, r.topic, r.partition));
    const committed = this.groups.get(groupId);
    for (const { topic, partition } of this.pending.partitionsOf(groupId)) {
      if (!committed?.get(topic)?.has(partition)) records.push(tombstone(groupId, topic, partition));
    }
    return records;
  }

  /**
   * Tombstones for the offsets due to expire at `nowMs`, by Kafka's rules
   * (KIP-211; OffsetMetadataManager.cleanupExpiredOffsets): an offset
   * expires when its explicit expireTimestamp (commits v2–v4 with a
   * retention time) is reached, otherwise when offsets.retention has passed
   * since a base time, and only where the group gives a base:
   * - no group (commits only), or a classic group without a protocol type:
   *   every offset, from its commit time;
   * - an empty group: every offset, from `stateTimestampMs` (when the group
   *   became Empty), or from the commit time when that is -1 (KIP-848 groups);
   * - a non-empty group using the consumer protocol: offsets of topics it
   *   does not subscribe to, from their commit time;
   * - any other group (non-empty and not the consumer protocol, or whose
   *   subscriptions are unknown): none.
   * `groupInfo` is asked once per group holding offsets. A partition with a
   * pending transactional offset keeps its committed one.
   */
  expiredRecords(nowMs: number, groupInfo: (groupId: string) => ExpiryGroupInfo): GroupRecord[] {
    const records: GroupRecord[] = [];
    const now = BigInt(nowMs);
    const retention = BigInt(this.config.offsetsRetentionMs);
    for (const [groupId, topics] of this.groups) {
      const info = groupInfo(groupId);
      // undefined: this group gives no retention base (its offsets stay).
      let base: ((v: OffsetCommitValue) => bigint) | undefined;
      let mayExpire = (_topic: string) => true;
      if (!info.exists) {
        base = (v) => v.commitTimestamp;
      } else if (info.empty) {
        const stateTs = BigInt(info.stateTimestampMs);
        base = info.stateTimestampMs >= 0 ? () => stateTs : (v) => v.commitTimestamp;
      } else if (info.usesConsumerProtocol) {
        base = (v) => v.commitTimestamp;
        mayExpire = (topic) => info.isSubscribed(topic) === false;
      }
      if (!base) continue;
      for (const [topic, partitions] of topics) {
        if (!mayExpire(topic)) continue;
        for (const [partition, { value: v }] of partitions) {
          const expired = v.expireTimestamp !== -1n ? now >= v.expireTimestamp : now - base(v) >= retention;
          // Kafka keeps an offset while a transaction has a pending one for the partition.
          if (expired && !this.pending.has(groupId, topic, partition)) {
            records.push(tombstone(groupId, topic, partition));
          }
        }
      }
    }
    return records;
  }

  hasOffsets(groupId: string): boolean {
    return this.groups.has(groupId);
  }

  /** Committed offsets, or a transaction still open with offsets of it: what keeps a group from removal. */
  hasOffsetsOrTransactions(groupId: string): boolean {
    return this.groups.has(groupId) || this.pending.hasOpenTransactions(groupId);
  }

  /** Groups holding at least one offset, sorted. */
  groupIds(): string[] {
    return [...this.groups.keys()].sort(byString);
  }

  /**
   * The live offsets as records, sorted by group, topic and partition (for
   * compaction: the coordinator rewrites these, with its groups' own
   * metadata records, and drops older segments).
   */
  liveRecords(groupId?: string): OffsetRecord[] {
    const records: OffsetRecord[] = [];
    const ids = groupId === undefined ? this.groupIds() : this.groups.has(groupId) ? [groupId] : [];
    for (const id of ids) {
      const topics = this.groups.get(id)!;
      for (const topic of [...topics.keys()].sort(byString)) {
        const partitions = topics.get(topic)!;
        for (const partition of [...partitions.keys()].sort(byNumber)) {
          records.push({
            kind: "offset",
            groupId: id,
            topic,
            partition,
            value: { ...partitions.get(partition)!.value },
          });
        }
      }
    }
    return records;
  }

  /**
   * Every offset record compaction must keep, committed and pending, in the order of their records in the
   * log (recordOffset), so that a rewrite keeps which of a partition's commits is the later one.
   */
  liveEntries(): Array<{ record: OffsetRecord; recordOffset: bigint; txn: TxnProducer | null }> {
    const out: Array<{ record: OffsetRecord; recordOffset: bigint; txn: TxnProducer | null }> = [];
    for (const [groupId, topics] of this.groups) {
      for (const [topic, partitions] of topics) {
        for (const [partition, { value, recordOffset }] of partitions) {
          out.push({
            record: { kind: "offset", groupId, topic, partition, value: { ...value } },
            recordOffset,
            txn: null,
          });
        }
      }
    }
    for (const p of this.pending.entries()) {
      const record: OffsetRecord = {
        kind: "offset",
        groupId: p.groupId,
        topic: p.topic,
        partition: p.partition,
        value: { ...p.value },
      };
      out.push({ record, recordOffset: p.recordOffset, txn: p.txn });
    }
    return out.sort((a, b) => (a.recordOffset < b.recordOffset ? -1 : a.recordOffset > b.recordOffset ? 1 : 0));
  }

  /** Topics with committed offsets for a group, sorted (DescribeGroups/OffsetDelete helpers). */
  topicsOf(groupId: string): string[] {
    return [...(this.groups.get(groupId)?.keys() ?? [])].sort(byString);
  }
}
