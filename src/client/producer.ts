/**
 * A Kafka producer (the model of Kafka's KafkaProducer): `send()` picks the record's partition, appends it to
 * the RecordAccumulator and returns a promise of its metadata; the Sender drains ready batches through the
 * NetworkClient. Defaults follow Kafka 4's Java producer: acks=all, idempotence on (unless acks is not all
 * and idempotence was not asked for), linger.ms 5, batch.size 16384, compression none, delivery.timeout.ms
 * 120000, buffer.memory 32 MiB (send() waits while the buffer is full).
 *
 * @example
 * ```ts
 * const producer = new Producer({ bootstrapServers: ["localhost:9092"] });
 * const meta = await producer.send({ topic: "events", key: "user-1", value: "clicked" });
 * await producer.close();
 * ```
 */
import { type Delivery, estimateSize, RecordAccumulator, type RecordMetadata } from "./accumulator.ts";
import { Apis } from "./apis.ts";
import { type Bytes, CODEC_IDS, type CompressionName } from "./batch_encoder.ts";
import { KafkaClientError, throwIfError } from "./errors.ts";
import { type ClientOptions, NetworkClient } from "./network_client.ts";
import { keyedPartition, StickyPartitioner } from "./partitioner.ts";
import { type ProducerIdentity, Sender } from "./sender.ts";
import { ErrorCode } from "../protocol/errors.ts";

export type { ProducerIdentity, RecordMetadata };

/** Producer settings, named after Kafka's producer configs. */
export interface ProducerOptions extends ClientOptions {
  /** 0, 1 or "all" (-1). Default "all". */
  acks?: 0 | 1 | -1 | "all";
  /** enable.idempotence; default true when acks is all. */
  idempotence?: boolean;
  /** compression.type; default "none". */
  compression?: CompressionName;
  /** batch.size in bytes (default 16384). */
  batchSize?: number;
  /** linger.ms (default 5). */
  lingerMs?: number;
  /** buffer.memory in bytes (default 32 MiB). */
  bufferMemory?: number;
  /** delivery.timeout.ms (default 120000). */
  deliveryTimeoutMs?: number;
  /** max.request.size (default 1 MiB). */
  maxRequestSize?: number;
  /** max.block.ms: how long send() waits for metadata or buffer space (default 60000). */
  maxBlockMs?: number;
}

/** Bytes are sent as they are; strings as UTF-8. */
export type Payload = string | Uint8Array | null;

/** A record to send. */
export interface ProducerRecord {
  /** The topic to send to. */
  topic: string;
  /** The key (decides the partition unless `partition` is given); none by default. */
  key?: Payload;
  /** The value; null makes a tombstone. */
  value: Payload;
  /** Headers, as an object or as (key, value) pairs (pairs allow repeated keys). */
  headers?: Record<string, Payload> | Array<[string, Payload]>;
  /** Chosen by the default partitioner when absent. */
  partition?: number;
  /** CreateTime in ms; now when absent. */
  timestamp?: number;
}

const utf8 = new TextEncoder();

/** A delivery report: the error, or the record's metadata. */
export type DeliveryCallback = (error: Error | null, metadata: RecordMetadata | null) => void;

function asDelivery(cb: DeliveryCallback): Delivery {
  return { resolve: (m) => cb(null, m), reject: (e) => cb(e, null) };
}

/** A record produce() could not append yet. */
interface Blocked {
  record: ProducerRecord;
  delivery: Delivery | null;
  /** When produce() was called (max.block.ms counts from here). */
  since: number;
  /** Resolves produce()'s promise. */
  appended: () => void;
}

/** The producer: see the module comment. */
export class Producer {
  private readonly client: NetworkClient;
  private readonly acc: RecordAccumulator;
  private readonly sender: Sender;
  private readonly partitioner: StickyPartitioner;
  private readonly bufferMemory: number;
  private readonly maxBlockMs: number;
  private identity: ProducerIdentity | null = null;
  private initializing: Promise<void> | null = null;
  private waiters: (() => void)[] = [];
  private closed = false;
  private initError: Error | null = null;
  /** Records waiting for their topic's metadata or for buffer space, in produce() order. */
  private blocked: Blocked[] = [];
  /** The first failure of a record sent without a delivery callback since the last flush(). */
  private unreported: Error | null = null;
  /** Whether the sticky partition's open batch has room (one function for every record, not one each). */
  private readonly fits = (topic: string, partition: number, bytes: number) => this.acc.fits(topic, partition, bytes);

