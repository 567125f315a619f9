/**
 * The group operations as plain data: built by the API handler files from
 * the wire request (version differences already resolved), routed to the
 * handler Worker that coordinates the group (group_router.ts) and answered
 * there by its GroupCoordinator. Results carry Kafka error codes; the API
 * files turn them back into wire responses for the request's version.
 */

// --- classic protocol -------------------------------------------------------

export interface JoinGroupArgs {
  groupId: string;
  /** "" for a new member. */
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string;
  protocols: Array<{ name: string; metadata: Uint8Array }>;
  sessionTimeoutMs: number;
  /** v0 has none: the session timeout is used. */
  rebalanceTimeoutMs: number;
  clientId: string;
  clientHost: string;
  /** v4+: a new member first gets MEMBER_ID_REQUIRED with its id and must join again with it. */
  requireKnownMemberId: boolean;
  reason: string | null;
}

export interface JoinGroupResult {
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  memberId: string;
  /** Filled for the leader only. */
  members: Array<{ memberId: string; groupInstanceId: string | null; metadata: Uint8Array }>;
}

export interface SyncGroupArgs {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  /** v5+: checked against the group's when not null (INCONSISTENT_GROUP_PROTOCOL). */
  protocolType: string | null;
  protocolName: string | null;
  assignments: Array<{ memberId: string; assignment: Uint8Array }>;
}

export interface SyncGroupResult {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Uint8Array;
}

