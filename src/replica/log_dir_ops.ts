/**
 * Partition ops for log dirs and leader epochs, as plain data (see
 * partition_ops.ts): OffsetForLeaderEpoch goes to each partition's owner;
 * DescribeLogDirs asks every handler for the replicas it holds; and
 * AlterReplicaLogDirs asks each partition's owner to move it.
 */
import type { PartitionRef } from "./partition_ops.ts";

export interface EpochQuery extends PartitionRef {
  /** The client's view of the leader epoch (KIP-320); -1 skips the check. */
  currentLeaderEpoch: number;
  /** The epoch whose end offset is asked for. */
  leaderEpoch: number;
}

export interface EpochAnswer {
  errorCode: number;
  leaderEpoch: number;
  endOffset: bigint;
}

/** One replica in a log dir: the current log, or the future copy of a move in progress. */
export interface LogDirReplica {
  dir: string;
  topic: string;
  partition: number;
  sizeBytes: bigint;
  /** How far behind the current log the replica is (Kafka: 0 for the current one on a leader). */
  offsetLag: bigint;
  isFuture: boolean;
}

export interface MoveItem extends PartitionRef {
  /** The destination log dir, as the client wrote it. */
  dir: string;
}

export type LogDirOp =
  | { op: "epochEndOffsets"; items: EpochQuery[] }
  | { op: "describeLogDirs"; items: PartitionRef[] }
  | { op: "alterLogDir"; items: MoveItem[] };

export interface LogDirOpResults {
  epochEndOffsets: EpochAnswer[];
  /** Per item: its current replica and the future one of a move in progress (none when not open). */
  describeLogDirs: LogDirReplica[][];
  /** An error code per item. */
  alterLogDir: number[];
}
