/**
 * The controller, run by the supervisor: applies metadata writes to the
 * topic registry, hands out producer-id blocks, and publishes each new
 * metadata image to every handler Worker. A write is answered only after
 * every handler has applied the new image, so a client that hears "created"
 * can produce at once, whichever handler its next request reaches.
 */
import type { BrokerConfig } from "../config/keys.ts";
import type { TopicRegistry } from "../cluster/topic_registry.ts";
import { collidingTopic, topicNameProblem } from "../cluster/topic_name.ts";
import { ErrorCode } from "../protocol/errors.ts";
import type { Logger } from "../util/logger.ts";
import type { ControllerOp, ControllerResult, TopicOutcome } from "../cluster/controller_ops.ts";
import { OFFSETS_TOPIC } from "../cluster/offsets_topic.ts";
import { TRANSACTION_STATE_TOPIC } from "../txn/txn_coordinator.ts";
import { ProducerIdStore } from "./producer_ids.ts";
import { maxPartitions, partitionLimitRefusal } from "../cluster/partition_limit.ts";
import { alterTopicConfigs, type TopicConfigAlteration } from "../cluster/topic_config_alter.ts";
import { BrokerConfigControl } from "../cluster/broker_config_control.ts";
import { scramStoreFor } from "./scram_store.ts";
import { AclStore } from "./acl_store.ts";
import { QuotaStore } from "./quota_store.ts";
import { authorizerClassProblem } from "../cluster/acl/authorizer_config.ts";
import { alterBrokerConfigsWithTls, type TlsReload } from "./tls_reload.ts";

/** At most one WARN about refused auto-creations per this many ms: clients retry Metadata in a loop. */
const AUTO_CREATE_WARN_INTERVAL_MS = 10_000;

/** Kafka's producer-id block size (ProducerIdsBlock.PRODUCER_ID_BLOCK_SIZE). */
export const PRODUCER_ID_BLOCK_SIZE = 1000;

/**
 * __consumer_offsets is compacted by its group coordinators (group_coordinator.ts rewrites the live
 * records and drops older segments), never cut by time or size retention.
 */
function offsetsTopicConfigs(config: BrokerConfig): Record<string, string> {
  return {
    "cleanup.policy": "compact",
    "segment.bytes": String(config["offsets.topic.segment.bytes"]),
    "retention.ms": "-1",
    "retention.bytes": "-1",
  };
}

/**
 * __transaction_state keeps the latest record of each transactional id: compacted by the log cleaner
 * (log_cleaner.ts), never cut by time or size retention.
 */
function txnStateTopicConfigs(config: BrokerConfig): Record<string, string> {
  return {
    "cleanup.policy": "compact",
    "segment.bytes": String(config["transaction.state.log.segment.bytes"]),
    "retention.ms": "-1",
    "retention.bytes": "-1",
  };
}

export class Controller {
  private readonly producerIds: ProducerIdStore;
  private nextProducerId: bigint;
  /** tsbroker.max.partitions, resolved once (it may derive from the open-files limit). */
  readonly partitionLimit: number;
  private lastAutoCreateWarnMs = 0;
  /** Dynamic broker configs and logger levels; their image goes out with every metadata image. */
  readonly brokerConfigs: BrokerConfigControl;
  /** ACL bindings; they go out with every metadata image. */
  readonly acls: AclStore;
  /** Client quotas; they go out with every metadata image. */
  readonly quotas: QuotaStore;
  /** TLS listeners' key and trust stores changed per broker; set by the supervisor when it has TLS listeners. */
  tlsReload: TlsReload | null = null;

  constructor(
    private readonly logDir: string,
    private readonly topics: TopicRegistry,
    private readonly config: BrokerConfig,
    private readonly log: Logger,
    /** Publish the current image to all handlers; resolves when all have applied it. */
    private readonly publish: () => Promise<void>,
    /** Logger names besides root (the broker's threads), for BROKER_LOGGER. */
    loggerNames: readonly string[] = [],
  ) {
    this.brokerConfigs = new BrokerConfigControl(logDir, config, log, loggerNames);
    const authorizerProblem = authorizerClassProblem(config["authorizer.class.name"]);
    if (authorizerProblem !== null) throw new Error(`authorizer.class.name: ${authorizerProblem}`);
    this.acls = AclStore.open(logDir);
    this.quotas = QuotaStore.open(logDir);
    this.producerIds = ProducerIdStore.open(logDir, log, PRODUCER_ID_BLOCK_SIZE);
    this.partitionLimit = maxPartitions(config);
    this.nextProducerId = this.producerIds.next;
  }

