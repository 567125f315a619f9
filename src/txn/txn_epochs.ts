/**
 * InitProducerId's epoch rules (Kafka's TransactionCoordinator and
 * TransactionMetadata): which KIP-360 producers may continue, and the
 * epoch bump itself. Used by txn_coordinator.ts.
 */
import { ErrorCode } from "../protocol/errors.ts";
import { isEpochExhausted, NO_PRODUCER_EPOCH, type TxnMetadata, type TxnSnapshot } from "./txn_metadata.ts";
import { TxnState } from "./txn_records.ts";

/**
 * KIP-360: whether the producer naming (producerId, epoch) may continue. A
 * producer of the current id may (its epoch is checked by the bump); so may
 * any when the id has had no epoch yet; and so may the producer of the
 * previous id whose epoch ran out (a retry of the InitProducerId that
 * rotated the id, whose answer it lost).
 */
export function isKnownProducer(meta: TxnMetadata, producerId: bigint, epoch: number): boolean {
  return meta.producerEpoch === NO_PRODUCER_EPOCH || producerId === meta.producerId ||
    (producerId === meta.lastProducerId && isEpochExhausted(epoch));
}

/** The fields of an id with no transaction open after InitProducerId. */
export function emptyTxn(timeoutMs: number, nowMs: number) {
  return {
    state: TxnState.Empty,
    timeoutMs,
    partitions: new Map<string, Set<number>>(),
    startTimestampMs: -1,
    lastUpdateTimestampMs: nowMs,
  } as const;
}

/**
 * The epoch bump of InitProducerId (Kafka's prepareIncrementProducerEpoch):
 * a fresh producer gets epoch + 1; a KIP-360 producer naming the current
 * epoch too (and the old epoch is remembered); one naming the previous epoch
 * is retrying a bump it did not hear about and gets the current epoch again;
 * any other is fenced. Returns the prepared target or an error code.
 */
export function prepareEpochBump(
  meta: TxnMetadata,
  timeoutMs: number,
  expectedEpoch: number | null,
  nowMs: number,
): TxnSnapshot | number {
  const bumped = meta.producerEpoch + 1;
  let next: number;
  let last: number;
  if (expectedEpoch === null) {
    [next, last] = [bumped, NO_PRODUCER_EPOCH];
  } else if (meta.producerEpoch === NO_PRODUCER_EPOCH || expectedEpoch === meta.producerEpoch) {
    [next, last] = [bumped, meta.producerEpoch];
  } else if (expectedEpoch === meta.lastProducerEpoch) {
    [next, last] = [meta.producerEpoch, meta.lastProducerEpoch];
  } else {
    return ErrorCode.PRODUCER_FENCED;
  }
  return meta.prepare({ ...emptyTxn(timeoutMs, nowMs), producerEpoch: next, lastProducerEpoch: last });
}
