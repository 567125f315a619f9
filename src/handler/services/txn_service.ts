/**
 * The transaction coordinator served on one handler Worker (Kafka's
 * TransactionCoordinator with its TransactionStateManager and
 * TransactionMarkerChannelManager): the coordinator for the transactional
 * ids on the `__transaction_state` partitions this handler owns, next to
 * the log it writes them to, as groups live with their `__consumer_offsets`
 * partition.
 *
 * - Loading: on every metadata image, each owned partition not loaded yet is
 *   read from its log start and replayed into the coordinator (calls for ids
 *   on it answer COORDINATOR_LOAD_IN_PROGRESS meanwhile); a transaction left
 *   in PrepareCommit or PrepareAbort by a crash gets its markers written and
 *   is completed.
 * - Steps (txn_effects.ts): the coordinator prepares a transition, its
 *   records are appended to the id's partition as one batch with acks=all
 *   semantics (fdatasync'ed in durable mode), then applied. The markers an
 *   EndTxn (or a timeout's abort) asks for are written after the client is
 *   answered, through the "writeTxnMarkers" partition op to each owner;
 *   failures that may pass (storage, a partition not open yet) are retried
 *   with backoff; a topic deleted meanwhile needs no marker. Once every
 *   marker is written the Complete record is written.
 * - Timers: transactions open past their timeout are aborted (their producers
 *   fenced) every transaction.abort.timed.out.transaction.cleanup.interval.ms;
 *   ids idle past transactional.id.expiration.ms are removed every
 *   transaction.remove.expired.transaction.cleanup.interval.ms.
 * The log stays bounded: `__transaction_state` is compacted by the log
 * cleaner (cleanup.policy=compact, set when the controller creates it).
 */
import type { BrokerConfig } from "../../config/keys.ts";
import type { MetadataImage, MetadataView } from "../../cluster/metadata_image.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import { nextOffsetAfter } from "../../log/transaction_log.ts";
import type { Logger } from "../../util/logger.ts";
import { TRANSACTION_STATE_TOPIC, TxnCoordinator } from "../../txn/txn_coordinator.ts";
import type { TxnMarkerWrite, TxnStep } from "../../txn/txn_effects.ts";
import { decodeTxnRecords } from "../../txn/txn_log.ts";
import { encodeTxnRecordsBatch, type TxnRecord } from "../../txn/txn_records.ts";
import { describeTransaction, listTransactions } from "../../txn/txn_views.ts";
import type { TopicPartition } from "../../txn/txn_metadata.ts";
import type { PartitionAccess, ProducerIdSource } from "./broker_state.ts";
import { ownerOf } from "../../replica/partition_owner.ts";
import type { PartitionOp, ResultOf, TxnMarkerItem } from "../../replica/partition_ops.ts";
import { errorAnswer } from "./txn_router.ts";
import type { AddPartitionsAnswer, TxnCall, TxnPeerOp } from "../../txn/txn_ops.ts";

/** One node: the `__transaction_state` partitions are never led by anyone else, so their epoch stays 0. */
const COORDINATOR_EPOCH = 0;
const LOAD_CHUNK_BYTES = 1 << 20;
const RETRY_MIN_MS = 50;
const RETRY_MAX_MS = 2000;
/** How long a call waits for the id's previous transaction to complete before answering CONCURRENT_TRANSACTIONS. */
const COMPLETION_WAIT_MS = 1000;
/** Marker errors that may pass: the partition is offline, out of space, not open yet, or its owner closing. */
const RETRIABLE_MARKER_ERRORS = new Set<number>([
  ErrorCode.KAFKA_STORAGE_ERROR,
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.REQUEST_TIMED_OUT,
  ErrorCode.NOT_ENOUGH_REPLICAS,
  ErrorCode.UNKNOWN_SERVER_ERROR,
]);

export interface TxnServiceOptions {
  handlerIndex: number;
  handlerCount: number;
  config: BrokerConfig;
  log: Logger;
  /** Runs ops on this handler's own partitions (its `__transaction_state` reads and writes). */
  local: { execute<O extends PartitionOp>(op: O): Promise<ResultOf<O>> };
  /** Reaches every partition's owner (markers). */
  partitions: PartitionAccess;
  metadata: () => MetadataView;
  producerIds: ProducerIdSource;
  now?: () => number;
}

