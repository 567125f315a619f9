/**
 * ConsumerGroupDescribe (key 69), v0: KIP-848 groups — state, group and
 * assignment epochs, assignor, and each member with its subscription, its
 * current and target assignment (topic id and name). Each distinct id is
 * asked once, in one batch per coordinating handler, and every id listed
 * is answered in request order; an empty group id is
 * INVALID_GROUP_ID (Kafka's GroupCoordinatorService); an unknown group or a
 * classic one is the coordinator's to answer (GROUP_ID_NOT_FOUND).
 * Authorized operations, when asked for, are every group operation (no
 * ACLs here, as Kafka without an authorizer); otherwise, or on a group
 * error, Kafka's "omitted" value INT32_MIN.
 */
import { defineApi } from "./api.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import {
  type ConsumerGroupDescribeRequest,
  type ConsumerGroupDescribeResponse,
  decodeConsumerGroupDescribeRequest,
  type DescribedGroup,
  encodeConsumerGroupDescribeResponse,
} from "../../protocol/generated/consumer_group_describe.ts";
import type { ConsumerDescribedGroup, ConsumerDescribedMember, GroupOutcome } from "../../group/group_ops.ts";
import { distinctYielding, mapYielding } from "../../util/yielding.ts";
import { answerEach, AUTHORIZED_OPERATIONS_OMITTED, isEmptyGroupId } from "./group_common.ts";
import { authorizedOperations, GROUP_OPERATIONS, groupAllowed } from "../services/acl_rules.ts";
import { ResourceType } from "../../cluster/acl/acl_types.ts";

export const consumerGroupDescribeHandler = defineApi<ConsumerGroupDescribeRequest, ConsumerGroupDescribeResponse>({
  apiKey: 69,
  name: "ConsumerGroupDescribe",
  minVersion: 0,
  maxVersion: 0,
  decodeRequest: decodeConsumerGroupDescribeRequest,
  encodeResponse: encodeConsumerGroupDescribeResponse,
  async handle(request, ctx) {
    // Each distinct valid id is asked once, in one batch per coordinating handler; duplicates share its answer.
    const distinct = (await distinctYielding(request.groupIds)).filter((groupId) => !isEmptyGroupId(groupId));
    const answers = await answerEach(
      ctx,
      distinct,
      "consumerDescribe",
      (groupId) => ({ op: "consumerDescribe", groupId }),
      (groupId, outcome) =>
        groupAllowed(ctx, groupId)
          ? described(
            groupId,
            outcome,
            request.includeAuthorizedOperations
              ? authorizedOperations(ctx, ResourceType.GROUP, groupId, GROUP_OPERATIONS)
              : null,
          )
          : groupError(groupId, ErrorCode.GROUP_AUTHORIZATION_FAILED),
    );
    const byId = new Map(distinct.map((groupId, i) => [groupId, answers[i]]));
    const groups = await mapYielding(
      request.groupIds,
      (groupId) => byId.get(groupId) ?? groupError(groupId, ErrorCode.INVALID_GROUP_ID),
    );
    return { throttleTimeMs: 0, groups };
  },
  errorResponse(request, _ctx, errorCode) {
    return { throttleTimeMs: 0, groups: request.groupIds.map((groupId) => groupError(groupId, errorCode)) };
  },
});

function described(
  groupId: string,
  outcome: GroupOutcome<ConsumerDescribedGroup>,
  /** What the principal may do on the group, when asked for. */
  operations: number | null,
): DescribedGroup {
  if ("errorCode" in outcome) return groupError(groupId, outcome.errorCode);
  const g = outcome.ok;
  return {
    errorCode: g.errorCode,
    errorMessage: g.errorMessage,
    groupId: g.groupId,
    groupState: g.groupState,
    groupEpoch: g.groupEpoch,
    assignmentEpoch: g.assignmentEpoch,
    assignorName: g.assignorName,
    members: g.members.map(member),
    authorizedOperations: operations !== null && g.errorCode === ErrorCode.NONE
      ? operations
      : AUTHORIZED_OPERATIONS_OMITTED,
  };
}

function member(m: ConsumerDescribedMember): DescribedGroup["members"][number] {
  return {
    memberId: m.memberId,
    instanceId: m.instanceId,
    rackId: m.rackId,
    memberEpoch: m.memberEpoch,
    clientId: m.clientId,
    clientHost: m.clientHost,
    subscribedTopicNames: m.subscribedTopicNames,
    subscribedTopicRegex: m.subscribedTopicRegex,
    assignment: { topicPartitions: m.assignment.map((t) => ({ ...t })) },
    targetAssignment: { topicPartitions: m.targetAssignment.map((t) => ({ ...t })) },
  };
}

function groupError(groupId: string, errorCode: number): DescribedGroup {
  return {
    errorCode,
    errorMessage: null,
    groupId,
    groupState: "",
    groupEpoch: 0,
    assignmentEpoch: 0,
    assignorName: "",
    members: [],
    authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
  };
}
