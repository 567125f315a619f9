/**
 * CreateTopics (key 19), v0–v7.
 *
 * Checked here, per topic, in Kafka's order: a name given twice in the
 * request (INVALID_REQUEST, answered once per name after the other topics,
 * as Kafka's ControllerApis does), the name (INVALID_TOPIC_EXCEPTION), partition
 * count and replication factor (-1 = the broker default, v4+; a count below
 * 1 is INVALID_PARTITIONS; any factor but 1 is INVALID_REPLICATION_FACTOR on
 * this one node), manual assignments (only this node, partitions 0..n-1,
 * else INVALID_REPLICA_ASSIGNMENT; counts must then be -1, else
 * INVALID_REQUEST), and configs (INVALID_CONFIG naming the key). The
 * controller then refuses existing names (TOPIC_ALREADY_EXISTS) and names
 * that collide once '.' and '_' are equated (INVALID_TOPIC_EXCEPTION).
 * Bounds, both POLICY_VIOLATION as Kafka's controller answers: a request
 * asking for more than 10,000 partitions in all is refused whole (Kafka's
 * "Excessively large number of partitions per request."), and a topic that
 * would take the broker past tsbroker.max.partitions is refused, its
 * message naming the limit (every partition holds file descriptors).
 * Under a controller_mutation_rate quota (KIP-599) each new topic's
 * partitions are counted, after the other checks; from v6 a topic that
 * finds the quota already used up is THROTTLING_QUOTA_EXCEEDED (earlier
 * versions are created and only throttled), the answer carrying the wait.
 * validateOnly (v1+) runs every check and stops before creating. Versions: v1 adds validateOnly
 * and error messages, v4 defaults, v5 returns partitions, replication factor
 * and the effective configs (flexible from v5), v7 the topic id.
 */
import { defineApi } from "./api.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import { ZERO_UUID } from "../../protocol/io/uuid.ts";
import { topicNameProblem } from "../../cluster/topic_name.ts";
import { describeTopicConfigs, validateTopicConfigs } from "../../cluster/topic_config.ts";
import {
  type CreatableTopic,
  type CreatableTopicResult,
  type CreateTopicsRequest,
  type CreateTopicsResponse,
  decodeCreateTopicsRequest,
  encodeCreateTopicsResponse,
} from "../../protocol/generated/create_topics.ts";
import type { BrokerConfig } from "../../config/keys.ts";
import type { CreateTopicSpec } from "../../cluster/controller_ops.ts";
import { perRequestRefusal } from "../../cluster/partition_limit.ts";
import { mayCreateTopic, topicAllowedFor } from "../services/acl_rules.ts";
import { AclOperation } from "../../cluster/acl/acl_types.ts";
import { mutationRefused, THROTTLED_MESSAGE } from "../services/client_quotas.ts";

