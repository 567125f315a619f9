/**
 * DescribeGroups (key 15), v0–v5: each classic group's state, protocol
 * type, chosen protocol and members (with their metadata and assignment
 * while the group is Stable). A group that does not exist is answered as
 * Dead with no error, as Kafka does (KIP-848 groups are described by
 * ConsumerGroupDescribe; what DescribeGroups shows of them is the
 * coordinator's answer). Every id listed is answered, in request order,
 * duplicates included as Kafka answers them; each distinct id is described
 * once, and the coordinators are asked in one batch per handler, so a
 * request of a million ids costs a few messages and never stalls the other
 * connections (the loops yield). A coordinator failure of one group
 * (NOT_COORDINATOR…) is that group's error only.
 *
 * Versions: v1 adds throttle time; v3 may ask for the authorized
 * operations — this broker has no ACLs, so, like Kafka without an
 * authorizer, a described group gets every group operation; otherwise
 * (or below v3, or on a group error) Kafka's "omitted" value INT32_MIN;
 * v4 the members' group.instance.id; v5 is flexible.
 */
import { defineApi } from "./api.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import {
  decodeDescribeGroupsRequest,
  type DescribedGroup,
  type DescribeGroupsRequest,
  type DescribeGroupsResponse,
  encodeDescribeGroupsResponse,
} from "../../protocol/generated/describe_groups.ts";
import type { DescribedGroup as CoordinatorGroup, GroupOutcome } from "../../group/group_ops.ts";
import { distinctYielding, mapYielding } from "../../util/yielding.ts";
import { answerEach, AUTHORIZED_OPERATIONS_OMITTED } from "./group_common.ts";
import { authorizedOperations, GROUP_OPERATIONS, groupAllowed } from "../services/acl_rules.ts";
import { ResourceType } from "../../cluster/acl/acl_types.ts";

export const describeGroupsHandler = defineApi<DescribeGroupsRequest, DescribeGroupsResponse>({
  apiKey: 15,
  name: "DescribeGroups",
  minVersion: 0,
  maxVersion: 5,
  decodeRequest: decodeDescribeGroupsRequest,
  encodeResponse: encodeDescribeGroupsResponse,
  async handle(request, ctx) {
    const wantsOperations = ctx.apiVersion >= 3 && request.includeAuthorizedOperations;
    const distinct = await distinctYielding(request.groups);
    const described = (groupId: string, outcome: GroupOutcome<CoordinatorGroup>): DescribedGroup => {
      if ("errorCode" in outcome) return groupError(groupId, outcome.errorCode);
      const g = outcome.ok;
      return {
        errorCode: g.errorCode,
        groupId: g.groupId,
        groupState: g.groupState,
        protocolType: g.protocolType,
        protocolData: g.protocolData,
        members: g.members.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          memberMetadata: m.memberMetadata,
          memberAssignment: m.memberAssignment,
        })),
        authorizedOperations: wantsOperations && g.errorCode === ErrorCode.NONE
          ? authorizedOperations(ctx, ResourceType.GROUP, g.groupId, GROUP_OPERATIONS)
          : AUTHORIZED_OPERATIONS_OMITTED,
      };
    };
    // ACL_RULES: DESCRIBE on each group; the others are answered GROUP_AUTHORIZATION_FAILED without asking.
    const allowedIds = distinct.filter((groupId) => groupAllowed(ctx, groupId));
    const asked = await answerEach(ctx, allowedIds, "describe", (groupId) => ({ op: "describe", groupId }), described);
    let next = 0;
    const answers = allowedIds.length === distinct.length
      ? asked
      : distinct.map((groupId) =>
        groupId === allowedIds[next] ? asked[next++] : groupError(groupId, ErrorCode.GROUP_AUTHORIZATION_FAILED)
      );
    if (distinct.length === request.groups.length) return { throttleTimeMs: 0, groups: answers };
    // Duplicates share one answer object: the response costs one reference per id listed.
    const byId = new Map(distinct.map((groupId, i) => [groupId, answers[i]]));
    return { throttleTimeMs: 0, groups: await mapYielding(request.groups, (groupId) => byId.get(groupId)!) };
  },
  errorResponse(request, _ctx, errorCode) {
    return { throttleTimeMs: 0, groups: request.groups.map((groupId) => groupError(groupId, errorCode)) };
  },
});

/** Kafka's DescribeGroupsResponse.groupError: unknown state, type and protocol, no members. */
function groupError(groupId: string, errorCode: number): DescribedGroup {
  return {
    errorCode,
    groupId,
    groupState: "",
    protocolType: "",
    protocolData: "",
    members: [],
    authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
  };
}
