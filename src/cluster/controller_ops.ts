/**
 * The metadata writes a handler Worker asks the controller (the supervisor)
 * to make, and their answers. Handlers validate what they can alone (names,
 * configs, counts); the controller decides what depends on the shared state
 * (existence, collisions) and is the only writer of the topic registry and
 * of the producer-id counter.
 */
import type { TopicConfigAlteration } from "./topic_config_alter.ts";
import type { LoggerChange } from "./broker_config_alter.ts";
import type { ScramStoreRequest, ScramStoreResult } from "./scram_ops.ts";
import type { AclStoreRequest, AclStoreResult } from "./acl/acl_ops.ts";
import type { QuotaAlteration, QuotaAlterOutcome } from "./quota/quota_alter.ts";

export interface CreateTopicSpec {
  name: string;
  partitions: number;
  configs: Record<string, string>;
}

export type ControllerOp =
  /** Auto-creation (Metadata): default partition count; existing or invalid names are skipped. */
  | { op: "autoCreateTopics"; names: string[] }
  | { op: "createTopics"; topics: CreateTopicSpec[]; validateOnly: boolean }
  | { op: "deleteTopics"; names: string[] }
  | { op: "createPartitions"; topics: Array<{ name: string; count: number }>; validateOnly: boolean }
  /** AlterConfigs / IncrementalAlterConfigs of TOPIC resources (names already checked by the handler). */
  | {
    op: "alterTopicConfigs";
    topics: Array<{ name: string; alteration: TopicConfigAlteration }>;
    validateOnly: boolean;
  }
  /** BROKER resources of AlterConfigs / IncrementalAlterConfigs: name "" (cluster default) or this node's id. */
  | {
    op: "alterBrokerConfigs";
    resources: Array<{ name: string; alteration: TopicConfigAlteration }>;
    validateOnly: boolean;
  }
  /** A BROKER_LOGGER resource of IncrementalAlterConfigs (this node's). */
  | { op: "alterLoggers"; changes: LoggerChange[]; validateOnly: boolean }
  | { op: "allocateProducerIds" }
  /** The first group request creates Kafka's internal __consumer_offsets topic. */
  | { op: "ensureOffsetsTopic" }
  /** FindCoordinator for a transactional id creates Kafka's internal __transaction_state topic. */
  | { op: "ensureTxnStateTopic" }
  /** DescribeUserScramCredentials / AlterUserScramCredentials (src/supervisor/scram_store.ts). */
  | { op: "scram"; request: ScramStoreRequest }
  /** CreateAcls / DeleteAcls (src/supervisor/acl_store.ts); DescribeAcls reads the image. */
  | { op: "acls"; request: AclStoreRequest }
  /** AlterClientQuotas (src/supervisor/quota_store.ts); DescribeClientQuotas reads the image. */
  | { op: "alterQuotas"; alterations: QuotaAlteration[]; validateOnly: boolean };

/** Per-topic outcome, in request order. */
export interface TopicOutcome {
  name: string;
  errorCode: number;
  message: string | null;
  topicId?: string;
  partitions?: number;
}

export type ControllerResult =
  | { op: "autoCreateTopics" }
  | { op: "createTopics"; outcomes: TopicOutcome[] }
  | { op: "deleteTopics"; outcomes: TopicOutcome[] }
  | { op: "createPartitions"; outcomes: TopicOutcome[] }
  | { op: "alterTopicConfigs"; outcomes: TopicOutcome[] }
  | { op: "alterBrokerConfigs"; outcomes: Array<{ errorCode: number; message: string | null }> }
  | { op: "alterLoggers"; errorCode: number; message: string | null }
  | { op: "allocateProducerIds"; start: bigint; count: number }
  | { op: "ensureOffsetsTopic"; topicId: string; partitions: number }
  | { op: "ensureTxnStateTopic"; topicId: string; partitions: number }
  | { op: "scram"; result: ScramStoreResult }
  | { op: "acls"; result: AclStoreResult }
  | { op: "alterQuotas"; outcomes: QuotaAlterOutcome[] };