  /** Connects lazily; with idempotence, asks for a producer id at once. */
  constructor(options: ProducerOptions) {
    const acks = options.acks === "all" || options.acks === undefined ? -1 : options.acks;
    if (options.idempotence && acks !== -1) {
      throw new Error(
        "idempotence needs acks=all (as in Kafka: enable.idempotence with acks other than all is refused)",
      );
    }
    const idempotent = options.idempotence ?? acks === -1;
    const maxInFlight = options.maxInFlight ?? 5;
    if (idempotent && maxInFlight > 5) throw new Error("idempotence allows at most 5 requests in flight");
    this.client = new NetworkClient(options);
    this.client.metadata.allowAutoTopicCreation = true;
    const batchSize = options.batchSize ?? 16384;
    this.acc = new RecordAccumulator(batchSize, options.lingerMs ?? 5);
    this.acc.onUnreported = (e) => this.unreported ??= e;
    this.partitioner = new StickyPartitioner(batchSize);
    this.bufferMemory = options.bufferMemory ?? 32 * 1024 * 1024;
    this.maxBlockMs = options.maxBlockMs ?? 60_000;
    const codec = CODEC_IDS[options.compression ?? "none"];
    if (codec === undefined) throw new Error(`unknown compression ${options.compression}`);
    this.sender = new Sender(this.client, this.acc, {
      acks,
      codec,
      idempotent,
      maxInFlight,
      maxRequestSize: options.maxRequestSize ?? 1024 * 1024,
      deliveryTimeoutMs: options.deliveryTimeoutMs ?? 120_000,
      timeoutMs: this.client.requestTimeoutMs,
    }, () => this.identity);
    this.sender.onProgress = () => this.progress();
    if (idempotent) {
      // A producer that cannot get an id fails what it holds rather than leaving an unhandled rejection.
      this.initializing = this.initProducerId().catch((e) => {
        this.initError = e instanceof Error ? e : new Error(String(e));
        this.acc.abort(this.initError);
      });
    }
  }

  /** The idempotent producer's id and epoch once known (null before, or without idempotence). */
  get producerIdentity(): ProducerIdentity | null {
    return this.identity;
  }

  /**
   * Queues a record and resolves with its partition, offset and timestamp once the broker has it (per
   * `acks`); rejects with a KafkaClientError when delivery failed for good.
   */
  send(record: ProducerRecord): Promise<RecordMetadata> {
    return new Promise<RecordMetadata>((resolve, reject) => this.enqueue(record, { resolve, reject }));
  }

  /**
   * Queues a record without a promise of its own (librdkafka's produce()): the cheaper way to send many.
   * `onDelivery`, when given, is told the outcome; failures of records sent without one make the next
   * `flush()` (or `close()`) reject with the first of them. Returns undefined when the record went into its
   * batch at once, or a promise that resolves once it did when it had to wait for the topic's metadata or
   * for buffer.memory to drain: await it before producing more to keep memory bounded.
   *
   * @example
   * ```ts
   * for (const value of values) await producer.produce({ topic: "events", value });
   * await producer.flush(); // rejects if any of them failed
   * ```
   */
  produce(record: ProducerRecord, onDelivery?: DeliveryCallback): Promise<void> | undefined {
    return this.enqueue(record, onDelivery ? asDelivery(onDelivery) : null);
  }

  /** produce() and send(): appends the record now when its metadata and buffer space are there. */
  private enqueue(record: ProducerRecord, delivery: Delivery | null): Promise<void> | undefined {
    if (this.closed || this.initError) {
      const e = this.initError ?? new Error("producer closed");
      if (delivery) delivery.reject(e);
      else throw e;
      return undefined;
    }
    if (this.blocked.length === 0 && this.acc.bufferedBytes < this.bufferMemory) {
      const info = this.client.metadata.cached(record.topic);
      if (info) {
        this.append(record, info.partitions.length, delivery);
        return undefined;
      }
    }
    return new Promise<void>((appended) => {
      this.blocked.push({ record, delivery, since: Date.now(), appended });
      if (this.blocked.length === 1) this.unblock();
    });
  }

