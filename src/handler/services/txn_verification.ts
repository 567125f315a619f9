/**
 * KIP-890 part 1 at the handler that received a Produce (Kafka's
 * ReplicaManager.appendRecordsWithTransactionVerification and
 * AddPartitionsToTxnManager): the partitions whose owner answered a
 * transactional batch with a verification guard (local_partition.ts) are
 * checked with the transaction coordinator (AddPartitionsToTxn's verifyOnly
 * semantics, txn_router.ts); those in the transaction are sent again with
 * their guard, the others get the error Kafka's Produce answers:
 * - not in the transaction (TRANSACTION_ABORTABLE from the coordinator):
 *   TRANSACTION_ABORTABLE from Produce v11 on (clients that know it abort
 *   the transaction), INVALID_TXN_STATE "Partition was not added to the
 *   transaction" below;
 * - PRODUCER_FENCED: INVALID_PRODUCER_EPOCH;
 * - a coordinator that cannot answer now (NOT_COORDINATOR, loading, not
 *   available, CONCURRENT_TRANSACTIONS): NOT_ENOUGH_REPLICAS, which every
 *   producer retries without a metadata refresh;
 * - anything else (INVALID_PRODUCER_ID_MAPPING …) as the coordinator said.
 */
import { ErrorCode, errorName } from "../../protocol/errors.ts";
import { PRODUCER_EPOCH_OFFSET, PRODUCER_ID_OFFSET } from "../../log/record_batch.ts";
import { failed } from "../../replica/local_partition.ts";
import type { PartitionAccess } from "./broker_state.ts";
import type { ProduceItem, ProduceOutcome } from "../../replica/partition_ops.ts";
import type { TxnAccess } from "../../txn/txn_ops.ts";

/** Produce v11 is the first whose clients handle TRANSACTION_ABORTABLE (Kafka: newer than v10). */
const FIRST_VERSION_WITH_ABORTABLE = 11;

export interface VerificationRound {
  partitions: PartitionAccess;
  txns: TxnAccess;
  transactionalId: string;
  acks: number;
  deferSync: boolean;
  produceVersion: number;
}

/**
 * Replaces, in `outcomes`, each answer that carries a verification guard by the outcome of its verified
 * re-send or by the verification's error. `originals[i]` holds item i's batch bytes as received.
 */
export async function verifyAndResend(
  round: VerificationRound,
  items: readonly ProduceItem[],
  originals: readonly Uint8Array[],
  outcomes: ProduceOutcome[],
): Promise<void> {
  const waiting = outcomes.flatMap((o, i) => (o.verificationGuard !== undefined ? [i] : []));
  if (waiting.length === 0) return;
  // One request carries one producer's batches; each distinct producer (id, epoch) is verified on its own.
  const byProducer = new Map<string, number[]>();
  for (const i of waiting) {
    const v = new DataView(originals[i].buffer, originals[i].byteOffset, originals[i].byteLength);
    const key = `${v.getBigInt64(PRODUCER_ID_OFFSET)}:${v.getInt16(PRODUCER_EPOCH_OFFSET)}`;
    const list = byProducer.get(key);
    if (list) list.push(i);
    else byProducer.set(key, [i]);
  }
  const resend: ProduceItem[] = [];
  const resendIndexes: number[] = [];
  await Promise.all([...byProducer].map(async ([key, indexes]) => {
    const [producerId, producerEpoch] = key.split(":");
    const answer = await round.txns.run({
      kind: "addPartitions",
      verifyOnly: true,
      transactionalId: round.transactionalId,
      producerId: BigInt(producerId),
      producerEpoch: Number(producerEpoch),
      partitions: indexes.map((i) => ({ topic: items[i].topic, partition: items[i].partition })),
    });
    indexes.forEach((i, k) => {
      const code = answer.partitions[k]?.errorCode ?? answer.errorCode;
      if (code !== ErrorCode.NONE) {
        outcomes[i] = verificationFailed(code, round.produceVersion);
        return;
      }
      resend.push({ ...items[i], records: originals[i], txnVerification: outcomes[i].verificationGuard });
      resendIndexes.push(i);
    });
  }));
  if (resend.length === 0) return;
  const again = await round.partitions.run({
    op: "produce",
    acks: round.acks,
    items: resend,
    deferSync: round.deferSync,
  });
  // A guard again (the transaction ended and another began meanwhile) is not chased twice: the client retries.
  again.forEach((o, k) => outcomes[resendIndexes[k]] = { ...o, verificationGuard: undefined });
}

/** What Produce answers when the coordinator did not confirm the partition (see the file header). */
export function verificationFailed(code: number, produceVersion: number): ProduceOutcome {
  switch (code) {
    case ErrorCode.TRANSACTION_ABORTABLE:
      return produceVersion >= FIRST_VERSION_WITH_ABORTABLE
        ? failed(code, null)
        : failed(ErrorCode.INVALID_TXN_STATE, "Partition was not added to the transaction");
    case ErrorCode.INVALID_TXN_STATE:
      return failed(code, "Partition was not added to the transaction");
    case ErrorCode.PRODUCER_FENCED:
      return failed(ErrorCode.INVALID_PRODUCER_EPOCH, null);
    case ErrorCode.CONCURRENT_TRANSACTIONS:
    case ErrorCode.COORDINATOR_LOAD_IN_PROGRESS:
    case ErrorCode.COORDINATOR_NOT_AVAILABLE:
    case ErrorCode.NOT_COORDINATOR:
      return failed(
        ErrorCode.NOT_ENOUGH_REPLICAS,
        `Unable to verify the partition has been added to the transaction. Underlying error: ${errorName(code)}`,
      );
    default:
      return failed(code, null);
  }
}
