/**
 * An admin client (the operations of Kafka's Admin the broker's operators need most): topics (create,
 * delete, list, describe), configs (describe, incremental alter), groups (list, describe), offsets (list
 * by timestamp or earliest/latest) and delete records. Each call retries retriable errors within the request
 * timeout and throws a KafkaClientError for the first per-item error it meets.
 *
 * @example
 * ```ts
 * const admin = new Admin({ bootstrapServers: ["localhost:9092"] });
 * await admin.createTopics([{ name: "events", partitions: 3 }]);
 * console.log(await admin.listTopics());
 * await admin.close();
 * ```
 */
import {
  type AnyGroupDescription,
  type ApiVersionRange,
  apiVersions,
  type ClusterDescription,
  commitGroupOffsets,
  type ConsumerGroupDescription,
  type ConsumerGroupMember,
  deleteGroups,
  describeCluster,
  describeConsumerGroups,
  describeGroupsAnyType,
  fetchGroupOffsets,
  type GroupOffset,
} from "./admin_groups.ts";
import {
  type AclBinding,
  type AclBindingFilter,
  alterUserScramCredentials,
  createAcls,
  deleteAcls,
  describeAcls,
  describeUserScramCredentials,
  type ScramDeletion,
  type ScramUpsertion,
  type UserScramCredentials,
} from "./admin_security.ts";
import {
  describeLogDirs,
  type LogDirDescription,
  type ReplicaLogDirInfo,
  type TopicSize,
  topicSizes,
} from "./admin_log_dirs.ts";
import { Apis } from "./apis.ts";
import { findGroupCoordinator } from "./coordinator.ts";
import { throwIfError } from "./errors.ts";
import { decodeAssignment, type TopicPartition } from "./group.ts";
import type { TopicInfo } from "./metadata.ts";
import { type ClientOptions, NetworkClient } from "./network_client.ts";
import { listOffsets, type OffsetSpec } from "./offsets.ts";

export type {
  AnyGroupDescription,
  ApiVersionRange,
  ClusterDescription,
  ConsumerGroupDescription,
  ConsumerGroupMember,
  GroupOffset,
  LogDirDescription,
  OffsetSpec,
  ReplicaLogDirInfo,
  TopicSize,
};

/** A topic to create. */
export interface NewTopic {
  /** The topic's name. */
  name: string;
  /** Default: the broker's num.partitions (-1). */
  partitions?: number;
  /** Default: the broker's default.replication.factor (-1). */
  replicationFactor?: number;
  /** Topic configs to set (e.g. `{ "cleanup.policy": "compact" }`). */
  configs?: Record<string, string>;
}

/** Config resource types, as Kafka numbers them. */
export const ResourceType = { TOPIC: 2, BROKER: 4 } as const;

/** One IncrementalAlterConfigs operation. */
export interface ConfigChange {
  /** The config key. */
  name: string;
  /** Set a value, delete it (back to the default), or append to / subtract from a list value. */
  op: "set" | "delete" | "append" | "subtract";
  /** The value (not needed for delete). */
  value?: string;
}

/** One config of a resource, as DescribeConfigs reports it. */
export interface ConfigEntry {
  /** The config key. */
  name: string;
  /** Its value (null for sensitive values). */
  value: string | null;
  /** Whether it can be changed. */
  readOnly: boolean;
  /** Whether it is a secret (passwords). */
  isSensitive: boolean;
  /** Where the value comes from, as Kafka numbers sources (1 topic, 4 static broker, 5 default, ...). */
  source: number;
}

/** A group as ListGroups reports it. */
export interface GroupListing {
  /** The group id. */
  groupId: string;
  /** "consumer" for consumer groups (classic or KIP-848). */
  protocolType: string;
  /** Stable, Empty, PreparingRebalance, ... */
  state: string;
  /** "classic" or "consumer" (KIP-848), where the broker says. */
  type: string;
}

/** A group member as DescribeGroups reports it. */
export interface GroupMemberDescription {
  /** The member id the coordinator gave it. */
  memberId: string;
  /** The static member's instance id, or null. */
  groupInstanceId: string | null;
  /** The member's client.id. */
  clientId: string;
  /** The member's address. */
  clientHost: string;
  /** The partitions assigned to it (consumer groups). */
  assignment: TopicPartition[];
}

/** A classic group as DescribeGroups reports it. */
export interface GroupDescription {
  /** The group id. */
  groupId: string;
  /** Stable, Empty, PreparingRebalance, CompletingRebalance or Dead. */
  state: string;
  /** "consumer" for consumer groups. */
  protocolType: string;
  /** The assignor the group agreed on (e.g. "range"). */
  protocol: string;
  /** The current members. */
  members: GroupMemberDescription[];
}

const OPS = { set: 0, delete: 1, append: 2, subtract: 3 } as const;

/** The admin client: see the module comment. */
export class Admin {
  private readonly client: NetworkClient;

  /** Connects lazily: the first call opens connections. */
  constructor(options: ClientOptions) {
    this.client = new NetworkClient(options);
  }

