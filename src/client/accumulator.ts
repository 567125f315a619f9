/**
 * The producer's RecordAccumulator (Kafka's model): send() appends each record to the open batch of its
 * partition, opening a new one when the record would push the batch past `batch.size`; the Sender takes
 * batches that are ready — full, older than `linger.ms`, behind another batch of the same partition, or
 * flushed — one per partition per request. A partition whose batch failed retriably is muted until its
 * other in-flight batches are answered, then its failed batches go back to the front in sequence order, so
 * an idempotent producer resends them in the order the broker expects.
 */
import { RECORDS_OFFSET } from "../log/record_batch.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { KafkaClientError } from "./errors.ts";
import { type Bytes, RecordBatchBuilder } from "./batch_encoder.ts";

/** What a send() promise resolves with. */
export interface RecordMetadata {
  /** The record's topic. */
  topic: string;
  /** The partition it went to. */
  partition: number;
  /** The record's offset (-1 with acks=0, where the broker does not answer). */
  offset: bigint;
  /** CreateTime as sent, or the broker's LogAppendTime for such topics. */
  timestamp: number;
}

/** One record's delivery callbacks. */
export interface Delivery {
  resolve(m: RecordMetadata): void;
  reject(e: Error): void;
}

/** A record's size as the sticky partitioner and buffer accounting estimate it (strings by length). */
export function estimateSize(key: Bytes, value: Bytes): number {
  return 21 + (key?.length ?? 0) + (value?.length ?? 0);
}

/** Records bound for one partition, sent together as one record batch. */
export class ProducerBatch {
  readonly builder: RecordBatchBuilder;
  /**
   * The delivery callbacks of the records that asked for one, each with its record's index in the batch and
   * CreateTime; a record sent without one costs nothing here.
   */
  readonly deliveries: Delivery[] = [];
  readonly indexes: number[] = [];
  readonly timestamps: number[] = [];
  /** Assigned when first drained by an idempotent producer; kept across retries. */
  baseSequence = -1;
  producerEpoch = -1;
  attempts = 0;
  /** Earliest time the next attempt may go (retry backoff). */
  retryAt = 0;
  /** The sealed batch, kept across retries so a resend is byte-identical. */
  encoded: Uint8Array | null = null;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly createdAt: number,
    batchSize: number,
    /** Told when records without a delivery callback fail (the producer reports it from flush()). */
    private readonly onUnreported: (e: Error) => void = () => {},
  ) {
    this.builder = new RecordBatchBuilder(batchSize);
  }

  /** Bytes of the batch so far (header included, before compression). */
  get size(): number {
    return this.builder.size;
  }

  /** Number of records. */
  get count(): number {
    return this.builder.count;
  }

  /** Fails every record of the batch. */
  fail(e: Error): void {
    for (const d of this.deliveries) d.reject(e);
    if (this.deliveries.length < this.count) this.onUnreported(e);
  }
}

interface PartitionQueue {
  batches: ProducerBatch[];
  inFlight: number;
  /** Failed batches waiting for the in-flight ones to finish before going back in front. */
  retries: ProducerBatch[];
}

export class RecordAccumulator {
  /** Per topic, the queues by partition (sparse). */
  private readonly queues = new Map<string, PartitionQueue[]>();
  /** Every queue, in creation order, and where the next drain starts in it (see drain). */
  private readonly list: PartitionQueue[] = [];
  private drainFrom = 0;
  /** Bytes held by batches not yet answered (buffer.memory accounting). */
  bufferedBytes = 0;
  private flushing = 0;

  /** Told when records sent without a delivery callback fail. */
  onUnreported: (e: Error) => void = () => {};

  constructor(readonly batchSize: number, readonly lingerMs: number) {}

  /**
   * Appends a record, written into its partition's open batch at once; `delivery` (if any) is told the
   * outcome. Returns whether a batch of the partition is now ready (the sender should wake).
   */
  append(
    topic: string,
    partition: number,
    timestamp: number,
    key: Bytes,
    value: Bytes,
    headers: Array<[string, Bytes]> | null,
    delivery: Delivery | null,
  ): boolean {
    const q = this.queue(topic, partition);
    let batch = q.batches.length > 0 ? q.batches[q.batches.length - 1] : undefined;
    let added = batch && !batch.encoded ? batch.builder.tryAppend(timestamp, key, value, headers) : false;
    if (added === false) {
      batch = new ProducerBatch(topic, partition, Date.now(), this.batchSize, this.onUnreported);
      q.batches.push(batch);
      added = batch.builder.tryAppend(timestamp, key, value, headers) as number;
    }
    if (delivery !== null) {
      batch!.deliveries.push(delivery);
      batch!.indexes.push(batch!.count - 1);
      batch!.timestamps.push(timestamp);
    }
    this.bufferedBytes += added;
    return !batch!.builder.hasRoomFor(64) || q.batches.length > 1;
  }

