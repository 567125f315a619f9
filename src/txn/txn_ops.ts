/**
 * What a handler asks the transaction coordinator of a transactional id (on
 * the owner of its `__transaction_state` partition; src/handler/services/txn_router.ts), and the
 * answers, as plain data for the handler-to-handler ports; TxnAccess is how a
 * handler (and the group coordinator, for transactional offsets) reaches them.
 */
import type { TopicPartition } from "./txn_metadata.ts";
import type { ErrorAnswer, InitProducerIdAnswer } from "./txn_effects.ts";
import type { DescribedTransaction, ListTransactionsAnswer, ListTransactionsFilter } from "./txn_views.ts";

interface ProducerCall {
  transactionalId: string;
  producerId: bigint;
  producerEpoch: number;
}

export type TxnCall =
  | { kind: "initProducerId"; transactionalId: string; timeoutMs: number; producerId: bigint; producerEpoch: number }
  /** verifyOnly: KIP-890's check, nothing written (AddPartitionsToTxn v4+, and a partition leader's produce). */
  | ProducerCall & { kind: "addPartitions"; partitions: TopicPartition[]; verifyOnly: boolean }
  | ProducerCall & { kind: "addOffsets"; groupId: string }
  | ProducerCall & { kind: "endTxn"; commit: boolean }
  | { kind: "describe"; transactionalId: string };

/** Per partition of AddPartitionsToTxn: its error (all the same unless verifyOnly). */
export interface AddPartitionsAnswer {
  errorCode: number;
  partitions: Array<TopicPartition & { errorCode: number }>;
}

export interface TxnCallResults {
  initProducerId: InitProducerIdAnswer;
  addPartitions: AddPartitionsAnswer;
  addOffsets: ErrorAnswer;
  endTxn: ErrorAnswer;
  describe: DescribedTransaction;
}

export type TxnCallResult<C extends TxnCall> = TxnCallResults[C["kind"]];

export type TxnPeerOp =
  | { op: "txn"; call: TxnCall }
  /** ListTransactions: every handler answers for the ids it coordinates. */
  | { op: "listTxns"; filter: ListTransactionsFilter };

/** The handler-side view of the transaction coordinators. */
export interface TxnAccess {
  run<C extends TxnCall>(call: C): Promise<TxnCallResult<C>>;
  list(filter: ListTransactionsFilter): Promise<ListTransactionsAnswer>;
  /** Whether __transaction_state exists; when not, has the controller create it first (FindCoordinator). */
  ensureTopic(): Promise<boolean>;
}
