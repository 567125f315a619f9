/**
 * Kafka's classic rebalance protocol for one group: JoinGroup, SyncGroup,
 * Heartbeat and LeaveGroup over the states Empty → PreparingRebalance →
 * CompletingRebalance → Stable (and Dead once unloaded or deleted), as
 * Kafka 3.9's group coordinator runs them (GroupMetadataManager's classic
 * part and ClassicGroup).
 *
 * A rebalance: some change (a new member, a rejoining leader, changed
 * metadata, a member leaving or timing out) moves the group to
 * PreparingRebalance. Every member must send JoinGroup again; each request is
 * parked until all known members have rejoined or the rebalance timeout (the
 * largest of the members') runs out, and members that did not rejoin are
 * dropped. Then the generation is incremented, a protocol is chosen by vote,
 * and every parked JoinGroup is answered (the leader gets the members and
 * their metadata): CompletingRebalance. Members send SyncGroup; the leader's
 * carries the assignment, which is written to __consumer_offsets before
 * anyone receives theirs: Stable. Members that never send SyncGroup within
 * the rebalance timeout are dropped and the group rebalances again.
 *
 * Nothing here does I/O: clock, timers, config and `persist` come from
 * GroupEnv. Timer keys start with the group id so groups share one table.
 *
 * Where JavaScript differs from Kafka's futures: a JoinGroup or SyncGroup that
 * Kafka would silently drop (the same member sending another one while the
 * first is parked, or a parked member removed by an admin LeaveGroup) is
 * answered here (REBALANCE_IN_PROGRESS, UNKNOWN_MEMBER_ID) so no promise is
 * left pending forever.
 *
 * The group is one class chain split by concern: classic_rebalance.ts holds
 * the state and the rebalance steps, classic_join.ts JoinGroup, and this file
 * what is left (construction from a record, the Group interface, views,
 * SyncGroup, Heartbeat, LeaveGroup). Callers see only ClassicGroup.
 */
import { ErrorCode } from "../protocol/errors.ts";
import { ClassicMember, joinError, syncError } from "./classic_member.ts";
import { ClassicJoin } from "./classic_join.ts";
import { EMPTY_BYTES, once, reasonSuffix } from "./classic_rebalance.ts";
import type {
  DescribedGroup,
  HeartbeatArgs,
  LeaveGroupArgs,
  LeaveGroupResult,
  SyncGroupArgs,
  SyncGroupResult,
} from "./group_ops.ts";
import type { ClassicGroupValue, ClassicMemberValue, Group, GroupEnv } from "./types.ts";

export type { ClassicGroupState } from "./classic_rebalance.ts";
export { NEW_MEMBER_JOIN_TIMEOUT_MS } from "./classic_join.ts";

export class ClassicGroup extends ClassicJoin implements Group {
  readonly type = "classic" as const;

  /** Rebuild from a persisted GroupMetadataValue at start-up (Empty if no members, else Stable with session timers started). */
  static fromRecord(groupId: string, value: ClassicGroupValue, env: GroupEnv): ClassicGroup {
    const group = new ClassicGroup(groupId, env, value.members.length === 0 ? "Empty" : "Stable");
    group.generationId = value.generation;
    group.protocolName = value.protocol;
    group.roster.leaderId = value.leader;
    group.stateTimestamp = value.currentStateTimestamp < 0n ? null : Number(value.currentStateTimestamp);
    for (const m of value.members) {
      const member = new ClassicMember(
        m.memberId,
        m.groupInstanceId,
        m.clientId,
        m.clientHost,
        m.rebalanceTimeoutMs === -1 ? m.sessionTimeoutMs : m.rebalanceTimeoutMs,
        m.sessionTimeoutMs,
        value.protocolType,
        [{ name: value.protocol ?? "", metadata: m.subscription }],
      );
      member.assignment = m.assignment;
      group.roster.add(member, null);
    }
    group.roster.protocolType = value.protocolType === "" ? null : value.protocolType;
    if (group.roster.leaderId !== null && !group.roster.members.has(group.roster.leaderId)) {
      group.roster.leaderId = group.roster.members.keys().next().value ?? null;
    }
    group.subscribedTopics = group.computeSubscribedTopics();
    for (const member of group.roster.members.values()) group.scheduleSessionTimeout(member, member.sessionTimeoutMs);
    if (group.roster.members.size > env.config.maxSize) {
      // group.max.size was lowered: rebalance so members beyond it are turned away (Kafka does the same at load).
      group.prepareRebalance(
        `loaded with ${group.roster.members.size} members, above group.max.size ${env.config.maxSize}`,
      );
    }
    return group;
  }