  /**
   * Sends everything queued now and waits until each of those records is answered, including records that
   * still wait for the topic's metadata (without that, a flush right after the first sends to a new topic
   * returned at once, and a close after it dropped them). Rejects with the first failure of a record sent
   * by produce() without a delivery callback since the last flush.
   */
  async flush(): Promise<void> {
    this.acc.beginFlush();
    try {
      this.sender.wake();
      await this.until(() => this.blocked.length === 0 && this.acc.empty);
    } finally {
      this.acc.endFlush();
    }
    const failure = this.unreported;
    this.unreported = null;
    if (failure) throw failure;
  }

  /** Flushes, then closes the connections (rejecting as flush() does, after closing). */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.initializing?.catch(() => {});
    try {
      await this.flush();
    } finally {
      this.closed = true;
      this.sender.stop();
      await this.client.close();
    }
  }

  /**
   * Appends the records that wait for metadata or buffer space, in order (a record may not overtake an
   * earlier one of its partition), each within max.block.ms of its produce() call. One run at a time.
   */
  private async unblock(): Promise<void> {
    while (this.blocked.length > 0) {
      const head = this.blocked[0];
      const deadline = head.since + this.maxBlockMs;
      try {
        const info = this.client.metadata.cached(head.record.topic) ??
          await this.client.retrying(() => this.client.metadata.topic(head.record.topic), deadline - Date.now());
        while (this.acc.bufferedBytes >= this.bufferMemory) {
          if (Date.now() > deadline) throw new KafkaClientError(ErrorCode.REQUEST_TIMED_OUT, "buffer.memory full");
          await new Promise<void>((resolve) => this.waiters.push(resolve));
        }
        this.append(head.record, info.partitions.length, head.delivery);
        this.blocked.shift();
      } catch (e) {
        // The topic's metadata or buffer space did not come in time: every waiting record of the topic fails.
        const err = e instanceof Error ? e : new Error(String(e));
        const topic = head.record.topic;
        for (const b of this.blocked.filter((b) => b.record.topic === topic)) {
          this.report(b.delivery, err);
          b.appended();
        }
        this.blocked = this.blocked.filter((b) => b.record.topic !== topic);
        continue;
      }
      head.appended();
    }
  }

  /** Partitions the record and appends it to the accumulator. */
  private append(record: ProducerRecord, partitions: number, delivery: Delivery | null): void {
    const key = record.key ?? null;
    const value = record.value;
    let headers: Array<[string, Bytes]> | null = null;
    if (record.headers) headers = Array.isArray(record.headers) ? record.headers : Object.entries(record.headers);
    let partition = record.partition;
    if (partition === undefined) {
      partition = key !== null
        ? keyedPartition(typeof key === "string" ? utf8.encode(key) : key, partitions)
        : this.partitioner.partition(record.topic, partitions, estimateSize(key, value), this.fits);
    } else if (partition < 0 || partition >= partitions) {
      this.report(delivery, new KafkaClientError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `${record.topic}-${partition}`));
      return;
    }
    const timestamp = record.timestamp ?? Date.now();
    const full = this.acc.append(record.topic, partition, timestamp, key, value, headers, delivery);
    this.sender.wake(full ? 0 : this.acc.lingerMs);
  }

  /** A record's failure: to its delivery callback, or kept for the next flush() when it has none. */
  private report(delivery: Delivery | null, e: Error): void {
    if (delivery) delivery.reject(e);
    else this.unreported ??= e;
  }

  /** InitProducerId (non-transactional), retried within max.block.ms; then the sender may start. */
  private async initProducerId(): Promise<void> {
    const answer = await this.client.retrying(async () => {
      const r = await this.client.send(this.client.anyNode(), Apis.InitProducerId, {
        transactionalId: null,
        transactionTimeoutMs: 60_000,
        producerId: -1n,
        producerEpoch: -1,
      });
      throwIfError(r.errorCode);
      return r;
    }, this.maxBlockMs);
    this.identity = { producerId: answer.producerId, producerEpoch: answer.producerEpoch };
    this.sender.wake();
  }

  /** Wakes whoever waits on the sender (buffer space, flush). */
  private progress(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Waits until `done()` holds, re-checking after each sender step (and every 50 ms). */
  private async until(done: () => boolean): Promise<void> {
    while (!done()) {
      if (this.initializing) await this.initializing;
      if (this.initError) throw this.initError;
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }
}
