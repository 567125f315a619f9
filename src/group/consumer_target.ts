/**
 * A KIP-848 group's target assignment: which server assignor runs (the one
 * most members ask for) and what it gives each member, over the subscribed
 * topics that exist; and the group as ConsumerGroupDescribe shows it. Pure
 * functions of the group's state; the group decides when (its epoch moved
 * past the assignment's).
 */
import {
  type AssignorMember,
  EMPTY_PARTITIONS,
  type PartitionAssignor,
  type PartitionMap,
  partitionMapToList,
} from "./assignors/assignor.ts";
import type { ConsumerMember } from "./consumer_member.ts";
import type { ConsumerDescribedGroup, ConsumerDescribedMember } from "./group_ops.ts";
import type { TopicLookup } from "./types.ts";
import { ErrorCode } from "../protocol/errors.ts";

/** A subscribed topic that exists: its id and partition count. */
export interface TopicMeta {
  topicId: string;
  partitions: number;
}

/** The most requested server assignor among members; ties and no requests fall to the configured order. */
export function preferredAssignor(members: Iterable<ConsumerMember>, assignors: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const m of members) {
    if (m.serverAssignor !== null) counts.set(m.serverAssignor, (counts.get(m.serverAssignor) ?? 0) + 1);
  }
  let best = assignors[0];
  let bestCount = 0;
  for (const name of assignors) {
    const c = counts.get(name) ?? 0;
    if (c > bestCount) {
      best = name;
      bestCount = c;
    }
  }
  return best;
}

/** Every member's new target, from `assignor` given each member's subscription and previous target. */
export function computeTarget(
  members: readonly ConsumerMember[],
  previous: ReadonlyMap<string, PartitionMap>,
  subscribed: ReadonlyMap<string, TopicMeta>,
  subscribedNames: (m: ConsumerMember) => readonly string[],
  assignor: PartitionAssignor,
): Map<string, PartitionMap> {
  const topics = new Map<string, number>();
  for (const t of subscribed.values()) topics.set(t.topicId, t.partitions);
  const specs: AssignorMember[] = members.map((m) => ({
    memberId: m.memberId,
    instanceId: m.instanceId,
    rackId: m.rackId,
    subscribedTopicIds: subscribedNames(m).flatMap((n) => {
      const t = subscribed.get(n);
      return t ? [t.topicId] : [];
    }),
    assignment: previous.get(m.memberId) ?? EMPTY_PARTITIONS,
  }));
  const result = assignor.assign(specs, topics);
  const target = new Map<string, PartitionMap>();
  for (const m of members) target.set(m.memberId, result.get(m.memberId) ?? EMPTY_PARTITIONS);
  return target;
}

/** What ConsumerGroupDescribe shows of a group: members with their current and target partitions by name. */
export function describeConsumerGroup(g: {
  groupId: string;
  state: string;
  groupEpoch: number;
  assignmentEpoch: number;
  assignorName: string;
  members: readonly ConsumerMember[];
  target: ReadonlyMap<string, PartitionMap>;
  topics: TopicLookup;
}): ConsumerDescribedGroup {
  const names = (map: PartitionMap) => {
    const out: Array<{ topicId: string; topicName: string; partitions: number[] }> = [];
    for (const { topicId, partitions } of partitionMapToList(map)) {
      const info = g.topics.byId(topicId);
      if (info) out.push({ topicId, topicName: info.name, partitions }); // Kafka skips topics it no longer knows
    }
    return out;
  };
  const members: ConsumerDescribedMember[] = g.members.map((m) => ({
    memberId: m.memberId,
    instanceId: m.instanceId,
    rackId: m.rackId,
    memberEpoch: m.memberEpoch,
    clientId: m.clientId,
    clientHost: m.clientHost,
    subscribedTopicNames: [...m.subscribedTopicNames],
    subscribedTopicRegex: m.subscribedTopicRegex,
    assignment: names(m.assigned),
    targetAssignment: names(g.target.get(m.memberId) ?? EMPTY_PARTITIONS),
  }));
  return {
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    groupId: g.groupId,
    groupState: g.state,
    groupEpoch: g.groupEpoch,
    assignmentEpoch: g.assignmentEpoch,
    assignorName: g.assignorName,
    members,
  };
}
