/**
 * The rules a KIP-848 ConsumerGroupHeartbeat must pass before its group is
 * looked up (Kafka's throwIfConsumerGroupHeartbeatRequestIsInvalid), and the
 * server assignors this broker runs.
 *
 * v1 (Kafka 4.0) differs from v0 in two ways: the client makes the member id
 * (KIP-1082), so a join must carry one, and a member may subscribe by regex
 * (SubscribedTopicRegex) instead of, or besides, topic names.
 */
import { ErrorCode } from "../protocol/errors.ts";
import type { PartitionAssignor } from "./assignors/assignor.ts";
import { rangeAssignor } from "./assignors/range.ts";
import { uniformAssignor } from "./assignors/uniform.ts";
import type { ConsumerHeartbeatArgs } from "./group_ops.ts";
import { compileTopicRegex } from "./topic_regex.ts";

export const LEAVE_GROUP_MEMBER_EPOCH = -1;
export const LEAVE_GROUP_STATIC_MEMBER_EPOCH = -2;

/** The server assignors this broker implements, by name. */
export const SERVER_ASSIGNORS: ReadonlyMap<string, PartitionAssignor> = new Map([
  [uniformAssignor.name, uniformAssignor],
  [rangeAssignor.name, rangeAssignor],
]);

/** The configured assignors this broker can run, in configured order (the first is the default). */
export function supportedAssignors(configured: readonly string[]): string[] {
  const names = configured.filter((n) => SERVER_ASSIGNORS.has(n));
  return names.length > 0 ? names : [uniformAssignor.name];
}

/**
 * Kafka's throwIfConsumerGroupHeartbeatRequestIsInvalid: null when valid,
 * else INVALID_REQUEST / UNSUPPORTED_ASSIGNOR with Kafka's message. Exported
 * so the coordinator can check a request before looking the group up, as
 * Kafka does (validation errors come before GROUP_ID_NOT_FOUND).
 */
export function validateConsumerHeartbeat(
  a: ConsumerHeartbeatArgs,
  assignors: readonly string[],
): { errorCode: number; errorMessage: string } | null {
  const invalid = (errorMessage: string) => ({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage });
  const blank = (s: string | null) => s !== null && s.trim() === "";
  if (blank(a.groupId)) return invalid("GroupId can't be empty.");
  if (blank(a.instanceId)) return invalid("InstanceId can't be empty.");
  if (blank(a.rackId)) return invalid("RackId can't be empty.");
  if (a.memberEpoch > 0 || a.memberEpoch === LEAVE_GROUP_MEMBER_EPOCH) {
    if (blank(a.memberId)) return invalid("MemberId can't be empty.");
  } else if (a.memberEpoch === 0) {
    // From v1 the client makes its member id and joins with it (KIP-1082).
    if (a.apiVersion >= 1 && a.memberId.trim() === "") return invalid("MemberId can't be empty.");
    if (a.rebalanceTimeoutMs === -1) return invalid("RebalanceTimeoutMs must be provided in first request.");
    if (a.topicPartitions === null || a.topicPartitions.length > 0) {
      return invalid("TopicPartitions must be empty when (re-)joining.");
    }
    if (a.subscribedTopicNames === null && a.subscribedTopicRegex === null) {
      return invalid("Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when (re-)joining.");
    }
  } else if (a.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
    if (blank(a.memberId)) return invalid("MemberId can't be empty.");
    if (a.instanceId === null) return invalid("InstanceId can't be null.");
  } else {
    return invalid("MemberEpoch is invalid.");
  }
  if (a.serverAssignor !== null && !assignors.includes(a.serverAssignor)) {
    return {
      errorCode: ErrorCode.UNSUPPORTED_ASSIGNOR,
      errorMessage: `ServerAssignor ${a.serverAssignor} is not supported. Supported assignors: ${
        assignors.join(", ")
      }.`,
    };
  }
  if (a.subscribedTopicRegex !== null && a.subscribedTopicRegex !== "") {
    const compiled = compileTopicRegex(a.subscribedTopicRegex);
    if (!compiled.ok) {
      return {
        errorCode: ErrorCode.INVALID_REGULAR_EXPRESSION,
        errorMessage:
          `SubscribedTopicRegex \`${a.subscribedTopicRegex}\` is not a valid regular expression: ${compiled.reason}.`,
      };
    }
  }
  return null;
}