  /** Whether the partition's open batch (if any) has room for about `bytes` more. */
  fits(topic: string, partition: number, bytes: number): boolean {
    const last = this.queue(topic, partition).batches.at(-1);
    return !last || last.encoded !== null || last.count === 0 || last.builder.hasRoomFor(bytes);
  }

  /** Makes every batch ready now (flush()); undone by `endFlush`. */
  beginFlush(): void {
    this.flushing++;
  }

  endFlush(): void {
    this.flushing--;
  }

  /** Whether anything is queued or in flight. */
  get empty(): boolean {
    for (const q of this.allQueues()) {
      if (q.batches.length > 0 || q.inFlight > 0 || q.retries.length > 0) return false;
    }
    return true;
  }

  /**
   * Takes the ready head batch of each partition that `accept` agrees to (the sender checks leaders and
   * request size), and returns when the next not-yet-ready batch will be ready (Infinity if none).
   */
  drain(now: number, accept: (b: ProducerBatch) => boolean): { batches: ProducerBatch[]; nextReadyAt: number } {
    const batches: ProducerBatch[] = [];
    let nextReadyAt = Infinity;
    // Each drain starts after the last queue the previous one took from, as Kafka's drainIndex does: a
    // request has room for only so many bytes, and starting at the first queue every time starved the last
    // partitions while the first ones always had a full batch ready.
    const n = this.list.length;
    const start = this.drainFrom;
    for (let i = 0; i < n; i++) {
      const at = (start + i) % n;
      const q = this.list[at];
      const head = q.batches[0];
      if (!head || q.retries.length > 0) continue;
      const readyAt = this.readyAt(head, q);
      if (readyAt > now) {
        nextReadyAt = Math.min(nextReadyAt, readyAt);
        continue;
      }
      if (!accept(head)) continue;
      q.batches.shift();
      q.inFlight++;
      head.attempts++;
      batches.push(head);
      this.drainFrom = (at + 1) % n;
    }
    return { batches, nextReadyAt };
  }

  /**
   * An answered batch (success or final failure): frees its place and bytes. `reuse`: the broker answered
   * the request that carried it, so nothing reads its buffer any more and a later batch may write into it.
   */
  complete(b: ProducerBatch, reuse = false): void {
    const q = this.queue(b.topic, b.partition);
    q.inFlight--;
    this.bufferedBytes -= b.size - RECORDS_OFFSET;
    if (reuse) {
      b.encoded = null;
      b.builder.release();
    }
    this.requeueIfIdle(q);
  }

  /** A batch to send again after `backoffMs`, behind nothing of its partition that came later. */
  retry(b: ProducerBatch, backoffMs: number): void {
    const q = this.queue(b.topic, b.partition);
    q.inFlight--;
    b.retryAt = Date.now() + backoffMs;
    q.retries.push(b);
    this.requeueIfIdle(q);
  }

  /**
   * Fails the batches waiting longer than delivery.timeout.ms to be sent (their partition has no leader, or
   * their retries ran out of time), as Kafka's accumulator expires them; returns how many.
   */
  expire(now: number, timeoutMs: number): number {
    let expired = 0;
    for (const q of this.allQueues()) {
      while (q.batches.length > 0 && q.batches[0].createdAt + timeoutMs <= now) {
        const b = q.batches.shift()!;
        this.bufferedBytes -= b.size - RECORDS_OFFSET;
        b.fail(
          new KafkaClientError(ErrorCode.REQUEST_TIMED_OUT, `delivery.timeout.ms passed for ${b.topic}-${b.partition}`),
        );
        expired++;
      }
    }
    return expired;
  }

  /** Fails everything not yet sent (close without flushing). */
  abort(e: Error): void {
    for (const q of this.allQueues()) {
      for (const b of [...q.batches, ...q.retries]) b.fail(e);
      q.batches = [];
      q.retries = [];
    }
  }

  private readyAt(head: ProducerBatch, q: PartitionQueue): number {
    if (head.attempts > 0) return head.retryAt;
    if (this.flushing > 0 || q.batches.length > 1 || !head.builder.hasRoomFor(64)) return 0;
    return head.createdAt + this.lingerMs;
  }

  private requeueIfIdle(q: PartitionQueue): void {
    if (q.inFlight > 0 || q.retries.length === 0) return;
    q.retries.sort((a, b) => a.baseSequence - b.baseSequence);
    q.batches.unshift(...q.retries);
    q.retries = [];
  }

  private allQueues(): PartitionQueue[] {
    return this.list;
  }

  private queue(topic: string, partition: number): PartitionQueue {
    let byPartition = this.queues.get(topic);
    if (!byPartition) this.queues.set(topic, byPartition = []);
    let q = byPartition[partition];
    if (!q) {
      q = byPartition[partition] = { batches: [], inFlight: 0, retries: [] };
      this.list.push(q);
    }
    return q;
  }
}
