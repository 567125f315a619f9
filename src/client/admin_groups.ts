/**
 * The admin client's operations on groups' offsets and on the cluster, kept apart from admin.ts: a group's
 * committed offsets (OffsetFetch for every topic), setting them (OffsetCommit as a non-member, generation -1
 * and no member id, which a coordinator accepts only while the group has no members, as Kafka's
 * alterConsumerGroupOffsets relies on), deleting groups (DeleteGroups, per coordinator), the cluster's id,
 * controller and brokers (Metadata without topics), the API versions a broker speaks, and KIP-848 consumer
 * groups (ConsumerGroupDescribe: DescribeGroups describes only classic groups), and a description of any group
 * that picks between the two.
 */
import { Apis } from "./apis.ts";
import { findGroupCoordinator } from "./coordinator.ts";
import { KafkaClientError, throwIfError } from "./errors.ts";
import { ErrorCode } from "../protocol/errors.ts";
import type { TopicPartition } from "./group.ts";
import type { NetworkClient } from "./network_client.ts";

/** A group's committed offset for one partition. */
export interface GroupOffset {
  /** The topic. */
  topic: string;
  /** The partition. */
  partition: number;
  /** The committed offset (the next record the group reads). */
  offset: bigint;
}

/** The cluster as Metadata describes it. */
export interface ClusterDescription {
  /** The cluster id (null from brokers that do not say). */
  clusterId: string | null;
  /** The active controller's id (-1 when unknown). */
  controllerId: number;
  /** Every live broker with its advertised address. */
  brokers: { nodeId: number; host: string; port: number; rack: string | null }[];
}

/** One API a broker speaks and its version range. */
export interface ApiVersionRange {
  /** The API key. */
  apiKey: number;
  /** The lowest version the broker accepts. */
  minVersion: number;
  /** The highest version the broker accepts. */
  maxVersion: number;
}

/** Every committed offset of `groupId`, sorted by topic and partition. */
export function fetchGroupOffsets(client: NetworkClient, groupId: string): Promise<GroupOffset[]> {
  return client.retrying(async () => {
    const node = await findGroupCoordinator(client, groupId);
    const r = await client.send(node, Apis.OffsetFetch, {
      groupId,
      topics: null,
      groups: [{ groupId, memberId: null, memberEpoch: -1, topics: null }],
      requireStable: true,
    });
    const group = r.groups.find((g) => g.groupId === groupId);
    throwIfError(group ? group.errorCode : r.errorCode, `group ${groupId}`);
    const out: GroupOffset[] = [];
    for (const t of group?.topics ?? r.topics) {
      for (const p of t.partitions) {
        throwIfError(p.errorCode, `${t.name}-${p.partitionIndex}`);
        if (p.committedOffset >= 0n) {
          out.push({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset });
        }
      }
    }
    return out.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  });
}

/** Commits `offsets` for `groupId` from outside the group (refused while it has members). */
export function commitGroupOffsets(client: NetworkClient, groupId: string, offsets: GroupOffset[]): Promise<void> {
  const byTopic = new Map<string, GroupOffset[]>();
  for (const o of offsets) byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), o]);
  return client.retrying(async () => {
    const node = await findGroupCoordinator(client, groupId);
    const r = await client.send(node, Apis.OffsetCommit, {
      groupId,
      generationIdOrMemberEpoch: -1,
      memberId: "",
      groupInstanceId: null,
      retentionTimeMs: -1n,
      topics: [...byTopic].map(([name, list]) => ({
        name,
        partitions: list.map((o) => ({
          partitionIndex: o.partition,
          committedOffset: o.offset,
          committedLeaderEpoch: -1,
          commitTimestamp: -1n,
          committedMetadata: "",
        })),
      })),
    });
    for (const t of r.topics) for (const p of t.partitions) throwIfError(p.errorCode, `group ${groupId}`);
  });
}

/** Deletes each group (with its committed offsets); GROUP_NOT_EMPTY while a group has members. */
export async function deleteGroups(client: NetworkClient, groupIds: string[]): Promise<void> {
  for (const groupId of groupIds) {
    await client.retrying(async () => {
      const node = await findGroupCoordinator(client, groupId);
      const r = await client.send(node, Apis.DeleteGroups, { groupsNames: [groupId] });
      const result = r.results.find((g) => g.groupId === groupId);
      throwIfError(result?.errorCode ?? 0, `group ${groupId}`);
    });
  }
}

/** Cluster id, controller and brokers, from a Metadata request that names no topics. */
export function describeCluster(client: NetworkClient): Promise<ClusterDescription> {
  return client.retrying(async () => {
    const r = await client.send(client.anyNode(), Apis.Metadata, {
      topics: [],
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    return {
      clusterId: r.clusterId,
      controllerId: r.controllerId,
      brokers: r.brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack }))
        .sort((a, b) => a.nodeId - b.nodeId),
    };
  });
}

