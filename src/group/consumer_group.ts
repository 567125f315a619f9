/**
 * A KIP-848 consumer group ("group.protocol=consumer"), as Kafka 3.9's
 * GroupMetadataManager.consumerGroupHeartbeat and ConsumerGroup run it.
 *
 * Every ConsumerGroupHeartbeat does three things:
 * 1. creates or updates the member; the group epoch is bumped when a member
 *    joins or leaves, changes its subscription, or the subscribed topics'
 *    metadata changes (created, deleted, more partitions);
 * 2. when the group epoch is ahead of the target assignment epoch, computes a
 *    new target assignment with the server assignor (the most requested
 *    `serverAssignor` among members, else group.consumer.assignors[0]);
 * 3. reconciles the member towards its target (consumer_member.ts): revoke
 *    first, assign only partitions their previous owner released.
 *
 * Persistence: only the group epoch (ConsumerGroupMetadataValue) is written,
 * before the answer; members are not persisted. After a restart the group
 * keeps its epoch and its members rejoin (UNKNOWN_MEMBER_ID makes clients
 * rejoin with epoch 0). Operations run one at a time (heartbeats, timer
 * fences, topic changes): each mutates the state, writes the new epoch if it
 * changed, and if the write fails puts the previous state back and answers
 * the write's error — Kafka reverts its timeline the same way.
 */
import { ErrorCode } from "../protocol/errors.ts";
import { randomUuid } from "../protocol/io/uuid.ts";
import {
  EMPTY_PARTITIONS,
  pairsOf,
  type PartitionMap,
  partitionMapsEqual,
  partitionMapToList,
} from "./assignors/assignor.ts";
import {
  LEAVE_GROUP_MEMBER_EPOCH,
  LEAVE_GROUP_STATIC_MEMBER_EPOCH,
  SERVER_ASSIGNORS,
  supportedAssignors,
  validateConsumerHeartbeat,
} from "./consumer_heartbeat_rules.ts";
import { TopicRegexMatcher } from "./topic_regex.ts";
import { computeTarget, describeConsumerGroup, preferredAssignor, type TopicMeta } from "./consumer_target.ts";
import {
  type ConsumerMember,
  isReconciledTo,
  newMember,
  ownedIsSubsetOf,
  type OwnedPartitions,
  reconcile,
  sameMemberAssignmentState,
  sameSubscription,
  sortedUnique,
  withHeartbeatFields,
} from "./consumer_member.ts";
import type { ConsumerDescribedGroup, ConsumerHeartbeatArgs, ConsumerHeartbeatResult } from "./group_ops.ts";
import type { ConsumerGroupValue, Group, GroupEnv } from "./types.ts";

export {
  LEAVE_GROUP_MEMBER_EPOCH,
  LEAVE_GROUP_STATIC_MEMBER_EPOCH,
  SERVER_ASSIGNORS,
  supportedAssignors,
  validateConsumerHeartbeat,
};

/** An error answer; thrown inside an operation, caught by heartbeat(). */
class GroupError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

/** Everything an operation may change; maps are copied, their values are immutable. */
interface Snapshot {
  groupEpoch: number;
  assignmentEpoch: number;
  members: Map<string, ConsumerMember>;
  staticMembers: Map<string, string>;
  target: Map<string, PartitionMap>;
  subscriptionMetadata: ReadonlyMap<string, TopicMeta>;
  emptySinceMs: number;
}

function errorResult(errorCode: number, errorMessage: string | null): ConsumerHeartbeatResult {
  return { errorCode, errorMessage, memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null };
}

/** The member a heartbeat speaks for, and the member id a returning static member replaces. */
interface HeartbeatMember {
  member: ConsumerMember;
  replacedMemberId: string | null;
}

/** A static member joining: new, or back under a new id only if its previous instance left with epoch -2. */
function joiningStaticMember(
  memberId: string,
  instanceId: string,
  existing: ConsumerMember | undefined,
  known: ConsumerMember | undefined,
): HeartbeatMember {
  if (!existing) return { member: known ?? newMember(memberId), replacedMemberId: null };
  if (existing.memberEpoch !== LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
    throw new GroupError(
      ErrorCode.UNRELEASED_INSTANCE_ID,
      `Static member ${memberId} with instance id ${instanceId} cannot join the group because the instance id is owned by ${existing.memberId} member.`,
    );
  }
  return {
    member: { ...existing, memberId, memberEpoch: 0, previousMemberEpoch: 0 },
    replacedMemberId: existing.memberId,
  };
}

