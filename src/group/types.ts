/**
 * The contract between the group coordinator (one per handler Worker, see
 * group_coordinator.ts) and the group state machines: the classic rebalance
 * protocol (classic_group.ts), KIP-848's consumer protocol
 * (consumer_group.ts) and the committed offsets (offset_store.ts).
 *
 * State machines never do I/O themselves: they see the clock, timers, the
 * group settings, the topic metadata and `persist`, which appends records to
 * the group's `__consumer_offsets` partition and resolves once written.
 * Everything else (routing, loading at start-up, compaction) belongs to the
 * coordinator.
 */
import type { Logger } from "../util/logger.ts";

export type { GroupConfig } from "../config/group_settings.ts";
import type { GroupConfig } from "../config/group_settings.ts";

/** Named timers; setting a key again replaces its timer. */
export interface GroupTimers {
  set(key: string, delayMs: number, fn: () => void): void;
  clear(key: string): void;
}

/** What the coordinator knows of a topic (for KIP-848 assignment and OffsetCommit checks). */
export interface TopicInfo {
  name: string;
  /** Kafka's base64 form of the topic's UUID. */
  topicId: string;
  partitions: number;
}

export interface TopicLookup {
  byName(name: string): TopicInfo | undefined;
  byId(topicId: string): TopicInfo | undefined;
  /** Every topic's name, sorted (regex subscriptions match against them). */
  names(): readonly string[];
}

export interface GroupEnv {
  now(): number;
  timers: GroupTimers;
  config: GroupConfig;
  topics: TopicLookup;
  log: Logger;
  /**
   * Appends `records` (one batch) to the group's `__consumer_offsets`
   * partition. Resolves with ErrorCode.NONE once written, or with the error
   * to give the client (Kafka's mapping: COORDINATOR_NOT_AVAILABLE,
   * NOT_COORDINATOR, UNKNOWN_SERVER_ERROR). Never rejects.
   */
  persist(records: GroupRecord[]): Promise<number>;
}

// ---------------------------------------------------------------------------
// Records of __consumer_offsets (Kafka's key/value schemas; value null = tombstone)

/** OffsetCommitValue (written as v3, or v1 when an expire timestamp is set). */
export interface OffsetCommitValue {
  offset: bigint;
  /** -1 when unknown. */
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: bigint;
  /** -1 unless the commit carried a retention time (OffsetCommit v2–v4). */
  expireTimestamp: bigint;
}

/** One member of GroupMetadataValue. */
export interface ClassicMemberValue {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  /** The member's metadata for the group's chosen protocol. */
  subscription: Uint8Array;
  assignment: Uint8Array;
}

/** GroupMetadataValue (written as v3). */
export interface ClassicGroupValue {
  protocolType: string;
  generation: number;
  protocol: string | null;
  leader: string | null;
  currentStateTimestamp: bigint;
  members: ClassicMemberValue[];
}

/** ConsumerGroupMetadataValue: a KIP-848 group's epoch (members are not persisted, see consumer_group.ts). */
export interface ConsumerGroupValue {
  epoch: number;
}

export type GroupRecord =
  | { kind: "offset"; groupId: string; topic: string; partition: number; value: OffsetCommitValue | null }
  | { kind: "classic"; groupId: string; value: ClassicGroupValue | null }
  | { kind: "consumer"; groupId: string; value: ConsumerGroupValue | null };

// ---------------------------------------------------------------------------
// What the coordinator needs of any group

export type GroupType = "classic" | "consumer";

export interface Group {
  readonly groupId: string;
  readonly type: GroupType;
  /**
   * Kafka's state names, as DescribeGroups/ListGroups show them. Classic:
   * Empty, PreparingRebalance, CompletingRebalance, Stable, Dead. Consumer:
   * Empty, Assigning, Reconciling, Stable, Dead.
   */
  stateName(): string;
  isEmpty(): boolean;
  /** ListGroups' protocolType: "consumer" for KIP-848 groups, the members' type for classic ones ("" when none). */
  protocolType(): string;
  /**
   * Checks an OffsetCommit's member fields; ErrorCode.NONE accepts it.
   * `generationIdOrMemberEpoch` < 0 with an empty member id is a commit
   * from outside group management, allowed only while the group is empty.
   */
  validateOffsetCommit(
    memberId: string,
    groupInstanceId: string | null,
    generationIdOrMemberEpoch: number,
    apiVersion: number,
  ): number;
  /** OffsetFetch v9+: checks member id and epoch when given (KIP-848 groups); NONE otherwise. */
  validateOffsetFetch(memberId: string | null, memberEpoch: number): number;
  /** The group is being deleted or unloaded: cancel its timers, fail waiting requests with NOT_COORDINATOR. */
  shutdown(): void;
}
