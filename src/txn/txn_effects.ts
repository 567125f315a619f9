/**
 * What the transaction coordinator hands back to its caller. The coordinator
 * does no I/O: an operation either answers at once, or asks for records to
 * be written to `__transaction_state` first. The caller writes them (one
 * batch, to `partition`), then calls `apply` with the write's error code;
 * `apply` completes or drops the prepared transition and gives the answer
 * for the client and the transaction markers to write next. Writing markers
 * is the marker writer's job; when every partition has its marker, the
 * caller reports it with TxnCoordinator.markersWritten, which asks for the
 * Complete record in the same way.
 */
import { ErrorCode } from "../protocol/errors.ts";
import type { TopicPartition } from "./txn_metadata.ts";
import type { TxnRecord } from "./txn_records.ts";

/** Commit or abort control batches for every partition of one transaction. */
export interface TxnMarkerWrite {
  readonly transactionalId: string;
  readonly producerId: bigint;
  readonly producerEpoch: number;
  /** The leader epoch of the `__transaction_state` partition, carried in the markers. */
  readonly coordinatorEpoch: number;
  readonly commit: boolean;
  readonly partitions: readonly TopicPartition[];
}

export interface TxnApplied<T> {
  readonly answer: T;
  readonly markers: readonly TxnMarkerWrite[];
}

export type TxnStep<T> =
  | { readonly kind: "answer"; readonly answer: T }
  | {
    readonly kind: "persist";
    /** The `__transaction_state` partition to write to. */
    readonly partition: number;
    readonly records: readonly TxnRecord[];
    /** Call once, after the write, with its error code (0 when written). */
    apply(errorCode: number): TxnApplied<T>;
  };

export function answer<T>(a: T): TxnStep<T> {
  return { kind: "answer", answer: a };
}

export interface InitProducerIdAnswer {
  readonly errorCode: number;
  readonly producerId: bigint;
  readonly producerEpoch: number;
}

export interface ErrorAnswer {
  readonly errorCode: number;
}

export function initError(errorCode: number): InitProducerIdAnswer {
  return { errorCode, producerId: -1n, producerEpoch: -1 };
}

/**
 * The error a client gets when its coordinator's log write failed, as
 * Kafka's TransactionStateManager maps it: the log is not there or not
 * writable → COORDINATOR_NOT_AVAILABLE (retry), this broker no longer leads
 * it → NOT_COORDINATOR (look the coordinator up again), anything else →
 * UNKNOWN_SERVER_ERROR.
 */
export function appendErrorForClient(errorCode: number): number {
  switch (errorCode) {
    case ErrorCode.NONE:
      return ErrorCode.NONE;
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case ErrorCode.REQUEST_TIMED_OUT:
    case ErrorCode.COORDINATOR_NOT_AVAILABLE:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
    case ErrorCode.NOT_COORDINATOR:
      return ErrorCode.NOT_COORDINATOR;
    default:
      return ErrorCode.UNKNOWN_SERVER_ERROR;
  }
}

/**
 * Kafka answers older clients that cannot read PRODUCER_FENCED (added with
 * KIP-588) with INVALID_PRODUCER_EPOCH: InitProducerId below v4,
 * AddPartitionsToTxn, AddOffsetsToTxn and EndTxn below v2. The handlers
 * apply this to the coordinator's answers.
 */
export function fencedErrorForVersion(errorCode: number, apiKey: number, version: number): number {
  if (errorCode !== ErrorCode.PRODUCER_FENCED) return errorCode;
  const firstWithFenced = apiKey === 22 ? 4 : (apiKey === 24 || apiKey === 25 || apiKey === 26) ? 2 : 0;
  return version < firstWithFenced ? ErrorCode.INVALID_PRODUCER_EPOCH : errorCode;
}
