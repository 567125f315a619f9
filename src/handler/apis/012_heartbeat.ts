/**
 * Heartbeat (key 12), v0–v4: a classic group member says it is alive; the
 * answer tells it whether a rebalance is under way (REBALANCE_IN_PROGRESS),
 * or that it is no longer known (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION,
 * FENCED_INSTANCE_ID).
 *
 * As in Kafka's GroupCoordinatorService: an empty group id is
 * INVALID_GROUP_ID, and COORDINATOR_LOAD_IN_PROGRESS is answered as NONE
 * (the group is still loading; the member simply keeps heartbeating).
 * Versions: v1 adds throttle time; v3 group.instance.id; v4 is flexible.
 */
import { ApiError, defineApi } from "./api.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import {
  decodeHeartbeatRequest,
  encodeHeartbeatResponse,
  type HeartbeatRequest,
  type HeartbeatResponse,
} from "../../protocol/generated/heartbeat.ts";
import { isEmptyGroupId } from "./group_common.ts";
import { requireGroup } from "../services/acl_rules.ts";

export const heartbeatHandler = defineApi<HeartbeatRequest, HeartbeatResponse>({
  apiKey: 12,
  name: "Heartbeat",
  minVersion: 0,
  maxVersion: 4,
  decodeRequest: decodeHeartbeatRequest,
  encodeResponse: encodeHeartbeatResponse,
  async handle(request, ctx) {
    requireGroup(ctx, request.groupId);
    if (isEmptyGroupId(request.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_GROUP_ID };
    let errorCode: number;
    try {
      ({ errorCode } = await ctx.broker.groups.run({
        op: "heartbeat",
        args: {
          groupId: request.groupId,
          generationId: request.generationId,
          memberId: request.memberId,
          groupInstanceId: ctx.apiVersion >= 3 ? request.groupInstanceId : null,
        },
      }));
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      errorCode = e.errorCode;
    }
    return {
      throttleTimeMs: 0,
      errorCode: errorCode === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS ? ErrorCode.NONE : errorCode,
    };
  },
  errorResponse(_request, _ctx, errorCode) {
    return { throttleTimeMs: 0, errorCode };
  },
});
