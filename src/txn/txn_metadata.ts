/**
 * One transactional id's state, as Kafka's TransactionMetadata keeps it, and
 * the transitions between states. A transition is first prepared (the
 * target is kept as `pending`, and every other operation on the id answers
 * CONCURRENT_TRANSACTIONS meanwhile), then written to `__transaction_state`
 * by the caller, then completed (the target becomes the state) or dropped
 * when the write failed. The prepare functions here only compute targets;
 * the coordinator (txn_coordinator.ts) decides which to take.
 *
 * lastProducerId and lastProducerEpoch are kept in memory only (value v0
 * has no field for them, as in Kafka 3.9): they let a producer retrying an
 * InitProducerId whose answer it lost (KIP-360) get the same epoch again.
 * After a reload they are -1.
 */
import { type TxnLogValue, TxnState, txnStateName, type TxnTopicPartitions } from "./txn_records.ts";

export const NO_PRODUCER_ID = -1n;
export const NO_PRODUCER_EPOCH = -1;
/** Short.MAX_VALUE: the largest epoch an int16 holds. */
export const MAX_PRODUCER_EPOCH = 32767;

/** An epoch this high gets a new producer id at the next InitProducerId (the fence bump may still use the last one). */
export function isEpochExhausted(epoch: number): boolean {
  return epoch >= MAX_PRODUCER_EPOCH - 1;
}

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** Everything a transition sets: the state of an id at one moment. */
export interface TxnSnapshot {
  readonly producerId: bigint;
  readonly lastProducerId: bigint;
  readonly producerEpoch: number;
  readonly lastProducerEpoch: number;
  readonly timeoutMs: number;
  readonly state: TxnState;
  /** Topic → partitions, in the order they were added. */
  readonly partitions: ReadonlyMap<string, ReadonlySet<number>>;
  /** When the current transaction began (-1 when none has). */
  readonly startTimestampMs: number;
  readonly lastUpdateTimestampMs: number;
}

/** The states each state may be entered from (Kafka's validPreviousStates). */
const PREVIOUS: Record<TxnState, readonly TxnState[]> = {
  [TxnState.Empty]: [TxnState.Empty, TxnState.CompleteCommit, TxnState.CompleteAbort],
  [TxnState.Ongoing]: [TxnState.Ongoing, TxnState.Empty, TxnState.CompleteCommit, TxnState.CompleteAbort],
  [TxnState.PrepareCommit]: [TxnState.Ongoing],
  [TxnState.PrepareAbort]: [TxnState.Ongoing, TxnState.PrepareEpochFence],
  [TxnState.CompleteCommit]: [TxnState.PrepareCommit],
  [TxnState.CompleteAbort]: [TxnState.PrepareAbort],
  [TxnState.Dead]: [TxnState.Empty, TxnState.CompleteCommit, TxnState.CompleteAbort],
  [TxnState.PrepareEpochFence]: [TxnState.Ongoing],
};

/** States after which the id may expire (no transaction is open). */
export function isExpirationAllowed(state: TxnState): boolean {
  return state === TxnState.Empty || state === TxnState.CompleteCommit || state === TxnState.CompleteAbort;
}

export class TxnMetadata {
  producerId: bigint;
  lastProducerId: bigint;
  producerEpoch: number;
  lastProducerEpoch: number;
  timeoutMs: number;
  state: TxnState;
  partitions: ReadonlyMap<string, ReadonlySet<number>>;
  startTimestampMs: number;
  lastUpdateTimestampMs: number;
  /** The prepared transition being written, if any. */
  pending: TxnSnapshot | null = null;
  /** A fence bump whose PrepareAbort write failed: the next fence reuses the bumped epoch (Kafka does the same). */
  hasFailedEpochFence = false;

  constructor(readonly transactionalId: string, s: TxnSnapshot) {
    this.producerId = s.producerId;
    this.lastProducerId = s.lastProducerId;
    this.producerEpoch = s.producerEpoch;
    this.lastProducerEpoch = s.lastProducerEpoch;
    this.timeoutMs = s.timeoutMs;
    this.state = s.state;
    this.partitions = s.partitions;
    this.startTimestampMs = s.startTimestampMs;
    this.lastUpdateTimestampMs = s.lastUpdateTimestampMs;
  }

  /** A new id: a fresh producer id, no epoch yet, Empty. */
  static fresh(transactionalId: string, producerId: bigint, timeoutMs: number, nowMs: number): TxnMetadata {
    return new TxnMetadata(transactionalId, {
      producerId,
      lastProducerId: NO_PRODUCER_ID,
      producerEpoch: NO_PRODUCER_EPOCH,
      lastProducerEpoch: NO_PRODUCER_EPOCH,
      timeoutMs,
      state: TxnState.Empty,
      partitions: new Map(),
      startTimestampMs: -1,
      lastUpdateTimestampMs: nowMs,
    });
  }