export class TxnService {
  private coordinator: TxnCoordinator | null = null;
  private topicId: string | null = null;
  private readonly loading = new Set<number>();
  /** Per transactional id, the completion (markers, then the Complete record) in flight. */
  private readonly completions = new Map<string, Promise<void>>();
  private timers: Array<ReturnType<typeof setInterval>> = [];
  private closed = false;
  private readonly now: () => number;

  constructor(private readonly o: TxnServiceOptions) {
    this.now = o.now ?? Date.now;
  }

  /** Loads the owned `__transaction_state` partitions not loaded yet; resolves once they are. */
  async onImage(image: MetadataImage): Promise<void> {
    if (this.closed) return;
    const topic = image.topics.find((t) => t.name === TRANSACTION_STATE_TOPIC);
    if (!topic || topic.topicId !== this.topicId) this.stopCoordinator();
    if (!topic) return;
    let c = this.coordinator;
    if (c === null) {
      c = this.startCoordinator(topic.topicId, topic.partitions);
    }
    const loads: Promise<void>[] = [];
    for (let p = 0; p < topic.partitions; p++) {
      if (ownerOf(topic.topicId, p, this.o.handlerCount) !== this.o.handlerIndex) continue;
      if (c.isLoaded(p) || this.loading.has(p)) continue;
      loads.push(this.load(c, topic.topicId, p));
    }
    await Promise.all(loads);
  }

  private startCoordinator(topicId: string, partitions: number): TxnCoordinator {
    const cfg = this.o.config;
    const c = new TxnCoordinator({
      maxTimeoutMs: cfg["transaction.max.timeout.ms"],
      idExpirationMs: cfg["transactional.id.expiration.ms"],
      stateLogPartitions: partitions,
      offsetsTopicPartitions: this.o.metadata().byName.get("__consumer_offsets")?.partitions ??
        cfg["offsets.topic.num.partitions"],
    }, { now: this.now, allocateProducerId: () => this.o.producerIds.next() });
    this.coordinator = c;
    this.topicId = topicId;
    this.timers.push(
      setInterval(() => this.abortTimedOut(), cfg["transaction.abort.timed.out.transaction.cleanup.interval.ms"]),
      setInterval(() => this.expireIds(), cfg["transaction.remove.expired.transaction.cleanup.interval.ms"]),
    );
    return c;
  }

  private stopCoordinator(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.coordinator = null;
    this.topicId = null;
    this.loading.clear();
  }

  close(): void {
    this.closed = true;
    this.stopCoordinator();
  }

  /** Replays partition `p` into `c`, then completes the transactions it left prepared. */
  private async load(c: TxnCoordinator, topicId: string, p: number): Promise<void> {
    this.loading.add(p);
    const started = this.now();
    try {
      const { records, skipped } = await this.readAll(topicId, p);
      if (this.coordinator !== c) return;
      const markers = c.loadPartition(p, COORDINATOR_EPOCH, records);
      if (records.length === 0 && skipped === 0) return;
      this.o.log.info(
        `Loaded ${TRANSACTION_STATE_TOPIC}-${p}: ${records.length} records` +
          (skipped > 0 ? ` (${skipped} unreadable, skipped)` : "") +
          `, ${markers.length} transactions to complete, in ${this.now() - started} ms`,
      );
      for (const m of markers) this.complete(c, m);
    } catch (e) {
      this.o.log.error(`loading ${TRANSACTION_STATE_TOPIC}-${p} failed: ${e instanceof Error ? e.stack : e}`);
    } finally {
      if (this.coordinator === c) this.loading.delete(p);
    }
  }