  /** Creates topics; throws on the first one refused (TOPIC_ALREADY_EXISTS and so on). */
  async createTopics(topics: NewTopic[], timeoutMs = 30_000): Promise<void> {
    const answer = await this.client.retrying(() =>
      this.client.send(this.client.anyNode(), Apis.CreateTopics, {
        topics: topics.map((t) => ({
          name: t.name,
          numPartitions: t.partitions ?? -1,
          replicationFactor: t.replicationFactor ?? -1,
          assignments: [],
          configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
        })),
        timeoutMs,
        validateOnly: false,
      })
    );
    for (const t of answer.topics) throwIfError(t.errorCode, t.errorMessage ?? t.name);
  }

  /** Deletes topics by name. */
  async deleteTopics(names: string[], timeoutMs = 30_000): Promise<void> {
    const answer = await this.client.retrying(() =>
      this.client.send(this.client.anyNode(), Apis.DeleteTopics, {
        topics: names.map((name) => ({ name, topicId: "AAAAAAAAAAAAAAAAAAAAAA" })),
        topicNames: names,
        timeoutMs,
      })
    );
    for (const t of answer.responses) throwIfError(t.errorCode, t.errorMessage ?? t.name);
    for (const n of names) this.client.metadata.forget(n);
  }

  /** Names of the topics in the cluster (internal ones only with `includeInternal`). */
  async listTopics(includeInternal = false): Promise<string[]> {
    const answer = await this.client.retrying(() => this.client.metadata.all());
    return answer.topics
      .filter((t) => t.errorCode === 0 && t.name !== null && (includeInternal || !t.isInternal))
      .map((t) => t.name!)
      .sort();
  }

  /** Partitions, leaders and replicas of each topic. */
  async describeTopics(names: string[]): Promise<TopicInfo[]> {
    return await Promise.all(names.map((n) => this.client.retrying(() => this.client.metadata.topic(n))));
  }

  /** The configs of a topic or broker (all keys, or those named). */
  async describeConfigs(
    resourceType: number,
    resourceName: string,
    keys: string[] | null = null,
  ): Promise<ConfigEntry[]> {
    const answer = await this.client.retrying(() =>
      this.client.send(this.configNode(resourceType, resourceName), Apis.DescribeConfigs, {
        resources: [{ resourceType, resourceName, configurationKeys: keys }],
        includeSynonyms: false,
        includeDocumentation: false,
      })
    );
    const r = answer.results[0];
    throwIfError(r.errorCode, r.errorMessage);
    return r.configs.map((c) => ({
      name: c.name,
      value: c.value,
      readOnly: c.readOnly,
      isSensitive: c.isSensitive,
      source: c.configSource,
    }));
  }

  /** IncrementalAlterConfigs on one resource. */
  async alterConfigs(resourceType: number, resourceName: string, changes: ConfigChange[]): Promise<void> {
    const answer = await this.client.retrying(() =>
      this.client.send(this.configNode(resourceType, resourceName), Apis.IncrementalAlterConfigs, {
        resources: [{
          resourceType,
          resourceName,
          configs: changes.map((c) => ({ name: c.name, configOperation: OPS[c.op], value: c.value ?? null })),
        }],
        validateOnly: false,
      })
    );
    for (const r of answer.responses) throwIfError(r.errorCode, r.errorMessage);
  }

  /** The groups every broker coordinates. */
  async listGroups(): Promise<GroupListing[]> {
    await this.client.metadata.refresh();
    const nodes = this.client.metadata.brokerIds();
    const answers = await Promise.all(nodes.map((node) =>
      this.client.retrying(async () => {
        const r = await this.client.send(node, Apis.ListGroups, { statesFilter: [], typesFilter: [] });
        throwIfError(r.errorCode);
        return r.groups.map((g) => ({
          groupId: g.groupId,
          protocolType: g.protocolType,
          state: g.groupState,
          type: g.groupType,
        }));
      })
    ));
    return answers.flat().sort((a, b) => a.groupId.localeCompare(b.groupId));
  }

