/**
 * TxnOffsetCommit (key 28), v0–v4: a transactional producer commits a
 * group's offsets inside its transaction (KIP-98; the producer's
 * sendOffsetsToTransaction, after AddOffsetsToTxn). The group's coordinator
 * writes them to the group's __consumer_offsets partition as one
 * transactional batch of the producer; they stay pending, invisible to
 * OffsetFetch, until the transaction coordinator's COMMIT marker makes them
 * the committed offsets (an ABORT drops them). See src/group/txn_offsets.ts.
 *
 * Checked here, as Kafka's KafkaApis and GroupCoordinatorService do: a
 * topic that does not exist, or a partition beyond its count, is
 * UNKNOWN_TOPIC_OR_PARTITION and is not sent on; when nothing is left the
 * coordinator is not asked; an empty group id is INVALID_GROUP_ID on every
 * partition that is left.
 * The coordinator first has the transaction coordinator confirm that the
 * group's partition is in the producer's transaction (KIP-890, AddOffsetsToTxn
 * came first; src/group/txn_offset_verification.ts says the errors), then
 * creates an unknown group (as a commit from outside group management)
 * unless a generation is given (ILLEGAL_GENERATION), checks the member
 * fields, and answers OFFSET_METADATA_TOO_LARGE per partition.
 * The answer lists, as Kafka's response builder does, the partitions
 * refused here first (topics in request order), then the coordinator's.
 *
 * Versions: v0 and v1 are the same (v1 only tells Kafka the producer
 * handles newer errors; before v2 COORDINATOR_LOAD_IN_PROGRESS is answered
 * as COORDINATOR_NOT_AVAILABLE, which 0.11–2.0 clients expect); v2 adds
 * each partition's committed leader epoch (-1 before); v3 adds the group
 * generation, member id and group.instance.id (KIP-447: checked against
 * the group when given, so a zombie member of an older generation is
 * fenced) and is flexible; v4 adds no field (KIP-890: the client handles
 * TRANSACTION_ABORTABLE).
 */
import { defineApi } from "./api.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import {
  decodeTxnOffsetCommitRequest,
  encodeTxnOffsetCommitResponse,
  type TxnOffsetCommitRequest,
  type TxnOffsetCommitResponse,
} from "../../protocol/generated/txn_offset_commit.ts";
import type { TxnCommitOffsetsArgs } from "../../group/group_ops.ts";
import { isEmptyGroupId, partitionExists } from "./group_common.ts";
import { requireGroup, requireTransactionalId, topicAllowed } from "../services/acl_rules.ts";

type ResponseTopic = TxnOffsetCommitResponse["topics"][number];

export const txnOffsetCommitHandler = defineApi<TxnOffsetCommitRequest, TxnOffsetCommitResponse>({
  apiKey: 28,
  name: "TxnOffsetCommit",
  minVersion: 0,
  maxVersion: 4,
  decodeRequest: decodeTxnOffsetCommitRequest,
  encodeResponse: encodeTxnOffsetCommitResponse,
  async handle(request, ctx) {
    const v = ctx.apiVersion;
    // ACL_RULES: WRITE on the transactional id, READ on the group (whole request), READ on each topic.
    requireTransactionalId(ctx, request.transactionalId);
    requireGroup(ctx, request.groupId);
    const answer = new Answer();
    const topics: TxnCommitOffsetsArgs["topics"] = [];
    for (const topic of request.topics) {
      const partitions: TxnCommitOffsetsArgs["topics"][number]["partitions"] = [];
      const authorized = topicAllowed(ctx, topic.name);
      for (const p of topic.partitions) {
        if (!authorized) {
          answer.add(topic.name, [{
            partitionIndex: p.partitionIndex,
            errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
          }]);
          continue;
        }
        if (!partitionExists(ctx, topic.name, p.partitionIndex)) {
          answer.add(topic.name, [{
            partitionIndex: p.partitionIndex,
            errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          }]);
          continue;
        }
        partitions.push({
          partition: p.partitionIndex,
          offset: p.committedOffset,
          leaderEpoch: v >= 2 ? p.committedLeaderEpoch : -1,
          metadata: p.committedMetadata,
        });
      }
      if (partitions.length > 0) topics.push({ name: topic.name, partitions });
    }
    if (topics.length === 0) return respond(v, answer.topics);
    if (isEmptyGroupId(request.groupId)) {
      for (const t of topics) {
        answer.add(
          t.name,
          t.partitions.map((p) => ({ partitionIndex: p.partition, errorCode: ErrorCode.INVALID_GROUP_ID })),
        );
      }
      return respond(v, answer.topics);
    }
    const result = await ctx.broker.groups.run({
      op: "txnCommitOffsets",
      args: {
        groupId: request.groupId,
        transactionalId: request.transactionalId,
        producerId: request.producerId,
        producerEpoch: request.producerEpoch,
        generationId: v >= 3 ? request.generationId : -1,
        memberId: v >= 3 ? request.memberId : "",
        groupInstanceId: v >= 3 ? request.groupInstanceId : null,
        apiVersion: v,
        topics,
      },
    });
    for (const t of result.topics) {
      answer.add(t.name, t.partitions.map((p) => ({ partitionIndex: p.partition, errorCode: p.errorCode })));
    }
    return respond(v, answer.topics);
  },
  errorResponse(request, ctx, errorCode) {
    return respond(ctx.apiVersion, failed(request, errorCode));
  },
});

/** Kafka's TxnOffsetCommitResponse.Builder: one entry per topic, in the order topics were first answered. */
class Answer {
  readonly topics: ResponseTopic[] = [];
  private readonly byName = new Map<string, ResponseTopic>();

  add(name: string, partitions: ResponseTopic["partitions"]): void {
    let topic = this.byName.get(name);
    if (!topic) {
      topic = { name, partitions: [] };
      this.topics.push(topic);
      this.byName.set(name, topic);
    }
    topic.partitions.push(...partitions);
  }
}

/** Every partition of the request with one error (Kafka's getErrorResponse). */
function failed(request: TxnOffsetCommitRequest, errorCode: number): ResponseTopic[] {
  return request.topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
  }));
}

function respond(version: number, topics: ResponseTopic[]): TxnOffsetCommitResponse {
  if (version < 2) {
    for (const t of topics) {
      for (const p of t.partitions) {
        if (p.errorCode === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) p.errorCode = ErrorCode.COORDINATOR_NOT_AVAILABLE;
      }
    }
  }
  return { throttleTimeMs: 0, topics };
}