/** The APIs broker `node` speaks (ApiVersions), by key. */
export function apiVersions(client: NetworkClient, node: number): Promise<ApiVersionRange[]> {
  return client.retrying(async () => {
    // A broker id learned from describeCluster may not be in the metadata cache yet: it holds the addresses.
    if (node >= 0 && !client.metadata.broker(node)) await client.metadata.refresh();
    const r = await client.send(node, Apis.ApiVersions, {
      clientSoftwareName: "tsbroker-client",
      clientSoftwareVersion: "0",
    });
    throwIfError(r.errorCode);
    return r.apiKeys.map((k) => ({ apiKey: k.apiKey, minVersion: k.minVersion, maxVersion: k.maxVersion }))
      .sort((a, b) => a.apiKey - b.apiKey);
  });
}

/** A KIP-848 consumer group member, as ConsumerGroupDescribe reports it. */
export interface ConsumerGroupMember {
  /** The member id. */
  memberId: string;
  /** The static member's instance id, or null. */
  groupInstanceId: string | null;
  /** The member's client.id. */
  clientId: string;
  /** The member's address. */
  clientHost: string;
  /** The member's epoch. */
  memberEpoch: number;
  /** The partitions it owns now. */
  assignment: TopicPartition[];
}

/** A KIP-848 consumer group, as ConsumerGroupDescribe reports it. */
export interface ConsumerGroupDescription {
  /** The group id. */
  groupId: string;
  /** Empty, Assigning, Reconciling, Stable or Dead. */
  state: string;
  /** The group epoch. */
  groupEpoch: number;
  /** The server-side assignor (e.g. "uniform"). */
  assignor: string;
  /** The current members. */
  members: ConsumerGroupMember[];
}

/** KIP-848 consumer groups, each asked of its coordinator; GROUP_ID_NOT_FOUND for a classic or unknown one. */
export function describeConsumerGroups(client: NetworkClient, groupIds: string[]): Promise<ConsumerGroupDescription[]> {
  return Promise.all(groupIds.map((groupId) =>
    client.retrying(async () => {
      const node = await findGroupCoordinator(client, groupId);
      const r = await client.send(node, Apis.ConsumerGroupDescribe, {
        groupIds: [groupId],
        includeAuthorizedOperations: false,
      });
      const g = r.groups.find((x) => x.groupId === groupId);
      throwIfError(g?.errorCode ?? 0, g?.errorMessage ?? `group ${groupId}`);
      return {
        groupId,
        state: g!.groupState,
        groupEpoch: g!.groupEpoch,
        assignor: g!.assignorName,
        members: g!.members.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.instanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          memberEpoch: m.memberEpoch,
          assignment: m.assignment.topicPartitions.flatMap((t) =>
            t.partitions.map((partition) => ({ topic: t.topicName, partition }))
          ),
        })),
      };
    })
  ));
}

/** A group of either protocol, as describeGroupsAnyType reports it. */
export interface AnyGroupDescription {
  /** The group id. */
  groupId: string;
  /** The group's state; "Dead" when the coordinator does not know the group. */
  state: string;
  /** "classic" (DescribeGroups) or "consumer" (KIP-848, ConsumerGroupDescribe). */
  type: "classic" | "consumer";
  /** The classic group's protocol (assignor), or the KIP-848 group's server-side assignor. */
  protocol: string;
  /** The current members with their assignments. */
  members: {
    memberId: string;
    groupInstanceId: string | null;
    clientId: string;
    clientHost: string;
    assignment: TopicPartition[];
  }[];
}

/** What describeGroupsAnyType needs of the Admin (kept structural: admin.ts imports this module). */
export interface GroupDescriber {
  listGroups(): Promise<{ groupId: string; type: string }[]>;
  describeGroups(
    ids: string[],
  ): Promise<{ state: string; protocol: string; members: AnyGroupDescription["members"] }[]>;
  describeConsumerGroups(ids: string[]): Promise<ConsumerGroupDescription[]>;
}

/**
 * Each group described by the API of its type: ListGroups says which groups are KIP-848 ("consumer"), whose
 * members only ConsumerGroupDescribe shows; the others go to DescribeGroups. A group no coordinator knows
 * comes back as state "Dead" without members, as Kafka's Admin reports it.
 */
export async function describeGroupsAnyType(admin: GroupDescriber, groupIds: string[]): Promise<AnyGroupDescription[]> {
  const kip848 = new Set((await admin.listGroups()).filter((g) => g.type === "consumer").map((g) => g.groupId));
  return await Promise.all(groupIds.map(async (groupId): Promise<AnyGroupDescription> => {
    try {
      if (kip848.has(groupId)) {
        const [g] = await admin.describeConsumerGroups([groupId]);
        return { groupId, state: g.state, type: "consumer", protocol: g.assignor, members: g.members };
      }
      const [g] = await admin.describeGroups([groupId]);
      return { groupId, state: g.state, type: "classic", protocol: g.protocol, members: g.members };
    } catch (e) {
      if (e instanceof KafkaClientError && e.code === ErrorCode.GROUP_ID_NOT_FOUND) {
        return { groupId, state: "Dead", type: "classic", protocol: "", members: [] };
      }
      throw e;
    }
  }));
}