  async execute(call: ControllerOp): Promise<ControllerResult> {
    switch (call.op) {
      case "autoCreateTopics": {
        const created = this.autoCreate(call.names);
        if (created > 0) await this.publish();
        return { op: "autoCreateTopics" };
      }
      case "createTopics":
        return { op: "createTopics", outcomes: await this.createTopics(call.topics, call.validateOnly) };
      case "deleteTopics": {
        const outcomes = call.names.map((name) => this.deleteOne(name));
        if (outcomes.some((o) => o.errorCode === ErrorCode.NONE)) await this.publish();
        return { op: "deleteTopics", outcomes };
      }
      case "createPartitions":
        return { op: "createPartitions", outcomes: await this.createPartitions(call.topics, call.validateOnly) };
      case "alterTopicConfigs": {
        const outcomes = call.topics.map((t) => this.alterConfigs(t.name, t.alteration, call.validateOnly));
        if (outcomes.some((o) => o.topicId !== undefined)) await this.publish();
        return { op: "alterTopicConfigs", outcomes };
      }
      case "alterBrokerConfigs": {
        const { outcomes, changed } = await alterBrokerConfigsWithTls(
          this.brokerConfigs,
          this.tlsReload,
          call.resources,
          call.validateOnly,
        );
        if (changed) await this.publish();
        return { op: "alterBrokerConfigs", outcomes };
      }
      case "alterLoggers": {
        const { errorCode, message, changed } = this.brokerConfigs.alterLoggers(call.changes, call.validateOnly);
        if (changed) await this.publish();
        return { op: "alterLoggers", errorCode, message };
      }
      case "allocateProducerIds": {
        // Persist the end of the block before handing it out: ids never repeat across restarts.
        const start = this.nextProducerId;
        this.nextProducerId += BigInt(PRODUCER_ID_BLOCK_SIZE);
        this.producerIds.persist(this.nextProducerId);
        return { op: "allocateProducerIds", start, count: PRODUCER_ID_BLOCK_SIZE };
      }
      case "ensureOffsetsTopic": {
        const partitions = this.config["offsets.topic.num.partitions"];
        const topic = await this.ensureInternalTopic(OFFSETS_TOPIC, partitions, offsetsTopicConfigs(this.config));
        return { op: "ensureOffsetsTopic", topicId: topic.topicId, partitions: topic.partitions };
      }
      case "scram":
        return { op: "scram", result: scramStoreFor(this.logDir).execute(call.request) };
      case "acls": {
        const { result, changed } = this.acls.execute(call.request);
        if (changed) {
          this.log.info(
            `ACLs ${call.request.kind === "create" ? "created" : "deleted"}; ${this.acls.all().length} now`,
          );
          await this.publish();
        }
        return { op: "acls", result };
      }
      case "alterQuotas": {
        const { outcomes, changed } = this.quotas.alter(call.alterations, call.validateOnly);
        if (changed) await this.publish();
        return { op: "alterQuotas", outcomes };
      }
      case "ensureTxnStateTopic": {
        const partitions = this.config["transaction.state.log.num.partitions"];
        const configs = txnStateTopicConfigs(this.config);
        const topic = await this.ensureInternalTopic(TRANSACTION_STATE_TOPIC, partitions, configs);
        return { op: "ensureTxnStateTopic", topicId: topic.topicId, partitions: topic.partitions };
      }
    }
  }

  /** Creates each topic in turn; validateOnly counts the request's earlier topics too, so it answers what a real creation would. */
  private async createTopics(
    topics: Extract<ControllerOp, { op: "createTopics" }>["topics"],
    validateOnly: boolean,
  ) {
    let total = this.partitionCount();
    const outcomes = topics.map((t) => {
      const outcome = this.createOne(t.name, t.partitions, t.configs, validateOnly, total);
      if (outcome.errorCode === ErrorCode.NONE) total += t.partitions;
      return outcome;
    });
    if (!validateOnly && outcomes.some((o) => o.errorCode === ErrorCode.NONE)) await this.publish();
    return outcomes;
  }

  private async createPartitions(
    topics: Extract<ControllerOp, { op: "createPartitions" }>["topics"],
    validateOnly: boolean,
  ) {
    let total = this.partitionCount();
    const outcomes = topics.map((t) => {
      const before = this.topics.get(t.name)?.partitions ?? 0;
      const outcome = this.addPartitions(t.name, t.count, validateOnly, total);
      if (outcome.errorCode === ErrorCode.NONE) total += t.count - before;
      return outcome;
    });
    if (!validateOnly && outcomes.some((o) => o.errorCode === ErrorCode.NONE)) await this.publish();
    return outcomes;
  }

  /** An internal topic (__consumer_offsets, __transaction_state), created on first use. */
  private async ensureInternalTopic(name: string, partitions: number, configs: Record<string, string>) {
    let topic = this.topics.get(name);
    if (!topic) {
      topic = this.create(name, partitions, configs);
      await this.publish();
    }
    return topic;
  }

  private topicNames(): string[] {
    return this.topics.list().map((t) => t.name);
  }

  /** Partitions of every topic (__consumer_offsets included): what tsbroker.max.partitions bounds. */
  private partitionCount(): number {
    let total = 0;
    for (const t of this.topics.list()) total += t.partitions;
    return total;
  }

