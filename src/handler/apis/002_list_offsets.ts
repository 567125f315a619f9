/**
 * ListOffsets (key 2), v0–v9.
 *
 * Earliest (-2) is the log start offset, latest (-1) the high watermark,
 * or with read_committed (isolationLevel 1, v2+) the last stable offset
 * (the first offset of the earliest open transaction), a timestamp ≥ 0 the first offset
 * whose record has a timestamp at or after it (time index, then a scan),
 * max timestamp (-3, v7+) the record with the largest timestamp, earliest
 * local (-4, v8+) the log start offset as there is no tiered storage, and
 * latest tiered (-5, v9+) offset -1. Not found: offset -1, timestamp -1.
 * v0 answers in the old style: a list of at most maxNumOffsets offsets
 * (here the single answer, where Kafka could also list segment bases).
 * v4+ checks currentLeaderEpoch and returns the leader epoch. A partition
 * named twice in one request (v1+) is INVALID_REQUEST, as in Kafka.
 */
import { defineApi } from "./api.ts";
import { leaderEpochError } from "./leader_epoch.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import {
  decodeListOffsetsRequest,
  encodeListOffsetsResponse,
  type ListOffsetsPartitionResponse,
  type ListOffsetsRequest,
  type ListOffsetsResponse,
} from "../../protocol/generated/list_offsets.ts";
import type { OffsetAnswer, OffsetQuery } from "../../replica/partition_ops.ts";
import { topicAllowed } from "../services/acl_rules.ts";

export const listOffsetsHandler = defineApi<ListOffsetsRequest, ListOffsetsResponse>({
  apiKey: 2,
  name: "ListOffsets",
  minVersion: 0,
  maxVersion: 9,
  decodeRequest: decodeListOffsetsRequest,
  encodeResponse: encodeListOffsetsResponse,
  async handle(request, ctx) {
    const { metadata } = ctx.broker;
    const seen = new Map<string, number>();
    for (const topic of request.topics) {
      for (const p of topic.partitions) {
        const key = `${topic.name}:${p.partitionIndex}`;
        seen.set(key, (seen.get(key) ?? 0) + 1);
      }
    }
    const queries: OffsetQuery[] = [];
    const slots = request.topics.map((topic) => {
      const image = metadata.byName.get(topic.name);
      const authorized = topicAllowed(ctx, topic.name);
      return topic.partitions.map((p): number | OffsetAnswer => {
        if (!authorized) return failed(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
        if (ctx.apiVersion >= 1 && seen.get(`${topic.name}:${p.partitionIndex}`)! > 1) {
          return failed(ErrorCode.INVALID_REQUEST);
        }
        if (!image || p.partitionIndex < 0 || p.partitionIndex >= image.partitions) {
          return failed(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        }
        const epochError = ctx.apiVersion >= 4 ? leaderEpochError(p.currentLeaderEpoch) : ErrorCode.NONE;
        if (epochError !== ErrorCode.NONE) return failed(epochError);
        queries.push({
          topicId: image.topicId,
          partition: p.partitionIndex,
          timestamp: p.timestamp,
          isolationLevel: ctx.apiVersion >= 2 ? request.isolationLevel : 0,
        });
        return queries.length - 1;
      });
    });
    const answers = queries.length > 0 ? await ctx.broker.partitions.run({ op: "listOffsets", items: queries }) : [];
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((topic, t) => ({
        name: topic.name,
        partitions: topic.partitions.map((p, i) => {
          const slot = slots[t][i];
          return toResponse(
            p.partitionIndex,
            p.maxNumOffsets,
            typeof slot === "number" ? answers[slot] : slot,
            ctx.apiVersion,
          );
        }),
      })),
    };
  },
  errorResponse(request, _ctx, errorCode) {
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map((p) => toResponse(p.partitionIndex, 0, failed(errorCode), 1)),
      })),
    };
  },
});

function failed(errorCode: number): OffsetAnswer {
  return { errorCode, offset: -1n, timestamp: -1n, leaderEpoch: -1 };
}

function toResponse(
  partitionIndex: number,
  maxNumOffsets: number,
  a: OffsetAnswer,
  version: number,
): ListOffsetsPartitionResponse {
  const oldStyleOffsets = version === 0 && a.errorCode === ErrorCode.NONE && a.offset >= 0n && maxNumOffsets > 0
    ? [a.offset]
    : [];
  return {
    partitionIndex,
    errorCode: a.errorCode,
    oldStyleOffsets,
    timestamp: a.timestamp,
    offset: a.offset,
    leaderEpoch: a.leaderEpoch,
  };
}
