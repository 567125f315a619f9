/**
 * What AlterConfigs (33) and IncrementalAlterConfigs (44) share: Kafka's
 * broker-side preprocessing (ConfigAdminManager.preprocess) of each
 * resource, then one controller call for the TOPIC resources left, one for
 * the BROKER ones and one for the logger, and the answers put back in
 * request order, one per resource.
 *
 * Preprocessing, in Kafka's order: a resource (type, name) named twice is
 * INVALID_REQUEST "Each resource must appear at most once." on every copy; a
 * config key named twice in one resource, or a null value (other than for
 * DELETE), is INVALID_REQUEST. Then by type:
 * - TOPIC: left to the controller (controller.ts alterConfigs), as Kafka forwards it: the resulting configs
 *   are checked with the same validation as CreateTopics (INVALID_CONFIG), then the topic must exist
 *   (UNKNOWN_TOPIC_OR_PARTITION "The topic 'x' does not exist.").
 * - BROKER: the name must be "" (cluster-wide default) or this node's id, with Kafka's messages; then the
 *   controller (alterBrokerConfigs, cluster/broker_config_alter.ts) checks the keys set against
 *   config/dynamic_keys.ts (INVALID_REQUEST "Cannot update these configs dynamically: [k]", "Invalid value
 *   ..."), persists the resource's new dynamic configs and publishes them; every handler then merges them into
 *   its config and re-resolves its open partitions. DescribeConfigs shows them with source
 *   DYNAMIC_DEFAULT_BROKER_CONFIG ("") or DYNAMIC_BROKER_CONFIG (the node id).
 * - BROKER_LOGGER (IncrementalAlterConfigs only): the name must be this node's id (Kafka's "Unexpected node
 *   id. Expected 1, but received 2"); the controller checks and applies the level changes in every thread
 *   (not persisted, as in Kafka). AlterConfigs never took loggers: Kafka answers "Unknown resource type 8",
 *   and so does tsbroker.
 * - GROUP, CLIENT_METRICS: INVALID_REQUEST, tsbroker has no such configs (as DescribeConfigs answers).
 * - anything else: INVALID_REQUEST "Unknown resource type N".
 */
import type { RequestContext } from "./api.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import type { TopicConfigAlteration } from "../../cluster/topic_config_alter.ts";
import type { ControllerClient } from "../services/broker_state.ts";
import { configRefusal } from "../services/acl_rules.ts";

/** Kafka's ConfigResource.Type ids. */
export const ResourceType = { TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8, GROUP: 16, CLIENT_METRICS: 32 } as const;

/** One resource of either request, reduced to what preprocessing needs. */
export interface AlterResource {
  resourceType: number;
  resourceName: string;
  configNames: string[];
  /** Keys whose value is null where the operation needs one. */
  nullValues: string[];
  alteration: TopicConfigAlteration;
}

export interface AlterOutcome {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
}

export async function alterResources(
  resources: AlterResource[],
  validateOnly: boolean,
  ctx: RequestContext,
  acceptsLoggers: boolean,
): Promise<AlterOutcome[]> {
  const nodeId = ctx.broker.metadata.image.nodeId;
  const counts = new Map<string, number>();
  const key = (r: AlterResource) => `${r.resourceType}\u0000${r.resourceName}`;
  for (const r of resources) counts.set(key(r), (counts.get(key(r)) ?? 0) + 1);
  const answers: Array<{ errorCode: number; message: string | null } | { batch: Batch; at: number }> = [];
  const batches: Record<Batch, Array<{ name: string; alteration: TopicConfigAlteration }>> = {
    topics: [],
    brokers: [],
    loggers: [],
  };
  for (const r of resources) {
    const denied = configRefusal(ctx, r.resourceType, r.resourceName);
    const refused = counts.get(key(r))! > 1 ? invalid("Each resource must appear at most once.") : denied
      // Kafka's controller words a topic's refusal and leaves the cluster's without a message.
      ? {
        errorCode: denied.errorCode,
        message: denied.errorCode === ErrorCode.CLUSTER_AUTHORIZATION_FAILED ? null : denied.message,
      }
      : preprocess(r, nodeId, acceptsLoggers);
    const batch = BATCH_OF[r.resourceType];
    if (refused) answers.push(refused);
    else if (batch) {
      answers.push({ batch, at: batches[batch].length });
      batches[batch].push({ name: r.resourceName, alteration: r.alteration });
    } else answers.push({ errorCode: ErrorCode.NONE, message: null });
  }
  const outcomes = await runBatches(ctx.broker.controller, batches, validateOnly);
  return resources.map((r, i) => {
    const a = answers[i];
    const answer = "batch" in a ? outcomes[a.batch][a.at] : a;
    return {
      errorCode: answer.errorCode,
      errorMessage: answer.message,
      resourceType: r.resourceType,
      resourceName: r.resourceName,
    };
  });
}

