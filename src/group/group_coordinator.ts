/**
 * The group coordinator of one handler Worker (Kafka's GroupCoordinator,
 * cut to one node): it serves the groups placed in the __consumer_offsets
 * partitions this handler owns (offsets_topic.ts). It loads those
 * partitions when they are opened, hands each group op to the group's
 * state machine (classic or KIP-848 consumer) or to the offset store, and
 * expires offsets on Kafka's schedule. Ops for partitions still loading
 * wait for the load; ops for partitions this handler does not own fail with
 * NOT_COORDINATOR, which makes clients look the coordinator up again.
 * Transactional offset commits stay pending until the transaction
 * coordinator's marker reaches the partition (onTxnMarker, txn_offsets.ts).
 */
import { ApiError } from "../protocol/api_error.ts";
import type { MetadataImage, MetadataView } from "../cluster/metadata_image.ts";
import { ErrorCode } from "../protocol/errors.ts";
import type { Logger } from "../util/logger.ts";
import { ClassicGroup } from "./classic_group.ts";
import {
  ConsumerGroup,
  LEAVE_GROUP_MEMBER_EPOCH,
  LEAVE_GROUP_STATIC_MEMBER_EPOCH,
  supportedAssignors,
  validateConsumerHeartbeat,
} from "./consumer_group.ts";
import type {
  CommitOffsetsArgs,
  CommitOffsetsResult,
  ConsumerDescribedGroup,
  ConsumerHeartbeatArgs,
  ConsumerHeartbeatResult,
  DeleteOffsetsArgs,
  DeleteOffsetsResult,
  DescribedGroup,
  FetchOffsetsArgs,
  FetchOffsetsResult,
  GroupOp,
  GroupOutcome,
  GroupPeerOp,
  JoinGroupArgs,
  JoinGroupResult,
  LeaveGroupArgs,
  LeaveGroupResult,
  ListedGroup,
  ListGroupsArgs,
  SyncGroupResult,
  TxnCommitOffsetsArgs,
} from "./group_ops.ts";
import { validateTxnOffsetCommit } from "./txn_offsets.ts";
import { type AnyGroup, type OffsetsLogAccess, OffsetsPartition } from "./offsets_partition.ts";
import { OFFSETS_TOPIC } from "../cluster/offsets_topic.ts";
import type { GroupConfig, GroupRecord, TopicLookup } from "./types.ts";
import { ownerOf } from "../replica/partition_owner.ts";
import { Pacer } from "../util/yielding.ts";

export interface GroupCoordinatorDeps {
  handlerIndex: number;
  handlerCount: number;
  config: GroupConfig;
  /** offsets.topic.segment.bytes */
  segmentBytes: number;
  /** offsets.retention.check.interval.ms */
  retentionCheckIntervalMs: number;
  logs: OffsetsLogAccess;
  metadata: () => MetadataView;
  log: Logger;
  now?: () => number;
  /**
   * KIP-890 for TxnOffsetCommit, as Kafka's coordinator runtime asks before a transactional write: is the
   * group's __consumer_offsets partition in the producer's ongoing transaction (AddOffsetsToTxn)? Resolves
   * NONE to let the commit through, else the error every partition answers. Absent: not checked.
   */
  verifyTxnOffsetCommit?: (check: {
    transactionalId: string;
    producerId: bigint;
    producerEpoch: number;
    offsetsPartition: number;
    apiVersion: number;
  }) => Promise<number>;
}

export class GroupCoordinator {
  private readonly partitions = new Map<number, OffsetsPartition>();
  private offsetsTopicId: string | null = null;
  private readonly now: () => number;
  private expiryTimer: ReturnType<typeof setInterval> | null = null;
  private readonly topics: TopicLookup;

  constructor(private readonly d: GroupCoordinatorDeps) {
    this.now = d.now ?? Date.now;
    this.topics = {
      // A TopicImage is a TopicInfo (name, id, partition count) with more fields.
      byName: (name) => d.metadata().byName.get(name),
      byId: (id) => d.metadata().byId.get(id),
      names: () => [...d.metadata().byName.keys()].sort(),
    };
  }