  // ---------------------------------------------------------------------------
  // Group interface

  stateName(): string {
    return this.state;
  }

  isEmpty(): boolean {
    return this.state === "Empty";
  }

  protocolType(): string {
    return this.roster.protocolType ?? "";
  }

  /** The current generation (for tests and logs). */
  generation(): number {
    return this.generationId;
  }

  /** The current leader's member id, null when the group has no members. */
  leader(): string | null {
    return this.roster.leaderId;
  }

  /** Member ids in the group (not the pending ones). */
  memberIds(): string[] {
    return [...this.roster.members.keys()];
  }

  /** when the group last changed state (ms); -1 when unknown (a record without it was loaded). */
  stateTimestampMs(): number {
    return this.stateTimestamp ?? -1;
  }

  validateOffsetCommit(
    memberId: string,
    groupInstanceId: string | null,
    generationIdOrMemberEpoch: number,
    _apiVersion: number,
  ): number {
    if (this.state === "Dead") return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    // Generation -1 on an empty group: the admin client or a consumer managing its own partitions.
    if (generationIdOrMemberEpoch < 0 && this.state === "Empty") return ErrorCode.NONE;
    if (generationIdOrMemberEpoch >= 0 || memberId !== "" || groupInstanceId !== null) {
      const error = this.roster.validate(memberId, groupInstanceId);
      if (error !== ErrorCode.NONE) return error;
      if (generationIdOrMemberEpoch !== this.generationId) return ErrorCode.ILLEGAL_GENERATION;
    } else if (this.state !== "Empty") {
      // No member id nor generation (old clients): only an empty group takes such commits.
      return ErrorCode.UNKNOWN_MEMBER_ID;
    }
    // The member has the new generation but not its assignment yet: let it retry after SyncGroup.
    if (this.state === "CompletingRebalance") return ErrorCode.REBALANCE_IN_PROGRESS;
    return ErrorCode.NONE;
  }

  /** Classic groups do not check OffsetFetch's member fields; a Dead group is one that no longer exists. */
  validateOffsetFetch(_memberId: string | null, _memberEpoch: number): number {
    return this.state === "Dead" ? ErrorCode.GROUP_ID_NOT_FOUND : ErrorCode.NONE;
  }

  /** Unloaded or deleted: the group is Dead, parked requests get NOT_COORDINATOR, timers stop. */
  shutdown(): void {
    if (this.state !== "Dead") this.transitionTo("Dead");
    for (const member of this.roster.members.values()) {
      this.roster.completeJoin(member, joinError(member.memberId, ErrorCode.NOT_COORDINATOR));
      this.roster.completeSync(member, syncError(ErrorCode.NOT_COORDINATOR));
    }
    for (const key of this.timerKeys) this.env.timers.clear(key);
    this.timerKeys.clear();
  }

  /**
   * For offset expiry: whether a "consumer" protocol group's members subscribe
   * to `topic`; undefined when that is not known (another protocol type, no
   * chosen protocol yet, or metadata that does not parse).
   */
  isSubscribedTo(topic: string): boolean | undefined {
    return this.subscribedTopics === undefined ? undefined : this.subscribedTopics.has(topic);
  }