/** What the controller is asked for, by resource type. */
type Batch = "topics" | "brokers" | "loggers";
const BATCH_OF: Readonly<Record<number, Batch>> = {
  [ResourceType.TOPIC]: "topics",
  [ResourceType.BROKER]: "brokers",
  [ResourceType.BROKER_LOGGER]: "loggers",
};

type Outcome = { errorCode: number; message: string | null };

/** One controller call per kind of resource; a node has one logger resource, so there is at most one of those. */
async function runBatches(
  controller: ControllerClient,
  batches: Record<Batch, Array<{ name: string; alteration: TopicConfigAlteration }>>,
  validateOnly: boolean,
): Promise<Record<Batch, Outcome[]>> {
  const { topics, brokers, loggers } = batches;
  const out: Record<Batch, Outcome[]> = { topics: [], brokers: [], loggers: [] };
  if (topics.length > 0) {
    out.topics = (await controller.call({ op: "alterTopicConfigs", topics, validateOnly })).outcomes;
  }
  if (brokers.length > 0) {
    out.brokers = (await controller.call({ op: "alterBrokerConfigs", resources: brokers, validateOnly })).outcomes;
  }
  for (const { alteration } of loggers) {
    const changes = alteration.kind === "incremental" ? alteration.changes : [];
    const result = await controller.call({ op: "alterLoggers", changes, validateOnly });
    out.loggers.push({ errorCode: result.errorCode, message: result.message });
  }
  return out;
}

/** A refusal, or null when the resource goes on (TOPIC to the controller; others with nothing to do). */
function preprocess(
  r: AlterResource,
  nodeId: number,
  acceptsLoggers: boolean,
): { errorCode: number; message: string } | null {
  if (new Set(r.configNames).size !== r.configNames.length) return invalid("Error due to duplicate config keys");
  if (r.nullValues.length > 0) return invalid(`Null value not supported for : ${r.nullValues.join(", ")}`);
  switch (r.resourceType) {
    case ResourceType.TOPIC:
      return null;
    case ResourceType.BROKER:
      return r.resourceName === "" ? null : nodeProblem(r.resourceName, nodeId, "broker");
    case ResourceType.BROKER_LOGGER:
      if (!acceptsLoggers) return invalid(`Unknown resource type ${r.resourceType}`);
      return nodeProblem(r.resourceName, nodeId, "logger");
    case ResourceType.GROUP:
      return invalid("Unsupported resource type: GROUP");
    case ResourceType.CLIENT_METRICS:
      return invalid("Unsupported resource type: CLIENT_METRICS");
    default:
      return invalid(`Unknown resource type ${r.resourceType}`);
  }
}

/** Kafka's validateResourceNameIsCurrentNodeId (Java's Integer.parseInt); its wording differs per type. */
function nodeProblem(
  name: string,
  nodeId: number,
  type: "broker" | "logger",
): { errorCode: number; message: string } | null {
  const n = /^[+-]?\d+$/.test(name) ? Number(name) : NaN;
  if (!Number.isInteger(n) || n < -2147483648 || n > 2147483647) {
    return invalid(`Node id must be an integer, but it is: ${name}`);
  }
  if (n === nodeId) return null;
  return invalid(
    type === "broker"
      ? `Unexpected broker id, expected ${nodeId}, but received ${name}`
      : `Unexpected node id. Expected ${nodeId}, but received ${name}`,
  );
}

function invalid(message: string): { errorCode: number; message: string } {
  return { errorCode: ErrorCode.INVALID_REQUEST, message };
}

/** Both APIs' answer when the whole request fails: the same error for every resource, in request order. */
export function everyResourceFailed(
  resources: readonly { resourceType: number; resourceName: string }[],
  errorCode: number,
): { throttleTimeMs: number; responses: AlterOutcome[] } {
  return {
    throttleTimeMs: 0,
    responses: resources.map((r) => ({
      errorCode,
      errorMessage: null,
      resourceType: r.resourceType,
      resourceName: r.resourceName,
    })),
  };
}
