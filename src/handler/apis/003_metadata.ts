/**
 * Metadata (key 3), v0–v12.
 *
 * This node is the only broker, the controller (ControllerId, v1+) and the
 * leader of every partition, with itself as the only replica and ISR. The
 * broker list holds this node once, with the advertised address of the
 * listener the request came in on. Topics: v0 asks for all topics with an
 * empty list; v1+ uses null for "all" and [] for "none"; v4+ may forbid
 * auto-creation (AllowAutoTopicCreation), before v4 it is always allowed.
 * Unknown topics are created when `auto.create.topics.enable` allows it,
 * otherwise answered with UNKNOWN_TOPIC_OR_PARTITION; invalid names with
 * INVALID_TOPIC_EXCEPTION. v10+ carries topic ids and v12 may ask by id
 * (UNKNOWN_TOPIC_ID when absent; an entry with an id is looked up by id, as
 * Kafka does); v10–v11 requests naming an id or no name are INVALID_REQUEST,
 * answered like Kafka's getErrorResponse (no brokers, null cluster id,
 * controller -1, each topic echoed with a null name as ""). Authorized
 * operations (v8+): when asked for, the operations the principal may perform
 * (every one without an authorizer; the cluster's only with DESCRIBE on it);
 * otherwise Kafka's "not requested" value. With an authorizer
 * (src/handler/services/acl_rules.ts): listing all topics leaves out those
 * the principal may not describe; a named one is TOPIC_AUTHORIZATION_FAILED
 * (listed after the others, as Kafka), and so is a missing one that
 * auto-creation would need CREATE on the cluster or the topic for.
 *
 * A topic named twice is answered once, as Kafka's set of requested topics
 * does, so a request repeating one name a million times gets a one-topic
 * answer; loops over the request yield so other connections keep being
 * served. Auto-creation stops at tsbroker.max.partitions (the controller
 * refuses the rest, which keep answering LEADER_NOT_AVAILABLE, as Kafka
 * does when auto-creation fails).
 */
import { defineApi } from "./api.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import { ZERO_UUID } from "../../protocol/io/uuid.ts";
import { topicNameProblem } from "../../cluster/topic_name.ts";
import type { MetadataView, TopicImage } from "../../cluster/metadata_image.ts";
import { distinctYielding, mapYielding } from "../../util/yielding.ts";
import {
  authorizedOperations,
  authorizerOf,
  clusterOperations,
  mayCreateTopic,
  type RequestContext as AclContext,
  TOPIC_OPERATIONS,
  topicAllowed,
} from "../services/acl_rules.ts";
import { ResourceType } from "../../cluster/acl/acl_types.ts";
import {
  decodeMetadataRequest,
  encodeMetadataResponse,
  type MetadataRequest,
  type MetadataResponse,
  type MetadataResponseTopic,
} from "../../protocol/generated/metadata.ts";

const NOT_REQUESTED = -2147483648;

export const metadataHandler = defineApi<MetadataRequest, MetadataResponse>({
  apiKey: 3,
  name: "Metadata",
  minVersion: 0,
  maxVersion: 12,
  decodeRequest: decodeMetadataRequest,
  encodeResponse: encodeMetadataResponse,
  async handle(request, ctx) {
    const { broker } = ctx;
    if (
      ctx.apiVersion < 12 && request.topics?.some((t) => t.name === null || t.topicId !== ZERO_UUID)
    ) return errorAnswer(request, ErrorCode.INVALID_REQUEST);
    const wantsAll = request.topics === null || (ctx.apiVersion === 0 && request.topics.length === 0);
    let topics: MetadataResponseTopic[];
    let refusedTopics: MetadataResponseTopic[] = [];
    if (wantsAll) {
      // ACL_RULES: topics the principal may not describe are left out.
      topics = broker.metadata.image.topics.filter((t) => topicAllowed(ctx, t.name))
        .map((t) => describeTopic(t, broker.metadata.image.nodeId));
    } else {
      const allowCreate = (ctx.apiVersion < 4 || request.allowAutoTopicCreation) &&
        broker.config["auto.create.topics.enable"];
      // Prefixed keys, so no name can pass for an id (v12 entries may give an id alone).
      const byIdOrName = request.topics!.map((t) => t.topicId !== ZERO_UUID ? { name: null, topicId: t.topicId } : t);
      const all = await distinctYielding(byIdOrName, (t) => t.name !== null ? "n" + t.name : "i" + t.topicId);
      const { wanted, refused } = authorizeTopics(ctx, all, allowCreate);
      const missing: string[] = [];
      for (const t of wanted) {
        if (t.name !== null && !broker.metadata.byName.has(t.name) && topicNameProblem(t.name) === null) {
          missing.push(t.name);
        }
      }
      if (allowCreate && missing.length > 0) await broker.controller.call({ op: "autoCreateTopics", names: missing });
      topics = await mapYielding(wanted, (t) => answerTopic(t.name, t.topicId, broker.metadata, allowCreate));
      refusedTopics = refused;
    }
    if (request.includeTopicAuthorizedOperations && ctx.apiVersion >= 8) {
      // What the principal may do on each topic it may see (all of them without an authorizer), as Kafka.
      topics = topics.map((t) => ({
        ...t,
        topicAuthorizedOperations: authorizedOperations(ctx, ResourceType.TOPIC, t.name ?? "", TOPIC_OPERATIONS),
      }));
    }
    topics.push(...refusedTopics);
    const listener = broker.metadata.image.listeners[ctx.listenerIndex];
    return {
      throttleTimeMs: 0,
      brokers: [{ nodeId: broker.metadata.image.nodeId, host: listener.host, port: listener.port, rack: null }],
      clusterId: broker.metadata.image.clusterId,
      controllerId: broker.metadata.image.nodeId,
      topics,
      clusterAuthorizedOperations: request.includeClusterAuthorizedOperations && ctx.apiVersion <= 10
        ? clusterOperations(ctx)
        : NOT_REQUESTED,
    };
  },
  errorResponse(request, _ctx, errorCode) {
    return errorAnswer(request, errorCode);
  },
});

