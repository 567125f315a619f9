/**
 * DescribeTopicPartitions (key 75), v0 (flexible; KIP-966, what Kafka 4's
 * `kafka-topics --describe` and Admin describeTopics ask).
 *
 * Topics with their partitions, a page at a time: the page is cut by
 * src/cluster/topic_partitions_page.ts (name order, the cursor, the
 * partition limit, and what Kafka refuses). The limit is the client's
 * `responsePartitionLimit`, at least 1 and at most the broker's
 * `max.request.partition.size.limit` (2000), as in Kafka. This node leads
 * every partition and is its only replica and ISR; the eligible leader
 * replicas lists are empty (not null), as Kafka's are for a partition with
 * no ELR. Authorized operations are what the principal may do (every topic
 * operation without an authorizer, also for topics that do not exist); a
 * named topic it may not describe is TOPIC_AUTHORIZATION_FAILED, listed
 * last, and listing all leaves such topics out, as Kafka does;
 * `isInternal` follows the name (`__consumer_offsets`,
 * `__transaction_state`) even for a topic that does not exist. A refused
 * request lists each topic asked for with the error, a zero id, no
 * partitions and "not requested" operations, and no cursor.
 */
import { defineApi } from "./api.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import { ZERO_UUID } from "../../protocol/io/uuid.ts";
import { type PageEntry, topicPartitionsPage } from "../../cluster/topic_partitions_page.ts";
import { mapYielding } from "../../util/yielding.ts";
import { authorizedOperations, TOPIC_OPERATIONS, topicAllowed } from "../services/acl_rules.ts";
import { ResourceType } from "../../cluster/acl/acl_types.ts";
import {
  decodeDescribeTopicPartitionsRequest,
  type DescribeTopicPartitionsRequest,
  type DescribeTopicPartitionsResponse,
  type DescribeTopicPartitionsResponseTopic,
  encodeDescribeTopicPartitionsResponse,
} from "../../protocol/generated/describe_topic_partitions.ts";

const NOT_REQUESTED = -2147483648;
/** READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS: Kafka's topic operations. */
const ALL_TOPIC_OPERATIONS = 3576;
const INTERNAL_TOPICS = new Set(["__consumer_offsets", "__transaction_state"]);

export const describeTopicPartitionsHandler = defineApi<
  DescribeTopicPartitionsRequest,
  DescribeTopicPartitionsResponse
>({
  apiKey: 75,
  name: "DescribeTopicPartitions",
  minVersion: 0,
  maxVersion: 0,
  decodeRequest: decodeDescribeTopicPartitionsRequest,
  encodeResponse: encodeDescribeTopicPartitionsResponse,
  async handle(request, ctx) {
    const { metadata, config } = ctx.broker;
    const limit = Math.max(1, Math.min(request.responsePartitionLimit, config["max.request.partition.size.limit"]));
    const asked = request.topics.length === 0 ? null : request.topics.map((t) => t.name);
    // ACL_RULES: DESCRIBE on each topic. Named ones refused are listed last (Kafka's order); when listing all they
    // are left out, after the page is cut (the cursor still walks every name).
    const names = asked?.filter((name) => topicAllowed(ctx, name)) ?? null;
    const hidden = asked === null ? [] : [...new Set(asked.filter((name) => !topicAllowed(ctx, name)))];
    const page = await topicPartitionsPage(metadata, names, request.cursor, limit);
    if (page.kind === "refused") return refused(request, page.errorCode);
    const nodeId = metadata.image.nodeId;
    const shown = page.entries.filter((e) => e.kind === "missing" || topicAllowed(ctx, e.topic.name));
    const topics = await mapYielding(shown, (e) => describe(e, nodeId));
    for (const t of topics) {
      t.topicAuthorizedOperations = authorizedOperations(ctx, ResourceType.TOPIC, t.name ?? "", TOPIC_OPERATIONS);
    }
    for (const name of hidden) topics.push({ ...refusedTopic(name, ErrorCode.TOPIC_AUTHORIZATION_FAILED) });
    return { throttleTimeMs: 0, topics, nextCursor: page.nextCursor };
  },
  errorResponse(request, _ctx, errorCode) {
    return refused(request, errorCode);
  },
});

function describe(entry: PageEntry, nodeId: number): DescribeTopicPartitionsResponseTopic {
  if (entry.kind === "missing") {
    return {
      errorCode: entry.errorCode,
      name: entry.name,
      topicId: ZERO_UUID,
      isInternal: INTERNAL_TOPICS.has(entry.name),
      partitions: [],
      topicAuthorizedOperations: ALL_TOPIC_OPERATIONS,
    };
  }
  const { topic, from, to } = entry;
  return {
    errorCode: ErrorCode.NONE,
    name: topic.name,
    topicId: topic.topicId,
    isInternal: topic.internal,
    partitions: Array.from({ length: to - from }, (_, i) => ({
      errorCode: ErrorCode.NONE,
      partitionIndex: from + i,
      leaderId: nodeId,
      // As Metadata answers: one node, never re-elected.
      leaderEpoch: 0,
      replicaNodes: [nodeId],
      isrNodes: [nodeId],
      eligibleLeaderReplicas: [],
      lastKnownElr: [],
      offlineReplicas: [],
    })),
    topicAuthorizedOperations: ALL_TOPIC_OPERATIONS,
  };
}

function refused(request: DescribeTopicPartitionsRequest, errorCode: number): DescribeTopicPartitionsResponse {
  return {
    throttleTimeMs: 0,
    topics: request.topics.map((t) => refusedTopic(t.name, errorCode)),
    nextCursor: null,
  };
}

function refusedTopic(name: string, errorCode: number): DescribeTopicPartitionsResponseTopic {
  return {
    errorCode,
    name,
    topicId: ZERO_UUID,
    isInternal: false,
    partitions: [],
    topicAuthorizedOperations: NOT_REQUESTED,
  };
}
