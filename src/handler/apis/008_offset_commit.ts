/**
 * OffsetCommit (key 8), v0–v9: stores a group's committed offsets (with
 * their metadata string and leader epoch) in the group's
 * __consumer_offsets partition, through its coordinator.
 *
 * As Kafka's KafkaApis does first, a topic that does not exist, or a
 * partition beyond its count, is UNKNOWN_TOPIC_OR_PARTITION for that
 * partition and is not sent on; when nothing is left the coordinator is
 * not asked. The coordinator checks the member fields against the group
 * (generation -1 with no member id: a commit from outside group
 * management, allowed while the group is empty) and the metadata size.
 * Answers keep the request's order.
 * Versions: v0 carries only offsets and metadata (Kafka kept them in
 * ZooKeeper; here they go to the same store as every other version);
 * v1 adds generation, member id and a per-partition commit timestamp
 * (-1 = now); v2–v4 replace the timestamp with a retention time (-1 = the
 * broker's offsets.retention.minutes); v3 throttle time; v5 drops the
 * retention time; v6 the leader epoch; v7 group.instance.id; v8 is
 * flexible; v9 names the generation field a member epoch (KIP-848: the
 * coordinator checks it against a consumer group's member epoch).
 */
import { defineApi } from "./api.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import {
  decodeOffsetCommitRequest,
  encodeOffsetCommitResponse,
  type OffsetCommitRequest,
  type OffsetCommitResponse,
} from "../../protocol/generated/offset_commit.ts";
import type { CommitOffsetsArgs } from "../../group/group_ops.ts";
import { partitionExists, tpKey } from "./group_common.ts";
import { requireGroup, topicAllowed } from "../services/acl_rules.ts";

export const offsetCommitHandler = defineApi<OffsetCommitRequest, OffsetCommitResponse>({
  apiKey: 8,
  name: "OffsetCommit",
  minVersion: 0,
  maxVersion: 9,
  decodeRequest: decodeOffsetCommitRequest,
  encodeResponse: encodeOffsetCommitResponse,
  async handle(request, ctx) {
    const v = ctx.apiVersion;
    requireGroup(ctx, request.groupId);
    const unknown = new Set<string>();
    const unauthorized = new Set<string>();
    const topics: CommitOffsetsArgs["topics"] = [];
    for (const topic of request.topics) {
      const partitions: CommitOffsetsArgs["topics"][number]["partitions"] = [];
      const authorized = topicAllowed(ctx, topic.name);
      for (const p of topic.partitions) {
        if (!authorized) {
          unauthorized.add(tpKey(topic.name, p.partitionIndex));
          continue;
        }
        if (!partitionExists(ctx, topic.name, p.partitionIndex)) {
          unknown.add(tpKey(topic.name, p.partitionIndex));
          continue;
        }
        partitions.push({
          partition: p.partitionIndex,
          offset: p.committedOffset,
          leaderEpoch: v >= 6 ? p.committedLeaderEpoch : -1,
          metadata: p.committedMetadata,
          commitTimestamp: v === 1 ? p.commitTimestamp : -1n,
        });
      }
      if (partitions.length > 0) topics.push({ name: topic.name, partitions });
    }
    const errors = new Map<string, number>();
    if (topics.length > 0) {
      const result = await ctx.broker.groups.run({
        op: "commitOffsets",
        args: {
          groupId: request.groupId,
          generationIdOrMemberEpoch: v >= 1 ? request.generationIdOrMemberEpoch : -1,
          memberId: v >= 1 ? request.memberId : "",
          groupInstanceId: v >= 7 ? request.groupInstanceId : null,
          retentionTimeMs: v >= 2 && v <= 4 ? Number(request.retentionTimeMs) : -1,
          apiVersion: v,
          topics,
        },
      });
      for (const t of result.topics) {
        for (const p of t.partitions) errors.set(tpKey(t.name, p.partition), p.errorCode);
      }
    }
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map((p) => {
          const key = tpKey(topic.name, p.partitionIndex);
          const errorCode = unauthorized.has(key)
            ? ErrorCode.TOPIC_AUTHORIZATION_FAILED
            : unknown.has(key)
            ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
            : errors.get(key) ?? ErrorCode.UNKNOWN_SERVER_ERROR;
          return { partitionIndex: p.partitionIndex, errorCode };
        }),
      })),
    };
  },
  errorResponse(request, _ctx, errorCode) {
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
      })),
    };
  },
});