/**
 * Kafka's checks (ACL_RULES): a topic not describable is TOPIC_AUTHORIZATION_FAILED (named as asked, or by id with
 * a null name), and so is a missing one that would be auto-created without CREATE on the cluster or the topic.
 * Kafka lists those after the others, the ones refused for CREATE first.
 */
function authorizeTopics(
  ctx: AclContext,
  all: Array<{ name: string | null; topicId: string }>,
  allowCreate: boolean,
): { wanted: Array<{ name: string | null; topicId: string }>; refused: MetadataResponseTopic[] } {
  if (authorizerOf(ctx) === null) return { wanted: all, refused: [] };
  const { metadata } = ctx.broker;
  const wanted: Array<{ name: string | null; topicId: string }> = [];
  const forCreate: MetadataResponseTopic[] = [];
  const forDescribe: MetadataResponseTopic[] = [];
  for (const t of all) {
    const name = t.name ?? metadata.byId.get(t.topicId)?.name ?? null;
    if (name === null) wanted.push(t); // an unknown id: UNKNOWN_TOPIC_ID
    else if (!topicAllowed(ctx, name)) {
      forDescribe.push(
        errorTopic(t.name, t.name === null ? t.topicId : ZERO_UUID, ErrorCode.TOPIC_AUTHORIZATION_FAILED),
      );
    } else if (allowCreate && !metadata.byName.has(name) && !mayCreateTopic(ctx, name)) {
      forCreate.push(errorTopic(name, ZERO_UUID, ErrorCode.TOPIC_AUTHORIZATION_FAILED));
    } else wanted.push(t);
  }
  return { wanted, refused: [...forCreate, ...forDescribe] };
}

/** Kafka's MetadataRequest.getErrorResponse: no brokers, null cluster id, each requested topic with the error. */
function errorAnswer(request: MetadataRequest, errorCode: number): MetadataResponse {
  return {
    throttleTimeMs: 0,
    brokers: [],
    clusterId: null,
    controllerId: -1,
    topics: (request.topics ?? []).map((t) => errorTopic(t.name ?? "", t.topicId, errorCode)),
    clusterAuthorizedOperations: NOT_REQUESTED,
  };
}

function answerTopic(
  name: string | null,
  topicId: string,
  metadata: MetadataView,
  autoCreated: boolean,
): MetadataResponseTopic {
  const nodeId = metadata.image.nodeId;
  if (name === null) {
    const byId = metadata.byId.get(topicId);
    return byId ? describeTopic(byId, nodeId) : errorTopic(null, topicId, ErrorCode.UNKNOWN_TOPIC_ID);
  }
  if (topicNameProblem(name) !== null) return errorTopic(name, ZERO_UUID, ErrorCode.INVALID_TOPIC_EXCEPTION);
  const topic = metadata.byName.get(name);
  if (topic) return describeTopic(topic, nodeId);
  return errorTopic(
    name,
    ZERO_UUID,
    autoCreated ? ErrorCode.LEADER_NOT_AVAILABLE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  );
}

/** A topic as this single node serves it: leader, only replica and ISR of every partition. */
function describeTopic(topic: TopicImage, nodeId: number): MetadataResponseTopic {
  return {
    errorCode: ErrorCode.NONE,
    name: topic.name,
    topicId: topic.topicId,
    isInternal: topic.internal,
    partitions: Array.from({ length: topic.partitions }, (_, index) => ({
      errorCode: ErrorCode.NONE,
      partitionIndex: index,
      leaderId: nodeId,
      leaderEpoch: 0,
      replicaNodes: [nodeId],
      isrNodes: [nodeId],
      offlineReplicas: [],
    })),
    topicAuthorizedOperations: NOT_REQUESTED,
  };
}

function errorTopic(name: string | null, topicId: string, errorCode: number): MetadataResponseTopic {
  return {
    errorCode,
    name,
    topicId,
    isInternal: false,
    partitions: [],
    topicAuthorizedOperations: NOT_REQUESTED,
  };
}
