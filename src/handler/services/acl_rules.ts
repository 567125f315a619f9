/**
 * Which operation on which resource each API needs (Kafka's KafkaApis and
 * AclApis checks), as ONE table keyed by API key, and the helpers the API
 * files call to apply it. A helper reads the operation from the row of the
 * request's API, so an API file says only what it checks (its topics, its
 * group...) and the table says with which operation; a test walks the
 * registry and fails for an API without a row (tests/handler/services/
 * acl_rules_test.ts).
 *
 * With no authorizer configured (`authorizer.class.name` empty) every check
 * passes. The authorizer itself (src/cluster/acl/authorizer.ts) reads the
 * bindings of the handler's current metadata image.
 */
import type { BrokerState } from "./broker_state.ts";
import { ApiError } from "../../protocol/api_error.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import { AclOperation as Op, CLUSTER_NAME, ResourceType } from "../../cluster/acl/acl_types.ts";
import { Authorizer, hostOf, parseSuperUsers } from "../../cluster/acl/authorizer.ts";
import { authorizerEnabled } from "../../cluster/acl/authorizer_config.ts";
import type { MetadataView } from "../../cluster/metadata_image.ts";

/** What the checks read of a request's context (the API files' RequestContext has it all). */
export interface RequestContext {
  apiKey: number;
  principal: string;
  /** "ip:port" */
  clientAddress: string;
  broker: BrokerState;
}

/** What one API needs. Absent fields: that kind of resource is not checked. */
export interface AclRule {
  /** On each topic the request names (per topic or partition: TOPIC_AUTHORIZATION_FAILED). */
  topic?: number;
  /** On the request's group (GROUP_AUTHORIZATION_FAILED). */
  group?: number;
  /** On the request's transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED). */
  transactionalId?: number;
  /** On the cluster (CLUSTER_AUTHORIZATION_FAILED), for the whole request unless `note` says otherwise. */
  cluster?: number;
  /** Where Kafka's check differs from "every named resource, this operation". */
  note?: string;
}

/** Rows in API-key order. `{}`: Kafka checks nothing (before or outside authentication). */
export const ACL_RULES: ReadonlyMap<number, AclRule> = new Map<number, AclRule>([
  [0, {
    topic: Op.WRITE,
    transactionalId: Op.WRITE,
    note: "transactional id only for transactional batches (whole request)",
  }],
  [1, { topic: Op.READ, cluster: Op.CLUSTER_ACTION, note: "cluster only for a follower's fetch (replica id >= 0)" }],
  [2, { topic: Op.DESCRIBE }],
  [3, {
    topic: Op.DESCRIBE,
    cluster: Op.CREATE,
    note: "listing all topics leaves out what is not describable; auto-creation needs CREATE on the cluster or topic",
  }],
  [8, { group: Op.READ, topic: Op.READ }],
  [9, { group: Op.DESCRIBE, topic: Op.DESCRIBE, note: "undescribable topics are left out when fetching all" }],
  [10, { group: Op.DESCRIBE, transactionalId: Op.DESCRIBE, note: "per key, by the key's type" }],
  [11, { group: Op.READ }],
  [12, { group: Op.READ }],
  [13, { group: Op.READ }],
  [14, { group: Op.READ }],
  [15, { group: Op.DESCRIBE, note: "per group" }],
  [16, { group: Op.DESCRIBE, cluster: Op.DESCRIBE, note: "lists the groups describable, all with DESCRIBE cluster" }],
  [17, {}],
  [18, {}],
  [19, { topic: Op.CREATE, cluster: Op.CREATE, note: "CREATE on the cluster or on the topic" }],
  [20, { topic: Op.DELETE }],
  [21, { topic: Op.DELETE }],
  [22, {
    transactionalId: Op.WRITE,
    cluster: Op.IDEMPOTENT_WRITE,
    note: "without a transactional id: IDEMPOTENT_WRITE on the cluster or WRITE on any topic",
  }],
  [23, { topic: Op.DESCRIBE }],
  [24, { transactionalId: Op.WRITE, topic: Op.WRITE, cluster: Op.CLUSTER_ACTION, note: "cluster for v4+ batches" }],
  [25, { transactionalId: Op.WRITE, group: Op.READ }],
  [26, { transactionalId: Op.WRITE }],
  [27, { cluster: Op.CLUSTER_ACTION }],
  [28, { transactionalId: Op.WRITE, group: Op.READ, topic: Op.READ }],
  [29, { cluster: Op.DESCRIBE }],
  [30, { cluster: Op.ALTER }],
  [31, { cluster: Op.ALTER }],
  [32, { topic: Op.DESCRIBE_CONFIGS, cluster: Op.DESCRIBE_CONFIGS, note: "cluster for BROKER and BROKER_LOGGER" }],
  [33, { topic: Op.ALTER_CONFIGS, cluster: Op.ALTER_CONFIGS, note: "cluster for BROKER resources" }],
  [34, { cluster: Op.ALTER }],
  [35, { cluster: Op.DESCRIBE }],
  [36, {}],
  [37, { topic: Op.ALTER }],
  [42, { group: Op.DELETE, note: "per group" }],
  [43, { cluster: Op.ALTER }],
  [44, { topic: Op.ALTER_CONFIGS, cluster: Op.ALTER_CONFIGS, note: "cluster for BROKER and BROKER_LOGGER" }],
  [45, { cluster: Op.ALTER }],
  [46, { cluster: Op.DESCRIBE }],
  [47, { group: Op.DELETE, topic: Op.READ }],
  [48, { cluster: Op.DESCRIBE_CONFIGS }],
  [49, { cluster: Op.ALTER_CONFIGS }],
  [50, { cluster: Op.DESCRIBE }],
  [51, { cluster: Op.ALTER }],
  [60, {
    cluster: Op.DESCRIBE,
    note: "nothing is refused: DESCRIBE decides only whether the cluster's operations show",
  }],
  [61, { topic: Op.READ }],
  [65, { transactionalId: Op.DESCRIBE, note: "per id" }],
  [66, { transactionalId: Op.DESCRIBE, note: "lists the ids describable" }],
  [68, { group: Op.READ, topic: Op.DESCRIBE, note: "topics of the subscription" }],
  [69, { group: Op.DESCRIBE, note: "per group" }],
  [75, { topic: Op.DESCRIBE }],
]);