export class ConsumerGroup implements Group {
  readonly type = "consumer" as const;
  private groupEpoch: number;
  /** The epoch of the current target assignment (Kafka's targetAssignmentEpoch). */
  private assignmentEpoch: number;
  private members = new Map<string, ConsumerMember>();
  /** instance id → member id of static members. */
  private staticMembers = new Map<string, string>();
  /** member id → target partitions. */
  private target = new Map<string, PartitionMap>();
  /** Subscribed topics that exist: name → id and partition count. */
  private subscriptionMetadata: ReadonlyMap<string, TopicMeta> = new Map();
  private emptySinceMs: number;
  private dead = false;
  private queue: Promise<void> = Promise.resolve();
  private readonly assignors: string[];
  private readonly regexes = new TopicRegexMatcher();

  /**
   * A new group starts at epoch 0, as in Kafka 3.9–4.1, so its first join makes epoch 1. (Kafka 4.4 starts
   * at 1, KAFKA-20268, for assignments computed off the request path, which we do not have.)
   */
  constructor(readonly groupId: string, private readonly env: GroupEnv, epoch = 0) {
    this.groupEpoch = epoch;
    this.assignmentEpoch = epoch;
    this.emptySinceMs = env.now();
    this.assignors = supportedAssignors(env.config.consumerAssignors);
  }

  /** Start-up: the group epoch from ConsumerGroupMetadataValue; members rejoin. */
  static fromRecord(groupId: string, value: ConsumerGroupValue, env: GroupEnv): ConsumerGroup {
    return new ConsumerGroup(groupId, env, value.epoch);
  }

  // -------------------------------------------------------------------------
  // Group interface

  stateName(): string {
    if (this.dead) return "Dead";
    if (this.members.size === 0) return "Empty";
    if (this.groupEpoch > this.assignmentEpoch) return "Assigning";
    for (const m of this.members.values()) if (!isReconciledTo(m, this.assignmentEpoch)) return "Reconciling";
    return "Stable";
  }

  isEmpty(): boolean {
    return this.members.size === 0;
  }

  protocolType(): string {
    return "consumer";
  }

  /** Kafka's ConsumerGroup.validateOffsetCommit (non-transactional; every member here uses the consumer protocol). */
  validateOffsetCommit(
    memberId: string,
    _groupInstanceId: string | null,
    generationIdOrMemberEpoch: number,
    apiVersion: number,
  ): number {
    // Admin clients and consumers without group management commit with epoch -1: only while nobody is in the group.
    if (generationIdOrMemberEpoch < 0 && this.members.size === 0) return ErrorCode.NONE;
    const member = this.members.get(memberId);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    // KIP-848 members must commit with OffsetCommit v9+ (member epoch semantics).
    if (apiVersion < 9) return ErrorCode.UNSUPPORTED_VERSION;
    if (generationIdOrMemberEpoch !== member.memberEpoch) return ErrorCode.STALE_MEMBER_EPOCH;
    return ErrorCode.NONE;
  }

  /** Kafka's ConsumerGroup.validateOffsetFetch: no member id and a negative epoch is an admin fetch. */
  validateOffsetFetch(memberId: string | null, memberEpoch: number): number {
    if (memberId === null && memberEpoch < 0) return ErrorCode.NONE;
    const member = memberId === null ? undefined : this.members.get(memberId);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (memberEpoch !== member.memberEpoch) return ErrorCode.STALE_MEMBER_EPOCH;
    return ErrorCode.NONE;
  }

  shutdown(): void {
    this.dead = true;
    for (const id of this.members.keys()) this.clearTimers(id);
  }

  // -------------------------------------------------------------------------
  // Coordinator API

  isSubscribedTo(topic: string): boolean {
    for (const m of this.members.values()) if (this.subscribedNames(m).includes(topic)) return true;
    return false;
  }

  /** When the group last became Empty (its creation time if it never had members). */
  stateTimestampMs(): number {
    return this.emptySinceMs;
  }

  /** Resolves once every operation queued so far (heartbeats, timer fences, topic changes) has finished. */
  settled(): Promise<void> {
    return this.queue;
  }

