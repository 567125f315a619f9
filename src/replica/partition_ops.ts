/**
 * The operations a partition's owner performs, as plain data: the request
 * side is built by the handler that received a client request, the result
 * side comes back from the owner (directly when the owner is the same
 * handler, over a handler-to-handler MessagePort otherwise). Every op takes a
 * list of partitions, so one message per owner carries a whole request's
 * share. Partitions are named by topic id and index: ids change when a topic
 * is deleted and re-created, names do not.
 */
import type { LogDirOp, LogDirOpResults } from "./log_dir_ops.ts";
import type { ProducerStatesAnswer } from "./producer_states.ts";

export interface PartitionRef {
  topicId: string;
  partition: number;
}

export interface ProduceItem extends PartitionRef {
  topic: string;
  /** The client's batch bytes; owned by the op (the owner rewrites offsets in place). */
  records: Uint8Array;
  /**
   * A transactional batch's KIP-890 verification: "trusted" when a coordinator on this broker wrote it (a
   * TxnOffsetCommit), else the guard the partition handed out when the transaction coordinator was asked.
   */
  txnVerification?: number | "trusted";
}

export interface ProduceOutcome {
  errorCode: number;
  errorMessage: string | null;
  baseOffset: bigint;
  logAppendTimeMs: bigint;
  logStartOffset: bigint;
  recordErrors: Array<{ batchIndex: number; batchIndexErrorMessage: string | null }>;
  /**
   * KIP-890: the transactional batch was not appended because its producer has no transaction open at
   * this partition yet; the receiving handler asks the transaction coordinator and re-sends the batch
   * with this guard as `txnVerification` (errorCode is INVALID_TXN_STATE meanwhile).
   */
  verificationGuard?: number;
}

/** A COMMIT or ABORT marker for one partition (Kafka's WriteTxnMarkers, from a transaction coordinator). */
export interface TxnMarkerItem extends PartitionRef {
  topic: string;
  producerId: bigint;
  producerEpoch: number;
  coordinatorEpoch: number;
  commit: boolean;
}

export interface ReadItem extends PartitionRef {
  fetchOffset: bigint;
  maxBytes: number;
  /** 1 read_committed (up to the last stable offset), else read_uncommitted. */
  isolationLevel?: number;
}

export interface ReadOutcome {
  errorCode: number;
  highWatermark: bigint;
  lastStableOffset: bigint;
  logStartOffset: bigint;
  /** Whole batches (possibly empty), or null with an error. */
  records: Uint8Array | null;
  /** read_committed: the aborted transactions overlapping `records`. */
  abortedTransactions?: Array<{ producerId: bigint; firstOffset: bigint }>;
}

export interface WatchItem extends PartitionRef {
  /** The offset the fetcher is at: the watch fires once the log end moves past it. */
  offset: bigint;
}

export interface OffsetQuery extends PartitionRef {
  /** -1 latest, -2 earliest, -3 max timestamp, -4 earliest local, -5 tiered; ≥ 0 a timestamp. */
  timestamp: bigint;
  /** 1 read_committed: latest is the last stable offset. */
  isolationLevel?: number;
}

export interface OffsetAnswer {
  errorCode: number;
  offset: bigint;
  timestamp: bigint;
  leaderEpoch: number;
}

export interface DeleteRecordsItem extends PartitionRef {
  offset: bigint;
}

export interface DeleteRecordsOutcome {
  errorCode: number;
  lowWatermark: bigint;
}

/** Whether a partition's appends so far are on disk: errorCode NONE, or KAFKA_STORAGE_ERROR with why. */
export interface SyncOutcome {
  errorCode: number;
  errorMessage: string | null;
}

export type PartitionOp =
  /**
   * deferSync: in durable mode an acks=all produce normally answers after its
   * fdatasync; with deferSync it answers once appended, and the caller then
   * asks for "sync" (which the owner runs after the append, ops being taken in
   * order), so it can release the connection's next request in between.
   */
  | { op: "produce"; acks: number; items: ProduceItem[]; deferSync?: boolean }
  /** Resolves once everything appended to each partition so far is fdatasync'ed (group commit). */
  | { op: "sync"; items: PartitionRef[] }
  | { op: "read"; items: ReadItem[] }
  | { op: "watch"; items: WatchItem[]; timeoutMs: number }
  | { op: "listOffsets"; items: OffsetQuery[] }
  | { op: "deleteRecords"; items: DeleteRecordsItem[] }
  /** The active idempotent producers of each partition (DescribeProducers; see producer_states.ts). */
  | { op: "describeProducers"; items: PartitionRef[] }
  /** Transaction markers, answered once written (and synced in durable mode, as acks=all). */
  | { op: "writeTxnMarkers"; items: TxnMarkerItem[] }
  /**
   * The coordinator wrote these partitions into a producer's transaction (AddPartitionsToTxn): its batches at
   * that epoch need no KIP-890 round trip until the transaction's marker (see LocalPartition.admitTxn).
   */
  | { op: "admitTxn"; items: AdmitTxnItem[] }
  | LogDirOp;

export interface AdmitTxnItem extends PartitionRef {
  producerId: bigint;
  producerEpoch: number;
}

/** What each op answers: one entry per item, in order (watch: whether it fired). */
export interface PartitionOpResults extends LogDirOpResults {
  produce: ProduceOutcome[];
  sync: SyncOutcome[];
  read: ReadOutcome[];
  watch: boolean;
  listOffsets: OffsetAnswer[];
  deleteRecords: DeleteRecordsOutcome[];
  describeProducers: ProducerStatesAnswer[];
  writeTxnMarkers: ProduceOutcome[];
  admitTxn: null[];
}

export type ResultOf<O extends PartitionOp> = PartitionOpResults[O["op"]];
