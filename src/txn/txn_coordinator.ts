/**
 * The transaction coordinator's state machine (Kafka's TransactionCoordinator
 * and TransactionStateManager), without I/O: every operation returns a
 * TxnStep (txn_effects.ts) whose records the caller writes to
 * `__transaction_state` before applying; src/handler/services/txn_service.ts serves it
 * on each handler Worker.
 *
 * Placement: a transactional id lives on partition
 * abs(javaHash(id)) % transaction.state.log.num.partitions; the owner of that
 * partition loads it (loadPartition, which replays its records) and
 * coordinates its ids. An id on a partition not loaded here gets
 * NOT_COORDINATOR.
 *
 * One transaction: InitProducerId (epoch bump; Empty) → AddPartitionsToTxn /
 * AddOffsetsToTxn (Ongoing) → EndTxn (PrepareCommit or PrepareAbort, written
 * before EndTxn answers) → markers written to every partition → the Complete
 * record (CompleteCommit or CompleteAbort). InitProducerId on an Ongoing
 * transaction, and a transaction open longer than its timeout, fence the
 * producer: the epoch is bumped, the transaction aborted with the bumped
 * epoch, and the InitProducerId answered CONCURRENT_TRANSACTIONS so that the
 * client retries and gets one more bump (Kafka's PrepareEpochFence).
 */
import { javaStringHash, OFFSETS_TOPIC, offsetsPartitionFor } from "../cluster/offsets_topic.ts";
import { ErrorCode } from "../protocol/errors.ts";
import {
  answer,
  appendErrorForClient,
  type ErrorAnswer,
  initError,
  type InitProducerIdAnswer,
  type TxnApplied,
  type TxnMarkerWrite,
  type TxnStep,
} from "./txn_effects.ts";
import {
  isEpochExhausted,
  isExpirationAllowed,
  MAX_PRODUCER_EPOCH,
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  toLogValue,
  type TopicPartition,
  TxnMetadata,
  type TxnSnapshot,
} from "./txn_metadata.ts";
import { type TxnRecord, TxnState } from "./txn_records.ts";
import { emptyTxn, isKnownProducer, prepareEpochBump } from "./txn_epochs.ts";

export const TRANSACTION_STATE_TOPIC = "__transaction_state";

export interface TxnCoordinatorConfig {
  /** transaction.max.timeout.ms: the largest transaction timeout a producer may ask for. */
  readonly maxTimeoutMs: number;
  /** transactional.id.expiration.ms: an id idle this long (no open transaction) is forgotten. */
  readonly idExpirationMs: number;
  /** transaction.state.log.num.partitions. */
  readonly stateLogPartitions: number;
  /** offsets.topic.num.partitions: where AddOffsetsToTxn's group commits its offsets. */
  readonly offsetsTopicPartitions: number;
}

export interface TxnCoordinatorEnv {
  now(): number;
  /** A producer id never handed out before (the broker's producer id blocks). */
  allocateProducerId(): Promise<bigint>;
}

export interface InitProducerIdRequest {
  readonly transactionalId: string;
  readonly timeoutMs: number;
  /** KIP-360 (v3+): the id and epoch the producer has, or -1 and -1 for a fresh producer. */
  readonly producerId?: bigint;
  readonly producerEpoch?: number;
}

/** The answer to a verify-only AddPartitionsToTxn: one error for all, or one per partition. */
export type VerifyAnswer =
  | { readonly errorCode: number; readonly partitionErrors?: undefined }
  | { readonly errorCode: 0; readonly partitionErrors: ReadonlyMap<TopicPartition, number> };

interface LoadedPartition {
  readonly coordinatorEpoch: number;
  readonly ids: Map<string, TxnMetadata>;
}

type Lookup =
  | { readonly ok: false; readonly error: number }
  | { readonly ok: true; readonly partition: number; readonly loaded: LoadedPartition; readonly meta?: TxnMetadata };

const NEED_PRODUCER_ID = Symbol("need producer id");

export class TxnCoordinator {
  private readonly loaded = new Map<number, LoadedPartition>();
  /** Ids whose Complete record is being written (markersWritten in flight). */
  private readonly completing = new Set<TxnMetadata>();