  heartbeat(a: ConsumerHeartbeatArgs): Promise<ConsumerHeartbeatResult> {
    return this.serialize(async () => {
      if (this.dead) return errorResult(ErrorCode.NOT_COORDINATOR, null);
      const invalid = validateConsumerHeartbeat(a, this.assignors);
      if (invalid) return errorResult(invalid.errorCode, invalid.errorMessage);
      const snap = this.snapshot();
      try {
        const result = a.memberEpoch < 0 ? this.leave(a) : this.regularHeartbeat(a);
        const rc = await this.persistEpochSince(snap);
        return rc === ErrorCode.NONE ? result : errorResult(rc, null);
      } catch (e) {
        this.restore(snap);
        if (e instanceof GroupError) return errorResult(e.code, e.message);
        this.env.log.error(`[GroupId ${this.groupId}] heartbeat failed: ${(e as Error).stack ?? e}`);
        return errorResult(ErrorCode.UNKNOWN_SERVER_ERROR, null);
      }
    });
  }

  describe(): ConsumerDescribedGroup {
    return describeConsumerGroup({
      groupId: this.groupId,
      state: this.stateName(),
      groupEpoch: this.groupEpoch,
      assignmentEpoch: this.assignmentEpoch,
      assignorName: this.preferredAssignor(),
      members: [...this.members.values()],
      target: this.target,
      topics: this.env.topics,
    });
  }

  /**
   * Topics were created/deleted or grew partitions. When a subscribed topic
   * changed, the group epoch is bumped (and written); the next heartbeat
   * computes the new target assignment, as in Kafka.
   */
  onTopicsChanged(): void {
    void this.serialize(async () => {
      if (this.dead || this.members.size === 0) return;
      const snap = this.snapshot();
      if (!this.refreshSubscriptionMetadata()) return;
      this.groupEpoch++;
      this.env.log.info(`[GroupId ${this.groupId}] Subscribed topic metadata changed: group epoch ${this.groupEpoch}.`);
      await this.persistEpochSince(snap); // on failure the next heartbeat sees the change again
    });
  }

  // -------------------------------------------------------------------------
  // Heartbeats

