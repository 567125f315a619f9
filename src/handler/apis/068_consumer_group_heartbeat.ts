/**
 * ConsumerGroupHeartbeat (key 68), v0–1: KIP-848's consumer protocol. A
 * member joins (epoch 0), heartbeats with its epoch and the partitions it
 * owns, and leaves (epoch -1, or -2 for a static member that will come
 * back); the coordinator answers its member id, epoch, heartbeat interval
 * and, when it changed, its target assignment (computed by the server-side
 * assignor).
 *
 * The request's shape (Kafka's throwIfConsumerGroupHeartbeatRequestIsInvalid:
 * INVALID_REQUEST with Kafka's messages, UNSUPPORTED_ASSIGNOR) is checked by
 * the coordinator before it looks the group up, as in Kafka, so it is not
 * repeated here. Topic ids travel as Kafka's base64 UUIDs both ways,
 * subscribed topics by name. Errors carry Kafka's message when there is one.
 *
 * v1 (Kafka 4.0, beyond the 3.9 schemas: see the schema table) adds
 * SubscribedTopicRegex — the member follows every topic whose whole name
 * matches, resolved at once here (Kafka resolves it in the background, so its
 * first heartbeats answer an empty assignment) — and INVALID_REGULAR_EXPRESSION;
 * a v1 join must carry the member id the client made (KIP-1082), where v0
 * joins with "" and the coordinator makes one.
 */
import { ErrorCode } from "../../protocol/errors.ts";
import { defineApi } from "./api.ts";
import {
  type ConsumerGroupHeartbeatRequest,
  type ConsumerGroupHeartbeatResponse,
  decodeConsumerGroupHeartbeatRequest,
  encodeConsumerGroupHeartbeatResponse,
} from "../../protocol/generated/consumer_group_heartbeat.ts";
import { clientHost } from "./group_common.ts";
import { requireGroup, topicAllowed } from "../services/acl_rules.ts";

export const consumerGroupHeartbeatHandler = defineApi<ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse>({
  apiKey: 68,
  name: "ConsumerGroupHeartbeat",
  minVersion: 0,
  maxVersion: 1,
  decodeRequest: decodeConsumerGroupHeartbeatRequest,
  encodeResponse: encodeConsumerGroupHeartbeatResponse,
  async handle(request, ctx) {
    requireGroup(ctx, request.groupId);
    // ACL_RULES: DESCRIBE on every subscribed topic.
    const hidden = (request.subscribedTopicNames ?? []).filter((t) => !topicAllowed(ctx, t));
    if (hidden.length > 0) {
      return failed(ErrorCode.TOPIC_AUTHORIZATION_FAILED, `Unauthorized topics: ${hidden.join(", ")}`);
    }
    const result = await ctx.broker.groups.run({
      op: "consumerHeartbeat",
      args: {
        groupId: request.groupId,
        memberId: request.memberId,
        memberEpoch: request.memberEpoch,
        instanceId: request.instanceId,
        rackId: request.rackId,
        rebalanceTimeoutMs: request.rebalanceTimeoutMs,
        subscribedTopicNames: request.subscribedTopicNames,
        subscribedTopicRegex: request.subscribedTopicRegex,
        serverAssignor: request.serverAssignor,
        apiVersion: ctx.apiVersion,
        topicPartitions: request.topicPartitions?.map((t) => ({ topicId: t.topicId, partitions: t.partitions })) ??
          null,
        clientId: ctx.clientId ?? "",
        clientHost: clientHost(ctx.clientAddress),
      },
    });
    return {
      throttleTimeMs: 0,
      errorCode: result.errorCode,
      errorMessage: result.errorMessage,
      memberId: result.memberId,
      memberEpoch: result.memberEpoch,
      heartbeatIntervalMs: result.heartbeatIntervalMs,
      assignment: result.assignment === null ? null : {
        topicPartitions: result.assignment.map((t) => ({ topicId: t.topicId, partitions: t.partitions })),
      },
    };
  },
  errorResponse(_request, _ctx, errorCode) {
    return failed(errorCode, null);
  },
});

function failed(errorCode: number, errorMessage: string | null): ConsumerGroupHeartbeatResponse {
  return {
    throttleTimeMs: 0,
    errorCode,
    errorMessage,
    memberId: null,
    memberEpoch: 0,
    heartbeatIntervalMs: 0,
    assignment: null,
  };
}