  constructor(readonly config: TxnCoordinatorConfig, private readonly env: TxnCoordinatorEnv) {}

  partitionFor(transactionalId: string): number {
    return (javaStringHash(transactionalId) & 0x7fffffff) % this.config.stateLogPartitions;
  }

  /** Every loaded id's metadata (for DescribeTransactions and ListTransactions, txn_views.ts). */
  *allMetadata(): IterableIterator<TxnMetadata> {
    for (const p of this.loaded.values()) yield* p.ids.values();
  }

  /** The metadata of `transactionalId`: undefined when unknown, null when its partition is not loaded here. */
  metadata(transactionalId: string): TxnMetadata | undefined | null {
    const found = this.lookup(transactionalId);
    return !found.ok ? null : found.meta;
  }

  // -------------------------------------------------------------------------
  // Loading

  /**
   * Takes over `partition`, rebuilding each id from its records (the last
   * record of an id wins; a tombstone forgets it). A transaction caught in
   * PrepareCommit or PrepareAbort still needs its markers: they are
   * returned, and markersWritten completes it as after an EndTxn.
   */
  loadPartition(partition: number, coordinatorEpoch: number, records: Iterable<TxnRecord>): TxnMarkerWrite[] {
    const latest = new Map<string, TxnRecord>();
    for (const r of records) {
      if (r.value === null) latest.delete(r.transactionalId);
      else latest.set(r.transactionalId, r);
    }
    const ids = new Map<string, TxnMetadata>();
    const markers: TxnMarkerWrite[] = [];
    for (const [id, r] of latest) {
      const meta = TxnMetadata.fromLogValue(id, r.value!);
      ids.set(id, meta);
      if (meta.state === TxnState.PrepareCommit || meta.state === TxnState.PrepareAbort) {
        markers.push(this.prepareCompletion(meta, coordinatorEpoch));
      }
    }
    this.loaded.set(partition, { coordinatorEpoch, ids });
    return markers;
  }

  /** Whether `partition` is loaded here. */
  isLoaded(partition: number): boolean {
    return this.loaded.has(partition);
  }

  /** Gives up `partition` (another broker or handler coordinates it now). */
  unloadPartition(partition: number): void {
    const p = this.loaded.get(partition);
    if (p === undefined) return;
    for (const meta of p.ids.values()) this.completing.delete(meta);
    this.loaded.delete(partition);
  }

  // -------------------------------------------------------------------------
  // InitProducerId

  async initProducerId(req: InitProducerIdRequest): Promise<TxnStep<InitProducerIdAnswer>> {
    let fresh: bigint | null = null;
    // A new id is needed at most twice (a new transactional id, an exhausted epoch); anything more is a bug.
    for (let attempt = 0; attempt < 3; attempt++) {
      const step = this.tryInitProducerId(req, fresh);
      if (step !== NEED_PRODUCER_ID) return step;
      fresh = await this.env.allocateProducerId();
    }
    throw new Error("InitProducerId kept asking for new producer ids");
  }

