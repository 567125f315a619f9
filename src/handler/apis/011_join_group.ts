/**
 * JoinGroup (key 11), v0–v9: a member joins a classic group (or rejoins
 * for a new generation); the group's coordinator answers once the join
 * phase completes, the leader with every member's subscription.
 *
 * Checked here, as Kafka's GroupCoordinatorService does before the group
 * state machine: an empty group id is INVALID_GROUP_ID and a session
 * timeout outside group.min/max.session.timeout.ms is INVALID_SESSION_TIMEOUT
 * (both echo the request's member id).
 * Versions: v0 has no rebalance timeout (the session timeout stands in);
 * v1 adds it; v2 throttle time; v4 requires a known member id (a new
 * member first gets MEMBER_ID_REQUIRED with its id and joins again);
 * v5 group.instance.id (static membership) and the members' instance ids;
 * v6 is flexible; v7 answers the protocol type and a nullable protocol name
 * (before v7 an unknown name is ""); v8 the client's reason; v9
 * skipAssignment (KIP-814), always false here: the coordinator does not yet
 * say when a static leader may skip it.
 */
import { defineApi } from "./api.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import {
  decodeJoinGroupRequest,
  encodeJoinGroupResponse,
  type JoinGroupRequest,
  type JoinGroupResponse,
} from "../../protocol/generated/join_group.ts";
import type { JoinGroupResult } from "../../group/group_ops.ts";
import { clientHost, isEmptyGroupId } from "./group_common.ts";
import { requireGroup } from "../services/acl_rules.ts";

export const joinGroupHandler = defineApi<JoinGroupRequest, JoinGroupResponse>({
  apiKey: 11,
  name: "JoinGroup",
  minVersion: 0,
  maxVersion: 9,
  decodeRequest: decodeJoinGroupRequest,
  encodeResponse: encodeJoinGroupResponse,
  async handle(request, ctx) {
    const v = ctx.apiVersion;
    requireGroup(ctx, request.groupId);
    if (isEmptyGroupId(request.groupId)) return failed(v, ErrorCode.INVALID_GROUP_ID, request.memberId);
    const config = ctx.broker.config;
    if (
      request.sessionTimeoutMs < config["group.min.session.timeout.ms"] ||
      request.sessionTimeoutMs > config["group.max.session.timeout.ms"]
    ) {
      return failed(v, ErrorCode.INVALID_SESSION_TIMEOUT, request.memberId);
    }
    const result = await ctx.broker.groups.run({
      op: "join",
      args: {
        groupId: request.groupId,
        memberId: request.memberId,
        groupInstanceId: v >= 5 ? request.groupInstanceId : null,
        protocolType: request.protocolType,
        protocols: request.protocols.map((p) => ({ name: p.name, metadata: p.metadata })),
        sessionTimeoutMs: request.sessionTimeoutMs,
        rebalanceTimeoutMs: v === 0 ? request.sessionTimeoutMs : request.rebalanceTimeoutMs,
        clientId: ctx.clientId ?? "",
        clientHost: clientHost(ctx.clientAddress),
        requireKnownMemberId: v >= 4,
        reason: v >= 8 ? request.reason : null,
      },
    });
    return response(v, result);
  },
  errorResponse(_request, ctx, errorCode) {
    return failed(ctx.apiVersion, errorCode, "");
  },
});

function failed(version: number, errorCode: number, memberId: string): JoinGroupResponse {
  return response(version, {
    errorCode,
    generationId: -1,
    protocolType: null,
    protocolName: null,
    leader: "",
    memberId,
    members: [],
  });
}

/** JoinGroupResponse's rule: before v7 the protocol name is never null (""), from v7 "" is sent as null. */
function response(version: number, r: JoinGroupResult): JoinGroupResponse {
  const protocolName = version < 7 ? r.protocolName ?? "" : r.protocolName === "" ? null : r.protocolName;
  return {
    throttleTimeMs: 0,
    errorCode: r.errorCode,
    generationId: r.generationId,
    protocolType: r.protocolType,
    protocolName,
    leader: r.leader,
    skipAssignment: false,
    memberId: r.memberId,
    members: r.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadata })),
  };
}