  private async readAll(topicId: string, partition: number): Promise<{ records: TxnRecord[]; skipped: number }> {
    const [earliest] = await this.o.local.execute({
      op: "listOffsets",
      items: [{ topicId, partition, timestamp: -2n }],
    });
    if (earliest.errorCode !== ErrorCode.NONE) throw new Error(`listing offsets: error ${earliest.errorCode}`);
    const records: TxnRecord[] = [];
    let skipped = 0;
    for (let offset = earliest.offset;;) {
      const [read] = await this.o.local.execute({
        op: "read",
        items: [{ topicId, partition, fetchOffset: offset, maxBytes: LOAD_CHUNK_BYTES }],
      });
      if (read.errorCode !== ErrorCode.NONE) throw new Error(`reading from ${offset}: error ${read.errorCode}`);
      const bytes = read.records;
      const next = bytes && bytes.byteLength > 0 ? nextOffsetAfter(bytes) : null;
      if (next === null || next <= offset) break;
      const decoded = decodeTxnRecords(bytes!);
      records.push(...decoded.records);
      skipped += decoded.skipped;
      offset = next;
      if (offset >= read.highWatermark) break;
    }
    return { records, skipped };
  }

  execute(op: TxnPeerOp): Promise<unknown> {
    const c = this.coordinator;
    if (op.op === "listTxns") {
      if (c === null) return Promise.resolve({ errorCode: 0, unknownStateFilters: [], transactionStates: [] });
      const answer = listTransactions(c, op.filter, this.now());
      return Promise.resolve(
        this.loading.size > 0 ? { ...answer, errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS } : answer,
      );
    }
    const call = op.call;
    if (c === null) return Promise.resolve(errorAnswer(call, ErrorCode.NOT_COORDINATOR));
    if (this.loading.has(c.partitionFor(call.transactionalId))) {
      return Promise.resolve(errorAnswer(call, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS));
    }
    return this.call(c, call);
  }

