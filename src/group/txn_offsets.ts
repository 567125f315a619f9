/**
 * Transactional offset commits (TxnOffsetCommit, KIP-98/KIP-447) as Kafka's group coordinator keeps them
 * (OffsetMetadataManager's pendingTransactionalOffsets and openTransactionsByGroup): the offsets a
 * transactional producer committed stay pending, per producer id, until the producer's transaction ends.
 * A COMMIT marker on the group's __consumer_offsets partition makes them the committed offsets, an ABORT
 * drops them. Nothing pending is visible to OffsetFetch; with require_stable a partition with a pending
 * offset answers UNSTABLE_OFFSET_COMMIT instead.
 *
 * Order: every offset, committed or pending, remembers the log offset of its record. A committed
 * transaction's offset replaces the committed one only when its record is the later one in the log, so a
 * plain OffsetCommit written after a TxnOffsetCommit (and before its marker) wins, as in Kafka, and the
 * outcome after a replay or a compaction (which keeps the records' order) is the same as before it.
 *
 * A tombstone (OffsetDelete, DeleteGroups, expiry) removes the partition's pending offsets of every open
 * transaction of the group, as Kafka's replay does: a later COMMIT then brings nothing back for it.
 */
import { ErrorCode } from "../protocol/errors.ts";
import { ClassicGroup } from "./classic_group.ts";
import type { AnyGroup } from "./offsets_partition.ts";
import type { TxnProducer } from "./offset_records.ts";
import type { OffsetCommitValue } from "./types.ts";

/** One offset as the coordinator holds it: its value and the log offset of the record that carried it. */
export interface StoredOffset {
  value: OffsetCommitValue;
  recordOffset: bigint;
}

/** A pending offset with its key, for commits, deletions and compaction. */
export interface PendingOffset extends StoredOffset {
  groupId: string;
  topic: string;
  partition: number;
}

type ByPartition = Map<number, StoredOffset>;
type ByTopic = Map<string, ByPartition>;

/** The offsets one producer's open transaction committed, by group, topic and partition. */
interface OpenTxn {
  /** The producer epoch of its last TxnOffsetCommit (a compaction rewrites the records with it). */
  producerEpoch: number;
  groups: Map<string, ByTopic>;
}

export class PendingTxnOffsets {
  private readonly byProducer = new Map<bigint, OpenTxn>();
  /** Producer ids with an open transaction per group (Kafka's openTransactionsByGroup). */
  private readonly openByGroup = new Map<string, Set<bigint>>();

  /** A transactional offset commit record (written or replayed): pending until its producer's marker. */
  add(txn: TxnProducer, groupId: string, topic: string, partition: number, stored: StoredOffset): void {
    let open = this.byProducer.get(txn.producerId);
    if (!open) this.byProducer.set(txn.producerId, open = { producerEpoch: txn.producerEpoch, groups: new Map() });
    open.producerEpoch = txn.producerEpoch;
    let topics = open.groups.get(groupId);
    if (!topics) open.groups.set(groupId, topics = new Map());
    let partitions = topics.get(topic);
    if (!partitions) topics.set(topic, partitions = new Map());
    partitions.set(partition, stored);
    let producers = this.openByGroup.get(groupId);
    if (!producers) this.openByGroup.set(groupId, producers = new Set());
    producers.add(txn.producerId);
  }

  /**
   * A tombstone of the partition's offset: no open transaction of the group keeps a pending offset for
   * it. The transactions stay open (the group keeps them until their markers), as in Kafka.
   */
  removePartition(groupId: string, topic: string, partition: number): void {
    for (const producerId of this.openByGroup.get(groupId) ?? []) {
      const topics = this.byProducer.get(producerId)?.groups.get(groupId);
      const partitions = topics?.get(topic);
      if (!topics || !partitions) continue;
      partitions.delete(partition);
      if (partitions.size === 0) topics.delete(topic);
    }
  }

