/**
 * What one handler Worker is made of, independent of Workers and sockets:
 * its share of the partitions (ReplicaManager), the group coordinator for
 * the __consumer_offsets partitions among them, the transaction coordinator
 * for its __transaction_state partitions (TxnService), the router to the other
 * handlers, and the BrokerState the API handlers see. The handler Worker
 * and the in-process test broker both build handlers here, so they cannot
 * drift apart.
 */
import type { BrokerConfig } from "../config/keys.ts";
import { resolveGroupConfig } from "../config/group_settings.ts";
import { type MetadataImage, MetadataView } from "../cluster/metadata_image.ts";
import { advertisedVersions } from "./apis/registry.ts";
import { GroupCoordinator } from "../group/group_coordinator.ts";
import { txnOffsetCommitVerifier } from "../group/txn_offset_verification.ts";
import type { OffsetsLogAccess } from "../group/offsets_partition.ts";
import { OFFSETS_TOPIC } from "../cluster/offsets_topic.ts";
import type { Logger } from "../util/logger.ts";
import type { BrokerState, ControllerClient } from "./services/broker_state.ts";
import { FetchSessionCache } from "./services/fetch_session_cache.ts";
import { GroupRouter } from "./services/group_router.ts";
import { TxnRouter } from "./services/txn_router.ts";
import { TxnService } from "./services/txn_service.ts";
import { PartitionRouter, type PeerOp, type PeerPort } from "./services/partition_router.ts";
import { ProducerIdBlocks } from "./services/producer_id_blocks.ts";
import { describeProducerStates } from "../replica/producer_states.ts";
import { ReplicaManager, type ReplicaManagerOptions } from "../replica/replica_manager.ts";
import { DynamicConfigView } from "../config/dynamic_config.ts";

export interface HandlerCoreOptions {
  index: number;
  count: number;
  config: BrokerConfig;
  log: Logger;
  image: MetadataImage;
  logDir: string;
  cleanShutdown: boolean;
  recoveryPoints: ReadonlyMap<string, bigint>;
  logStartOffsets: ReadonlyMap<string, bigint>;
  /** One port per other handler (null at this handler's own index). */
  peerPorts: ReadonlyArray<PeerPort | null>;
  controller: ControllerClient;
}

export class HandlerCore {
  private constructor(
    readonly replicas: ReplicaManager,
    readonly coordinator: GroupCoordinator,
    readonly txnService: TxnService,
    readonly state: BrokerState,
    /** Dynamic broker configs: a change swaps the config the ReplicaManager and the API handlers read. */
    private readonly dynamic?: { view: DynamicConfigView; replicaOptions: ReplicaManagerOptions },
  ) {}

