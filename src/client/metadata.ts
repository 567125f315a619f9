/**
 * The client's metadata cache: brokers by node id and, per topic, its id and each partition's leader and
 * leader epoch, from Metadata answers. Topics are fetched on demand and kept; a refresh asks for every topic
 * in the cache, so one Metadata request serves all of a producer's topics. Concurrent refresh calls share one
 * request. Callers refresh after errors that mean the leaders moved (NOT_LEADER_OR_FOLLOWER,
 * UNKNOWN_TOPIC_OR_PARTITION, ...) and when the data is older than metadata.max.age.ms.
 */
import { ErrorCode } from "../protocol/errors.ts";
import type { MetadataResponse } from "../protocol/generated/metadata.ts";
import { Apis } from "./apis.ts";
import { KafkaClientError } from "./errors.ts";
import type { NetworkClient } from "./network_client.ts";

/** One partition as the client knows it. */
export interface PartitionInfo {
  /** The partition index. */
  partition: number;
  /** The leader's broker id (-1 while it has none). */
  leader: number;
  /** The leader epoch (-1 when the broker does not say). */
  leaderEpoch: number;
  /** Broker ids of the replicas. */
  replicas: number[];
  /** Broker ids of the in-sync replicas. */
  isr: number[];
}

/** One topic as the client knows it. */
export interface TopicInfo {
  /** The topic's name. */
  name: string;
  /** The topic id (base64). */
  topicId: string;
  /** Internal topics: __consumer_offsets, __transaction_state. */
  isInternal: boolean;
  /** Partitions by index. */
  partitions: PartitionInfo[];
}

export class MetadataCache {
  private brokers = new Map<number, { host: string; port: number }>();
  private topics = new Map<string, TopicInfo>();
  /** Topics asked for whose last answer was an error, kept so later refreshes keep asking. */
  private wanted = new Set<string>();
  private inFlight: Promise<void> | null = null;
  private updatedAt = 0;
  clusterId: string | null = null;
  controllerId = -1;
  /** Producers let Metadata create topics (Kafka's allow.auto.create.topics on the producer side). */
  allowAutoTopicCreation = false;

  constructor(private readonly client: NetworkClient, private readonly maxAgeMs: number) {}

  brokerIds(): number[] {
    return [...this.brokers.keys()];
  }

  broker(id: number): { host: string; port: number } | undefined {
    return this.brokers.get(id);
  }

  /** The cached topic, or undefined. */
  cached(topic: string): TopicInfo | undefined {
    return this.topics.get(topic);
  }

  /**
   * The topic's metadata, fetched if unknown or stale. Throws UNKNOWN_TOPIC_OR_PARTITION (retriable) while
   * the broker does not know the topic.
   */
  async topic(name: string): Promise<TopicInfo> {
    const known = this.topics.get(name);
    if (known && Date.now() - this.updatedAt < this.maxAgeMs) return known;
    this.wanted.add(name);
    await this.refresh();
    const info = this.topics.get(name);
    if (!info) throw new KafkaClientError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${name}`);
    return info;
  }

  /** The leader of a partition (throws LEADER_NOT_AVAILABLE when it has none). */
  async leaderFor(topic: string, partition: number): Promise<number> {
    const info = await this.topic(topic);
    const p = info.partitions[partition];
    if (!p) throw new KafkaClientError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `${topic}-${partition}`);
    if (p.leader < 0) throw new KafkaClientError(ErrorCode.LEADER_NOT_AVAILABLE, `${topic}-${partition}`);
    return p.leader;
  }

  /** Forgets a topic (after deletion), so the next use asks again. */
  forget(topic: string): void {
    this.topics.delete(topic);
    this.wanted.delete(topic);
  }

  /** Asks one broker for the brokers and every wanted topic; shared by concurrent callers. */
  refresh(): Promise<void> {
    if (!this.inFlight) {
      this.inFlight = this.fetch().finally(() => {
        this.inFlight = null;
      });
    }
    return this.inFlight;
  }

  /** Metadata for all topics (for listTopics), without caching them as wanted. */
  async all(): Promise<MetadataResponse> {
    const answer = await this.client.send(this.client.anyNode(), Apis.Metadata, {
      topics: null,
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    this.apply(answer);
    return answer;
  }

  private async fetch(): Promise<void> {
    const names = new Set([...this.topics.keys(), ...this.wanted]);
    const answer = await this.client.send(this.client.anyNode(), Apis.Metadata, {
      topics: [...names].map((name) => ({ topicId: "AAAAAAAAAAAAAAAAAAAAAA", name })),
      allowAutoTopicCreation: this.allowAutoTopicCreation,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    this.apply(answer);
  }

  private apply(answer: MetadataResponse): void {
    this.brokers = new Map(answer.brokers.map((b) => [b.nodeId, { host: b.host, port: b.port }]));
    this.clusterId = answer.clusterId;
    this.controllerId = answer.controllerId;
    this.updatedAt = Date.now();
    for (const t of answer.topics) {
      if (t.name === null) continue;
      if (t.errorCode !== ErrorCode.NONE) {
        this.topics.delete(t.name);
        continue;
      }
      const partitions: PartitionInfo[] = [];
      for (const p of t.partitions) {
        partitions[p.partitionIndex] = {
          partition: p.partitionIndex,
          leader: p.leaderId,
          leaderEpoch: p.leaderEpoch,
          replicas: p.replicaNodes,
          isr: p.isrNodes,
        };
      }
      this.topics.set(t.name, { name: t.name, topicId: t.topicId, isInternal: t.isInternal, partitions });
    }
  }
}
