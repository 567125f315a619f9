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
  /** send() calls still waiting for metadata or buffer space: their records are not in the accumulator yet. */
  private slowSends = 0;

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
    if (this.closed) return Promise.reject(new Error("producer closed"));
    if (this.initError) return Promise.reject(this.initError);
    const info = this.client.metadata.cached(record.topic);
    if (info && this.acc.bufferedBytes < this.bufferMemory) return this.append(record, info.partitions.length);
    return this.sendSlow(record);
  }

  /**
   * Sends everything queued now and waits until each of those records is answered, including records whose
   * send() still waits for the topic's metadata (without that, a flush right after the first sends to a new
   * topic returned at once, and a close after it dropped them).
   */
  async flush(): Promise<void> {
    this.acc.beginFlush();
    try {
      this.sender.wake();
      await this.until(() => this.slowSends === 0 && this.acc.empty);
    } finally {
      this.acc.endFlush();
    }
  }

  /** Flushes, then closes the connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.initializing?.catch(() => {});
    await this.flush();
    this.closed = true;
    this.sender.stop();
    await this.client.close();
  }

  /** send() when the topic's metadata is not cached yet or the buffer is full: waits up to max.block.ms. */
  private async sendSlow(record: ProducerRecord): Promise<RecordMetadata> {
    this.slowSends++;
    let appended: { delivery: Promise<RecordMetadata> };
    try {
      appended = await this.appendWhenReady(record);
    } finally {
      this.slowSends--;
    }
    return await appended.delivery;
  }

  /**
   * Waits for the topic's metadata and buffer space, then appends. The delivery comes back wrapped: an async
   * function returning the promise itself would wait for it.
   */
  private async appendWhenReady(record: ProducerRecord): Promise<{ delivery: Promise<RecordMetadata> }> {
    const deadline = Date.now() + this.maxBlockMs;
    const info = await this.client.retrying(() => this.client.metadata.topic(record.topic), this.maxBlockMs);
    while (this.acc.bufferedBytes >= this.bufferMemory) {
      if (Date.now() > deadline) throw new KafkaClientError(ErrorCode.REQUEST_TIMED_OUT, "buffer.memory full");
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return { delivery: this.append(record, info.partitions.length) };
  }

  /** Partitions the record and appends it to the accumulator. */
  private append(record: ProducerRecord, partitions: number): Promise<RecordMetadata> {
    const key = record.key ?? null;
    const value = record.value;
    let headers: Array<[string, Bytes]> | null = null;
    if (record.headers) headers = Array.isArray(record.headers) ? record.headers : Object.entries(record.headers);
    let partition = record.partition;
    if (partition === undefined) {
      partition = key !== null
        ? keyedPartition(typeof key === "string" ? utf8.encode(key) : key, partitions)
        : this.stickyPartition(record.topic, partitions, estimateSize(key, value));
    } else if (partition < 0 || partition >= partitions) {
      return Promise.reject(new KafkaClientError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `${record.topic}-${partition}`));
    }
    const timestamp = record.timestamp ?? Date.now();
    return new Promise<RecordMetadata>((resolve, reject) => {
      const delivery: Delivery = { resolve, reject };
      const full = this.acc.append(record.topic, partition, { key, value, headers, timestamp }, delivery);
      this.sender.wake(full ? 0 : this.acc.lingerMs);
    });
  }

  /** The sticky partition for a keyless record, moving on when its open batch is full. */
  private stickyPartition(topic: string, partitions: number, size: number): number {
    return this.partitioner.partition(topic, partitions, size, (p) => this.acc.fits(topic, p, size));
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
