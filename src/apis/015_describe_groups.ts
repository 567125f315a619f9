/**
 * DescribeGroups (key 15), v0–v5: each classic group's state, protocol
 * type, chosen protocol and members (with their metadata and assignment
 * while the group is Stable). A group that does not exist is answered as
 * Dead with no error, as Kafka does (KIP-848 groups are described by
 * ConsumerGroupDescribe; what DescribeGroups shows of them is the
 * coordinator's answer). Groups are asked in parallel and answered in
 * request order; a coordinator failure of one group (NOT_COORDINATOR…) is
 * that group's error only.
 *
 * Versions: v1 adds throttle time; v3 may ask for the authorized
 * operations — this broker has no ACLs, so, like Kafka without an
 * authorizer, a described group gets every group operation; otherwise
 * (or below v3, or on a group error) Kafka's "omitted" value INT32_MIN;
 * v4 the members' group.instance.id; v5 is flexible.
 */
import { defineApi } from "./api.ts";
import { ErrorCode } from "../protocol/errors.ts";
import {
  decodeDescribeGroupsRequest,
  type DescribedGroup,
  type DescribeGroupsRequest,
  type DescribeGroupsResponse,
  encodeDescribeGroupsResponse,
} from "../protocol/generated/describe_groups.ts";
import { AUTHORIZED_OPERATIONS_OMITTED, GROUP_AUTHORIZED_OPERATIONS, perGroup } from "./group_common.ts";

export const describeGroupsHandler = defineApi<DescribeGroupsRequest, DescribeGroupsResponse>({
  apiKey: 15,
  name: "DescribeGroups",
  minVersion: 0,
  maxVersion: 5,
  decodeRequest: decodeDescribeGroupsRequest,
  encodeResponse: encodeDescribeGroupsResponse,
  async handle(request, ctx) {
    const wantsOperations = ctx.apiVersion >= 3 && request.includeAuthorizedOperations;
    const describe = async (groupId: string): Promise<DescribedGroup> => {
      const g = await ctx.broker.groups.run({ op: "describe", groupId });
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
          ? GROUP_AUTHORIZED_OPERATIONS
          : AUTHORIZED_OPERATIONS_OMITTED,
      };
    };
    const groups = await Promise.all(
      request.groups.map((groupId) => perGroup(() => describe(groupId), (code) => groupError(groupId, code))),
    );
    return { throttleTimeMs: 0, groups };
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