  /** DescribeGroups: member metadata and the protocol only while Stable (Kafka 3.9). */
  describe(): DescribedGroup {
    const stable = this.state === "Stable";
    return {
      errorCode: ErrorCode.NONE,
      groupId: this.groupId,
      groupState: this.state,
      protocolType: this.protocolType(),
      protocolData: stable ? this.protocolName ?? "" : "",
      members: [...this.roster.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        memberMetadata: stable ? m.metadata(this.protocolName) : EMPTY_BYTES,
        memberAssignment: m.assignment,
      })),
    };
  }

  /**
   * The GroupMetadataValue describing the group now. During the first
   * rebalance after Empty no protocol is chosen yet, so members are left out:
   * what is on disk then is the empty group.
   */
  toRecord(assignments?: Map<string, Uint8Array>): ClassicGroupValue {
    const members: ClassicMemberValue[] = [];
    if (this.protocolName !== null) {
      for (const m of this.roster.members.values()) {
        members.push({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          rebalanceTimeoutMs: m.rebalanceTimeoutMs,
          sessionTimeoutMs: m.sessionTimeoutMs,
          subscription: m.metadata(this.protocolName),
          assignment: assignments?.get(m.memberId) ?? m.assignment,
        });
      }
    }
    return {
      protocolType: this.protocolType(),
      generation: this.generationId,
      protocol: this.protocolName,
      leader: members.length === 0 ? null : this.roster.leaderId,
      currentStateTimestamp: BigInt(this.stateTimestampMs()),
      members,
    };
  }

  // ---------------------------------------------------------------------------
  // SyncGroup

  /** Followers wait for the leader's assignment; the leader's SyncGroup persists it first. */
  sync(args: SyncGroupArgs): Promise<SyncGroupResult> {
    return new Promise((resolve) => this.handleSync(args, once(resolve)));
  }

  private handleSync(args: SyncGroupArgs, reply: (r: SyncGroupResult) => void): void {
    if (this.state === "Empty") return reply(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    const error = this.validateSync(args);
    if (error !== ErrorCode.NONE) return reply(syncError(error));

    const member = this.roster.members.get(args.memberId)!;
    switch (this.state) {
      case "PreparingRebalance":
        return reply(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
      case "CompletingRebalance": {
        // A second SyncGroup from the same member replaces the first, which is told to retry.
        this.roster.completeSync(member, syncError(ErrorCode.REBALANCE_IN_PROGRESS));
        member.syncWaiter = reply;
        this.removePendingSyncMember(member.memberId);
        // Only the leader's assignments count; a follower's are ignored, as Kafka does.
        if (this.roster.isLeader(member.memberId)) this.applyLeaderAssignment(args);
        return;
      }
      case "Stable":
        this.removePendingSyncMember(member.memberId);
        return reply({
          errorCode: ErrorCode.NONE,
          protocolType: this.roster.protocolType,
          protocolName: this.protocolName,
          assignment: member.assignment,
        });
    }
  }

  private validateSync(args: SyncGroupArgs): number {
    if (this.state === "Dead") return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const error = this.roster.validate(args.memberId, args.groupInstanceId);
    if (error !== ErrorCode.NONE) return error;
    if (args.generationId !== this.generationId) return ErrorCode.ILLEGAL_GENERATION;
    // SyncGroup v5+ names the protocol it joined with; a mismatch means it joined another generation's choice.
    if (
      isInconsistent(args.protocolType, this.roster.protocolType) ||
      isInconsistent(args.protocolName, this.protocolName)
    ) {
      return ErrorCode.INCONSISTENT_GROUP_PROTOCOL;
    }
    return ErrorCode.NONE;
  }

  private applyLeaderAssignment(args: SyncGroupArgs): void {
    const assignment = new Map<string, Uint8Array>();
    for (const a of args.assignments) assignment.set(a.memberId, a.assignment);
    const missing: string[] = [];
    for (const id of this.roster.members.keys()) {
      if (!assignment.has(id)) {
        missing.push(id);
        assignment.set(id, EMPTY_BYTES);
      }
    }
    if (missing.length > 0) {
      this.env.log.warn(
        `group ${this.groupId} generation ${this.generationId}: leader gave no assignment to ${missing.join(", ")}`,
      );
    }
    this.info(`assignment received from leader ${args.memberId} for generation ${this.generationId}`);
    const generation = this.generationId;
    void this.persistGroup(assignment).then((error) => {
      // Someone may have joined or left while the write was under way: then a new round has begun.
      if (this.state !== "CompletingRebalance" || this.generationId !== generation) return;
      if (error !== ErrorCode.NONE) {
        this.resetAndPropagateAssignmentError(error);
        this.maybePrepareRebalanceOrCompleteJoin(`error ${error} storing the assignment of generation ${generation}`);
      } else {
        this.setAndPropagateAssignment(assignment);
        this.transitionTo("Stable");
      }
    });
  }

  // ---------------------------------------------------------------------------
  // Heartbeat and LeaveGroup

  /** Error code; a valid heartbeat restarts the member's session timer. */
  heartbeat(args: HeartbeatArgs): number {
    if (this.state === "Dead") return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const error = this.roster.validate(args.memberId, args.groupInstanceId);
    if (error !== ErrorCode.NONE) return error;
    if (args.generationId !== this.generationId) return ErrorCode.ILLEGAL_GENERATION;
    if (this.state === "Empty") return ErrorCode.UNKNOWN_MEMBER_ID;
    const member = this.roster.members.get(args.memberId)!;
    this.scheduleSessionTimeout(member, member.sessionTimeoutMs);
    // During PreparingRebalance the heartbeat is how members learn they must rejoin.
    return this.state === "PreparingRebalance" ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE;
  }

  /**
   * LeaveGroup (batched from v3; by group.instance.id alone for admin removal).
   * Resolves after the group record is written when the last member leaves.
   */
  async leave(args: LeaveGroupArgs): Promise<LeaveGroupResult> {
    if (this.state === "Dead") return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: [] };
    const writes: Promise<number>[] = [];
    this.opWrites = writes;
    const results: LeaveGroupResult["members"] = [];
    try {
      for (const m of args.members) {
        results.push({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode: this.leaveOne(m) });
      }
      const left = results.filter((r) => r.errorCode === ErrorCode.NONE).map((r) => r.memberId || r.groupInstanceId);
      if (left.length > 0) {
        const why = `LeaveGroup from ${left.join(", ")}`;
        if (this.state === "Stable" || this.state === "CompletingRebalance") {
          this.maybePrepareRebalanceOrCompleteJoin(why);
        } else if (this.state === "PreparingRebalance") this.maybeCompleteJoinPhase();
      }
    } finally {
      this.opWrites = null;
    }
    for (const error of await Promise.all(writes)) {
      // Kafka answers the whole request with the write's error.
      if (error !== ErrorCode.NONE) return { errorCode: error, members: [] };
    }
    return { errorCode: ErrorCode.NONE, members: results };
  }

  private leaveOne(m: { memberId: string; groupInstanceId: string | null; reason: string | null }): number {
    if (m.memberId === "") {
      // Admin removal of a static member by its instance id.
      const current = m.groupInstanceId === null ? undefined : this.roster.staticMembers.get(m.groupInstanceId);
      if (current === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
      this.removeLeavingMember(current, m.reason);
      return ErrorCode.NONE;
    }
    if (this.roster.pendingJoin.has(m.memberId)) {
      this.roster.pendingJoin.delete(m.memberId);
      this.clearTimer(this.sessionKey(m.memberId));
      this.info(`pending member ${m.memberId} left${reasonSuffix(m.reason)}`);
      return ErrorCode.NONE;
    }
    const error = this.roster.validate(m.memberId, m.groupInstanceId);
    if (error !== ErrorCode.NONE) return error;
    this.removeLeavingMember(m.memberId, m.reason);
    return ErrorCode.NONE;
  }

  private removeLeavingMember(memberId: string, reason: string | null): void {
    const member = this.roster.members.get(memberId)!;
    this.clearTimer(this.sessionKey(memberId));
    this.info(`member ${memberId} left${reasonSuffix(reason)}`);
    this.roster.completeJoin(member, joinError("", ErrorCode.UNKNOWN_MEMBER_ID));
    this.roster.completeSync(member, syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    this.roster.remove(memberId);
  }
}

function isInconsistent(requested: string | null, current: string | null): boolean {
  return requested !== null && current !== null && requested !== current;
}
