/**
 * CreatePartitions (key 37), v0–v3.
 *
 * Raises a topic's partition count; new partitions start empty on this
 * node. A count not above the current one is INVALID_PARTITIONS, an unknown
 * topic UNKNOWN_TOPIC_OR_PARTITION, a topic named twice INVALID_REQUEST
 * (one result per such name, before the others, as Kafka's ControllerApis answers),
 * manual assignments other than this node (one list per new partition)
 * INVALID_REPLICA_ASSIGNMENT; new partitions that would take the broker past
 * tsbroker.max.partitions are POLICY_VIOLATION (as Kafka's controller refuses
 * a creation), the message naming the limit. validateOnly makes the same
 * checks without changing anything. Under a controller_mutation_rate quota
 * (KIP-599) the new partitions are counted; from v3 a topic that finds the
 * quota used up is THROTTLING_QUOTA_EXCEEDED (earlier versions: throttled). v2 is
 * flexible; v3 changes nothing on the broker side.
 */
import { defineApi } from "./api.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import {
  type CreatePartitionsRequest,
  type CreatePartitionsResponse,
  type CreatePartitionsTopic,
  type CreatePartitionsTopicResult,
  decodeCreatePartitionsRequest,
  encodeCreatePartitionsResponse,
} from "../../protocol/generated/create_partitions.ts";
import { topicAllowed } from "../services/acl_rules.ts";
import { mutationRefused, THROTTLED_MESSAGE } from "../services/client_quotas.ts";

export const createPartitionsHandler = defineApi<CreatePartitionsRequest, CreatePartitionsResponse>({
  apiKey: 37,
  name: "CreatePartitions",
  minVersion: 0,
  maxVersion: 3,
  decodeRequest: decodeCreatePartitionsRequest,
  encodeResponse: encodeCreatePartitionsResponse,
  async handle(request, ctx) {
    const { metadata } = ctx.broker;
    const counts = new Map<string, number>();
    for (const t of request.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    const wanted: Array<{ name: string; count: number }> = [];
    const duplicates = [...counts].filter(([, n]) => n > 1)
      .map(([name]) => result(name, ErrorCode.INVALID_REQUEST, "Duplicate topic name."));
    const unique = request.topics.filter((t) => counts.get(t.name) === 1);
    const results: Array<CreatePartitionsTopicResult | number> = unique.map((t) => {
      if (!topicAllowed(ctx, t.name)) {
        return result(t.name, ErrorCode.TOPIC_AUTHORIZATION_FAILED, null);
      }
      const current = metadata.byName.get(t.name);
      if (current && t.count > current.partitions) {
        const bad = checkAssignments(t, t.count - current.partitions, metadata.image.nodeId);
        if (bad) return result(t.name, ErrorCode.INVALID_REPLICA_ASSIGNMENT, bad);
        if (mutationRefused(ctx.quotas, t.count - current.partitions, ctx.apiVersion, 3)) {
          return result(t.name, ErrorCode.THROTTLING_QUOTA_EXCEEDED, THROTTLED_MESSAGE);
        }
      }
      wanted.push({ name: t.name, count: t.count });
      return wanted.length - 1;
    });
    const outcomes = wanted.length > 0
      ? (await ctx.broker.controller.call({
        op: "createPartitions",
        topics: wanted,
        validateOnly: request.validateOnly,
      })).outcomes
      : [];
    return {
      throttleTimeMs: 0,
      results: [
        ...duplicates,
        ...results.map((r) =>
          typeof r === "number" ? result(outcomes[r].name, outcomes[r].errorCode, outcomes[r].message) : r
        ),
      ],
    };
  },
  errorResponse(request, _ctx, errorCode) {
    return { throttleTimeMs: 0, results: request.topics.map((t) => result(t.name, errorCode, null)) };
  },
});

function checkAssignments(topic: CreatePartitionsTopic, added: number, nodeId: number): string | null {
  if (topic.assignments === null) return null;
  if (topic.assignments.length !== added) {
    return `Increasing the number of partitions by ${added} but ${topic.assignments.length} assignments provided.`;
  }
  const bad = topic.assignments.find((a) => a.brokerIds.length !== 1 || a.brokerIds[0] !== nodeId);
  return bad ? `Assignment [${bad.brokerIds.join(", ")}] names a broker other than the only one, ${nodeId}.` : null;
}

function result(name: string, errorCode: number, errorMessage: string | null): CreatePartitionsTopicResult {
  return { name, errorCode, errorMessage: errorCode === ErrorCode.NONE ? null : errorMessage };
}