  /** The producer's transaction ended: its pending offsets, removed (null when it had none here). */
  end(producerId: bigint): PendingOffset[] | null {
    const open = this.byProducer.get(producerId);
    if (!open) return null;
    this.byProducer.delete(producerId);
    const ended: PendingOffset[] = [];
    for (const [groupId, topics] of open.groups) {
      const producers = this.openByGroup.get(groupId);
      producers?.delete(producerId);
      if (producers?.size === 0) this.openByGroup.delete(groupId);
      for (const [topic, partitions] of topics) {
        for (const [partition, stored] of partitions) ended.push({ groupId, topic, partition, ...stored });
      }
    }
    return ended;
  }

  /** Kafka's hasPendingTransactionalOffsets: some open transaction has an offset for the partition. */
  has(groupId: string, topic: string, partition: number): boolean {
    for (const producerId of this.openByGroup.get(groupId) ?? []) {
      if (this.byProducer.get(producerId)?.groups.get(groupId)?.get(topic)?.has(partition)) return true;
    }
    return false;
  }

  /** The group has an open transaction here (even one whose offsets were all deleted since). */
  hasOpenTransactions(groupId: string): boolean {
    return this.openByGroup.has(groupId);
  }

  /** The partitions with a pending offset in the group, each once, sorted by topic and partition. */
  partitionsOf(groupId: string): Array<{ topic: string; partition: number }> {
    const seen = new Map<string, Set<number>>();
    for (const producerId of this.openByGroup.get(groupId) ?? []) {
      for (const [topic, partitions] of this.byProducer.get(producerId)?.groups.get(groupId) ?? []) {
        let set = seen.get(topic);
        if (!set) seen.set(topic, set = new Set());
        for (const p of partitions.keys()) set.add(p);
      }
    }
    return [...seen.keys()].sort().flatMap((topic) =>
      [...seen.get(topic)!].sort((a, b) => a - b).map((partition) => ({ topic, partition }))
    );
  }

  /** Groups with an open transaction. */
  groupIds(): string[] {
    return [...this.openByGroup.keys()];
  }

  /** Every pending offset with its producer, for compaction (which rewrites them in their log order). */
  entries(): Array<PendingOffset & { txn: TxnProducer }> {
    const out: Array<PendingOffset & { txn: TxnProducer }> = [];
    for (const [producerId, open] of this.byProducer) {
      const txn = { producerId, producerEpoch: open.producerEpoch };
      for (const [groupId, topics] of open.groups) {
        for (const [topic, partitions] of topics) {
          for (const [partition, stored] of partitions) out.push({ groupId, topic, partition, ...stored, txn });
        }
      }
    }
    return out;
  }

  get size(): number {
    return this.byProducer.size;
  }
}

/**
 * Kafka's group.validateOffsetCommit with isTransactional set, on top of this broker's non-transactional
 * checks: a classic group takes a TxnOffsetCommit without member fields whatever its state (older
 * TxnOffsetCommit versions have none) and during CompletingRebalance too; a consumer (KIP-848) group does
 * not ask for OffsetCommit v9 semantics, and a stale member epoch is ILLEGAL_GENERATION (Kafka's
 * validateTransactionalOffsetCommit maps STALE_MEMBER_EPOCH so).
 */
export function validateTxnOffsetCommit(
  group: AnyGroup,
  memberId: string,
  groupInstanceId: string | null,
  generationId: number,
): number {
  if (group instanceof ClassicGroup) {
    const code = group.validateOffsetCommit(memberId, groupInstanceId, generationId, 0);
    const noMemberFields = generationId < 0 && memberId === "" && groupInstanceId === null;
    // The classic checks answer these two only for what a transactional commit is exempt from.
    if (code === ErrorCode.UNKNOWN_MEMBER_ID && noMemberFields) return ErrorCode.NONE;
    if (code === ErrorCode.REBALANCE_IN_PROGRESS) return ErrorCode.NONE;
    return code;
  }
  const code = group.validateOffsetCommit(memberId, groupInstanceId, generationId, 9);
  return code === ErrorCode.STALE_MEMBER_EPOCH ? ErrorCode.ILLEGAL_GENERATION : code;
}