  /** Load newly owned partitions of __consumer_offsets, unload lost ones, tell KIP-848 groups topics changed. */
  onImage(image: MetadataImage): Promise<void> {
    const topic = image.topics.find((t) => t.name === OFFSETS_TOPIC);
    const wanted = new Set<number>();
    if (topic) {
      if (this.offsetsTopicId !== null && this.offsetsTopicId !== topic.topicId) this.unloadAll();
      this.offsetsTopicId = topic.topicId;
      for (let p = 0; p < topic.partitions; p++) {
        if (ownerOf(topic.topicId, p, this.d.handlerCount) === this.d.handlerIndex) wanted.add(p);
      }
    }
    for (const [p, state] of this.partitions) {
      if (!wanted.has(p)) {
        state.unload();
        this.partitions.delete(p);
      }
    }
    const loads: Promise<void>[] = [];
    for (const p of wanted) {
      if (this.partitions.has(p)) continue;
      const state = new OffsetsPartition({
        topicId: topic!.topicId,
        partition: p,
        config: this.d.config,
        segmentBytes: this.d.segmentBytes,
        logs: this.d.logs,
        topics: this.topics,
        log: this.d.log,
        now: this.now,
      });
      this.partitions.set(p, state);
      loads.push(
        state.load().catch((e) => {
          this.d.log.error(`loading ${OFFSETS_TOPIC}-${p} failed: ${e instanceof Error ? e.stack : e}`);
          state.unload();
          this.partitions.delete(p);
        }),
      );
    }
    for (const state of this.partitions.values()) {
      state.ready.then(() => {
        for (const group of state.groups.values()) if (group instanceof ConsumerGroup) group.onTopicsChanged();
      }, () => {});
    }
    if (this.partitions.size > 0 && this.expiryTimer === null) {
      this.expiryTimer = setInterval(() => this.expireOffsets(), this.d.retentionCheckIntervalMs);
    }
    return Promise.all(loads).then(() => {});
  }

  close(): void {
    if (this.expiryTimer !== null) clearInterval(this.expiryTimer);
    this.expiryTimer = null;
    this.unloadAll();
  }

  private unloadAll(): void {
    for (const state of this.partitions.values()) state.unload();
    this.partitions.clear();
  }

  /**
   * A COMMIT or ABORT marker of `producerId` was written to partition `offsetsPartition` of
   * __consumer_offsets (owned here): the producer's pending offsets of the groups there become committed
   * or are dropped. Call it right after the marker is appended, before anything else is appended there.
   */
  onTxnMarker(offsetsPartition: number, producerId: bigint, commit: boolean): void {
    this.partitions.get(offsetsPartition)?.onTxnMarker(producerId, commit);
  }

  async execute(op: GroupPeerOp): Promise<unknown> {
    if (op.op === "listGroups") return this.listGroups(op.args);
    if (op.op === "groupBatch") return this.executeBatch(op.calls);
    const state = this.partitions.get(op.partition);
    if (!state) {
      throw new ApiError(
        ErrorCode.NOT_COORDINATOR,
        `This handler does not coordinate ${OFFSETS_TOPIC}-${op.partition}`,
      );
    }
    await state.ready;
    return this.dispatch(state, op.call);
  }

