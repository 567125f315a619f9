/**
 * LeaveGroup (key 13), v0–v5: members leave a classic group, which then
 * rebalances without them.
 *
 * An empty group id is INVALID_GROUP_ID (Kafka's GroupCoordinatorService).
 * Versions: v0–v2 name one member by its member id and answer one error
 * code — the group-level error if any, else that member's (Kafka's
 * LeaveGroupResponse for old versions); v1 adds throttle time; v3 leaves
 * a batch of members, each by member id and/or group.instance.id (static
 * members, KIP-345), answering an error per member; v4 is flexible; v5 adds
 * each member's reason.
 */
import { defineApi } from "./api.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import {
  decodeLeaveGroupRequest,
  encodeLeaveGroupResponse,
  type LeaveGroupRequest,
  type LeaveGroupResponse,
} from "../../protocol/generated/leave_group.ts";
import { isEmptyGroupId } from "./group_common.ts";
import { requireGroup } from "../services/acl_rules.ts";

export const leaveGroupHandler = defineApi<LeaveGroupRequest, LeaveGroupResponse>({
  apiKey: 13,
  name: "LeaveGroup",
  minVersion: 0,
  maxVersion: 5,
  decodeRequest: decodeLeaveGroupRequest,
  encodeResponse: encodeLeaveGroupResponse,
  async handle(request, ctx) {
    const v = ctx.apiVersion;
    requireGroup(ctx, request.groupId);
    if (isEmptyGroupId(request.groupId)) return failed(ErrorCode.INVALID_GROUP_ID);
    const members = v >= 3
      ? request.members.map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        reason: v >= 5 ? m.reason : null,
      }))
      : [{ memberId: request.memberId, groupInstanceId: null, reason: null }];
    const result = await ctx.broker.groups.run({ op: "leave", args: { groupId: request.groupId, members } });
    if (v >= 3) {
      return {
        throttleTimeMs: 0,
        errorCode: result.errorCode,
        members: result.members.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          errorCode: m.errorCode,
        })),
      };
    }
    const errorCode = result.errorCode !== ErrorCode.NONE
      ? result.errorCode
      : result.members.find((m) => m.errorCode !== ErrorCode.NONE)?.errorCode ?? ErrorCode.NONE;
    return failed(errorCode);
  },
  errorResponse(_request, _ctx, errorCode) {
    return failed(errorCode);
  },
});

/** A response with only the group-level error (all v0–v2 answers, and v3+ failures). */
function failed(errorCode: number): LeaveGroupResponse {
  return { throttleTimeMs: 0, errorCode, members: [] };
}
