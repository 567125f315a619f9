/**
 * What DescribeTransactions and ListTransactions show of the coordinator's
 * ids (Kafka's handleDescribeTransactions and listTransactionStates). As in
 * Kafka, an id whose tombstone is being written still shows its state (Dead
 * is only ever pending); once the tombstone is written it is gone.
 */
import { ErrorCode } from "../protocol/errors.ts";
import type { TxnCoordinator } from "./txn_coordinator.ts";
import { TxnState, txnStateFromName, txnStateName, type TxnTopicPartitions } from "./txn_records.ts";

export interface DescribedTransaction {
  readonly errorCode: number;
  readonly transactionalId: string;
  readonly transactionState: string;
  readonly transactionTimeoutMs: number;
  readonly transactionStartTimeMs: number;
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly topics: readonly TxnTopicPartitions[];
}

/** DescribeTransactions for one id. */
export function describeTransaction(coordinator: TxnCoordinator, transactionalId: string): DescribedTransaction {
  const none = {
    transactionalId,
    transactionState: "",
    transactionTimeoutMs: 0,
    // Kafka leaves the fields of an id it does not describe at their schema defaults (0).
    transactionStartTimeMs: 0,
    producerId: 0n,
    producerEpoch: 0,
    topics: [],
  };
  const meta = coordinator.metadata(transactionalId);
  if (meta === null) return { ...none, errorCode: ErrorCode.NOT_COORDINATOR };
  if (meta === undefined || meta.state === TxnState.Dead) {
    return { ...none, errorCode: ErrorCode.TRANSACTIONAL_ID_NOT_FOUND };
  }
  return {
    errorCode: 0,
    transactionalId,
    transactionState: txnStateName(meta.state),
    transactionTimeoutMs: meta.timeoutMs,
    transactionStartTimeMs: meta.startTimestampMs,
    producerId: meta.producerId,
    producerEpoch: meta.producerEpoch,
    topics: [...meta.partitions].map(([topic, set]) => ({ topic, partitions: [...set] })),
  };
}

export interface ListTransactionsFilter {
  /** State names; empty: every state. */
  readonly states: readonly string[];
  /** Empty: every producer id. */
  readonly producerIds: readonly bigint[];
  /** v1: only transactions running longer than this (ms); -1: no filter. */
  readonly durationMs: number;
}

export interface ListedTransaction {
  readonly transactionalId: string;
  readonly producerId: bigint;
  readonly transactionState: string;
}

export interface ListTransactionsAnswer {
  readonly errorCode: number;
  readonly unknownStateFilters: readonly string[];
  readonly transactionStates: readonly ListedTransaction[];
}

/** ListTransactions over every id this coordinator has loaded; `nowMs` for the duration filter. */
export function listTransactions(
  coordinator: TxnCoordinator,
  filter: ListTransactionsFilter,
  nowMs: number,
): ListTransactionsAnswer {
  const states = new Set<TxnState>();
  const unknownStateFilters: string[] = [];
  for (const name of filter.states) {
    const state = txnStateFromName(name);
    if (state === null) unknownStateFilters.push(name);
    else states.add(state);
  }
  const producerIds = new Set(filter.producerIds);
  const transactionStates: ListedTransaction[] = [];
  for (const meta of coordinator.allMetadata()) {
    if (meta.state === TxnState.Dead) continue;
    if (producerIds.size > 0 && !producerIds.has(meta.producerId)) continue;
    // A filter of only unknown names matches nothing, as in Kafka.
    if (filter.states.length > 0 && !states.has(meta.state)) continue;
    if (filter.durationMs >= 0 && nowMs - meta.startTimestampMs <= filter.durationMs) continue;
    transactionStates.push({
      transactionalId: meta.transactionalId,
      producerId: meta.producerId,
      transactionState: txnStateName(meta.state),
    });
  }
  return { errorCode: 0, unknownStateFilters, transactionStates };
}