  /**
   * One request's ops on many groups: the partitions' ops run side by side, each partition's in order,
   * and the event loop gets a turn every few thousand ops, so other requests keep being served while a
   * request naming a million groups is answered. A coordinator error fails only its op.
   */
  private async executeBatch(calls: Array<{ partition: number; call: GroupOp }>): Promise<GroupOutcome<unknown>[]> {
    const outcomes = new Array<GroupOutcome<unknown>>(calls.length);
    const byPartition = new Map<number, number[]>();
    calls.forEach(({ partition }, i) => {
      const indexes = byPartition.get(partition);
      if (indexes) indexes.push(i);
      else byPartition.set(partition, [i]);
    });
    const pacer = new Pacer();
    await Promise.all([...byPartition].map(async ([partition, indexes]) => {
      for (const i of indexes) {
        try {
          outcomes[i] = { ok: await this.execute({ op: "group", partition, call: calls[i].call }) };
        } catch (e) {
          if (!(e instanceof ApiError)) throw e;
          outcomes[i] = { errorCode: e.errorCode };
        }
        await pacer.tick();
      }
    }));
    return outcomes;
  }

  private dispatch(state: OffsetsPartition, call: GroupOp): Promise<unknown> | unknown {
    switch (call.op) {
      case "join":
        return this.join(state, call.args);
      case "sync": {
        const group = state.groups.get(call.args.groupId);
        if (!(group instanceof ClassicGroup)) return syncError(ErrorCode.UNKNOWN_MEMBER_ID);
        return group.sync(call.args);
      }
      case "heartbeat": {
        const group = state.groups.get(call.args.groupId);
        if (!(group instanceof ClassicGroup)) return { errorCode: ErrorCode.UNKNOWN_MEMBER_ID };
        return { errorCode: group.heartbeat(call.args) };
      }
      case "leave":
        return this.leave(state, call.args);
      case "commitOffsets":
        return this.commitOffsets(state, call.args);
      case "txnCommitOffsets":
        return this.txnCommitOffsets(state, call.args);
      case "fetchOffsets":
        return this.fetchOffsets(state, call.args);
      case "deleteOffsets":
        return this.deleteOffsets(state, call.args);
      case "describe":
        return this.describe(state, call.groupId);
      case "deleteGroup":
        return this.deleteGroup(state, call.groupId);
      case "consumerHeartbeat":
        return this.consumerHeartbeat(state, call.args);
      case "consumerDescribe":
        return this.consumerDescribe(state, call.groupId);
    }
  }