  private tryInitProducerId(
    req: InitProducerIdRequest,
    fresh: bigint | null,
  ): TxnStep<InitProducerIdAnswer> | typeof NEED_PRODUCER_ID {
    if (req.transactionalId === "") return answer(initError(ErrorCode.INVALID_REQUEST));
    // KIP-360 names both the producer id and its epoch, or neither.
    if (((req.producerId ?? NO_PRODUCER_ID) === NO_PRODUCER_ID) !== ((req.producerEpoch ?? -1) === NO_PRODUCER_EPOCH)) {
      return answer(initError(ErrorCode.INVALID_REQUEST));
    }
    if (!(req.timeoutMs > 0 && req.timeoutMs <= this.config.maxTimeoutMs)) {
      return answer(initError(ErrorCode.INVALID_TRANSACTION_TIMEOUT));
    }
    const found = this.lookup(req.transactionalId);
    if (!found.ok) return answer(initError(found.error));
    let meta = found.meta;
    if (meta === undefined) {
      if (fresh === null) return NEED_PRODUCER_ID;
      meta = TxnMetadata.fresh(req.transactionalId, fresh, req.timeoutMs, this.env.now());
      found.loaded.ids.set(req.transactionalId, meta);
      fresh = null;
    }
    const expected = (req.producerId ?? NO_PRODUCER_ID) === NO_PRODUCER_ID
      ? null
      : { producerId: req.producerId!, epoch: req.producerEpoch! };
    if (meta.pending !== null) return answer(initError(ErrorCode.CONCURRENT_TRANSACTIONS));
    if (expected !== null && !isKnownProducer(meta, expected.producerId, expected.epoch)) {
      return answer(initError(ErrorCode.PRODUCER_FENCED));
    }
    switch (meta.state) {
      case TxnState.PrepareCommit:
      case TxnState.PrepareAbort:
        return answer(initError(ErrorCode.CONCURRENT_TRANSACTIONS));
      case TxnState.Ongoing:
        return this.fenceAndAbort(meta);
      case TxnState.Empty:
      case TxnState.CompleteCommit:
      case TxnState.CompleteAbort:
        break;
      default:
        throw new Error(`${meta.transactionalId} found in state ${meta.state}, which is never stored`);
    }
    let target: TxnSnapshot | number;
    if (isEpochExhausted(meta.producerEpoch) && (expected === null || expected.epoch === meta.producerEpoch)) {
      if (fresh === null) return NEED_PRODUCER_ID;
      target = meta.prepare({
        ...emptyTxn(req.timeoutMs, this.env.now()),
        producerId: fresh,
        producerEpoch: 0,
        lastProducerEpoch: expected !== null ? meta.producerEpoch : NO_PRODUCER_EPOCH,
      });
    } else {
      target = prepareEpochBump(meta, req.timeoutMs, expected?.epoch ?? null, this.env.now());
    }
    if (typeof target === "number") return answer(initError(target));
    const snap = target;
    return this.persist(found.partition, meta, snap, (rc) => {
      if (rc !== 0) return { answer: initError(rc), markers: [] };
      return { answer: { errorCode: 0, producerId: snap.producerId, producerEpoch: snap.producerEpoch }, markers: [] };
    });
  }

  /**
   * Fences the producer of an open transaction and aborts it: the epoch is
   * bumped (once: a fence whose write failed reuses its bump), the abort is
   * prepared with it, and the InitProducerId that asked is answered
   * CONCURRENT_TRANSACTIONS once the PrepareAbort is written.
   */
  private fenceAndAbort(meta: TxnMetadata): TxnStep<InitProducerIdAnswer> {
    const step = this.fenceAndEnd(meta);
    if (step.kind === "answer") return answer(initError(step.answer.errorCode));
    return {
      ...step,
      apply: (rc) => {
        const applied = step.apply(rc);
        const code = applied.answer.errorCode === 0 ? ErrorCode.CONCURRENT_TRANSACTIONS : applied.answer.errorCode;
        return { answer: initError(code), markers: applied.markers };
      },
    };
  }

  private fenceAndEnd(meta: TxnMetadata): TxnStep<ErrorAnswer> {
    if (meta.producerEpoch === MAX_PRODUCER_EPOCH) {
      throw new Error(`${meta.transactionalId}: cannot fence producer ${meta.producerId} at the last epoch`);
    }
    const fenced = meta.prepare({
      state: TxnState.PrepareEpochFence,
      producerEpoch: meta.hasFailedEpochFence ? meta.producerEpoch : meta.producerEpoch + 1,
      lastProducerEpoch: NO_PRODUCER_EPOCH,
    });
    const step = this.endTransaction(meta.transactionalId, fenced.producerId, fenced.producerEpoch, false, false);
    if (meta.pending === fenced) meta.drop(); // never left pending when no abort was prepared
    return step;
  }

  // -------------------------------------------------------------------------
  // AddPartitionsToTxn, AddOffsetsToTxn