  /** The id as its record stored it (lastProducerId/Epoch are not stored, so -1). */
  static fromLogValue(transactionalId: string, v: TxnLogValue): TxnMetadata {
    const partitions = new Map<string, Set<number>>();
    for (const tp of v.partitions ?? []) {
      const set = partitions.get(tp.topic) ?? new Set<number>();
      for (const p of tp.partitions) set.add(p);
      partitions.set(tp.topic, set);
    }
    return new TxnMetadata(transactionalId, {
      producerId: v.producerId,
      lastProducerId: NO_PRODUCER_ID,
      producerEpoch: v.producerEpoch,
      lastProducerEpoch: NO_PRODUCER_EPOCH,
      timeoutMs: v.timeoutMs,
      state: v.state,
      partitions,
      startTimestampMs: v.startTimestampMs,
      lastUpdateTimestampMs: v.lastUpdateTimestampMs,
    });
  }

  snapshot(): TxnSnapshot {
    return {
      producerId: this.producerId,
      lastProducerId: this.lastProducerId,
      producerEpoch: this.producerEpoch,
      lastProducerEpoch: this.lastProducerEpoch,
      timeoutMs: this.timeoutMs,
      state: this.state,
      partitions: this.partitions,
      startTimestampMs: this.startTimestampMs,
      lastUpdateTimestampMs: this.lastUpdateTimestampMs,
    };
  }

  hasPartition(tp: TopicPartition): boolean {
    return this.partitions.get(tp.topic)?.has(tp.partition) ?? false;
  }

  partitionList(): TopicPartition[] {
    const out: TopicPartition[] = [];
    for (const [topic, set] of this.partitions) for (const partition of set) out.push({ topic, partition });
    return out;
  }

  // -------------------------------------------------------------------------
  // Preparing transitions: each returns the target and marks it pending

  /**
   * Records `target` as the pending transition. Throws on a transition
   * Kafka's state machine forbids, or while another is pending: both are
   * coordinator bugs, never client errors.
   */
  prepare(changes: Partial<TxnSnapshot> & { readonly state: TxnState }): TxnSnapshot {
    if (this.pending !== null) {
      throw new Error(`${this.transactionalId}: transition to ${txnStateName(changes.state)} while one is pending`);
    }
    if (!PREVIOUS[changes.state].includes(this.state)) {
      throw new Error(
        `${this.transactionalId}: no transition from ${txnStateName(this.state)} to ${txnStateName(changes.state)}`,
      );
    }
    // An InitProducerId (a transition to Empty) remembers the id it replaces, for a KIP-360 retry after a
    // rotation; every other transition keeps it (Kafka updates lastProducerId only when completing to Empty).
    const lastProducerId = changes.state === TxnState.Empty ? this.producerId : this.lastProducerId;
    this.pending = { ...this.snapshot(), lastProducerId, ...changes };
    return this.pending;
  }

  /** Makes the pending transition `target` the state (its record was written). */
  complete(target: TxnSnapshot): void {
    if (this.pending !== target) throw new Error(`${this.transactionalId}: completing a transition not pending`);
    this.pending = null;
    this.producerId = target.producerId;
    this.lastProducerId = target.lastProducerId;
    this.producerEpoch = target.producerEpoch;
    this.lastProducerEpoch = target.lastProducerEpoch;
    this.timeoutMs = target.timeoutMs;
    this.state = target.state;
    this.partitions = target.partitions;
    this.startTimestampMs = target.startTimestampMs;
    this.lastUpdateTimestampMs = target.lastUpdateTimestampMs;
    if (target.state === TxnState.CompleteCommit || target.state === TxnState.CompleteAbort) {
      this.hasFailedEpochFence = false;
    }
  }

  /** Drops the pending transition (its record could not be written). */
  drop(): void {
    this.pending = null;
  }

  /** The partitions with `added` added, as a new map (the current one may be shared with a snapshot). */
  withPartitions(added: readonly TopicPartition[]): Map<string, Set<number>> {
    const out = new Map<string, Set<number>>();
    for (const [topic, set] of this.partitions) out.set(topic, new Set(set));
    for (const tp of added) {
      const set = out.get(tp.topic) ?? new Set<number>();
      set.add(tp.partition);
      out.set(tp.topic, set);
    }
    return out;
  }
}

/** The record value for a snapshot: Empty stores null partitions, every other state an array. */
export function toLogValue(s: TxnSnapshot): TxnLogValue {
  let partitions: TxnTopicPartitions[] | null = null;
  if (s.state !== TxnState.Empty) {
    partitions = [...s.partitions].map(([topic, set]) => ({ topic, partitions: [...set] }));
  }
  return {
    producerId: s.producerId,
    producerEpoch: s.producerEpoch,
    timeoutMs: s.timeoutMs,
    state: s.state,
    partitions,
    lastUpdateTimestampMs: s.lastUpdateTimestampMs,
    startTimestampMs: s.startTimestampMs,
  };
}