  private async join(state: OffsetsPartition, args: JoinGroupArgs): Promise<JoinGroupResult> {
    let group = state.groups.get(args.groupId);
    if (group instanceof ConsumerGroup) {
      // Kafka 3.9 converts an empty consumer group; a live one keeps its protocol.
      if (!group.isEmpty()) return joinError(args, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
      group.shutdown();
      group = undefined;
    }
    if (!group) {
      if (args.memberId !== "" && args.groupInstanceId === null) return joinError(args, ErrorCode.UNKNOWN_MEMBER_ID);
      group = new ClassicGroup(args.groupId, state.env);
      state.groups.set(args.groupId, group);
    }
    const classic = group;
    const result = await classic.join(args);
    this.dropIfUnused(state, classic, result.errorCode);
    return result;
  }

  private async leave(state: OffsetsPartition, args: LeaveGroupArgs): Promise<LeaveGroupResult> {
    const group = state.groups.get(args.groupId);
    if (!(group instanceof ClassicGroup)) {
      // Kafka answers per member (v0–v2 report the member's error): no group, or a KIP-848 group, has none of them.
      return {
        errorCode: ErrorCode.NONE,
        members: args.members.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          errorCode: ErrorCode.UNKNOWN_MEMBER_ID,
        })),
      };
    }
    return await group.leave(args);
  }

  private async commitOffsets(state: OffsetsPartition, args: CommitOffsetsArgs): Promise<CommitOffsetsResult> {
    let group = state.groups.get(args.groupId);
    if (!group) {
      if (args.generationIdOrMemberEpoch >= 0 || args.memberId !== "") {
        return commitError(args, args.apiVersion >= 9 ? ErrorCode.GROUP_ID_NOT_FOUND : ErrorCode.ILLEGAL_GENERATION);
      }
      // A commit from outside group management creates an empty group to hold the offsets.
      group = new ClassicGroup(args.groupId, state.env);
      state.groups.set(args.groupId, group);
    }
    const code = group.validateOffsetCommit(
      args.memberId,
      args.groupInstanceId,
      args.generationIdOrMemberEpoch,
      args.apiVersion,
    );
    if (code !== ErrorCode.NONE) return commitError(args, code);
    const { records, result } = state.offsets.prepareCommit(args, this.now());
    const written = await state.persist(records);
    if (written !== ErrorCode.NONE) {
      for (const t of result.topics) {
        for (const p of t.partitions) if (p.errorCode === ErrorCode.NONE) p.errorCode = written;
      }
    }
    return result;
  }

  /**
   * Kafka's commitTransactionalOffset: an unknown group is created (empty, as a commit from outside group
   * management) unless a generation is given (ILLEGAL_GENERATION); the member fields are checked as a
   * transactional commit's; the offsets go to the log as one transactional batch of the producer.
   */
  private async txnCommitOffsets(state: OffsetsPartition, args: TxnCommitOffsetsArgs): Promise<CommitOffsetsResult> {
    const asCommit: CommitOffsetsArgs = {
      groupId: args.groupId,
      generationIdOrMemberEpoch: args.generationId,
      memberId: args.memberId,
      groupInstanceId: args.groupInstanceId,
      retentionTimeMs: -1,
      apiVersion: -1,
      topics: args.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ ...p, commitTimestamp: -1n })),
      })),
    };
    if (this.d.verifyTxnOffsetCommit) {
      const verified = await this.d.verifyTxnOffsetCommit({
        transactionalId: args.transactionalId,
        producerId: args.producerId,
        producerEpoch: args.producerEpoch,
        offsetsPartition: state.partition,
        apiVersion: args.apiVersion,
      });
      if (verified !== ErrorCode.NONE) return commitError(asCommit, verified);
    }
    let group = state.groups.get(args.groupId);
    if (!group) {
      if (args.generationId >= 0) return commitError(asCommit, ErrorCode.ILLEGAL_GENERATION);
      group = new ClassicGroup(args.groupId, state.env);
      state.groups.set(args.groupId, group);
    }
    const code = validateTxnOffsetCommit(group, args.memberId, args.groupInstanceId, args.generationId);
    if (code !== ErrorCode.NONE) {
      this.dropIfUnused(state, group, code);
      return commitError(asCommit, code);
    }
    const { records, result } = state.offsets.prepareCommit(asCommit, this.now());
    const written = await state.persist(records, { producerId: args.producerId, producerEpoch: args.producerEpoch });
    if (written !== ErrorCode.NONE) {
      for (const t of result.topics) {
        for (const p of t.partitions) if (p.errorCode === ErrorCode.NONE) p.errorCode = written;
      }
      this.dropIfUnused(state, group, written);
    }
    return result;
  }

  private fetchOffsets(state: OffsetsPartition, args: FetchOffsetsArgs): FetchOffsetsResult {
    const group = state.groups.get(args.groupId);
    if (args.memberId !== null) {
      if (!group) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, topics: [] };
      const code = group.validateOffsetFetch(args.memberId, args.memberEpoch);
      if (code !== ErrorCode.NONE) return { errorCode: code, topics: [] };
    }
    return {
      errorCode: ErrorCode.NONE,
      topics: state.offsets.fetch(args.groupId, args.topics, args.requireStable === true),
    };
  }

  private async deleteOffsets(state: OffsetsPartition, args: DeleteOffsetsArgs): Promise<DeleteOffsetsResult> {
    const group = state.groups.get(args.groupId);
    if (!group) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, topics: [] };
    // Kafka: a live group that does not speak the consumer protocol cannot have offsets deleted under it.
    if (!group.isEmpty() && group.protocolType() !== "consumer") {
      return { errorCode: ErrorCode.NON_EMPTY_GROUP, topics: [] };
    }
    const subscribed = (topic: string) => !group.isEmpty() && (group.isSubscribedTo(topic) ?? true);
    const { records, result } = state.offsets.prepareDelete(args.groupId, args.topics, subscribed);
    const written = await state.persist(records);
    if (written !== ErrorCode.NONE) return { errorCode: written, topics: [] };
    return { errorCode: ErrorCode.NONE, topics: result };
  }

  private describe(state: OffsetsPartition, groupId: string): DescribedGroup {
    const group = state.groups.get(groupId);
    // Kafka 3.9 describes unknown groups, and groups that are not classic, as Dead.
    if (!(group instanceof ClassicGroup)) {
      return {
        errorCode: ErrorCode.NONE,
        groupId,
        groupState: "Dead",
        protocolType: "",
        protocolData: "",
        members: [],
      };
    }
    return group.describe();
  }

  private async deleteGroup(state: OffsetsPartition, groupId: string): Promise<{ errorCode: number }> {
    const group = state.groups.get(groupId);
    if (!group) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND };
    if (!group.isEmpty()) return { errorCode: ErrorCode.NON_EMPTY_GROUP };
    const records: GroupRecord[] = [
      ...state.offsets.deleteGroupRecords(groupId),
      { kind: group.type, groupId, value: null } as GroupRecord,
    ];
    const written = await state.persist(records);
    if (written !== ErrorCode.NONE) return { errorCode: written };
    if (state.groups.get(groupId) === group) {
      group.shutdown();
      state.groups.delete(groupId);
    }
    return { errorCode: ErrorCode.NONE };
  }

  private async consumerHeartbeat(
    state: OffsetsPartition,
    args: ConsumerHeartbeatArgs,
  ): Promise<ConsumerHeartbeatResult> {
    // Kafka validates the request before it looks the group up.
    const invalid = validateConsumerHeartbeat(args, supportedAssignors(this.d.config.consumerAssignors));
    if (invalid) return heartbeatError(invalid.errorCode, invalid.errorMessage);
    let group = state.groups.get(args.groupId);
    if (group instanceof ClassicGroup) {
      // Kafka 3.9 (online upgrade off): only an empty classic group becomes a consumer group, on a join.
      if (!group.isEmpty() || args.memberEpoch !== 0) {
        return heartbeatError(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${args.groupId} is not a consumer group.`);
      }
      group.shutdown();
      group = undefined;
    }
    if (!group) {
      if (args.memberEpoch !== 0) {
        const leaving = args.memberEpoch === LEAVE_GROUP_MEMBER_EPOCH ||
          args.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH;
        return heartbeatError(
          ErrorCode.GROUP_ID_NOT_FOUND,
          leaving ? `Group ${args.groupId} not found.` : `Consumer group ${args.groupId} not found.`,
        );
      }
      group = new ConsumerGroup(args.groupId, state.env);
      state.groups.set(args.groupId, group);
    }
    const consumer = group;
    const result = await consumer.heartbeat(args);
    this.dropIfUnused(state, consumer, result.errorCode);
    return result;
  }

  private consumerDescribe(state: OffsetsPartition, groupId: string): ConsumerDescribedGroup {
    const group = state.groups.get(groupId);
    if (group instanceof ConsumerGroup) return group.describe();
    return {
      errorCode: ErrorCode.GROUP_ID_NOT_FOUND,
      errorMessage: group ? `Group ${groupId} is not a consumer group.` : `Group ${groupId} not found.`,
      // Kafka sets only the id and the error: the other fields keep their schema defaults.
      groupId,
      groupState: "",
      groupEpoch: 0,
      assignmentEpoch: 0,
      assignorName: "",
      members: [],
    };
  }

  private listGroups(args: ListGroupsArgs): ListedGroup[] {
    const states = new Set(args.statesFilter.map((s) => s.toLowerCase()));
    const types = new Set(args.typesFilter.map((s) => s.toLowerCase()));
    const listed: ListedGroup[] = [];
    for (const state of this.partitions.values()) {
      for (const group of state.groups.values()) {
        const groupState = group.stateName();
        if (states.size > 0 && !states.has(groupState.toLowerCase())) continue;
        if (types.size > 0 && !types.has(group.type)) continue;
        listed.push({ groupId: group.groupId, protocolType: group.protocolType(), groupState, groupType: group.type });
      }
    }
    return listed;
  }

  /** A group created by a request that failed before anything was written is forgotten again. */
  private dropIfUnused(state: OffsetsPartition, group: AnyGroup, errorCode: number): void {
    // MEMBER_ID_REQUIRED leaves a pending member behind: the group must stay for its second join.
    if (errorCode === ErrorCode.NONE || errorCode === ErrorCode.MEMBER_ID_REQUIRED) return;
    if (!group.isEmpty() || state.offsets.hasOffsetsOrTransactions(group.groupId)) return;
    if (state.hasGroupRecord(group.groupId)) return;
    if (state.groups.get(group.groupId) !== group) return;
    group.shutdown();
    state.groups.delete(group.groupId);
  }

  /** Kafka's cleanupGroupMetadata: drop expired offsets, then empty groups left without offsets. */
  private async expireOffsets(): Promise<void> {
    const now = this.now();
    for (const state of this.partitions.values()) {
      try {
        await state.ready;
        if (state.writing) continue;
        const expired = state.offsets.expiredRecords(now, (groupId) => {
          const group = state.groups.get(groupId);
          if (!group) {
            return {
              exists: false,
              empty: true,
              stateTimestampMs: 0,
              usesConsumerProtocol: false,
              isSubscribed: () => false,
            };
          }
          return {
            exists: true,
            empty: group.isEmpty(),
            // Kafka ages offsets from the group's state change only for classic groups with a protocol type.
            stateTimestampMs: group.type === "classic" && group.protocolType() !== "" ? group.stateTimestampMs() : -1,
            usesConsumerProtocol: group.protocolType() === "consumer",
            isSubscribed: (topic: string) => group.isSubscribedTo(topic),
          };
        });
        if (expired.length > 0) {
          const code = await state.persist(expired);
          if (code !== ErrorCode.NONE) continue;
          this.d.log.info(`Removed ${expired.length} expired offsets from ${OFFSETS_TOPIC}-${state.partition}`);
        }
        // Kafka keeps a group while a transaction has offsets of it pending.
        const dead = [...state.groups.values()].filter((g) =>
          g.isEmpty() && !state.offsets.hasOffsetsOrTransactions(g.groupId)
        );
        if (dead.length === 0) continue;
        const tombstones = dead.map((g) => ({ kind: g.type, groupId: g.groupId, value: null }) as GroupRecord);
        if (await state.persist(tombstones) !== ErrorCode.NONE) continue;
        for (const group of dead) {
          if (state.groups.get(group.groupId) !== group || !group.isEmpty()) continue;
          group.shutdown();
          state.groups.delete(group.groupId);
        }
      } catch (e) {
        this.d.log.error(
          `offset expiry on ${OFFSETS_TOPIC}-${state.partition} failed: ${e instanceof Error ? e.stack : e}`,
        );
      }
    }
  }
}

function joinError(args: JoinGroupArgs, errorCode: number): JoinGroupResult {
  return {
    errorCode,
    generationId: -1,
    protocolType: null,
    protocolName: null,
    leader: "",
    memberId: args.memberId,
    members: [],
  };
}

function syncError(errorCode: number): SyncGroupResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: new Uint8Array(0) };
}

function commitError(args: CommitOffsetsArgs, errorCode: number): CommitOffsetsResult {
  return {
    topics: args.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partition: p.partition, errorCode })),
    })),
  };
}

/** As Kafka's error answer: the member epoch keeps its schema default 0. */
function heartbeatError(errorCode: number, errorMessage: string): ConsumerHeartbeatResult {
  return { errorCode, errorMessage, memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null };
}
