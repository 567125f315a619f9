/**
 * One idempotent producer's state on one partition, as Kafka 3.9's
 * ProducerStateEntry keeps it: the producer epoch, the metadata of its last
 * five appended batches (enough to recognise any retry of the at most five
 * in-flight requests a producer may have per partition), its last timestamp
 * and, for transactions later, the coordinator epoch and the first offset of
 * its open transaction. Also Kafka's int32 sequence arithmetic, which wraps
 * from Int32 max to 0.
 */
import { NO_PRODUCER_EPOCH, NO_SEQUENCE } from "./record_batch.ts";

/** Kafka keeps this many batches per producer (the client's max in-flight requests with idempotence). */
export const NUM_BATCHES_TO_RETAIN = 5;
export const INT32_MAX = 0x7fffffff;

/** Kafka's DefaultRecordBatch.incrementSequence: sequences wrap from Int32 max to 0. */
export function incrementSequence(sequence: number, increment: number): number {
  return sequence > INT32_MAX - increment ? increment - (INT32_MAX - sequence) - 1 : sequence + increment;
}

/** Kafka's DefaultRecordBatch.decrementSequence. */
export function decrementSequence(sequence: number, decrement: number): number {
  return sequence < decrement ? INT32_MAX - (decrement - sequence) + 1 : sequence - decrement;
}

/** Kafka's ProducerAppendInfo.inSequence: `next` directly follows `last`, wrapping at Int32 max. */
export function inSequence(last: number, next: number): boolean {
  return next === last + 1 || (next === 0 && last === INT32_MAX);
}

/** The last sequence number of a batch: baseSequence + lastOffsetDelta, wrapping (-1 without a sequence). */
export function batchLastSequence(baseSequence: number, lastOffsetDelta: number): number {
  return baseSequence === NO_SEQUENCE ? NO_SEQUENCE : incrementSequence(baseSequence, lastOffsetDelta);
}

/** What is remembered of one appended batch (Kafka's BatchMetadata). */
export interface BatchMetadata {
  firstSeq: number;
  lastSeq: number;
  firstOffset: bigint;
  /** lastOffset - firstOffset; equals lastSeq - firstSeq for a client's batch. */
  lastOffsetDelta: number;
  /** The batch's max timestamp. */
  timestamp: bigint;
}

export const lastOffsetOf = (b: BatchMetadata): bigint => b.firstOffset + BigInt(b.lastOffsetDelta);

export class ProducerEntry {
  /** Oldest first; at most NUM_BATCHES_TO_RETAIN. */
  batches: BatchMetadata[] = [];

  constructor(
    readonly producerId: bigint,
    public epoch: number = NO_PRODUCER_EPOCH,
    public coordinatorEpoch = -1,
    public lastTimestamp = -1n,
    /** First offset of the producer's open transaction, -1n when none (transactions come later). */
    public currentTxnFirstOffset = -1n,
  ) {}

  get isEmpty(): boolean {
    return this.batches.length === 0;
  }
  get lastSeq(): number {
    return this.isEmpty ? NO_SEQUENCE : this.batches[this.batches.length - 1].lastSeq;
  }
  /** Offset of the producer's last record here, -1n when no batch is known. */
  get lastDataOffset(): bigint {
    return this.isEmpty ? -1n : lastOffsetOf(this.batches[this.batches.length - 1]);
  }

  clone(): ProducerEntry {
    const copy = new ProducerEntry(
      this.producerId,
      this.epoch,
      this.coordinatorEpoch,
      this.lastTimestamp,
      this.currentTxnFirstOffset,
    );
    copy.batches = this.batches.slice();
    return copy;
  }

  /** A new epoch forgets the old epoch's batches (their sequences no longer apply). */
  maybeUpdateEpoch(epoch: number): void {
    if (this.epoch !== epoch) {
      this.batches = [];
      this.epoch = epoch;
    }
  }

  addBatch(epoch: number, batch: BatchMetadata): void {
    this.maybeUpdateEpoch(epoch);
    if (this.batches.length === NUM_BATCHES_TO_RETAIN) this.batches.shift();
    this.batches.push(batch);
    this.lastTimestamp = batch.timestamp;
  }

  /** The retained batch with exactly this epoch and sequence range: a retry of something already appended. */
  findDuplicate(epoch: number, firstSeq: number, lastSeq: number): BatchMetadata | undefined {
    if (epoch !== this.epoch) return undefined;
    return this.batches.find((b) => b.firstSeq === firstSeq && b.lastSeq === lastSeq);
  }
}
