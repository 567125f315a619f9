/**
 * SyncGroup (key 14), v0–v5: after a join, every member asks for its
 * assignment; the leader brings everyone's. The coordinator answers once
 * the leader's assignments are stored (a follower's assignments are
 * ignored).
 *
 * Checked here, as Kafka's KafkaApis and GroupCoordinatorService do: from
 * v5 a missing (null) protocol type or name is INCONSISTENT_GROUP_PROTOCOL,
 * and an empty group id is INVALID_GROUP_ID.
 * Versions: v1 adds throttle time; v3 group.instance.id; v4 is flexible;
 * v5 sends and answers the protocol type and name (the coordinator checks
 * them against the group's).
 */
import { defineApi } from "./api.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import {
  decodeSyncGroupRequest,
  encodeSyncGroupResponse,
  type SyncGroupRequest,
  type SyncGroupResponse,
} from "../../protocol/generated/sync_group.ts";
import { isEmptyGroupId } from "./group_common.ts";
import { requireGroup } from "../services/acl_rules.ts";

export const syncGroupHandler = defineApi<SyncGroupRequest, SyncGroupResponse>({
  apiKey: 14,
  name: "SyncGroup",
  minVersion: 0,
  maxVersion: 5,
  decodeRequest: decodeSyncGroupRequest,
  encodeResponse: encodeSyncGroupResponse,
  async handle(request, ctx) {
    const v = ctx.apiVersion;
    if (v >= 5 && (request.protocolType === null || request.protocolName === null)) {
      return failed(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }
    requireGroup(ctx, request.groupId);
    if (isEmptyGroupId(request.groupId)) return failed(ErrorCode.INVALID_GROUP_ID);
    const result = await ctx.broker.groups.run({
      op: "sync",
      args: {
        groupId: request.groupId,
        generationId: request.generationId,
        memberId: request.memberId,
        groupInstanceId: v >= 3 ? request.groupInstanceId : null,
        protocolType: v >= 5 ? request.protocolType : null,
        protocolName: v >= 5 ? request.protocolName : null,
        assignments: request.assignments.map((a) => ({ memberId: a.memberId, assignment: a.assignment })),
      },
    });
    return {
      throttleTimeMs: 0,
      errorCode: result.errorCode,
      protocolType: result.protocolType,
      protocolName: result.protocolName,
      assignment: result.assignment,
    };
  },
  errorResponse(_request, _ctx, errorCode) {
    return failed(errorCode);
  },
});

function failed(errorCode: number): SyncGroupResponse {
  return { throttleTimeMs: 0, errorCode, protocolType: null, protocolName: null, assignment: new Uint8Array(0) };
}
