/**
 * KIP-890 part 1 for TxnOffsetCommit: before the group coordinator writes a producer's offsets, the
 * transaction coordinator is asked (AddPartitionsToTxn's verify-only check) whether the group's
 * __consumer_offsets partition is in the producer's ongoing transaction, i.e. whether AddOffsetsToTxn came
 * first; Kafka's coordinator runtime does the same before every transactional write, so a late or zombie
 * TxnOffsetCommit cannot open a transaction nobody will end. The answers, as Kafka 4.4 gives them (checked
 * against the reference broker):
 * - the partition is not in the transaction: TRANSACTION_ABORTABLE at v4 (its clients abort on it),
 *   INVALID_TXN_STATE below;
 * - PRODUCER_FENCED (an older or newer epoch): INVALID_PRODUCER_EPOCH;
 * - a transaction coordinator that cannot answer now (moved, loading, a transaction completing):
 *   COORDINATOR_NOT_AVAILABLE, which clients retry after looking the group coordinator up again;
 * - anything else (INVALID_PRODUCER_ID_MAPPING …) as the transaction coordinator said.
 * With transaction.partition.verification.enable=false nothing is asked.
 */
import { ErrorCode } from "../protocol/errors.ts";
import type { TxnAccess } from "../txn/txn_ops.ts";
import type { GroupCoordinatorDeps } from "./group_coordinator.ts";
import { OFFSETS_TOPIC } from "../cluster/offsets_topic.ts";

/** TxnOffsetCommit v4 is the first whose clients handle TRANSACTION_ABORTABLE (KIP-890). */
const FIRST_VERSION_WITH_ABORTABLE = 4;

type Verifier = NonNullable<GroupCoordinatorDeps["verifyTxnOffsetCommit"]>;

/**
 * The group coordinator's `verifyTxnOffsetCommit`, asking the transaction coordinators through `txns`
 * while `enabled()` (transaction.partition.verification.enable, which may change at run time).
 */
export function txnOffsetCommitVerifier(txns: () => TxnAccess, enabled: () => boolean): Verifier {
  return async (check) => {
    if (!enabled()) return ErrorCode.NONE;
    const answer = await txns().run({
      kind: "addPartitions",
      verifyOnly: true,
      transactionalId: check.transactionalId,
      producerId: check.producerId,
      producerEpoch: check.producerEpoch,
      partitions: [{ topic: OFFSETS_TOPIC, partition: check.offsetsPartition }],
    });
    const code = answer.errorCode !== ErrorCode.NONE ? answer.errorCode : answer.partitions[0]?.errorCode ?? 0;
    return txnOffsetVerificationError(code, check.apiVersion);
  };
}

/** What TxnOffsetCommit `apiVersion` answers for the transaction coordinator's verification `code`. */
export function txnOffsetVerificationError(code: number, apiVersion: number): number {
  switch (code) {
    case ErrorCode.TRANSACTION_ABORTABLE:
      return apiVersion >= FIRST_VERSION_WITH_ABORTABLE ? code : ErrorCode.INVALID_TXN_STATE;
    case ErrorCode.PRODUCER_FENCED:
      return ErrorCode.INVALID_PRODUCER_EPOCH;
    case ErrorCode.CONCURRENT_TRANSACTIONS:
    case ErrorCode.COORDINATOR_LOAD_IN_PROGRESS:
    case ErrorCode.COORDINATOR_NOT_AVAILABLE:
    case ErrorCode.NOT_COORDINATOR:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    default:
      return code;
  }
}