  /** AddPartitionsToTxn (one transaction; v4+'s batched form calls this per transaction). */
  addPartitions(
    transactionalId: string,
    producerId: bigint,
    producerEpoch: number,
    partitions: readonly TopicPartition[],
  ): TxnStep<ErrorAnswer> {
    const checked = this.checkProducer(transactionalId, producerId, producerEpoch);
    if ("errorCode" in checked) return answer(checked);
    const { meta, found } = checked;
    if (meta.pending !== null) return answer({ errorCode: ErrorCode.CONCURRENT_TRANSACTIONS });
    if (meta.state === TxnState.PrepareCommit || meta.state === TxnState.PrepareAbort) {
      return answer({ errorCode: ErrorCode.CONCURRENT_TRANSACTIONS });
    }
    if (meta.state === TxnState.Ongoing && partitions.every((tp) => meta.hasPartition(tp))) {
      return answer({ errorCode: 0 });
    }
    const now = this.env.now();
    const starts = meta.state === TxnState.Empty || meta.state === TxnState.CompleteCommit ||
      meta.state === TxnState.CompleteAbort;
    const target = meta.prepare({
      state: TxnState.Ongoing,
      partitions: meta.withPartitions(partitions),
      startTimestampMs: starts ? now : meta.startTimestampMs,
      lastUpdateTimestampMs: now,
    });
    return this.persist(found.partition, meta, target, (rc) => ({ answer: { errorCode: rc }, markers: [] }));
  }

  /** AddOffsetsToTxn: adds the group's `__consumer_offsets` partition to the transaction. */
  addOffsets(transactionalId: string, producerId: bigint, producerEpoch: number, groupId: string) {
    const partition = offsetsPartitionFor(groupId, this.config.offsetsTopicPartitions);
    return this.addPartitions(transactionalId, producerId, producerEpoch, [{ topic: OFFSETS_TOPIC, partition }]);
  }

  /**
   * AddPartitionsToTxn v4+ with verifyOnly (KIP-890 part 1, asked by a
   * partition leader before a transactional produce): which partitions are in
   * the transaction. Nothing is written. A pending transition is not checked,
   * as in Kafka: partitions enter the set only once their record is written.
   */
  verifyPartitions(
    transactionalId: string,
    producerId: bigint,
    producerEpoch: number,
    partitions: readonly TopicPartition[],
  ): VerifyAnswer {
    const checked = this.checkProducer(transactionalId, producerId, producerEpoch);
    if ("errorCode" in checked) return checked;
    const { meta } = checked;
    if (meta.state === TxnState.PrepareCommit || meta.state === TxnState.PrepareAbort) {
      return { errorCode: ErrorCode.CONCURRENT_TRANSACTIONS };
    }
    const partitionErrors = new Map<TopicPartition, number>();
    for (const tp of partitions) {
      partitionErrors.set(tp, meta.hasPartition(tp) ? 0 : ErrorCode.TRANSACTION_ABORTABLE);
    }
    return { errorCode: 0, partitionErrors };
  }

  /** The checks AddPartitionsToTxn and its verify-only form share. */
  private checkProducer(
    transactionalId: string,
    producerId: bigint,
    producerEpoch: number,
  ): ErrorAnswer | { meta: TxnMetadata; found: { partition: number } } {
    if (transactionalId === "") return { errorCode: ErrorCode.INVALID_REQUEST };
    const found = this.lookup(transactionalId);
    if (!found.ok) return { errorCode: found.error };
    const meta = found.meta;
    if (meta === undefined || meta.producerId !== producerId) {
      return { errorCode: ErrorCode.INVALID_PRODUCER_ID_MAPPING };
    }
    if (meta.producerEpoch !== producerEpoch) return { errorCode: ErrorCode.PRODUCER_FENCED };
    return { meta, found };
  }

  // -------------------------------------------------------------------------
  // EndTxn and completion

  /** EndTxn: prepares the commit or abort; answered once the Prepare record is written. */
  endTxn(transactionalId: string, producerId: bigint, producerEpoch: number, commit: boolean): TxnStep<ErrorAnswer> {
    return this.endTransaction(transactionalId, producerId, producerEpoch, commit, true);
  }