  static async create(o: HandlerCoreOptions): Promise<HandlerCore> {
    // The static config with the published dynamic layers over it (config/dynamic_config.ts).
    const dynamic = new DynamicConfigView(o.config, o.image.brokerConfigs);
    const replicaOptions: ReplicaManagerOptions = {
      handlerIndex: o.index,
      handlerCount: o.count,
      logDir: o.logDir,
      config: dynamic.current,
      log: o.log,
      cleanShutdown: o.cleanShutdown,
      recoveryPoints: o.recoveryPoints,
      logStartOffsets: o.logStartOffsets,
    };
    const replicas = new ReplicaManager(replicaOptions);
    await replicas.applyImage(o.image);
    // Declared before it is built: the coordinator and the group router read it lazily.
    // deno-lint-ignore prefer-const
    let state: BrokerState;
    const coordinator = new GroupCoordinator({
      handlerIndex: o.index,
      handlerCount: o.count,
      config: resolveGroupConfig(o.config),
      segmentBytes: o.config["offsets.topic.segment.bytes"],
      retentionCheckIntervalMs: o.config["offsets.retention.check.interval.ms"],
      logs: offsetsLogAccess(replicas),
      metadata: () => state.metadata,
      log: o.log,
      verifyTxnOffsetCommit: txnOffsetCommitVerifier(
        () => state.txns,
        () => state.config["transaction.partition.verification.enable"],
      ),
    });
    // Declared before it is built: peer calls reach it only once the handler serves.
    // deno-lint-ignore prefer-const
    let txnService: TxnService;
    // A marker on a __consumer_offsets partition commits or drops the producer's pending transactional offsets.
    replicas.onTxnMarker = (item) => {
      if (item.topic === OFFSETS_TOPIC) coordinator.onTxnMarker(item.partition, item.producerId, item.commit);
    };
    const local = {
      execute: (op: PeerOp): Promise<unknown> =>
        op.op === "group" || op.op === "groupBatch" || op.op === "listGroups"
          ? coordinator.execute(op)
          : op.op === "txn" || op.op === "listTxns"
          ? txnService.execute(op)
          : op.op === "describeProducers"
          ? Promise.resolve(describeProducerStates((id, p) => replicas.localPartition(id, p), op.items))
          : replicas.execute(op),
    };
    const router = new PartitionRouter(o.index, o.count, local, o.peerPorts);
    state = {
      config: dynamic.current,
      metadata: new MetadataView(o.image),
      apiVersions: advertisedVersions(),
      controller: o.controller,
      partitions: router,
      groups: new GroupRouter(router, o.count, () => state),
      txns: new TxnRouter(router, o.count, () => state),
      producerIds: new ProducerIdBlocks(o.controller),
      // Each handler holds the sessions of the connections whose fetches it serves (see the processor).
      fetchSessions: new FetchSessionCache({
        maxSessions: Math.floor(o.config["max.incremental.fetch.session.cache.slots"] / o.count),
        shard: o.index,
        shardCount: o.count,
      }),
    };
    txnService = new TxnService({
      handlerIndex: o.index,
      handlerCount: o.count,
      config: o.config,
      log: o.log,
      local: replicas,
      partitions: router,
      metadata: () => state.metadata,
      producerIds: state.producerIds,
    });
    await coordinator.onImage(o.image);
    await txnService.onImage(o.image);
    return new HandlerCore(replicas, coordinator, txnService, state, { view: dynamic, replicaOptions });
  }

  /** A new metadata image: partitions first, then the view API handlers read, then the groups. */
  async applyImage(image: MetadataImage): Promise<void> {
    const reconfigured = this.dynamic?.view.update(image.brokerConfigs);
    if (reconfigured && this.dynamic) {
      // ReplicaManager re-resolves every open partition's settings from its options' config on each image, so
      // partitions without their own override take the new broker defaults now (Kafka's DynamicLogConfig).
      this.dynamic.replicaOptions.config = reconfigured;
      this.state.config = reconfigured;
    }
    await this.replicas.applyImage(image);
    this.state.metadata = new MetadataView(image);
    await this.coordinator.onImage(image);
    await this.txnService.onImage(image);
  }

  /** Groups and transactions stop first (waiting joins get NOT_COORDINATOR), then the logs close. */
  async close(): Promise<void> {
    this.coordinator.close();
    this.txnService.close();
    await this.replicas.close();
  }
}

function offsetsLogAccess(replicas: ReplicaManager): OffsetsLogAccess {
  return {
    append: async (topicId, partition, records, opts) =>
      (await replicas.execute({
        op: "produce",
        acks: -1,
        items: [{
          topicId,
          partition,
          topic: OFFSETS_TOPIC,
          records,
          ...(opts?.transactional ? { txnVerification: "trusted" as const } : {}),
        }],
      }))[0],
    read: async (topicId, partition, fetchOffset, maxBytes) =>
      (await replicas.execute({ op: "read", items: [{ topicId, partition, fetchOffset, maxBytes }] }))[0],
    earliest: async (topicId, partition) =>
      (await replicas.execute({ op: "listOffsets", items: [{ topicId, partition, timestamp: -2n }] }))[0],
    deleteBefore: async (topicId, partition, offset) =>
      (await replicas.execute({ op: "deleteRecords", items: [{ topicId, partition, offset }] }))[0].errorCode,
    log: (topicId, partition) => replicas.localPartition(topicId, partition)?.log,
  };
}
