/**
 * What AlterConfigs (33) and IncrementalAlterConfigs (44) share: Kafka's
 * broker-side preprocessing (ConfigAdminManager.preprocess) of each
 * resource, then one controller call for every TOPIC resource left, and the
 * answers put back in request order, one per resource.
 *
 * Preprocessing, in Kafka's order: a resource (type, name) named twice is
 * INVALID_REQUEST "Each resource must appear at most once." on every copy; a
 * config key named twice in one resource, or a null value (other than for
 * DELETE), is INVALID_REQUEST. Then by type:
 * - TOPIC: left to the controller (controller.ts alterConfigs), as Kafka forwards it: the resulting configs
 *   are checked with the same validation as CreateTopics (INVALID_CONFIG), then the topic must exist
 *   (UNKNOWN_TOPIC_OR_PARTITION "The topic 'x' does not exist.").
 * - BROKER: the name must be "" (cluster default) or this node's id, with Kafka's messages; then, unless
 *   nothing is asked, INVALID_REQUEST "tsbroker does not support dynamic broker configs yet". Kafka answers
 *   INVALID_REQUEST too for keys it cannot change while running ("Cannot update these configs dynamically"),
 *   so clients see the code they would for such a key; tsbroker changes no broker key while running.
 * - BROKER_LOGGER (IncrementalAlterConfigs only): the name must be this node's id; then INVALID_REQUEST, as
 *   tsbroker's one logger level (tsbroker.log.level) is fixed at start. AlterConfigs never took loggers: Kafka
 *   answers "Unknown resource type 8", and so does tsbroker.
 * - GROUP, CLIENT_METRICS: INVALID_REQUEST, tsbroker has no such configs (as DescribeConfigs answers).
 * - anything else: INVALID_REQUEST "Unknown resource type N".
 */
import type { RequestContext } from "./api.ts";
import { ErrorCode } from "../protocol/errors.ts";
import type { TopicConfigAlteration } from "../cluster/topic_config_alter.ts";

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
  const answers: Array<{ errorCode: number; message: string | null } | number> = [];
  const topics: Array<{ name: string; alteration: TopicConfigAlteration }> = [];
  for (const r of resources) {
    const refused = counts.get(key(r))! > 1
      ? invalid("Each resource must appear at most once.")
      : preprocess(r, nodeId, acceptsLoggers);
    if (refused) answers.push(refused);
    else if (r.resourceType === ResourceType.TOPIC) {
      answers.push(topics.length);
      topics.push({ name: r.resourceName, alteration: r.alteration });
    } else answers.push({ errorCode: ErrorCode.NONE, message: null });
  }
  const outcomes = topics.length > 0
    ? (await ctx.broker.controller.call({ op: "alterTopicConfigs", topics, validateOnly })).outcomes
    : [];
  return resources.map((r, i) => {
    const a = answers[i];
    const answer = typeof a === "number" ? { errorCode: outcomes[a].errorCode, message: outcomes[a].message } : a;
    return {
      errorCode: answer.errorCode,
      errorMessage: answer.message,
      resourceType: r.resourceType,
      resourceName: r.resourceName,
    };
  });
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
    case ResourceType.BROKER: {
      if (r.resourceName !== "") {
        const wrongNode = nodeProblem(r.resourceName, nodeId);
        if (wrongNode) return wrongNode;
      }
      return r.configNames.length === 0 ? null : invalid("tsbroker does not support dynamic broker configs yet");
    }
    case ResourceType.BROKER_LOGGER: {
      if (!acceptsLoggers) return invalid(`Unknown resource type ${r.resourceType}`);
      const wrongNode = nodeProblem(r.resourceName, nodeId);
      if (wrongNode) return wrongNode;
      return r.configNames.length === 0
        ? null
        : invalid("tsbroker cannot change log levels while running: its level is tsbroker.log.level, set at start");
    }
    case ResourceType.GROUP:
      return invalid("Unsupported resource type: GROUP");
    case ResourceType.CLIENT_METRICS:
      return invalid("Unsupported resource type: CLIENT_METRICS");
    default:
      return invalid(`Unknown resource type ${r.resourceType}`);
  }
}

/** Kafka's validateResourceNameIsCurrentNodeId (Java's Integer.parseInt). */
function nodeProblem(name: string, nodeId: number): { errorCode: number; message: string } | null {
  const n = /^[+-]?\d+$/.test(name) ? Number(name) : NaN;
  if (!Number.isInteger(n) || n < -2147483648 || n > 2147483647) {
    return invalid(`Node id must be an integer, but it is: ${name}`);
  }
  return n === nodeId ? null : invalid(`Unexpected broker id, expected ${nodeId}, but received ${name}`);
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
