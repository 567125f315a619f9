/**
 * The DescribeProducers partition op at a partition's owner: the active
 * idempotent producers of each partition, read from its producer state
 * (ProducerStateManager) in the one Worker that writes it. Served beside
 * the ReplicaManager's ops (handler_core routes "describeProducers" here),
 * as it only reads memory the owner keeps anyway.
 */
import { ErrorCode } from "../protocol/errors.ts";
import type { ProducerInfo } from "../log/producer_state.ts";
import type { LocalPartition } from "./local_partition.ts";
import type { PartitionRef } from "./partition_ops.ts";

export interface ProducerStatesAnswer {
  errorCode: number;
  errorMessage: string | null;
  producers: ProducerInfo[];
}

/** Where the owner's open partitions are found (ReplicaManager.localPartition). */
export type OpenPartitions = (topicId: string, partition: number) => LocalPartition | undefined;

/**
 * One answer per item. A partition in the metadata but not open at its owner (opening, offline, or the
 * broker closing) is NOT_LEADER_OR_FOLLOWER, which clients retry.
 */
export function describeProducerStates(open: OpenPartitions, items: readonly PartitionRef[]): ProducerStatesAnswer[] {
  return items.map((item) => {
    const local = open(item.topicId, item.partition);
    if (!local) {
      return {
        errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER,
        errorMessage: "This server is not the leader for that topic-partition.",
        producers: [],
      };
    }
    return { errorCode: ErrorCode.NONE, errorMessage: null, producers: local.producers.activeProducers() };
  });
}