  /**
   * A call that finds the id's previous transaction still completing (its markers being written) would be
   * answered CONCURRENT_TRANSACTIONS, as Kafka answers; clients retry that after a backoff (librdkafka's
   * retry.backoff.ms, 100 ms, for AddPartitionsToTxn), which cost a producer committing every 100 records most
   * of its time. Instead such a call waits for that completion (at most COMPLETION_WAIT_MS) and is tried once
   * more: the answer is then the one the client's retry would get.
   */
  private async call(c: TxnCoordinator, call: TxnCall): Promise<unknown> {
    const first = await this.callOnce(c, call);
    const pending = this.completions.get(call.transactionalId);
    if (pending === undefined || !waitsForCompletion(call) || codeOf(first) !== ErrorCode.CONCURRENT_TRANSACTIONS) {
      return first;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([pending, new Promise<void>((resolve) => timer = setTimeout(resolve, COMPLETION_WAIT_MS))]);
    clearTimeout(timer);
    return this.coordinator === c ? this.callOnce(c, call) : first;
  }

  private async callOnce(c: TxnCoordinator, call: TxnCall): Promise<unknown> {
    switch (call.kind) {
      case "initProducerId":
        return this.run(c, await c.initProducerId(call));
      case "addPartitions": {
        if (call.verifyOnly) return verify(c, call);
        const added = await this.run(
          c,
          c.addPartitions(call.transactionalId, call.producerId, call.producerEpoch, call.partitions),
        );
        if (added.errorCode === ErrorCode.NONE) await this.admit(call.partitions, call.producerId, call.producerEpoch);
        return withCode(call.partitions, added);
      }
      case "addOffsets":
        return this.run(c, c.addOffsets(call.transactionalId, call.producerId, call.producerEpoch, call.groupId));
      case "endTxn":
        return this.run(c, c.endTxn(call.transactionalId, call.producerId, call.producerEpoch, call.commit));
      case "describe":
        return describeTransaction(c, call.transactionalId);
    }
  }

  /**
   * Writes a step's records (if any), applies it, and sets off the markers it asks for. `acks` -1 waits for
   * the write to be durable in durable mode; 1 does not (see completeTxn).
   */
  private async run<T>(c: TxnCoordinator, step: TxnStep<T>, acks = -1): Promise<T> {
    if (step.kind === "answer") return step.answer;
    const errorCode = await this.persist(step.partition, step.records, acks);
    const applied = step.apply(errorCode);
    for (const m of applied.markers) this.complete(c, m);
    return applied.answer;
  }

  /** Appends `records` as one batch to `__transaction_state`-`partition`; the write's error code. */
  private async persist(partition: number, records: readonly TxnRecord[], acks: number): Promise<number> {
    const topicId = this.topicId;
    if (topicId === null) return ErrorCode.NOT_COORDINATOR;
    try {
      const [outcome] = await this.o.local.execute({
        op: "produce",
        acks,
        items: [{
          topicId,
          partition,
          topic: TRANSACTION_STATE_TOPIC,
          records: encodeTxnRecordsBatch(records, this.now()),
        }],
      });
      if (outcome.errorCode !== ErrorCode.NONE) {
        this.o.log.warn(
          `Writing to ${TRANSACTION_STATE_TOPIC}-${partition} failed: error ${outcome.errorCode} ${
            outcome.errorMessage ?? ""
          }`,
        );
      }
      return outcome.errorCode;
    } catch (e) {
      this.o.log.error(
        `Writing to ${TRANSACTION_STATE_TOPIC}-${partition} failed: ${e instanceof Error ? e.message : e}`,
      );
      return ErrorCode.UNKNOWN_SERVER_ERROR;
    }
  }

  /** Writes the markers of a prepared commit or abort, then its Complete record (in the background). */
  private complete(c: TxnCoordinator, m: TxnMarkerWrite): void {
    const id = m.transactionalId;
    const done: Promise<void> = this.completeTxn(c, m)
      .catch((e) => this.o.log.error(`completing the transaction of ${id} failed: ${e instanceof Error ? e.stack : e}`))
      .finally(() => {
        if (this.completions.get(id) === done) this.completions.delete(id);
      });
    this.completions.set(id, done);
  }

  private async completeTxn(c: TxnCoordinator, m: TxnMarkerWrite): Promise<void> {
    if (!await this.writeMarkers(c, m)) return;
    for (let delay = RETRY_MIN_MS; this.isCurrent(c, m.transactionalId); delay = Math.min(delay * 2, RETRY_MAX_MS)) {
      // The Complete record need not wait for fdatasync: the markers before it are durable, and if a crash loses it
      // the transaction reloads prepared and its markers are written again (a repeated marker changes nothing).
      // This spares the next transaction of the producer, which waits for it (CONCURRENT_TRANSACTIONS), one sync.
      const { errorCode } = await this.run(c, c.markersWritten(m), 1);
      // INVALID_TXN_STATE / CONCURRENT_TRANSACTIONS: completed or being completed by another call meanwhile.
      if (
        errorCode === ErrorCode.NONE || errorCode === ErrorCode.INVALID_TXN_STATE ||
        errorCode === ErrorCode.CONCURRENT_TRANSACTIONS
      ) return;
      await sleep(delay);
    }
  }

  /** While `c` serves and has the id's partition loaded (a stop or an unload ends the retries). */
  private isCurrent(c: TxnCoordinator, transactionalId: string): boolean {
    return !this.closed && this.coordinator === c && c.metadata(transactionalId) !== null;
  }

  /**
   * Tells the owners of partitions just added to a transaction (LocalPartition.admitTxn), before the client
   * hears of it, so its first batches need no verification. Best effort: a partition that misses it verifies.
   */
  private async admit(partitions: readonly TopicPartition[], producerId: bigint, producerEpoch: number) {
    const metadata = this.o.metadata();
    const items = partitions.flatMap((tp) => {
      const topic = metadata.byName.get(tp.topic);
      return topic && tp.partition < topic.partitions
        ? [{ topicId: topic.topicId, partition: tp.partition, producerId, producerEpoch }]
        : [];
    });
    if (items.length === 0) return;
    try {
      await this.o.partitions.run({ op: "admitTxn", items });
    } catch (e) {
      this.o.log.debug(`admitting ${items.length} partitions to a transaction failed: ${e}`);
    }
  }

  /** Writes every marker of `m`, retrying what may pass; false when stopped before all were written. */
  private async writeMarkers(c: TxnCoordinator, m: TxnMarkerWrite): Promise<boolean> {
    let pending: readonly TopicPartition[] = m.partitions;
    for (let delay = RETRY_MIN_MS; pending.length > 0; delay = Math.min(delay * 2, RETRY_MAX_MS)) {
      if (!this.isCurrent(c, m.transactionalId)) return false;
      const metadata = this.o.metadata();
      const items: TxnMarkerItem[] = [];
      for (const tp of pending) {
        const topic = metadata.byName.get(tp.topic);
        // A deleted topic (or partition) holds nothing of the transaction any more: no marker (Kafka skips it too).
        if (!topic || tp.partition >= topic.partitions) continue;
        items.push({
          topicId: topic.topicId,
          partition: tp.partition,
          topic: tp.topic,
          producerId: m.producerId,
          producerEpoch: m.producerEpoch,
          coordinatorEpoch: m.coordinatorEpoch,
          commit: m.commit,
        });
      }
      if (items.length === 0) return true;
      let outcomes: Array<{ errorCode: number; errorMessage: string | null }>;
      try {
        outcomes = await this.o.partitions.run({ op: "writeTxnMarkers", items });
      } catch (e) {
        const errorMessage = e instanceof Error ? e.message : String(e);
        outcomes = items.map(() => ({ errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage }));
      }
      const retry: TopicPartition[] = [];
      outcomes.forEach((o, i) => {
        if (o.errorCode === ErrorCode.NONE) return;
        const name = `${items[i].topic}-${items[i].partition}`;
        if (RETRIABLE_MARKER_ERRORS.has(o.errorCode)) {
          retry.push({ topic: items[i].topic, partition: items[i].partition });
          if (delay >= RETRY_MAX_MS) {
            this.o.log.warn(`Marker of ${m.transactionalId} for ${name} still fails (error ${o.errorCode}); retrying`);
          }
        } else {
          // Kafka stops on these (a newer producer epoch or coordinator wrote there): nothing to retry.
          this.o.log.error(
            `Marker of ${m.transactionalId} (producer ${m.producerId}, epoch ${m.producerEpoch}) for ${name} was ` +
              `refused with error ${o.errorCode} (${o.errorMessage ?? ""}); the transaction completes without it`,
          );
        }
      });
      pending = retry;
      if (pending.length > 0) await sleep(delay);
    }
    return true;
  }

  private abortTimedOut(): void {
    const c = this.coordinator;
    if (c === null) return;
    try {
      for (const step of c.abortTimedOut()) {
        this.run(c, step).catch((e) => this.o.log.error(`aborting a timed-out transaction failed: ${e}`));
      }
    } catch (e) {
      this.o.log.error(`looking for timed-out transactions failed: ${e instanceof Error ? e.stack : e}`);
    }
  }

  private expireIds(): void {
    const c = this.coordinator;
    if (c === null) return;
    for (const step of c.expireIds()) {
      this.run(c, step).then(
        ({ expired }) => {
          if (expired.length > 0) this.o.log.info(`Removed ${expired.length} expired transactional ids`);
        },
        (e) => this.o.log.error(`removing expired transactional ids failed: ${e}`),
      );
    }
  }
}

/** Calls that start or change a transaction: worth waiting for the previous one's completion. */
function waitsForCompletion(call: TxnCall): boolean {
  return call.kind === "initProducerId" || call.kind === "addOffsets" ||
    (call.kind === "addPartitions" && !call.verifyOnly);
}

/** The error of an answer: its own, or (AddPartitionsToTxn) its first partition's. */
function codeOf(answer: unknown): number {
  const a = answer as { errorCode: number; partitions?: Array<{ errorCode: number }> };
  return a.partitions?.[0]?.errorCode ?? a.errorCode;
}

/** AddPartitionsToTxn's verify-only form: nothing is written. */
function verify(c: TxnCoordinator, call: TxnCall & { kind: "addPartitions" }): AddPartitionsAnswer {
  const v = c.verifyPartitions(call.transactionalId, call.producerId, call.producerEpoch, call.partitions);
  return {
    errorCode: 0,
    partitions: call.partitions.map((tp) => ({ ...tp, errorCode: v.partitionErrors?.get(tp) ?? v.errorCode })),
  };
}

/** One error for every partition (AddPartitionsToTxn answers per partition). */
function withCode(partitions: readonly TopicPartition[], answer: { errorCode: number }): AddPartitionsAnswer {
  return { errorCode: 0, partitions: partitions.map((tp) => ({ ...tp, errorCode: answer.errorCode })) };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
