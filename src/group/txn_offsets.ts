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

  /** The producer has a transaction open here (its marker has not come), even if all its offsets were deleted. */
  isOpen(producerId: bigint): boolean {
    return this.byProducer.has(producerId);
  }
}

/** One producer's sequence numbers on this partition, and where its last batch is (or "in flight"). */
interface SequenceEntry {
  epoch: number;
  next: number;
  lastOffset: bigint | "in flight";
}

/** A reservation, to confirm with the batch's offset or to give back when the append failed. */
export interface SequenceToken {
  producerId: bigint;
  baseSequence: number;
  entry: SequenceEntry;
  previous: SequenceEntry | undefined;
}

const INT32_MAX = 0x7fffffff;

/**
 * Sequence numbers for this coordinator's transactional batches. Kafka's group coordinator writes them
 * without a sequence (-1), and its log skips sequence and duplicate checks for a coordinator's appends;
 * this broker's log applies a client's checks to them (and refuses -1 with a producer id), so the batches
 * carry the sequence each producer's state on this partition expects next: 0 for a new epoch, then one
 * past its last batch. The state mirrors the partition's producer state, which is rebuilt from this same
 * log: replay feeds it the transactional batches, and producers whose last batch falls below a new log
 * start (and whose transaction is closed) are forgotten by both.
 */
export class TxnSequences {
  private readonly byProducer = new Map<bigint, SequenceEntry>();

  /** The base sequence for a batch of `count` records of `txn`, reserved at once (appends run in call order). */
  reserve(txn: TxnProducer, count: number): SequenceToken {
    const previous = this.byProducer.get(txn.producerId);
    // An older epoch (a fenced producer) gets 0 and leaves the state alone: the log refuses its epoch.
    if (previous !== undefined && txn.producerEpoch < previous.epoch) {
      return { producerId: txn.producerId, baseSequence: 0, entry: previous, previous };
    }
    const base = previous !== undefined && previous.epoch === txn.producerEpoch ? previous.next : 0;
    const entry: SequenceEntry = {
      epoch: txn.producerEpoch,
      next: base + count > INT32_MAX ? base + count - INT32_MAX - 1 : base + count,
      lastOffset: "in flight",
    };
    this.byProducer.set(txn.producerId, entry);
    return { producerId: txn.producerId, baseSequence: base, entry, previous };
  }

  /** The reserved batch was appended at `baseOffset`. */
  written(token: SequenceToken, baseOffset: bigint): void {
    if (this.byProducer.get(token.producerId) === token.entry) token.entry.lastOffset = baseOffset;
  }

  /** The reserved batch was not appended: the producer's state did not move, so neither does this. */
  failed(token: SequenceToken): void {
    if (this.byProducer.get(token.producerId) !== token.entry || token.entry === token.previous) return;
    if (token.previous) this.byProducer.set(token.producerId, token.previous);
    else this.byProducer.delete(token.producerId);
  }

  /** Replay: a transactional batch of the producer, ending before sequence `next`, at `offset`. */
  replayed(producerId: bigint, epoch: number, next: number, offset: bigint): void {
    const current = this.byProducer.get(producerId);
    if (current !== undefined && epoch < current.epoch) return;
    this.byProducer.set(producerId, { epoch, next, lastOffset: offset });
  }

  /** The log start moved to `start`: forget producers wholly below it, unless `keep` (an open transaction). */
  forgetBelow(start: bigint, keep: (producerId: bigint) => boolean): void {
    for (const [producerId, entry] of this.byProducer) {
      if (entry.lastOffset !== "in flight" && entry.lastOffset < start && !keep(producerId)) {
        this.byProducer.delete(producerId);
      }
    }
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
