/**
 * The producer's Sender (Kafka's model): takes ready batches from the RecordAccumulator, groups them by
 * partition leader into one Produce request per broker, sends it through the NetworkClient, and settles each
 * record's promise from the answer. It runs whenever the producer appends a full batch or a linger timer
 * fires, and again after each answer, keeping at most `maxInFlight` Produce requests per broker.
 *
 * Failures: a retriable error code (or a lost connection or timeout) puts the batch back for another try
 * after the retry backoff, as long as its delivery timeout has not passed; with idempotence the retry keeps
 * its producer id, epoch and sequence, so the broker drops a duplicate of a batch it did write and answers
 * OUT_OF_ORDER_SEQUENCE_NUMBER for batches behind one that it did not (retried as well, in order).
 */
import { ErrorCode } from "../protocol/errors.ts";
import type { ProduceRequest, ProduceResponse } from "../protocol/generated/produce.ts";
import type { ProducerBatch, RecordAccumulator } from "./accumulator.ts";
import { Apis } from "./apis.ts";
import { isRetriable, KafkaClientError, needsMetadataRefresh } from "./errors.ts";
import type { NetworkClient } from "./network_client.ts";

export interface SenderOptions {
  acks: number;
  codec: number;
  idempotent: boolean;
  maxInFlight: number;
  maxRequestSize: number;
  deliveryTimeoutMs: number;
  /** Produce's broker-side timeout (request.timeout.ms). */
  timeoutMs: number;
}

/** The idempotent producer's identity; sequences count per partition. */
export interface ProducerIdentity {
  /** The producer id InitProducerId gave. */
  producerId: bigint;
  /** Its epoch. */
  producerEpoch: number;
}

export class Sender {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private timerAt = Infinity;
  private readonly inFlight = new Map<number, number>();
  private readonly sequences = new Map<string, number>();
  /** Called after each run and each answer (flush and close wait on it). */
  onProgress: (() => void) | null = null;

  constructor(
    private readonly client: NetworkClient,
    private readonly acc: RecordAccumulator,
    private readonly o: SenderOptions,
    private readonly identity: () => ProducerIdentity | null,
  ) {}

