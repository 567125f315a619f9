/**
 * DeleteRecords (key 21), v0–v2 (v2 is flexible).
 *
 * Moves each partition's log start offset up to the given offset (-1 means
 * the high watermark) and deletes the segments wholly below it; answers the
 * new low watermark. An offset above the high watermark, or below -1, is
 * OFFSET_OUT_OF_RANGE; an offset at or below the current log start changes
 * nothing. Unknown topics and partitions are UNKNOWN_TOPIC_OR_PARTITION.
 */
import { defineApi } from "./api.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import {
  decodeDeleteRecordsRequest,
  type DeleteRecordsRequest,
  type DeleteRecordsResponse,
  encodeDeleteRecordsResponse,
} from "../../protocol/generated/delete_records.ts";
import type { DeleteRecordsItem, DeleteRecordsOutcome } from "../../replica/partition_ops.ts";
import { topicAllowed } from "../services/acl_rules.ts";

export const deleteRecordsHandler = defineApi<DeleteRecordsRequest, DeleteRecordsResponse>({
  apiKey: 21,
  name: "DeleteRecords",
  minVersion: 0,
  maxVersion: 2,
  decodeRequest: decodeDeleteRecordsRequest,
  encodeResponse: encodeDeleteRecordsResponse,
  async handle(request, ctx) {
    const items: DeleteRecordsItem[] = [];
    const slots = request.topics.map((topic) => {
      const image = ctx.broker.metadata.byName.get(topic.name);
      const authorized = topicAllowed(ctx, topic.name);
      return topic.partitions.map((p): number | DeleteRecordsOutcome => {
        if (!authorized) return { errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, lowWatermark: -1n };
        if (!image || p.partitionIndex < 0 || p.partitionIndex >= image.partitions) {
          return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, lowWatermark: -1n };
        }
        if (p.offset < -1n) return { errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, lowWatermark: -1n };
        items.push({ topicId: image.topicId, partition: p.partitionIndex, offset: p.offset });
        return items.length - 1;
      });
    });
    const outcomes = items.length > 0 ? await ctx.broker.partitions.run({ op: "deleteRecords", items }) : [];
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((topic, t) => ({
        name: topic.name,
        partitions: topic.partitions.map((p, i) => {
          const slot = slots[t][i];
          const o = typeof slot === "number" ? outcomes[slot] : slot;
          return { partitionIndex: p.partitionIndex, lowWatermark: o.lowWatermark, errorCode: o.errorCode };
        }),
      })),
    };
  },
  errorResponse(request, _ctx, errorCode) {
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map((p) => ({ partitionIndex: p.partitionIndex, lowWatermark: -1n, errorCode })),
      })),
    };
  },
});