const authorizers = new WeakMap<MetadataView, Authorizer>();

/** The authorizer over the request's image, or null when none is configured. */
export function authorizerOf(ctx: RequestContext): Authorizer | null {
  const { config, metadata } = ctx.broker;
  if (!authorizerEnabled(config["authorizer.class.name"])) return null;
  let authorizer = authorizers.get(metadata);
  if (!authorizer) {
    authorizer = new Authorizer(metadata.image.acls ?? [], {
      superUsers: parseSuperUsers(config["super.users"]),
      allowEveryoneIfNoAclFound: config["allow.everyone.if.no.acl.found"],
    });
    authorizers.set(metadata, authorizer);
  }
  return authorizer;
}

function ruleOf(ctx: RequestContext): AclRule {
  const rule = ACL_RULES.get(ctx.apiKey);
  if (!rule) throw new Error(`API key ${ctx.apiKey} has no row in ACL_RULES`);
  return rule;
}

/** May the request's principal perform `operation` on the resource? */
export function allowed(ctx: RequestContext, operation: number, resourceType: number, name: string): boolean {
  const authorizer = authorizerOf(ctx);
  return authorizer === null ||
    authorizer.authorize(ctx.principal, hostOf(ctx.clientAddress), operation, resourceType, name);
}

function needed(op: number | undefined, what: string, ctx: RequestContext): number {
  if (op === undefined) throw new Error(`ACL_RULES has no ${what} operation for API key ${ctx.apiKey}`);
  return op;
}

/** The topic operation of the request's API (its row's `topic`) on `topic`. */
export function topicAllowed(ctx: RequestContext, topic: string): boolean {
  return allowed(ctx, needed(ruleOf(ctx).topic, "topic", ctx), ResourceType.TOPIC, topic);
}

/** Another operation on a topic than the row's main one (Metadata's DESCRIBE when it lists, for instance). */
export function topicAllowedFor(ctx: RequestContext, operation: number, topic: string): boolean {
  return allowed(ctx, operation, ResourceType.TOPIC, topic);
}

export function groupAllowed(ctx: RequestContext, groupId: string): boolean {
  return allowed(ctx, needed(ruleOf(ctx).group, "group", ctx), ResourceType.GROUP, groupId);
}

export function transactionalIdAllowed(ctx: RequestContext, id: string): boolean {
  return allowed(ctx, needed(ruleOf(ctx).transactionalId, "transactional id", ctx), ResourceType.TRANSACTIONAL_ID, id);
}

export function clusterAllowed(ctx: RequestContext): boolean {
  return allowed(ctx, needed(ruleOf(ctx).cluster, "cluster", ctx), ResourceType.CLUSTER, CLUSTER_NAME);
}

/** CREATE on the cluster, or else on the topic (CreateTopics, Metadata's auto-creation). */
export function mayCreateTopic(ctx: RequestContext, topic: string): boolean {
  return allowed(ctx, Op.CREATE, ResourceType.CLUSTER, CLUSTER_NAME) ||
    allowed(ctx, Op.CREATE, ResourceType.TOPIC, topic);
}