  private endTransaction(
    transactionalId: string,
    producerId: bigint,
    producerEpoch: number,
    commit: boolean,
    fromClient: boolean,
  ): TxnStep<ErrorAnswer> {
    if (transactionalId === "") return answer({ errorCode: ErrorCode.INVALID_REQUEST });
    const found = this.lookup(transactionalId);
    if (!found.ok) return answer({ errorCode: found.error });
    const meta = found.meta;
    if (meta === undefined || meta.producerId !== producerId) {
      return answer({ errorCode: ErrorCode.INVALID_PRODUCER_ID_MAPPING });
    }
    // A client must name the current epoch; the coordinator's own abort may name a higher (fenced) one.
    if ((fromClient && producerEpoch !== meta.producerEpoch) || producerEpoch < meta.producerEpoch) {
      return answer({ errorCode: ErrorCode.PRODUCER_FENCED });
    }
    const fencing = meta.pending?.state === TxnState.PrepareEpochFence;
    if (meta.pending !== null && !fencing) return answer({ errorCode: ErrorCode.CONCURRENT_TRANSACTIONS });
    const sameOutcome = commit
      ? meta.state === TxnState.CompleteCommit || meta.state === TxnState.PrepareCommit
      : meta.state === TxnState.CompleteAbort || meta.state === TxnState.PrepareAbort;
    switch (meta.state) {
      case TxnState.Ongoing:
        break;
      case TxnState.CompleteCommit:
      case TxnState.CompleteAbort:
        return answer({ errorCode: sameOutcome ? 0 : ErrorCode.INVALID_TXN_STATE });
      case TxnState.PrepareCommit:
      case TxnState.PrepareAbort:
        return answer({ errorCode: sameOutcome ? ErrorCode.CONCURRENT_TRANSACTIONS : ErrorCode.INVALID_TXN_STATE });
      case TxnState.Empty:
        return answer({ errorCode: ErrorCode.INVALID_TXN_STATE });
      default:
        throw new Error(`${transactionalId} found in state ${meta.state}, which is never stored`);
    }
    const isFence = fencing && !commit;
    if (isFence) {
      // The fence's bump goes into the PrepareAbort record itself.
      meta.drop();
      meta.producerEpoch = producerEpoch;
      meta.lastProducerEpoch = NO_PRODUCER_EPOCH;
    }
    const target = meta.prepare({
      state: commit ? TxnState.PrepareCommit : TxnState.PrepareAbort,
      lastUpdateTimestampMs: this.env.now(),
    });
    return this.persist(found.partition, meta, target, (rc) => {
      if (rc !== 0) {
        if (isFence) meta.hasFailedEpochFence = true;
        return { answer: { errorCode: rc }, markers: [] };
      }
      return { answer: { errorCode: 0 }, markers: [this.prepareCompletion(meta, found.loaded.coordinatorEpoch)] };
    });
  }

  /** Prepares the Complete transition of a written Prepare record, and names the markers it waits for. */
  private prepareCompletion(meta: TxnMetadata, coordinatorEpoch: number): TxnMarkerWrite {
    const commit = meta.state === TxnState.PrepareCommit;
    const partitions = meta.partitionList();
    meta.prepare({
      state: commit ? TxnState.CompleteCommit : TxnState.CompleteAbort,
      partitions: new Map(),
      lastUpdateTimestampMs: this.env.now(),
    });
    return {
      transactionalId: meta.transactionalId,
      producerId: meta.producerId,
      producerEpoch: meta.producerEpoch,
      coordinatorEpoch,
      commit,
      partitions,
    };
  }

  /**
   * Every marker of `marker` is written (a marker writer with no partitions
   * reports at once): writes the Complete record. When that write fails the
   * transaction stays prepared, and the caller may call this again.
   */
  markersWritten(marker: TxnMarkerWrite): TxnStep<ErrorAnswer> {
    const found = this.lookup(marker.transactionalId);
    if (!found.ok) return answer({ errorCode: found.error });
    const meta = found.meta;
    const target = meta?.pending;
    if (
      meta === undefined || target === null || target === undefined ||
      meta.producerId !== marker.producerId || meta.producerEpoch !== marker.producerEpoch ||
      (target.state !== TxnState.CompleteCommit && target.state !== TxnState.CompleteAbort)
    ) {
      return answer({ errorCode: ErrorCode.INVALID_TXN_STATE });
    }
    if (this.completing.has(meta)) return answer({ errorCode: ErrorCode.CONCURRENT_TRANSACTIONS });
    this.completing.add(meta);
    return {
      kind: "persist",
      partition: found.partition,
      records: [{ transactionalId: meta.transactionalId, value: toLogValue(target) }],
      apply: (rc) => {
        this.completing.delete(meta);
        const code = appendErrorForClient(rc);
        if (code === 0 && meta.pending === target) meta.complete(target);
        return { answer: { errorCode: code }, markers: [] };
      },
    };
  }