  /** Runs as soon as possible (at most `delayMs` from now). */
  wake(delayMs = 0): void {
    const at = Date.now() + delayMs;
    if (this.timer !== null && this.timerAt <= at) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAt = Infinity;
      this.run();
    }, delayMs);
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /**
   * Sends requests until nothing more is ready or every leader has `maxInFlight` requests out: one drain
   * takes at most one batch per partition (and one request's worth per broker), so a single pass would leave
   * ready batches waiting for the next answer and the pipeline would never fill.
   */
  private run(): void {
    const id = this.o.idempotent ? this.identity() : { producerId: -1n, producerEpoch: -1 };
    if (!id) return; // the producer wakes the sender once InitProducerId has answered
    let needMetadata = false;
    let nextReadyAt = Infinity;
    this.acc.expire(Date.now(), this.o.deliveryTimeoutMs);
    for (;;) {
      const round = this.drainRequests(Date.now());
      needMetadata ||= round.needMetadata;
      nextReadyAt = round.nextReadyAt;
      if (round.perNode.size === 0) break;
      for (const [node, list] of round.perNode) this.produce(node, list, id);
    }
    if (needMetadata) this.client.metadata.refresh().catch(() => {}).finally(() => this.wake(100));
    if (nextReadyAt !== Infinity) this.wake(Math.max(0, nextReadyAt - Date.now()));
    this.onProgress?.();
  }

  /** Ready batches grouped into at most one request per leader with room for another request. */
  private drainRequests(now: number) {
    const perNode = new Map<number, ProducerBatch[]>();
    const bytes = new Map<number, number>();
    let needMetadata = false;
    const { nextReadyAt } = this.acc.drain(now, (b) => {
      const leader = this.client.metadata.cached(b.topic)?.partitions[b.partition]?.leader ?? -1;
      if (leader < 0) {
        needMetadata = true;
        return false;
      }
      if (!perNode.has(leader) && (this.inFlight.get(leader) ?? 0) >= this.o.maxInFlight) return false;
      const size = (bytes.get(leader) ?? 0) + b.size;
      if (perNode.has(leader) && size > this.o.maxRequestSize) return false;
      bytes.set(leader, size);
      const list = perNode.get(leader) ?? [];
      list.push(b);
      perNode.set(leader, list);
      return true;
    });
    return { perNode, needMetadata, nextReadyAt };
  }

  private produce(node: number, batches: ProducerBatch[], id: ProducerIdentity): void {
    const byTopic = new Map<string, { index: number; records: Uint8Array }[]>();
    for (const b of batches) {
      if (!b.encoded) {
        if (this.o.idempotent) this.assignSequence(b, id);
        b.encoded = b.builder.seal({
          codec: this.o.codec,
          producerId: id.producerId,
          producerEpoch: this.o.idempotent ? id.producerEpoch : -1,
          baseSequence: b.baseSequence,
        });
      }
      const list = byTopic.get(b.topic) ?? [];
      list.push({ index: b.partition, records: b.encoded });
      byTopic.set(b.topic, list);
    }
    const request: ProduceRequest = {
      transactionalId: null,
      acks: this.o.acks,
      timeoutMs: this.o.timeoutMs,
      topicData: [...byTopic].map(([name, partitionData]) => ({ name, partitionData })),
    };
    this.inFlight.set(node, (this.inFlight.get(node) ?? 0) + 1);
    this.client.send(node, Apis.Produce, request, this.o.acks !== 0).then(
      (answer) => this.settle(batches, answer),
      (e) => {
        const err = e instanceof KafkaClientError ? e : new KafkaClientError(ErrorCode.UNKNOWN_SERVER_ERROR, String(e));
        for (const b of batches) this.failed(b, err);
        if (needsMetadataRefresh(err.code)) this.client.metadata.refresh().catch(() => {});
      },
    ).finally(() => {
      this.inFlight.set(node, (this.inFlight.get(node) ?? 1) - 1);
      this.wake();
    });
  }

  private assignSequence(b: ProducerBatch, id: ProducerIdentity): void {
    const key = `${b.topic}\u0000${b.partition}`;
    const next = this.sequences.get(key) ?? 0;
    b.baseSequence = next;
    b.producerEpoch = id.producerEpoch;
    // Sequences wrap at 2^31 as the broker expects.
    this.sequences.set(key, (next + b.count) % 2 ** 31);
  }

  private settle(batches: ProducerBatch[], answer: ProduceResponse | null): void {
    const results = new Map<string, ProduceResponse["responses"][0]["partitionResponses"][0]>();
    for (const t of answer?.responses ?? []) {
      for (const p of t.partitionResponses) results.set(`${t.name}\u0000${p.index}`, p);
    }
    let refresh = false;
    for (const b of batches) {
      if (answer === null) {
        this.succeeded(b, false, -1n, -1n);
        continue;
      }
      const r = results.get(`${b.topic}\u0000${b.partition}`);
      if (!r) {
        this.failed(b, new KafkaClientError(ErrorCode.UNKNOWN_SERVER_ERROR, "no answer for the partition"));
      } else if (r.errorCode === ErrorCode.NONE || r.errorCode === ErrorCode.DUPLICATE_SEQUENCE_NUMBER) {
        this.succeeded(b, true, r.errorCode === ErrorCode.NONE ? r.baseOffset : -1n, r.logAppendTimeMs);
      } else {
        refresh ||= needsMetadataRefresh(r.errorCode);
        this.failed(b, new KafkaClientError(r.errorCode, r.errorMessage ?? undefined));
      }
    }
    if (refresh) this.client.metadata.refresh().catch(() => {});
  }

  /**
   * Resolves the deliveries that were asked for. `answered`: the broker answered (acks 1 or all), so the
   * batch's buffer was written out and can serve a later batch.
   */
  private succeeded(b: ProducerBatch, answered: boolean, baseOffset: bigint, logAppendTime: bigint): void {
    this.acc.complete(b, answered);
    for (let i = 0; i < b.deliveries.length; i++) {
      b.deliveries[i].resolve({
        topic: b.topic,
        partition: b.partition,
        offset: baseOffset < 0n ? -1n : baseOffset + BigInt(b.indexes[i]),
        timestamp: logAppendTime >= 0n ? Number(logAppendTime) : b.timestamps[i],
      });
    }
  }

  private failed(b: ProducerBatch, e: KafkaClientError): void {
    const retriable = isRetriable(e.code) ||
      (this.o.idempotent && e.code === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    const expired = Date.now() >= b.createdAt + this.o.deliveryTimeoutMs;
    if (retriable && !expired && b.attempts <= this.client.retries) {
      const backoff = Math.min(this.client.retryBackoffMs * 2 ** (b.attempts - 1), this.client.retryBackoffMaxMs);
      this.acc.retry(b, backoff);
      return;
    }
    this.acc.complete(b);
    b.fail(e);
  }
}
