/**
 * The producer's RecordAccumulator (Kafka's model): send() appends each record to the open batch of its
 * partition, opening a new one when the record would push the batch past `batch.size`; the Sender takes
 * batches that are ready — full, older than `linger.ms`, behind another batch of the same partition, or
 * flushed — one per partition per request. A partition whose batch failed retriably is muted until its
 * other in-flight batches are answered, then its failed batches go back to the front in sequence order, so
 * an idempotent producer resends them in the order the broker expects.
 */
import type { BuildRecord } from "../log/record_batch.ts";

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

/** Record-level overhead beyond key, value and headers (length, attributes, deltas: a generous bound). */
const RECORD_OVERHEAD = 21;
/** The batch header. */
const BATCH_OVERHEAD = 61;

export function recordSize(r: BuildRecord): number {
  let n = RECORD_OVERHEAD + (r.key?.length ?? 0) + (r.value?.length ?? 0);
  for (const [k, v] of r.headers ?? []) n += 10 + k.length * 3 + (v?.length ?? 0);
  return n;
}

/** Records bound for one partition, sent together as one record batch. */
export class ProducerBatch {
  readonly records: BuildRecord[] = [];
  readonly deliveries: Delivery[] = [];
  readonly timestamps: number[] = [];
  size = BATCH_OVERHEAD;
  /** Assigned when first drained by an idempotent producer; kept across retries. */
  baseSequence = -1;
  producerEpoch = -1;
  attempts = 0;
  /** Earliest time the next attempt may go (retry backoff). */
  retryAt = 0;
  /** The encoded batch, kept across retries so a resend is byte-identical. */
  encoded: Uint8Array | null = null;

  constructor(readonly topic: string, readonly partition: number, readonly createdAt: number) {}

  /** Fails every record of the batch. */
  fail(e: Error): void {
    for (const d of this.deliveries) d.reject(e);
  }
}

interface PartitionQueue {
  batches: ProducerBatch[];
  inFlight: number;
  /** Failed batches waiting for the in-flight ones to finish before going back in front. */
  retries: ProducerBatch[];
}

export class RecordAccumulator {
  private readonly queues = new Map<string, PartitionQueue>();
  /** Bytes held by batches not yet answered (buffer.memory accounting). */
  bufferedBytes = 0;
  private flushing = 0;

  constructor(readonly batchSize: number, readonly lingerMs: number) {}

  /** Appends a record; returns whether its batch is now full (the sender should wake). */
  append(topic: string, partition: number, record: BuildRecord, timestamp: number, delivery: Delivery): boolean {
    const q = this.queue(topic, partition);
    const size = recordSize(record);
    let batch = q.batches.at(-1);
    if (!batch || batch.encoded || (batch.records.length > 0 && batch.size + size > this.batchSize)) {
      batch = new ProducerBatch(topic, partition, Date.now());
      q.batches.push(batch);
    }
    batch.records.push(record);
    batch.deliveries.push(delivery);
    batch.timestamps.push(timestamp);
    batch.size += size;
    this.bufferedBytes += size;
    return batch.size >= this.batchSize || q.batches.length > 1;
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
    for (const q of this.queues.values()) {
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
    for (const q of this.queues.values()) {
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
    }
    return { batches, nextReadyAt };
  }

  /** An answered batch (success or final failure): frees its place and bytes. */
  complete(b: ProducerBatch): void {
    const q = this.queue(b.topic, b.partition);
    q.inFlight--;
    this.bufferedBytes -= b.size - BATCH_OVERHEAD;
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

  /** Fails everything not yet sent (close without flushing). */
  abort(e: Error): void {
    for (const q of this.queues.values()) {
      for (const b of [...q.batches, ...q.retries]) b.fail(e);
      q.batches = [];
      q.retries = [];
    }
  }

  private readyAt(head: ProducerBatch, q: PartitionQueue): number {
    if (head.attempts > 0) return head.retryAt;
    if (this.flushing > 0 || q.batches.length > 1 || head.size >= this.batchSize) return 0;
    return head.createdAt + this.lingerMs;
  }

  private requeueIfIdle(q: PartitionQueue): void {
    if (q.inFlight > 0 || q.retries.length === 0) return;
    q.retries.sort((a, b) => a.baseSequence - b.baseSequence);
    q.batches.unshift(...q.retries);
    q.retries = [];
  }

  private queue(topic: string, partition: number): PartitionQueue {
    const key = `${topic}\u0000${partition}`;
    let q = this.queues.get(key);
    if (!q) {
      q = { batches: [], inFlight: 0, retries: [] };
      this.queues.set(key, q);
    }
    return q;
  }
}