/** Kafka's authorizeByResourceType: the operation on at least one resource of the type. */
export function allowedOnAny(ctx: RequestContext, operation: number, resourceType: number): boolean {
  const authorizer = authorizerOf(ctx);
  return authorizer === null ||
    authorizer.authorizeAny(ctx.principal, hostOf(ctx.clientAddress), operation, resourceType);
}

/** Fails the whole request with CLUSTER_AUTHORIZATION_FAILED unless the row's cluster operation is allowed. */
export function requireCluster(ctx: RequestContext): void {
  if (!clusterAllowed(ctx)) {
    throw new ApiError(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, "Cluster authorization failed.");
  }
}

/** Fails the whole request with GROUP_AUTHORIZATION_FAILED unless the row's group operation is allowed. */
export function requireGroup(ctx: RequestContext, groupId: string): void {
  if (!groupAllowed(ctx, groupId)) {
    throw new ApiError(ErrorCode.GROUP_AUTHORIZATION_FAILED, `Not authorized to access group: ${groupId}`);
  }
}

/** Fails the whole request with TRANSACTIONAL_ID_AUTHORIZATION_FAILED unless the row's operation is allowed. */
export function requireTransactionalId(ctx: RequestContext, id: string): void {
  if (!transactionalIdAllowed(ctx, id)) {
    throw new ApiError(
      ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
      "Transactional Id authorization failed.",
    );
  }
}

/**
 * Kafka's authorized-operations bit field (Metadata, DescribeGroups, DescribeCluster...): bit `op` set for each of
 * `operations` the principal may perform on the resource; every one of them without an authorizer.
 */
export function authorizedOperations(
  ctx: RequestContext,
  resourceType: number,
  name: string,
  operations: readonly number[],
): number {
  return operations.reduce((bits, op) => allowed(ctx, op, resourceType, name) ? bits | (1 << op) : bits, 0);
}

/** The operations Kafka reports for each resource type, in its authorized-operations fields. */
export const TOPIC_OPERATIONS: readonly number[] = [
  Op.READ,
  Op.WRITE,
  Op.CREATE,
  Op.DELETE,
  Op.ALTER,
  Op.DESCRIBE,
  Op.DESCRIBE_CONFIGS,
  Op.ALTER_CONFIGS,
];
export const GROUP_OPERATIONS: readonly number[] = [
  Op.READ,
  Op.DELETE,
  Op.DESCRIBE,
  Op.DESCRIBE_CONFIGS,
  Op.ALTER_CONFIGS,
];
export const CLUSTER_OPERATIONS: readonly number[] = [
  Op.CREATE,
  Op.ALTER,
  Op.DESCRIBE,
  Op.CLUSTER_ACTION,
  Op.DESCRIBE_CONFIGS,
  Op.ALTER_CONFIGS,
  Op.IDEMPOTENT_WRITE,
];

/** Kafka's config resource types (DescribeConfigs, AlterConfigs) and the ACL resource each is checked on. */
const CONFIG_RESOURCE = new Map<number, { type: number; error: number; message: string }>([
  [2, {
    type: ResourceType.TOPIC,
    error: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
    message: "Topic authorization failed.",
  }],
  [16, {
    type: ResourceType.GROUP,
    error: ErrorCode.GROUP_AUTHORIZATION_FAILED,
    message: "Group authorization failed.",
  }],
]);
const CLUSTER_REFUSAL = { error: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, message: "Cluster authorization failed." };

/**
 * The row's config operation (DESCRIBE_CONFIGS or ALTER_CONFIGS) on a config resource: its topic or group, the
 * cluster for BROKER, BROKER_LOGGER and CLIENT_METRICS. Null when allowed, else Kafka's error and message.
 */
export function configRefusal(
  ctx: RequestContext,
  resourceType: number,
  resourceName: string,
): { errorCode: number; message: string } | null {
  const op = needed(ruleOf(ctx).cluster, "cluster", ctx);
  const target = CONFIG_RESOURCE.get(resourceType);
  if (target ? allowed(ctx, op, target.type, resourceName) : allowed(ctx, op, ResourceType.CLUSTER, CLUSTER_NAME)) {
    return null;
  }
  const refusal = target ?? CLUSTER_REFUSAL;
  return { errorCode: refusal.error, message: refusal.message };
}

/** Kafka's cluster authorized operations (Metadata v8–v10, DescribeCluster): all it may do, if it may describe it. */
export function clusterOperations(ctx: RequestContext): number {
  return allowed(ctx, Op.DESCRIBE, ResourceType.CLUSTER, CLUSTER_NAME)
    ? authorizedOperations(ctx, ResourceType.CLUSTER, CLUSTER_NAME, CLUSTER_OPERATIONS)
    : 0;
}
