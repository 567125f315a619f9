/**
 * The admin client's view of disk use: DescribeLogDirs asked of every broker
 * (each answers for its own log dirs only), per replica, and the sizes per
 * partition and per topic derived from it. DescribeLogDirs needs DESCRIBE on
 * the cluster; without it the broker answers CLUSTER_AUTHORIZATION_FAILED
 * (v3+ at the top level; earlier versions answer no dirs at all).
 */
import { Apis } from "./apis.ts";
import { throwIfError } from "./errors.ts";
import type { NetworkClient } from "./network_client.ts";

/** One replica in a log dir. */
export interface ReplicaLogDirInfo {
  /** The topic. */
  topic: string;
  /** The partition. */
  partition: number;
  /** Bytes of its log on disk. */
  size: bigint;
  /** How far its log end is behind the high watermark (or, for a future replica, the current one's end). */
  offsetLag: bigint;
  /** Whether this is the copy a move between dirs is making (AlterReplicaLogDirs). */
  isFuture: boolean;
}

/** One log dir of one broker. */
export interface LogDirDescription {
  /** The broker. */
  nodeId: number;
  /** The dir's absolute path. */
  path: string;
  /** The dir's error code: 0, or KAFKA_STORAGE_ERROR (56) for an offline dir. */
  error: number;
  /** The file system's total bytes (-1 when the broker does not say: before v4, or offline). */
  totalBytes: bigint;
  /** The file system's usable bytes (-1 when the broker does not say: before v4, or offline). */
  usableBytes: bigint;
  /** The replicas in it. */
  replicas: ReplicaLogDirInfo[];
}

/** A topic's size on disk: each partition's (its largest current replica), summed. */
export interface TopicSize {
  /** The topic. */
  topic: string;
  /** Sum of the partitions' sizes, in bytes. */
  size: bigint;
  /** Per partition: its size in bytes (the largest current replica; moves in progress not counted). */
  partitions: { partition: number; size: bigint }[];
}

/** Every log dir of every broker (or of `nodeIds`), with the replicas of `topics` (all when null) in each. */
export async function describeLogDirs(
  client: NetworkClient,
  topics: { topic: string; partitions: number[] }[] | null = null,
  nodeIds?: number[],
): Promise<LogDirDescription[]> {
  if (!nodeIds) await client.metadata.refresh();
  const nodes = nodeIds ?? client.metadata.brokerIds();
  const answers = await Promise.all(nodes.map((nodeId) =>
    client.retrying(async () => {
      const r = await client.send(nodeId, Apis.DescribeLogDirs, {
        topics: topics?.map((t) => ({ topic: t.topic, partitions: t.partitions })) ?? null,
      });
      throwIfError(r.errorCode, `DescribeLogDirs on broker ${nodeId}`);
      return r.results.map((d) => ({
        nodeId,
        path: d.logDir,
        error: d.errorCode,
        totalBytes: d.totalBytes,
        usableBytes: d.usableBytes,
        replicas: d.topics.flatMap((t) =>
          t.partitions.map((p) => ({
            topic: t.name,
            partition: p.partitionIndex,
            size: p.partitionSize,
            offsetLag: p.offsetLag,
            isFuture: p.isFutureKey,
          }))
        ),
      }));
    })
  ));
  return answers.flat();
}

/**
 * Sizes per topic and partition from `dirs`, for the topics named (every topic seen when `topics` is omitted;
 * a named topic without replicas in any dir gets size 0 and no partitions).
 */
export function topicSizes(dirs: LogDirDescription[], topics?: string[]): TopicSize[] {
  const byTopic = new Map<string, Map<number, bigint>>();
  for (const name of topics ?? []) byTopic.set(name, new Map());
  for (const dir of dirs) {
    for (const r of dir.replicas) {
      if (r.isFuture) continue;
      let parts = byTopic.get(r.topic);
      if (!parts) {
        if (topics) continue;
        byTopic.set(r.topic, parts = new Map());
      }
      const seen = parts.get(r.partition);
      if (seen === undefined || r.size > seen) parts.set(r.partition, r.size);
    }
  }
  return [...byTopic].map(([topic, parts]) => {
    const partitions = [...parts].map(([partition, size]) => ({ partition, size }))
      .sort((a, b) => a.partition - b.partition);
    return { topic, size: partitions.reduce((sum, p) => sum + p.size, 0n), partitions };
  }).sort((a, b) => a.topic.localeCompare(b.topic));
}
