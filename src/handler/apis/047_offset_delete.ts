/**
 * OffsetDelete (key 47), v0: removes a group's committed offsets for the
 * given partitions (KIP-496). The coordinator refuses while the group is
 * subscribed to the topic (GROUP_SUBSCRIBED_TO_TOPIC per partition), and
 * answers GROUP_ID_NOT_FOUND for an unknown group.
 *
 * Checked here, as Kafka's KafkaApis and GroupCoordinatorService do: an
 * empty group id is INVALID_GROUP_ID; a topic that does not exist, or a
 * partition beyond its count, is UNKNOWN_TOPIC_OR_PARTITION and is not sent
 * on — the coordinator is still asked (with what is left), so a group-level
 * error still shows. A group-level error answers no partitions, as in
 * Kafka. Partitions keep the request's order.
 */
import { defineApi } from "./api.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import {
  decodeOffsetDeleteRequest,
  encodeOffsetDeleteResponse,
  type OffsetDeleteRequest,
  type OffsetDeleteResponse,
} from "../../protocol/generated/offset_delete.ts";
import { isEmptyGroupId, partitionExists, tpKey } from "./group_common.ts";
import { requireGroup, topicAllowed } from "../services/acl_rules.ts";

export const offsetDeleteHandler = defineApi<OffsetDeleteRequest, OffsetDeleteResponse>({
  apiKey: 47,
  name: "OffsetDelete",
  minVersion: 0,
  maxVersion: 0,
  decodeRequest: decodeOffsetDeleteRequest,
  encodeResponse: encodeOffsetDeleteResponse,
  async handle(request, ctx) {
    requireGroup(ctx, request.groupId);
    if (isEmptyGroupId(request.groupId)) return failed(ErrorCode.INVALID_GROUP_ID);
    const topics = request.topics
      .filter((t) => topicAllowed(ctx, t.name))
      .map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => p.partitionIndex).filter((p) => partitionExists(ctx, t.name, p)),
      }))
      .filter((t) => t.partitions.length > 0);
    const result = await ctx.broker.groups.run({ op: "deleteOffsets", args: { groupId: request.groupId, topics } });
    if (result.errorCode !== ErrorCode.NONE) return failed(result.errorCode);
    const errors = new Map<string, number>();
    for (const t of result.topics) for (const p of t.partitions) errors.set(tpKey(t.name, p.partition), p.errorCode);
    return {
      errorCode: ErrorCode.NONE,
      throttleTimeMs: 0,
      topics: request.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map(({ partitionIndex }) => ({
          partitionIndex,
          errorCode: !topicAllowed(ctx, t.name)
            ? ErrorCode.TOPIC_AUTHORIZATION_FAILED
            : partitionExists(ctx, t.name, partitionIndex)
            ? errors.get(tpKey(t.name, partitionIndex)) ?? ErrorCode.NONE
            : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        })),
      })),
    };
  },
  errorResponse(_request, _ctx, errorCode) {
    return failed(errorCode);
  },
});

/** Kafka's OffsetDeleteRequest.getErrorResponse: the top-level error alone. */
function failed(errorCode: number): OffsetDeleteResponse {
  return { errorCode, throttleTimeMs: 0, topics: [] };
}