export const createTopicsHandler = defineApi<CreateTopicsRequest, CreateTopicsResponse>({
  apiKey: 19,
  name: "CreateTopics",
  minVersion: 0,
  maxVersion: 7,
  decodeRequest: decodeCreateTopicsRequest,
  encodeResponse: encodeCreateTopicsResponse,
  async handle(request, ctx) {
    const { config, metadata } = ctx.broker;
    const counts = new Map<string, number>();
    for (const t of request.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    const tooMany = perRequestRefusal(requestedPartitions(request.topics, counts, config));
    const specs: CreateTopicSpec[] = [];
    const duplicates = [...counts].filter(([, n]) => n > 1)
      .map(([name]) => failed(name, ErrorCode.INVALID_REQUEST, "Duplicate topic name."));
    const unique = request.topics.filter((t) => counts.get(t.name) === 1);
    const results: Array<CreatableTopicResult | number> = unique.map((topic) => {
      // ACL_RULES: CREATE on the cluster or the topic.
      if (!mayCreateTopic(ctx, topic.name)) {
        return failed(topic.name, ErrorCode.TOPIC_AUTHORIZATION_FAILED, "Authorization failed.");
      }
      if (tooMany) return failed(topic.name, tooMany.errorCode, tooMany.message);
      const problem = checkTopic(topic, config, metadata.image.nodeId);
      if (problem) return failed(topic.name, problem.code, problem.message);
      const partitions = partitionCount(topic, config);
      // KIP-599, after every other check but the controller's own (an existing name is refused there first).
      if (!metadata.byName.has(topic.name) && mutationRefused(ctx.quotas, partitions, ctx.apiVersion, 6)) {
        return failed(topic.name, ErrorCode.THROTTLING_QUOTA_EXCEEDED, THROTTLED_MESSAGE);
      }
      specs.push({
        name: topic.name,
        partitions,
        configs: Object.fromEntries(topic.configs.map((c) => [c.name, c.value!])),
      });
      return specs.length - 1;
    });
    const outcomes = specs.length > 0
      ? (await ctx.broker.controller.call({ op: "createTopics", topics: specs, validateOnly: request.validateOnly }))
        .outcomes
      : [];
    return {
      throttleTimeMs: 0,
      topics: [...results, ...duplicates].map((r) => {
        if (typeof r !== "number") return r;
        const o = outcomes[r];
        if (o.errorCode !== ErrorCode.NONE) return failed(o.name, o.errorCode, o.message);
        const spec = specs[r];
        // Kafka shows a new topic's configs only to who may describe them.
        if (!topicAllowedFor(ctx, AclOperation.DESCRIBE_CONFIGS, spec.name)) {
          return {
            ...failed(spec.name, ErrorCode.NONE, null),
            topicId: o.topicId ?? ZERO_UUID,
            topicConfigErrorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
            numPartitions: spec.partitions,
            replicationFactor: 1,
          };
        }
        return {
          name: spec.name,
          topicId: o.topicId ?? ZERO_UUID,
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          topicConfigErrorCode: ErrorCode.NONE,
          numPartitions: spec.partitions,
          replicationFactor: 1,
          configs: describeTopicConfigs(config, spec.configs).map((c) => ({
            name: c.name,
            value: c.value,
            readOnly: c.readOnly,
            configSource: c.source,
            isSensitive: c.isSensitive,
          })),
        };
      }),
    };
  },
  errorResponse(request, _ctx, errorCode) {
    return { throttleTimeMs: 0, topics: request.topics.map((t) => failed(t.name, errorCode, null)) };
  },
});

/** Kafka's validateTotalNumberOfPartitions: what the request asks for, counted before any other check. */
function requestedPartitions(topics: CreatableTopic[], counts: Map<string, number>, config: BrokerConfig): number {
  let total = 0;
  for (const t of topics) {
    if (counts.get(t.name)! > 1) continue;
    if (t.assignments.length > 0) total += t.assignments.length;
    else if (t.numPartitions === -1) total += config["num.partitions"];
    else if (t.numPartitions > 0) total += t.numPartitions;
  }
  return total;
}

function partitionCount(topic: CreatableTopic, config: BrokerConfig): number {
  if (topic.assignments.length > 0) return topic.assignments.length;
  return topic.numPartitions === -1 ? config["num.partitions"] : topic.numPartitions;
}

function checkTopic(
  topic: CreatableTopic,
  config: BrokerConfig,
  nodeId: number,
): { code: number; message: string } | null {
  const nameProblem = topicNameProblem(topic.name);
  if (nameProblem) return { code: ErrorCode.INVALID_TOPIC_EXCEPTION, message: nameProblem };
  if (topic.assignments.length > 0) {
    if (topic.numPartitions !== -1 || topic.replicationFactor !== -1) {
      return {
        code: ErrorCode.INVALID_REQUEST,
        message:
          "Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.",
      };
    }
    const indexes = topic.assignments.map((a) => a.partitionIndex).sort((a, b) => a - b);
    if (indexes.some((p, i) => p !== i)) {
      return {
        code: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        message: "Partitions should be a consecutive 0-based integer sequence",
      };
    }
    const bad = topic.assignments.find((a) => a.brokerIds.length !== 1 || a.brokerIds[0] !== nodeId);
    if (bad) {
      return {
        code: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        message: `Partition ${bad.partitionIndex} is assigned to brokers [${
          bad.brokerIds.join(", ")
        }]; the only broker is ${nodeId}`,
      };
    }
  } else {
    if (topic.numPartitions === 0 || topic.numPartitions < -1) {
      return {
        code: ErrorCode.INVALID_PARTITIONS,
        message: "Number of partitions was set to an invalid non-positive value.",
      };
    }
    const factor = topic.replicationFactor === -1 ? config["default.replication.factor"] : topic.replicationFactor;
    if (factor !== 1) {
      return {
        code: ErrorCode.INVALID_REPLICATION_FACTOR,
        message: factor <= 0
          ? "Replication factor must be larger than 0, or -1 to use the default value."
          : `Unable to replicate the partition ${factor} time(s): The target replication factor of ${factor} cannot be reached because only 1 broker(s) are registered.`,
      };
    }
  }
  const names = new Set<string>();
  const configs: Record<string, string | null> = {};
  for (const c of topic.configs) {
    if (names.has(c.name)) return { code: ErrorCode.INVALID_REQUEST, message: `Duplicate config key: ${c.name}` };
    names.add(c.name);
    if (c.value === null) {
      return { code: ErrorCode.INVALID_REQUEST, message: `Null value not supported for topic configs: ${c.name}` };
    }
    configs[c.name] = c.value;
  }
  const configProblem = validateTopicConfigs(configs);
  if (configProblem) return { code: configProblem.errorCode, message: configProblem.message };
  return null;
}

function failed(name: string, errorCode: number, message: string | null): CreatableTopicResult {
  return {
    name,
    topicId: ZERO_UUID,
    errorCode,
    errorMessage: message,
    topicConfigErrorCode: ErrorCode.NONE,
    numPartitions: -1,
    replicationFactor: -1,
    configs: [],
  };
}