  // -------------------------------------------------------------------------
  // Timers: timed-out transactions, expired ids

  /** Aborts, fencing their producers, every transaction open longer than its timeout. */
  abortTimedOut(): TxnStep<ErrorAnswer>[] {
    const now = this.env.now();
    const steps: TxnStep<ErrorAnswer>[] = [];
    for (const loaded of this.loaded.values()) {
      for (const meta of loaded.ids.values()) {
        if (meta.pending !== null || meta.state !== TxnState.Ongoing) continue;
        if (meta.startTimestampMs + meta.timeoutMs >= now) continue;
        steps.push(this.fenceAndEnd(meta));
      }
    }
    return steps;
  }

  /**
   * Forgets ids idle for transactional.id.expiration.ms with no transaction
   * open: one tombstone batch per partition; each id is removed once its
   * tombstone is written.
   */
  expireIds(): TxnStep<{ readonly expired: readonly string[] }>[] {
    const horizon = this.env.now() - this.config.idExpirationMs;
    const steps: TxnStep<{ readonly expired: readonly string[] }>[] = [];
    for (const [partition, loaded] of this.loaded) {
      const dying: Array<[TxnMetadata, TxnSnapshot]> = [];
      for (const meta of loaded.ids.values()) {
        if (meta.pending !== null || !isExpirationAllowed(meta.state)) continue;
        if (meta.lastUpdateTimestampMs > horizon) continue;
        dying.push([meta, meta.prepare({ state: TxnState.Dead })]);
      }
      if (dying.length === 0) continue;
      steps.push({
        kind: "persist",
        partition,
        records: dying.map(([meta]) => ({ transactionalId: meta.transactionalId, value: null })),
        apply: (rc) => {
          const expired: string[] = [];
          for (const [meta, target] of dying) {
            if (meta.pending !== target) continue;
            meta.drop();
            if (rc === 0 && loaded.ids.get(meta.transactionalId) === meta) {
              loaded.ids.delete(meta.transactionalId);
              expired.push(meta.transactionalId);
            }
          }
          return { answer: { expired }, markers: [] };
        },
      });
    }
    return steps;
  }

  // -------------------------------------------------------------------------

  private lookup(transactionalId: string): Lookup {
    const partition = this.partitionFor(transactionalId);
    const loaded = this.loaded.get(partition);
    if (loaded === undefined) return { ok: false, error: ErrorCode.NOT_COORDINATOR };
    return { ok: true, partition, loaded, meta: loaded.ids.get(transactionalId) };
  }

  /**
   * The step writing `target` (pending on `meta`): on success the transition
   * completes, on failure it is dropped; `then` gets the client's error code.
   */
  private persist<T>(
    partition: number,
    meta: TxnMetadata,
    target: TxnSnapshot,
    then: (errorCode: number) => TxnApplied<T>,
  ): TxnStep<T> {
    let applied = false;
    return {
      kind: "persist",
      partition,
      records: [{ transactionalId: meta.transactionalId, value: toLogValue(target) }],
      apply: (rc) => {
        if (applied) throw new Error(`${meta.transactionalId}: a step applied twice`);
        applied = true;
        // The partition may have been unloaded (and the id reloaded elsewhere) meanwhile.
        if (meta.pending !== target) return then(rc === 0 ? ErrorCode.NOT_COORDINATOR : appendErrorForClient(rc));
        if (rc === 0) meta.complete(target);
        else meta.drop();
        return then(appendErrorForClient(rc));
      },
    };
  }
}
