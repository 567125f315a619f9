/**
 * Opening one partition at its owner: the checks before (a partition.metadata
 * naming another topic quarantines it), the checkpoint entries it starts
 * from (per log dir), and the log itself with its producer state and
 * leader-epoch cache. ReplicaManager decides what happens when this throws
 * (the partition stays offline).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { BrokerConfig } from "../config/keys.ts";
import type { TopicImage } from "../cluster/metadata_image.ts";
import { resolveAppendPolicy, resolveLogConfig } from "../cluster/topic_config.ts";
import { PartitionLog } from "../log/partition_log.ts";
import { checkPartitionMetadata, partitionMetadataPath } from "../log/partition_metadata.ts";
import { ProducerStateManager } from "../log/producer_state.ts";
import type { Logger } from "../util/logger.ts";
import { LocalPartition } from "./local_partition.ts";
import { describeDir } from "./offline_partitions.ts";
import type { PartitionEpochs } from "./partition_epochs.ts";

/** A partition's last checkpoint entries (null: none known). */
export interface Checkpointed {
  rp: bigint | null;
  lso: bigint | null;
}

/**
 * The start-up checkpoint entries of a partition in `logDir`: keyed `topic\u0000p` for the first dir,
 * `${logDir}\u0000topic\u0000p` for the others (see LogDirSet).
 */
export function startupCheckpoint(
  maps: { recoveryPoints: ReadonlyMap<string, bigint>; logStartOffsets: ReadonlyMap<string, bigint> },
  firstDir: string,
  logDir: string,
  topic: string,
  partition: number,
): Checkpointed {
  const plain = `${topic}\u0000${partition}`;
  const key = logDir === firstDir ? plain : `${logDir}\u0000${plain}`;
  return { rp: maps.recoveryPoints.get(key) ?? null, lso: maps.logStartOffsets.get(key) ?? null };
}

/**
 * Before opening: a partition.metadata naming another topic quarantines the partition (returns the
 * ERROR line; nothing is moved or deleted); a damaged one is rewritten when the log opens (WARN there).
 */
export function quarantineReason(logDir: string, topic: TopicImage, partition: number): string | null {
  const dir = path.join(logDir, `${topic.name}-${partition}`);
  const check = checkPartitionMetadata(dir, topic.topicId);
  if (check.kind !== "other") return null;
  return `${partitionMetadataPath(dir)} names topic id ${check.topicId}, but topic ${topic.name} has id ` +
    `${topic.topicId}: partition ${topic.name}-${partition} is quarantined (offline, KAFKA_STORAGE_ERROR; ` +
    `${describeDir(dir)} left untouched). If the data belongs to this topic, correct the topic_id line; ` +
    `otherwise move the directory away. The partition comes back once the file names ${topic.topicId}.`;
}

export interface OpenContext {
  config: BrokerConfig;
  log: Logger;
  now: () => number;
  epochs: PartitionEpochs;
  /** A background write or sync of partition `key`'s `log` failed. */
  onIoError(key: string, log: PartitionLog, operation: string, error: unknown): void;
}

export function openLocalPartition(
  ctx: OpenContext,
  key: string,
  logDir: string,
  topic: TopicImage,
  partition: number,
  cleanShutdown: boolean,
  known: Checkpointed,
): LocalPartition {
  const name = `${topic.name}-${partition}`;
  const dir = path.join(logDir, name);
  let logStartOffset = known.lso ?? undefined;
  if (!fs.existsSync(dir)) {
    // The checkpoints say this partition had data: its directory was removed. Say so, and go on from
    // where it ended so offsets are never handed out twice.
    const before = [known.rp ?? 0n, logStartOffset ?? 0n];
    const end = before[0] > before[1] ? before[0] : before[1];
    if (end > 0n) {
      ctx.log.error(
        `Partition ${name}: directory ${dir} is missing although the checkpoints record offsets up to ${end}; ` +
          `those records are lost. Recreating it empty, starting at offset ${end}`,
      );
      logStartOffset = end;
    }
  }
  fs.mkdirSync(dir, { recursive: true });
  const config = resolveLogConfig(ctx.config, topic.configs);
  const producers = new ProducerStateManager(dir, {
    logger: ctx.log,
    expirationMs: ctx.config["producer.id.expiration.ms"],
    now: ctx.now,
  });
  const log: PartitionLog = PartitionLog.open({
    dir,
    topic: topic.name,
    partition,
    topicId: topic.topicId,
    config,
    recoveryPoint: known.rp ?? 0n,
    logStartOffset,
    cleanShutdown,
    logger: ctx.log,
    now: ctx.now,
    producerState: ctx.epochs.hooks(key, dir, name, producers),
    onIoError: (operation, error) => ctx.onIoError(key, log, operation, error),
  });
  ctx.epochs.opened(key, log, name);
  const policy = resolveAppendPolicy(ctx.config, topic.configs);
  return new LocalPartition(topic, partition, dir, log, producers, config, policy);
}
