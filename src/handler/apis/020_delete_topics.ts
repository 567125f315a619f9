/**
 * DeleteTopics (key 20), v0–v6.
 *
 * Deletes topics by name (v0–v5: TopicNames; v6: Topics with a name) or by
 * id (v6: a null name and a topic id). Their partitions are closed and their
 * directories removed by the owning handlers before the answer is sent.
 * Unknown names are UNKNOWN_TOPIC_OR_PARTITION, unknown ids UNKNOWN_TOPIC_ID,
 * an entry with both or neither INVALID_REQUEST, and with
 * `delete.topic.enable=false` every topic gets TOPIC_DELETION_DISABLED
 * (INVALID_REQUEST before v3, which predates that code). Under a
 * controller_mutation_rate quota (KIP-599) a topic's partitions are counted
 * once it is known and authorized; from v5 a topic that finds the quota used
 * up is THROTTLING_QUOTA_EXCEEDED (earlier versions are deleted and throttled).
 * Versions: v4 is flexible, v5 adds error messages, v6 topic ids.
 */
import { defineApi } from "./api.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import { ZERO_UUID } from "../../protocol/io/uuid.ts";
import {
  decodeDeleteTopicsRequest,
  type DeletableTopicResult,
  type DeleteTopicsRequest,
  type DeleteTopicsResponse,
  encodeDeleteTopicsResponse,
} from "../../protocol/generated/delete_topics.ts";
import { topicAllowed, topicAllowedFor } from "../services/acl_rules.ts";
import { AclOperation } from "../../cluster/acl/acl_types.ts";
import { mutationRefused, THROTTLED_MESSAGE } from "../services/client_quotas.ts";

interface Target {
  name: string | null;
  topicId: string;
}

export const deleteTopicsHandler = defineApi<DeleteTopicsRequest, DeleteTopicsResponse>({
  apiKey: 20,
  name: "DeleteTopics",
  minVersion: 0,
  maxVersion: 6,
  decodeRequest: decodeDeleteTopicsRequest,
  encodeResponse: encodeDeleteTopicsResponse,
  async handle(request, ctx) {
    const { metadata, config } = ctx.broker;
    const targets: Target[] = ctx.apiVersion >= 6
      ? request.topics.map((t) => ({ name: t.name, topicId: t.topicId }))
      : request.topicNames.map((name) => ({ name, topicId: ZERO_UUID }));
    if (!config["delete.topic.enable"]) {
      // As Kafka: versions before TOPIC_DELETION_DISABLED existed (v0–v2) get INVALID_REQUEST.
      const code = ctx.apiVersion < 3 ? ErrorCode.INVALID_REQUEST : ErrorCode.TOPIC_DELETION_DISABLED;
      return {
        throttleTimeMs: 0,
        responses: targets.map((t) => result(t.name, t.topicId, code, "Topic deletion is disabled.")),
      };
    }
    const names: string[] = [];
    const results: Array<DeletableTopicResult | number> = targets.map((t) => {
      const byName = t.name !== null && t.topicId === ZERO_UUID;
      const byId = t.name === null && t.topicId !== ZERO_UUID;
      if (!byName && !byId) {
        return result(
          t.name,
          t.topicId,
          ErrorCode.INVALID_REQUEST,
          "Each topic must be given by name or by id, not both or neither.",
        );
      }
      const topic = byName ? metadata.byName.get(t.name!) : metadata.byId.get(t.topicId);
      // ACL_RULES: DELETE on the topic; asked by id, a topic not describable keeps its name hidden.
      if ((topic || byName) && !topicAllowed(ctx, topic?.name ?? t.name!)) {
        const hidden = !byName && !topicAllowedFor(ctx, AclOperation.DESCRIBE, topic!.name);
        return result(
          hidden ? null : topic?.name ?? t.name,
          t.topicId,
          ErrorCode.TOPIC_AUTHORIZATION_FAILED,
          "Topic authorization failed.",
        );
      }
      if (!topic) {
        return byName
          ? result(
            t.name,
            ZERO_UUID,
            ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            "This server does not host this topic-partition.",
          )
          : result(null, t.topicId, ErrorCode.UNKNOWN_TOPIC_ID, "This server does not host this topic ID.");
      }
      if (mutationRefused(ctx.quotas, topic.partitions, ctx.apiVersion, 5)) {
        return result(topic.name, topic.topicId, ErrorCode.THROTTLING_QUOTA_EXCEEDED, THROTTLED_MESSAGE);
      }
      names.push(topic.name);
      return names.length - 1;
    });
    const outcomes = names.length > 0 ? (await ctx.broker.controller.call({ op: "deleteTopics", names })).outcomes : [];
    return {
      throttleTimeMs: 0,
      responses: results.map((r) => {
        if (typeof r !== "number") return r;
        const o = outcomes[r];
        return result(o.name, o.topicId ?? ZERO_UUID, o.errorCode, o.message);
      }),
    };
  },
  errorResponse(request, ctx, errorCode) {
    const responses = ctx.apiVersion >= 6
      ? request.topics.map((t) => result(t.name, t.topicId, errorCode, null))
      : request.topicNames.map((name) => result(name, ZERO_UUID, errorCode, null));
    return { throttleTimeMs: 0, responses };
  },
});

function result(
  name: string | null,
  topicId: string,
  errorCode: number,
  errorMessage: string | null,
): DeletableTopicResult {
  return { name, topicId, errorCode, errorMessage: errorCode === ErrorCode.NONE ? null : errorMessage };
}