  /** State, protocol and members of each group, asked of its coordinator. */
  async describeGroups(groupIds: string[]): Promise<GroupDescription[]> {
    return await Promise.all(groupIds.map((groupId) =>
      this.client.retrying(async () => {
        const node = await findGroupCoordinator(this.client, groupId);
        const r = await this.client.send(node, Apis.DescribeGroups, {
          groups: [groupId],
          includeAuthorizedOperations: false,
        });
        const g = r.groups[0];
        throwIfError(g.errorCode);
        return {
          groupId: g.groupId,
          state: g.groupState,
          protocolType: g.protocolType,
          protocol: g.protocolData,
          members: g.members.map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId,
            clientId: m.clientId,
            clientHost: m.clientHost,
            assignment: g.protocolType === "consumer" ? assignmentOf(m.memberAssignment) : [],
          })),
        };
      })
    ));
  }

  /** Offsets of partitions by spec ("earliest", "latest", or a timestamp). */
  listOffsets(
    requests: { topic: string; partition: number; spec: OffsetSpec }[],
  ): Promise<{ topic: string; partition: number; offset: bigint; timestamp: bigint }[]> {
    return listOffsets(this.client, requests);
  }

  /** Deletes records before `offset` in each partition; returns the new log start offsets. */
  async deleteRecords(
    requests: { topic: string; partition: number; offset: bigint }[],
  ): Promise<{ topic: string; partition: number; lowWatermark: bigint }[]> {
    return await Promise.all(requests.map((q) =>
      this.client.retrying(async () => {
        const leader = await this.client.metadata.leaderFor(q.topic, q.partition);
        const r = await this.client.send(leader, Apis.DeleteRecords, {
          topics: [{ name: q.topic, partitions: [{ partitionIndex: q.partition, offset: q.offset }] }],
          timeoutMs: this.client.requestTimeoutMs,
        });
        const p = r.topics[0].partitions[0];
        throwIfError(p.errorCode);
        return { topic: q.topic, partition: q.partition, lowWatermark: p.lowWatermark };
      })
    ));
  }

  /** Every committed offset of a group (Kafka's listConsumerGroupOffsets). */
  listGroupOffsets(groupId: string): Promise<GroupOffset[]> {
    return fetchGroupOffsets(this.client, groupId);
  }

  /** Sets a group's committed offsets (Kafka's alterConsumerGroupOffsets); refused while it has members. */
  alterGroupOffsets(groupId: string, offsets: GroupOffset[]): Promise<void> {
    return commitGroupOffsets(this.client, groupId, offsets);
  }

  /** KIP-848 consumer groups (ConsumerGroupDescribe); GROUP_ID_NOT_FOUND for classic or unknown groups. */
  describeConsumerGroups(groupIds: string[]): Promise<ConsumerGroupDescription[]> {
    return describeConsumerGroups(this.client, groupIds);
  }

  /**
   * Groups of either protocol, each described by the API of its type (ListGroups says which are KIP-848);
   * state "Dead" for a group no coordinator knows.
   */
  describeGroupsAnyType(groupIds: string[]): Promise<AnyGroupDescription[]> {
    return describeGroupsAnyType(this, groupIds);
  }

  /** Deletes groups and their offsets; GROUP_NOT_EMPTY while a group has members. */
  deleteGroups(groupIds: string[]): Promise<void> {
    return deleteGroups(this.client, groupIds);
  }

  /** Every log dir of every broker (or of `nodeIds`) and the replicas in it (DescribeLogDirs). */
  describeLogDirs(nodeIds?: number[]): Promise<LogDirDescription[]> {
    return describeLogDirs(this.client, null, nodeIds);
  }

  /**
   * Bytes on disk per topic and per partition (the largest current replica of each), from DescribeLogDirs of
   * every broker; for the topics named, or every topic with a replica.
   */
  async describeTopicSizes(topics?: string[]): Promise<TopicSize[]> {
    return topicSizes(await describeLogDirs(this.client), topics);
  }

  /** Cluster id, controller and brokers. */
  describeCluster(): Promise<ClusterDescription> {
    return describeCluster(this.client);
  }

  /** The API versions broker `nodeId` speaks (default: any broker). */
  apiVersions(nodeId?: number): Promise<ApiVersionRange[]> {
    return apiVersions(this.client, nodeId ?? this.client.anyNode());
  }

  /** The ACL bindings matching `filter` (every binding when it is empty); SECURITY_DISABLED without an authorizer. */
  describeAcls(filter: AclBindingFilter = {}): Promise<AclBinding[]> {
    return describeAcls(this.client, filter);
  }

  /** Creates ACL bindings; throws for the first one refused. */
  createAcls(bindings: AclBinding[]): Promise<void> {
    return createAcls(this.client, bindings);
  }

  /** Deletes the ACL bindings matching any of `filters`, and returns them. */
  deleteAcls(filters: AclBindingFilter[]): Promise<AclBinding[]> {
    return deleteAcls(this.client, filters);
  }

  /** Users' SCRAM mechanisms and iterations (every user with a credential when `users` is omitted). */
  describeUserScramCredentials(users?: string[]): Promise<UserScramCredentials[]> {
    return describeUserScramCredentials(this.client, users);
  }

  /** Creates or replaces SCRAM credentials (salted on the client) and deletes others, in one request. */
  alterUserScramCredentials(upsertions: ScramUpsertion[], deletions: ScramDeletion[] = []): Promise<void> {
    return alterUserScramCredentials(this.client, upsertions, deletions);
  }

  /** Closes the connections. */
  close(): Promise<void> {
    return this.client.close();
  }

  /** Broker configs are answered by that broker; topic configs by any. */
  private configNode(resourceType: number, resourceName: string): number {
    const id = Number(resourceName);
    if (resourceType === ResourceType.BROKER && resourceName !== "" && this.client.metadata.broker(id)) return id;
    return this.client.anyNode();
  }
}

/** The partitions in a consumer group member's assignment bytes (empty when unreadable). */
function assignmentOf(bytes: Uint8Array): TopicPartition[] {
  try {
    return decodeAssignment(bytes);
  } catch {
    return [];
  }
}
