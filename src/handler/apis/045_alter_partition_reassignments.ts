/**
 * AlterPartitionReassignments (key 45), v0 (flexible).
 *
 * One node holds the only replica of every partition, so no reassignment is
 * ever in progress and the only replica set a partition can have is this
 * node. Per partition, as Kafka's controller answers:
 * - unknown topic (or invalid name): UNKNOWN_TOPIC_OR_PARTITION "Unable to
 *   find a topic named <t>."; unknown partition: "Unable to find partition
 *   <t>:<p>.";
 * - null replicas (cancel): NO_REASSIGNMENT_IN_PROGRESS, since none ever is;
 * - an empty list, a broker that is not this node, or this node twice:
 *   INVALID_REPLICA_ASSIGNMENT, checking the ids in ascending order as Kafka
 *   does (so [3, 2] names broker 2);
 * - exactly this node: NONE, and nothing changes (the replicas are already
 *   those).
 * An empty request answers NONE with an empty (not null) error message, as
 * Kafka's does.
 */
import { defineApi } from "./api.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import type { MetadataView } from "../../cluster/metadata_image.ts";
import {
  type AlterPartitionReassignmentsRequest,
  type AlterPartitionReassignmentsResponse,
  decodeAlterPartitionReassignmentsRequest,
  encodeAlterPartitionReassignmentsResponse,
  type ReassignablePartitionResponse,
} from "../../protocol/generated/alter_partition_reassignments.ts";
import { requireCluster } from "../services/acl_rules.ts";

export const alterPartitionReassignmentsHandler = defineApi<
  AlterPartitionReassignmentsRequest,
  AlterPartitionReassignmentsResponse
>({
  apiKey: 45,
  name: "AlterPartitionReassignments",
  minVersion: 0,
  maxVersion: 0,
  decodeRequest: decodeAlterPartitionReassignmentsRequest,
  encodeResponse: encodeAlterPartitionReassignmentsResponse,
  handle(request, ctx) {
    requireCluster(ctx);
    const { metadata } = ctx.broker;
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: request.topics.length === 0 ? "" : null,
      responses: request.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => reassign(metadata, t.name, p.partitionIndex, p.replicas)),
      })),
    };
  },
  errorResponse(request, _ctx, errorCode) {
    return {
      throttleTimeMs: 0,
      errorCode,
      errorMessage: null,
      responses: request.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode, errorMessage: null })),
      })),
    };
  },
});

function reassign(
  metadata: MetadataView,
  topicName: string,
  partitionIndex: number,
  replicas: number[] | null,
): ReassignablePartitionResponse {
  const answer = (errorCode: number, errorMessage: string | null) => ({ partitionIndex, errorCode, errorMessage });
  const topic = metadata.byName.get(topicName);
  if (!topic) return answer(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Unable to find a topic named ${topicName}.`);
  if (partitionIndex < 0 || partitionIndex >= topic.partitions) {
    return answer(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Unable to find partition ${topicName}:${partitionIndex}.`);
  }
  if (replicas === null) return answer(ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, null);
  const problem = assignmentProblem(replicas, metadata.image.nodeId);
  return problem === null ? answer(ErrorCode.NONE, null) : answer(ErrorCode.INVALID_REPLICA_ASSIGNMENT, problem);
}

/** Why `replicas` is not a valid manual assignment on a cluster of one node, or null (it is [node]). */
export function assignmentProblem(replicas: readonly number[], nodeId: number): string | null {
  if (replicas.length === 0) return "The manual partition assignment includes an empty replica list.";
  const sorted = [...replicas].sort((a, b) => a - b);
  let previous: number | undefined;
  for (const id of sorted) {
    if (id !== nodeId) {
      return `The manual partition assignment includes broker ${id}, but no such broker is registered.`;
    }
    if (id === previous) return `The manual partition assignment includes the broker ${id} more than once.`;
    previous = id;
  }
  return null;
}