  /**
   * Creates the names that are free and valid with the default partition count, while they fit under
   * tsbroker.max.partitions; the rest stay missing (Metadata keeps answering LEADER_NOT_AVAILABLE, as
   * Kafka does when auto-creation fails) and a WARN says why, at most every 10 s.
   */
  private autoCreate(names: string[]): number {
    const partitions = this.config["num.partitions"];
    let total = this.partitionCount();
    let created = 0;
    let refused = 0;
    for (const name of names) {
      if (this.topics.get(name) || topicNameProblem(name) !== null) continue;
      // Before the collision check, which scans every topic: a flood of new names past the limit stays cheap.
      if (partitionLimitRefusal(total, partitions, this.partitionLimit) !== null) {
        refused++;
        continue;
      }
      if (collidingTopic(name, this.topicNames()) !== null) continue;
      this.create(name, partitions, {});
      total += partitions;
      created++;
    }
    const now = Date.now();
    if (refused > 0 && now - this.lastAutoCreateWarnMs >= AUTO_CREATE_WARN_INTERVAL_MS) {
      this.lastAutoCreateWarnMs = now;
      this.log.warn(
        `Refused to auto-create ${refused} topic(s) of ${partitions} partition(s): the broker holds ${total} ` +
          `partitions and its limit is ${this.partitionLimit} (tsbroker.max.partitions)`,
      );
    }
    return created;
  }

  private create(name: string, partitions: number, configs: Record<string, string>) {
    const topic = this.topics.create(name, partitions, configs);
    this.log.info(`Created topic ${name} (id ${topic.topicId}, ${topic.partitions} partitions)`);
    return topic;
  }

  private createOne(
    name: string,
    partitions: number,
    configs: Record<string, string>,
    validateOnly: boolean,
    existingPartitions: number,
  ): TopicOutcome {
    if (this.topics.get(name)) {
      return { name, errorCode: ErrorCode.TOPIC_ALREADY_EXISTS, message: `Topic '${name}' already exists.` };
    }
    const collision = collidingTopic(name, this.topicNames());
    if (collision !== null) {
      return {
        name,
        errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION,
        message: `Topic '${name}' collides with existing topic: ${collision}`,
      };
    }
    const refused = partitionLimitRefusal(existingPartitions, partitions, this.partitionLimit);
    if (refused) return { name, errorCode: refused.errorCode, message: refused.message };
    if (validateOnly) return { name, errorCode: ErrorCode.NONE, message: null, partitions };
    const topic = this.create(name, partitions, configs);
    return { name, errorCode: ErrorCode.NONE, message: null, topicId: topic.topicId, partitions };
  }

  /**
   * Kafka's order: the name, then the resulting configs are validated (a missing topic starts from none), then the
   * topic must exist. An outcome carries topicId only when the registry changed (so a new image is published).
   */
  private alterConfigs(name: string, alteration: TopicConfigAlteration, validateOnly: boolean): TopicOutcome {
    if (name === "") {
      return { name, errorCode: ErrorCode.INVALID_REQUEST, message: "Default topic resources are not allowed." };
    }
    const nameProblem = topicNameProblem(name);
    if (nameProblem) return { name, errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, message: nameProblem };
    const topic = this.topics.get(name);
    const next = alterTopicConfigs(this.config, topic?.configs ?? {}, alteration);
    if ("error" in next) return { name, errorCode: next.error.errorCode, message: next.error.message };
    if (!topic) {
      return {
        name,
        errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        message: `The topic '${name}' does not exist.`,
      };
    }
    if (validateOnly || sameConfigs(topic.configs, next.configs)) {
      return { name, errorCode: ErrorCode.NONE, message: null };
    }
    this.topics.setConfigs(name, next.configs);
    this.log.info(`Altered configs of topic ${name}: ${JSON.stringify(next.configs)}`);
    return { name, errorCode: ErrorCode.NONE, message: null, topicId: topic.topicId };
  }

  private deleteOne(name: string): TopicOutcome {
    const topic = this.topics.get(name);
    if (!topic) {
      return {
        name,
        errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        message: "This server does not host this topic-partition.",
      };
    }
    this.topics.delete(name);
    this.log.info(`Deleted topic ${name} (id ${topic.topicId})`);
    return { name, errorCode: ErrorCode.NONE, message: null, topicId: topic.topicId };
  }

  private addPartitions(name: string, count: number, validateOnly: boolean, existingPartitions: number): TopicOutcome {
    const topic = this.topics.get(name);
    if (!topic) {
      return { name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, message: `The topic '${name}' does not exist.` };
    }
    if (count < topic.partitions) {
      return {
        name,
        errorCode: ErrorCode.INVALID_PARTITIONS,
        message: `Topic currently has ${topic.partitions} partitions, which is higher than the requested ${count}.`,
      };
    }
    if (count === topic.partitions) {
      return {
        name,
        errorCode: ErrorCode.INVALID_PARTITIONS,
        message: `Topic already has ${topic.partitions} partitions.`,
      };
    }
    const refused = partitionLimitRefusal(existingPartitions, count - topic.partitions, this.partitionLimit);
    if (refused) return { name, errorCode: refused.errorCode, message: refused.message };
    if (!validateOnly) {
      this.topics.addPartitions(name, count);
      this.log.info(`Increased partitions of ${name} from ${topic.partitions} to ${count}`);
    }
    return { name, errorCode: ErrorCode.NONE, message: null, topicId: topic.topicId, partitions: count };
  }
}

function sameConfigs(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => b[k] === a[k]);
}