  private regularHeartbeat(a: ConsumerHeartbeatArgs): ConsumerHeartbeatResult {
    this.checkCapacity(a.memberId);
    const memberId = a.memberId === "" ? randomUuid() : a.memberId;
    const { member, replacedMemberId } = this.heartbeatMember(a, memberId);

    // 1. Create or update the member.
    const updated = withHeartbeatFields(member, a);
    this.admitMember(memberId, replacedMemberId, a.instanceId);
    this.putMember(updated);

    // Kafka refreshes the subscribed topics' metadata when a subscription changed or the topics did; looking
    // them up on every heartbeat is cheap here and also catches a topic change whose epoch write failed.
    if (this.refreshSubscriptionMetadata() || !sameSubscription(member, updated)) this.groupEpoch++;

    // 2. A new target assignment when the group epoch moved on.
    if (this.groupEpoch > this.assignmentEpoch) this.computeTargetAssignment();

    // 3. Reconcile the member towards its target.
    const reconciled = this.reconcileMember(updated, a.topicPartitions);
    this.scheduleSessionTimeout(memberId);

    // The assignment goes out on a full request (join, or every field set after an error) or when it changed.
    const subscribed = a.subscribedTopicNames !== null || a.subscribedTopicRegex !== null;
    const full = a.memberEpoch === 0 || (a.rebalanceTimeoutMs !== -1 && subscribed && a.topicPartitions !== null);
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      memberId,
      memberEpoch: reconciled.memberEpoch,
      heartbeatIntervalMs: this.env.config.consumerHeartbeatIntervalMs,
      assignment: full || !partitionMapsEqual(member.assigned, reconciled.assigned)
        ? partitionMapToList(reconciled.assigned)
        : null,
    };
  }

  /** A member that is not in the group yet is turned away once the group is full. */
  private checkCapacity(memberId: string): void {
    const max = this.env.config.consumerMaxSize;
    if (this.members.size >= max && (memberId === "" || !this.members.has(memberId))) {
      throw new GroupError(
        ErrorCode.GROUP_MAX_SIZE_REACHED,
        `The consumer group has reached its maximum capacity of ${max} members.`,
      );
    }
  }

  /** The member a heartbeat speaks for (epoch checked; new on a join); a static one is found by instance id. */
  private heartbeatMember(a: ConsumerHeartbeatArgs, memberId: string): HeartbeatMember {
    const joining = a.memberEpoch === 0;
    if (a.instanceId === null) {
      const member = this.memberOrFail(memberId, joining);
      this.checkMemberEpoch(member, a.memberEpoch, a.topicPartitions);
      return { member, replacedMemberId: null };
    }
    const existing = this.staticMember(a.instanceId);
    if (joining) return joiningStaticMember(memberId, a.instanceId, existing, this.members.get(memberId));
    if (!existing) throw new GroupError(ErrorCode.UNKNOWN_MEMBER_ID, `Instance id ${a.instanceId} is unknown.`);
    if (existing.memberId !== memberId) {
      throw new GroupError(
        ErrorCode.FENCED_INSTANCE_ID,
        `Static member ${memberId} with instance id ${a.instanceId} was fenced by member ${existing.memberId}.`,
      );
    }
    this.checkMemberEpoch(existing, a.memberEpoch, a.topicPartitions);
    return { member: existing, replacedMemberId: null };
  }

  /** Logs a new member; a returning static member takes over the departed instance's target assignment. */
  private admitMember(memberId: string, replacedMemberId: string | null, instanceId: string | null): void {
    if (replacedMemberId === null) {
      if (!this.members.has(memberId)) {
        this.env.log.info(`[GroupId ${this.groupId}] Member ${memberId} joins the consumer group.`);
      }
      return;
    }
    const previousTarget = this.target.get(replacedMemberId);
    this.members.delete(replacedMemberId);
    this.target.delete(replacedMemberId);
    if (previousTarget) this.target.set(memberId, previousTarget);
    this.env.log.info(
      `[GroupId ${this.groupId}] Static member ${instanceId} rejoins as ${memberId}, replacing ${replacedMemberId}.`,
    );
  }

  /** One reconciliation step towards the member's target; the rebalance timer runs while it owes revocations. */
  private reconcileMember(updated: ConsumerMember, owned: OwnedPartitions): ConsumerMember {
    if (isReconciledTo(updated, this.assignmentEpoch)) return updated;
    const memberId = updated.memberId;
    const reconciled = reconcile(
      updated,
      this.assignmentEpoch,
      this.target.get(memberId) ?? EMPTY_PARTITIONS,
      owned,
      this.ownedByOthers(memberId),
    );
    if (!sameMemberAssignmentState(updated, reconciled)) {
      this.putMember(reconciled);
      if (reconciled.state === "unrevoked") {
        this.scheduleRebalanceTimeout(memberId, reconciled.memberEpoch, reconciled.rebalanceTimeoutMs);
      } else {
        this.env.timers.clear(this.timerKey("rebalance", memberId));
      }
    }
    return reconciled;
  }

  /** memberEpoch -1 (leave) or -2 (static member away, keeping its partitions until its session expires). */
  private leave(a: ConsumerHeartbeatArgs): ConsumerHeartbeatResult {
    if (a.instanceId === null) {
      this.memberOrFail(a.memberId, false);
      this.env.log.info(`[GroupId ${this.groupId}] Member ${a.memberId} left the consumer group.`);
      this.removeMember(a.memberId);
    } else {
      const m = this.staticMember(a.instanceId);
      if (!m) throw new GroupError(ErrorCode.UNKNOWN_MEMBER_ID, `Instance id ${a.instanceId} is unknown.`);
      if (m.memberId !== a.memberId) {
        throw new GroupError(
          ErrorCode.FENCED_INSTANCE_ID,
          `Static member ${a.memberId} with instance id ${a.instanceId} was fenced by member ${m.memberId}.`,
        );
      }
      if (a.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
        this.env.log.info(`[GroupId ${this.groupId}] Static member ${a.memberId} (${a.instanceId}) temporarily left.`);
        // Its partitions stay assigned (nobody else gets them) until it rejoins or its session expires.
        this.putMember({ ...m, memberEpoch: LEAVE_GROUP_STATIC_MEMBER_EPOCH, pendingRevocation: EMPTY_PARTITIONS });
      } else {
        this.env.log.info(`[GroupId ${this.groupId}] Static member ${a.memberId} (${a.instanceId}) left.`);
        this.removeMember(m.memberId);
      }
    }
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      memberId: a.memberId,
      memberEpoch: a.memberEpoch,
      heartbeatIntervalMs: 0,
      assignment: null,
    };
  }

  private memberOrFail(memberId: string, create: boolean): ConsumerMember {
    const m = this.members.get(memberId);
    if (m) return m;
    if (create) return newMember(memberId);
    throw new GroupError(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${memberId} is not a member of group ${this.groupId}.`);
  }

  private staticMember(instanceId: string): ConsumerMember | undefined {
    const id = this.staticMembers.get(instanceId);
    return id === undefined ? undefined : this.members.get(id);
  }

  /**
   * Kafka's throwIfConsumerGroupMemberEpochIsInvalid: a bigger epoch is
   * fenced; a smaller one too, except the member's previous epoch when it owns
   * only assigned partitions (the answer that moved it on was lost).
   */
  private checkMemberEpoch(m: ConsumerMember, received: number, owned: OwnedPartitions): void {
    const fenced = (what: string) =>
      new GroupError(
        ErrorCode.FENCED_MEMBER_EPOCH,
        `The consumer group member has a ${what} member epoch (${received}) than the one known by the group coordinator (${m.memberEpoch}). The member must abandon all its partitions and rejoin.`,
      );
    if (received > m.memberEpoch) throw fenced("greater");
    if (received < m.memberEpoch && (received !== m.previousMemberEpoch || !ownedIsSubsetOf(owned, m.assigned))) {
      throw fenced("smaller");
    }
  }

  // -------------------------------------------------------------------------
  // Membership and assignment

  private putMember(m: ConsumerMember): void {
    this.members.set(m.memberId, m);
    if (m.instanceId !== null) this.staticMembers.set(m.instanceId, m.memberId);
  }

  /** Kafka's consumerGroupFenceMember: drop the member, refresh the subscribed topics, bump the group epoch. */
  private removeMember(memberId: string): void {
    const m = this.members.get(memberId);
    if (!m) return;
    this.members.delete(memberId);
    if (m.instanceId !== null && this.staticMembers.get(m.instanceId) === memberId) {
      this.staticMembers.delete(m.instanceId);
    }
    this.target.delete(memberId);
    this.refreshSubscriptionMetadata();
    this.groupEpoch++;
    this.clearTimers(memberId);
    if (this.members.size === 0) this.emptySinceMs = this.env.now();
  }

  /**
   * The topics a member subscribes to: its names and, with a regex, every topic whose name matches. Kafka
   * resolves regexes off the request path, so a member's first heartbeats may see none of its topics; here the
   * topic names are at hand and the regex is resolved at once.
   */
  private subscribedNames(m: ConsumerMember): readonly string[] {
    if (m.subscribedTopicRegex === "") return m.subscribedTopicNames;
    const matched = this.regexes.match(m.subscribedTopicRegex);
    return m.subscribedTopicNames.length === 0 ? matched : sortedUnique([...m.subscribedTopicNames, ...matched]);
  }

  /** Recomputes the subscribed topics' metadata; true when it changed. */
  private refreshSubscriptionMetadata(): boolean {
    if ([...this.members.values()].some((m) => m.subscribedTopicRegex !== "")) {
      this.regexes.refresh(this.env.topics.names());
    }
    const names = new Set<string>();
    for (const m of this.members.values()) for (const n of this.subscribedNames(m)) names.add(n);
    const meta = new Map<string, TopicMeta>();
    for (const name of [...names].sort()) {
      const info = this.env.topics.byName(name);
      if (info) meta.set(name, { topicId: info.topicId, partitions: info.partitions });
    }
    const old = this.subscriptionMetadata;
    const same = old.size === meta.size &&
      [...meta].every(([n, t]) => old.get(n)?.topicId === t.topicId && old.get(n)?.partitions === t.partitions);
    if (same) return false;
    this.subscriptionMetadata = meta;
    return true;
  }

  private preferredAssignor(): string {
    return preferredAssignor(this.members.values(), this.assignors);
  }

  private computeTargetAssignment(): void {
    const name = this.preferredAssignor();
    this.target = computeTarget(
      [...this.members.values()],
      this.target,
      this.subscriptionMetadata,
      (m) => this.subscribedNames(m),
      SERVER_ASSIGNORS.get(name)!,
    );
    this.assignmentEpoch = this.groupEpoch;
    this.env.log.info(
      `[GroupId ${this.groupId}] Computed a new target assignment for epoch ${this.groupEpoch} with '${name}' assignor.`,
    );
  }

  /** Whether a member other than `memberId` still holds the partition (assigned or pending revocation). */
  private ownedByOthers(memberId: string): (topicId: string, partition: number) => boolean {
    const held = new Set<string>();
    for (const m of this.members.values()) {
      if (m.memberId === memberId) continue;
      for (const [t, p] of pairsOf(m.assigned)) held.add(`${t}\u0000${p}`);
      for (const [t, p] of pairsOf(m.pendingRevocation)) held.add(`${t}\u0000${p}`);
    }
    return (t, p) => held.has(`${t}\u0000${p}`);
  }

  // -------------------------------------------------------------------------
  // Timers

  private timerKey(kind: "session" | "rebalance", memberId: string): string {
    return JSON.stringify(["consumer", kind, this.groupId, memberId]);
  }

  private clearTimers(memberId: string): void {
    this.env.timers.clear(this.timerKey("session", memberId));
    this.env.timers.clear(this.timerKey("rebalance", memberId));
  }

  private scheduleSessionTimeout(memberId: string): void {
    this.env.timers.set(this.timerKey("session", memberId), this.env.config.consumerSessionTimeoutMs, () => {
      this.fenceLater(memberId, null, "the member session expired");
    });
  }

  /** A member asked to revoke must do so (and heartbeat it) within its rebalance timeout, or it is fenced. */
  private scheduleRebalanceTimeout(memberId: string, memberEpoch: number, timeoutMs: number): void {
    this.env.timers.set(this.timerKey("rebalance", memberId), timeoutMs, () => {
      this.fenceLater(memberId, memberEpoch, `it failed to transition from epoch ${memberEpoch} in ${timeoutMs}ms`);
    });
  }

  /** Removes the member (if still there, and still at `epoch` when given) as a queued operation. */
  private fenceLater(memberId: string, epoch: number | null, reason: string): void {
    void this.serialize(async () => {
      const m = this.members.get(memberId);
      if (this.dead || !m || (epoch !== null && m.memberEpoch !== epoch)) return;
      this.env.log.info(`[GroupId ${this.groupId}] Member ${memberId} fenced from the group because ${reason}.`);
      const snap = this.snapshot();
      this.removeMember(memberId);
      // When the epoch cannot be written the member stays; its session timer tries again.
      if (await this.persistEpochSince(snap) !== ErrorCode.NONE) this.scheduleSessionTimeout(memberId);
    });
  }

  // -------------------------------------------------------------------------
  // Operations: one at a time, state restored when the epoch write fails

  private serialize<T>(op: () => Promise<T>): Promise<T> {
    const result = this.queue.then(op);
    this.queue = result.then(() => {}, () => {});
    return result;
  }

  /** Writes the group epoch if it changed since `snap`; on failure restores `snap`. */
  private async persistEpochSince(snap: Snapshot): Promise<number> {
    if (this.groupEpoch === snap.groupEpoch) return ErrorCode.NONE;
    const rc = await this.env.persist([{ kind: "consumer", groupId: this.groupId, value: { epoch: this.groupEpoch } }]);
    if (rc !== ErrorCode.NONE) {
      this.env.log.warn(`[GroupId ${this.groupId}] Writing group epoch ${this.groupEpoch} failed (error ${rc}).`);
      this.restore(snap);
    }
    return rc;
  }

  private snapshot(): Snapshot {
    return {
      groupEpoch: this.groupEpoch,
      assignmentEpoch: this.assignmentEpoch,
      members: new Map(this.members),
      staticMembers: new Map(this.staticMembers),
      target: new Map(this.target),
      subscriptionMetadata: this.subscriptionMetadata,
      emptySinceMs: this.emptySinceMs,
    };
  }

  private restore(s: Snapshot): void {
    this.groupEpoch = s.groupEpoch;
    this.assignmentEpoch = s.assignmentEpoch;
    this.members = s.members;
    this.staticMembers = s.staticMembers;
    this.target = s.target;
    this.subscriptionMetadata = s.subscriptionMetadata;
    this.emptySinceMs = s.emptySinceMs;
  }
}