export interface HeartbeatArgs {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

export interface LeaveGroupArgs {
  groupId: string;
  /** v0–v2 send one member id (groupInstanceId null). */
  members: Array<{ memberId: string; groupInstanceId: string | null; reason: string | null }>;
}

export interface LeaveGroupResult {
  /** Group-level error (coordinator errors); per-member errors below. */
  errorCode: number;
  members: Array<{ memberId: string; groupInstanceId: string | null; errorCode: number }>;
}

// --- offsets ---------------------------------------------------------------

export interface CommitOffsetsArgs {
  groupId: string;
  generationIdOrMemberEpoch: number;
  memberId: string;
  groupInstanceId: string | null;
  /** OffsetCommit v2–v4 retention time; -1 for the broker default. */
  retentionTimeMs: number;
  apiVersion: number;
  topics: Array<{
    name: string;
    partitions: Array<{
      partition: number;
      offset: bigint;
      leaderEpoch: number;
      metadata: string | null;
      /** v1 only; -1 means now. */
      commitTimestamp: bigint;
    }>;
  }>;
}

export interface CommitOffsetsResult {
  topics: Array<{ name: string; partitions: Array<{ partition: number; errorCode: number }> }>;
}

export interface FetchOffsetsArgs {
  groupId: string;
  /** null = every partition with a committed offset (v2+). */
  topics: Array<{ name: string; partitions: number[] }> | null;
  /** v9+: KIP-848 member id and epoch, checked when the member id is not null. */
  memberId: string | null;
  memberEpoch: number;
  /** v7+: partitions with a pending transactional offset answer UNSTABLE_OFFSET_COMMIT. Absent: false. */
  requireStable?: boolean;
}

/** TxnOffsetCommit: offsets a transactional producer commits, pending until its transaction ends. */
export interface TxnCommitOffsetsArgs {
  groupId: string;
  transactionalId: string;
  producerId: bigint;
  producerEpoch: number;
  /** v3+ (KIP-447): checked against the group when given; -1, "" and null before v3. */
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  /** The request's version (the transaction coordinator's verification answers by it). */
  apiVersion: number;
  topics: Array<{
    name: string;
    partitions: Array<{ partition: number; offset: bigint; leaderEpoch: number; metadata: string | null }>;
  }>;
}

export interface FetchOffsetsResult {
  errorCode: number;
  topics: Array<{
    name: string;
    partitions: Array<{
      partition: number;
      /** -1 when none is committed. */
      offset: bigint;
      leaderEpoch: number;
      metadata: string | null;
      errorCode: number;
    }>;
  }>;
}

export interface DeleteOffsetsArgs {
  groupId: string;
  topics: Array<{ name: string; partitions: number[] }>;
}

export interface DeleteOffsetsResult {
  errorCode: number;
  topics: Array<{ name: string; partitions: Array<{ partition: number; errorCode: number }> }>;
}

// --- admin -----------------------------------------------------------------

export interface DescribedGroup {
  errorCode: number;
  groupId: string;
  groupState: string;
  protocolType: string;
  /** The chosen protocol while Stable; "" otherwise (as Kafka). */
  protocolData: string;
  members: Array<{
    memberId: string;
    groupInstanceId: string | null;
    clientId: string;
    clientHost: string;
    memberMetadata: Uint8Array;
    memberAssignment: Uint8Array;
  }>;
}

export interface ListedGroup {
  groupId: string;
  protocolType: string;
  groupState: string;
  groupType: string;
}

export interface ListGroupsArgs {
  /** Kafka state names, matched case-insensitively; empty = all. */
  statesFilter: string[];
  /** "classic" / "consumer", case-insensitive; empty = all. */
  typesFilter: string[];
}

// --- KIP-848 ---------------------------------------------------------------

export interface ConsumerHeartbeatArgs {
  groupId: string;
  memberId: string;
  memberEpoch: number;
  instanceId: string | null;
  rackId: string | null;
  rebalanceTimeoutMs: number;
  subscribedTopicNames: string[] | null;
  /** v1+: null when unchanged, "" for none. */
  subscribedTopicRegex: string | null;
  serverAssignor: string | null;
  /** The request's version: v1 joins carry a member id made by the client. */
  apiVersion: number;
  /** Partitions the member owns, by topic id; null when unchanged. */
  topicPartitions: Array<{ topicId: string; partitions: number[] }> | null;
  clientId: string;
  clientHost: string;
}

export interface ConsumerHeartbeatResult {
  errorCode: number;
  errorMessage: string | null;
  memberId: string | null;
  memberEpoch: number;
  heartbeatIntervalMs: number;
  /** null when unchanged since the member's last heartbeat. */
  assignment: Array<{ topicId: string; partitions: number[] }> | null;
}

export interface ConsumerDescribedMember {
  memberId: string;
  instanceId: string | null;
  rackId: string | null;
  memberEpoch: number;
  clientId: string;
  clientHost: string;
  subscribedTopicNames: string[];
  subscribedTopicRegex: string | null;
  assignment: Array<{ topicId: string; topicName: string; partitions: number[] }>;
  targetAssignment: Array<{ topicId: string; topicName: string; partitions: number[] }>;
}

export interface ConsumerDescribedGroup {
  errorCode: number;
  errorMessage: string | null;
  groupId: string;
  groupState: string;
  groupEpoch: number;
  assignmentEpoch: number;
  assignorName: string;
  members: ConsumerDescribedMember[];
}

// --- routing ---------------------------------------------------------------

export type GroupOp =
  | { op: "join"; args: JoinGroupArgs }
  | { op: "sync"; args: SyncGroupArgs }
  | { op: "heartbeat"; args: HeartbeatArgs }
  | { op: "leave"; args: LeaveGroupArgs }
  | { op: "commitOffsets"; args: CommitOffsetsArgs }
  | { op: "txnCommitOffsets"; args: TxnCommitOffsetsArgs }
  | { op: "fetchOffsets"; args: FetchOffsetsArgs }
  | { op: "deleteOffsets"; args: DeleteOffsetsArgs }
  | { op: "describe"; groupId: string }
  | { op: "deleteGroup"; groupId: string }
  | { op: "consumerHeartbeat"; args: ConsumerHeartbeatArgs }
  | { op: "consumerDescribe"; groupId: string };

export interface GroupOpResults {
  join: JoinGroupResult;
  sync: SyncGroupResult;
  heartbeat: { errorCode: number };
  leave: LeaveGroupResult;
  commitOffsets: CommitOffsetsResult;
  txnCommitOffsets: CommitOffsetsResult;
  fetchOffsets: FetchOffsetsResult;
  deleteOffsets: DeleteOffsetsResult;
  describe: DescribedGroup;
  deleteGroup: { errorCode: number };
  consumerHeartbeat: ConsumerHeartbeatResult;
  consumerDescribe: ConsumerDescribedGroup;
}

export type GroupResultOf<O extends GroupOp> = GroupOpResults[O["op"]];

/** One op's answer within a batch: its result, or the coordinator error (NOT_COORDINATOR…) it failed with. */
export type GroupOutcome<R> = { ok: R } | { errorCode: number };

/** The handler-side view of group coordination (BrokerState.groups). */
export interface GroupAccess {
  /** Runs `op` on the handler coordinating its group. */
  run<O extends GroupOp>(op: O): Promise<GroupResultOf<O>>;
  /**
   * Runs the ops of one request naming many groups (DescribeGroups, DeleteGroups, OffsetFetch v8+…) with
   * one message per coordinating handler, not one per group; answers in the ops' order, a coordinator
   * error failing only its own op.
   */
  runEach<O extends GroupOp>(ops: readonly O[]): Promise<Array<GroupOutcome<GroupResultOf<O>>>>;
  /** ListGroups: every coordinator's groups. */
  list(args: ListGroupsArgs): Promise<ListedGroup[]>;
}

/** A group op as it travels between handler Workers, addressed to a partition of __consumer_offsets. */
export type GroupPeerOp =
  | { op: "group"; partition: number; call: GroupOp }
  /** Many groups' ops for one coordinator, answered as GroupOutcome[] in order. */
  | { op: "groupBatch"; calls: Array<{ partition: number; call: GroupOp }> }
  | { op: "listGroups"; args: ListGroupsArgs };
