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
 */
import { ErrorCode } from "../protocol/errors.ts";
import { Reader } from "../protocol/io/reader.ts";
import { decodeConsumerProtocolSubscription } from "../protocol/generated/consumer_protocol_subscription.ts";
import {
  ClassicMember,
  type ClassicProtocol,
  ClassicRoster,
  joinError,
  type JoinReply,
  syncError,
} from "./classic_member.ts";
import type {
  DescribedGroup,
  HeartbeatArgs,
  JoinGroupArgs,
  JoinGroupResult,
  LeaveGroupArgs,
  LeaveGroupResult,
  SyncGroupArgs,
  SyncGroupResult,
} from "./group_ops.ts";
import type { ClassicGroupValue, ClassicMemberValue, Group, GroupEnv } from "./types.ts";

export type ClassicGroupState = "Empty" | "PreparingRebalance" | "CompletingRebalance" | "Stable" | "Dead";

/** Kafka's allowed transitions: target state → states it may be entered from. */
const VALID_PREVIOUS: Record<ClassicGroupState, ClassicGroupState[]> = {
  Empty: ["PreparingRebalance"],
  PreparingRebalance: ["Stable", "CompletingRebalance", "Empty"],
  CompletingRebalance: ["PreparingRebalance"],
  Stable: ["CompletingRebalance"],
  Dead: ["Stable", "PreparingRebalance", "CompletingRebalance", "Empty", "Dead"],
};

/**
 * Kafka's new-member join timeout (classicGroupNewMemberJoinTimeoutMs): a new
 * member cannot heartbeat while its first JoinGroup is parked, so it gets this
 * long before being dropped; if still alive, it retries.
 */
export const NEW_MEMBER_JOIN_TIMEOUT_MS = 5 * 60 * 1000;

const CONSUMER_PROTOCOL_TYPE = "consumer";
const EMPTY_BYTES = new Uint8Array(0);

export class ClassicGroup implements Group {
  readonly type = "classic" as const;

  private state: ClassicGroupState;
  private previousState: ClassicGroupState = "Dead";
  /** When the group last changed state (ms); null for records written before Kafka kept it. */
  private stateTimestamp: number | null;
  private generationId = 0;
  private protocolName: string | null = null;
  private readonly roster = new ClassicRoster();
  /** Topics the members subscribe to (protocol type "consumer" only); undefined when not known. */
  private subscribedTopics: Set<string> | undefined = undefined;
  /** A member joined during the initial delay, which extends the delay (Kafka's InitialDelayedJoin). */
  private newMemberAdded = false;
  /** Keys of the timers this group has set, so shutdown() can clear them. */
  private readonly timerKeys = new Set<string>();

  constructor(readonly groupId: string, private readonly env: GroupEnv, initialState: ClassicGroupState = "Empty") {
    this.state = initialState;
    this.stateTimestamp = env.now();
  }

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
  // JoinGroup

  /** Resolves when the member's join completes: at once for errors and unchanged rejoins, else at the end of the join phase. */
  join(args: JoinGroupArgs): Promise<JoinGroupResult> {
    return new Promise((resolve) => this.handleJoin(args, once(resolve)));
  }

  private handleJoin(args: JoinGroupArgs, reply: JoinReply): void {
    const { minSessionTimeoutMs, maxSessionTimeoutMs } = this.env.config;
    if (args.sessionTimeoutMs < minSessionTimeoutMs || args.sessionTimeoutMs > maxSessionTimeoutMs) {
      return reply(joinError(args.memberId, ErrorCode.INVALID_SESSION_TIMEOUT));
    }
    if (!this.acceptJoiningMember(args.memberId)) {
      // Over group.max.size: a member that had not rejoined this round is the one turned away.
      this.removeMemberQuietly(args.memberId);
      return reply(joinError("", ErrorCode.GROUP_MAX_SIZE_REACHED));
    }
    if (args.memberId === "") this.joinNewMember(args, reply);
    else this.joinExistingMember(args, reply);
  }

  private acceptJoiningMember(memberId: string): boolean {
    const max = this.env.config.maxSize;
    switch (this.state) {
      case "Empty":
      case "Dead":
        return true;
      case "PreparingRebalance": {
        // Counting members that rejoined (not the group size) lets a lowered limit
        // turn away the last ones to rejoin.
        const member = this.roster.members.get(memberId);
        return (member !== undefined && member.isAwaitingJoin) || this.roster.numAwaitingJoin < max;
      }
      case "CompletingRebalance":
      case "Stable":
        return this.roster.members.has(memberId) || this.roster.members.size < max;
    }
  }

  private joinNewMember(args: JoinGroupArgs, reply: JoinReply): void {
    if (this.state === "Dead") return reply(joinError("", ErrorCode.COORDINATOR_NOT_AVAILABLE));
    if (!this.roster.supports(args.protocolType, args.protocols, this.state === "Empty")) {
      return reply(joinError("", ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    }
    // Kafka: "<group.instance.id or client.id>-<random UUID>".
    const newMemberId = `${args.groupInstanceId ?? args.clientId}-${crypto.randomUUID()}`;
    if (args.groupInstanceId !== null) {
      const existing = this.roster.staticMembers.get(args.groupInstanceId);
      if (existing !== undefined) {
        this.info(`static member ${args.groupInstanceId} rejoins with a new member id; replacing ${existing}`);
        return this.updateStaticMember(args, existing, newMemberId, reply);
      }
      return this.addMemberAndRebalance(args, newMemberId, reply);
    }
    if (args.requireKnownMemberId) {
      // JoinGroup v4+: hand out the id and wait for the member to join with it; the
      // session timeout forgets it if it never does.
      this.roster.pendingJoin.add(newMemberId);
      this.setTimer(this.sessionKey(newMemberId), args.sessionTimeoutMs, () => this.expireSession(newMemberId));
      return reply(joinError(newMemberId, ErrorCode.MEMBER_ID_REQUIRED));
    }
    this.addMemberAndRebalance(args, newMemberId, reply);
  }

  private joinExistingMember(args: JoinGroupArgs, reply: JoinReply): void {
    const memberId = args.memberId;
    if (this.state === "Dead") return reply(joinError(memberId, ErrorCode.COORDINATOR_NOT_AVAILABLE));
    if (!this.roster.supports(args.protocolType, args.protocols, this.state === "Empty")) {
      return reply(joinError(memberId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    }
    if (this.roster.pendingJoin.has(memberId)) {
      // Pending ids are only handed to dynamic members; Kafka fails such a request as an internal error.
      if (args.groupInstanceId !== null) return reply(joinError(memberId, ErrorCode.UNKNOWN_SERVER_ERROR));
      return this.addMemberAndRebalance(args, memberId, reply);
    }
    const error = this.roster.validate(memberId, args.groupInstanceId);
    if (error !== ErrorCode.NONE) return reply(joinError(memberId, error));

    const member = this.roster.members.get(memberId)!;
    switch (this.state) {
      case "PreparingRebalance":
        return this.updateMemberAndRebalance(member, args, reply, `member ${memberId} rejoins`);
      case "CompletingRebalance":
        if (member.matches(args.protocols)) {
          // Same metadata: it probably lost the first answer; give this generation again.
          return reply(this.joinResult(member, this.roster.isLeader(memberId)));
        }
        return this.updateMemberAndRebalance(member, args, reply, `member ${memberId} changed its metadata`);
      case "Stable":
        if (this.roster.isLeader(memberId)) {
          // The leader rejoins to have assignments redone (e.g. topic metadata changed).
          return this.updateMemberAndRebalance(member, args, reply, `leader ${memberId} rejoins`);
        }
        if (!member.matches(args.protocols)) {
          return this.updateMemberAndRebalance(member, args, reply, `member ${memberId} changed its metadata`);
        }
        // A follower with nothing new: the current generation, so it can SyncGroup for its assignment.
        return reply(this.joinResult(member, false));
      case "Empty":
        // Cannot happen with a known member; let the client reset and join afresh.
        return reply(joinError(memberId, ErrorCode.UNKNOWN_MEMBER_ID));
    }
  }

  private addMemberAndRebalance(args: JoinGroupArgs, memberId: string, reply: JoinReply): void {
    const member = new ClassicMember(
      memberId,
      args.groupInstanceId,
      args.clientId,
      args.clientHost,
      args.rebalanceTimeoutMs,
      args.sessionTimeoutMs,
      args.protocolType,
      copyProtocols(args.protocols),
    );
    member.isNew = true;
    // During the first rebalance, a newcomer extends the initial delay.
    if (this.state === "PreparingRebalance" && this.previousState === "Empty") this.newMemberAdded = true;
    this.roster.add(member, reply);
    this.scheduleSessionTimeout(member, NEW_MEMBER_JOIN_TIMEOUT_MS);
    this.maybePrepareRebalanceOrCompleteJoin(
      `new member ${memberId}${args.groupInstanceId !== null ? ` (instance ${args.groupInstanceId})` : ""} joins` +
        reasonSuffix(args.reason),
    );
  }

  private updateMemberAndRebalance(member: ClassicMember, args: JoinGroupArgs, reply: JoinReply, why: string): void {
    this.roster.update(member, copyProtocols(args.protocols), args.rebalanceTimeoutMs, args.sessionTimeoutMs, reply);
    this.maybePrepareRebalanceOrCompleteJoin(why + reasonSuffix(args.reason));
  }

  /**
   * A static member came back with a new member id (KIP-345): the new id takes
   * over the old one's place and assignment, and the old id is fenced. In a
   * Stable group whose chosen protocol stays the same there is no rebalance:
   * the change is persisted and the member gets the current generation.
   */
  private updateStaticMember(args: JoinGroupArgs, oldMemberId: string, newMemberId: string, reply: JoinReply): void {
    const instanceId = args.groupInstanceId!;
    const currentLeader = this.roster.leaderId;
    const member = this.replaceStaticMember(instanceId, oldMemberId, newMemberId);
    this.scheduleSessionTimeout(member, member.sessionTimeoutMs);
    const old = { protocols: member.protocols, rebalance: member.rebalanceTimeoutMs, session: member.sessionTimeoutMs };
    this.roster.update(member, copyProtocols(args.protocols), args.rebalanceTimeoutMs, args.sessionTimeoutMs, reply);

    if (this.state === "Stable") {
      if (this.protocolName === this.roster.selectProtocol()) {
        this.info(`static member ${instanceId} rejoined a Stable group without changing its protocol: no rebalance`);
        const generation = this.generationId;
        void this.persistGroup().then((error) => {
          if (error !== ErrorCode.NONE) {
            this.env.log.warn(
              `group ${this.groupId}: could not persist static member ${instanceId} as ${newMemberId} ` +
                `(error ${error}); reverting to ${oldMemberId}`,
            );
            if (
              this.roster.members.get(newMemberId) === member &&
              this.roster.staticMembers.get(instanceId) === newMemberId
            ) {
              this.roster.update(member, old.protocols, old.rebalance, old.session, null);
              const restored = this.replaceStaticMember(instanceId, newMemberId, oldMemberId);
              this.scheduleSessionTimeout(restored, restored.sessionTimeoutMs);
            }
            reply({
              errorCode: error,
              generationId: this.generationId,
              protocolType: this.roster.protocolType,
              protocolName: this.protocolName,
              leader: currentLeader ?? "",
              memberId: "",
              members: [],
            });
            return;
          }
          // The answer names the leader as it was, so a replaced leader does not
          // run an assignment that a Stable group would ignore (JoinGroup before v9).
          this.roster.completeJoin(member, {
            errorCode: ErrorCode.NONE,
            generationId: generation,
            protocolType: this.roster.protocolType,
            protocolName: this.protocolName,
            leader: currentLeader ?? "",
            memberId: newMemberId,
            members: [],
          });
        });
        return;
      }
      return this.maybePrepareRebalanceOrCompleteJoin(
        `static member ${instanceId} rejoined with protocols that change the group's choice`,
      );
    }
    if (this.state === "CompletingRebalance") {
      // The leader may be assigning to the old id: start over so the new id gets an assignment.
      return this.prepareRebalance(`static member ${instanceId} rejoined as ${newMemberId} during CompletingRebalance`);
    }
    this.maybeCompleteJoinPhase();
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

  // ---------------------------------------------------------------------------
  // Rebalance machinery

  private maybePrepareRebalanceOrCompleteJoin(reason: string): void {
    if (this.canRebalance()) this.prepareRebalance(reason);
    else this.maybeCompleteJoinPhase();
  }

  private canRebalance(): boolean {
    return VALID_PREVIOUS.PreparingRebalance.includes(this.state);
  }

  private prepareRebalance(reason: string): void {
    // Members waiting in SyncGroup must rejoin.
    if (this.state === "CompletingRebalance") this.resetAndPropagateAssignmentError(ErrorCode.REBALANCE_IN_PROGRESS);
    this.removeSyncExpiration();

    const initial = this.state === "Empty";
    if (initial) {
      // A new group waits group.initial.rebalance.delay.ms for more members, so a
      // starting fleet of consumers does not rebalance once per member.
      const delay = this.env.config.initialRebalanceDelayMs;
      const remaining = Math.max(this.roster.rebalanceTimeoutMs() - delay, 0);
      this.setTimer(this.joinKey(), delay, () => this.tryCompleteInitialRebalance(delay, remaining));
    }
    this.transitionTo("PreparingRebalance");
    this.info(`preparing to rebalance at generation ${this.generationId} (reason: ${reason})`);
    if (!initial) this.maybeCompleteJoinElseSchedule();
  }

  private maybeCompleteJoinElseSchedule(): void {
    if (this.roster.hasAllJoined()) this.completeJoinPhase();
    else this.setTimer(this.joinKey(), this.roster.rebalanceTimeoutMs(), () => this.completeJoinPhase());
  }

  /** Kafka's InitialDelayedJoin: each new member extends the delay, never beyond the rebalance timeout. */
  private tryCompleteInitialRebalance(delayMs: number, remainingMs: number): void {
    if (this.newMemberAdded && remainingMs !== 0) {
      this.newMemberAdded = false;
      const nextDelay = Math.min(this.env.config.initialRebalanceDelayMs, remainingMs);
      const nextRemaining = Math.max(remainingMs - delayMs, 0);
      this.setTimer(this.joinKey(), nextDelay, () => this.tryCompleteInitialRebalance(nextDelay, nextRemaining));
    } else {
      this.completeJoinPhase();
    }
  }

  /** Complete the join phase now if every member has rejoined (not during the initial delay). */
  private maybeCompleteJoinPhase(): void {
    if (this.state !== "PreparingRebalance") return;
    if (this.previousState === "Empty") return;
    if (!this.roster.hasAllJoined()) return;
    this.completeJoinPhase();
  }

  private completeJoinPhase(): void {
    if (this.state !== "PreparingRebalance") return;
    this.clearTimer(this.joinKey());
    // Dynamic members that did not rejoin are gone; static ones keep their place (KIP-345).
    const dropped: string[] = [];
    for (const member of [...this.roster.members.values()]) {
      if (!member.isAwaitingJoin && member.groupInstanceId === null) {
        dropped.push(member.memberId);
        this.clearTimer(this.sessionKey(member.memberId));
        this.roster.completeSync(member, syncError(ErrorCode.UNKNOWN_MEMBER_ID));
        this.roster.remove(member.memberId);
      }
    }
    if (dropped.length > 0) this.info(`removed members that did not rejoin: ${dropped.join(", ")}`);

    if (!this.maybeElectNewJoinedLeader() && this.roster.members.size > 0) {
      // Only static members remain and none rejoined: wait another round for
      // them to come back or for their sessions to expire.
      this.env.log.error(`group ${this.groupId} could not complete its rebalance: no member rejoined`);
      this.setTimer(this.joinKey(), this.roster.rebalanceTimeoutMs(), () => this.completeJoinPhase());
      return;
    }
    if (this.initNextGeneration() === "Empty") {
      this.info(`generation ${this.generationId} is empty`);
      // An empty generation can be lost safely (Kafka only warns): nobody waits on it.
      this.trackWrite(this.persistGroup(), "empty group");
      return;
    }
    this.info(
      `stabilized generation ${this.generationId} (${this.protocolName}) with ${this.roster.members.size} members`,
    );
    for (const member of this.roster.members.values()) {
      this.roster.completeJoin(member, this.joinResult(member, this.roster.isLeader(member.memberId)));
      this.scheduleSessionTimeout(member, member.sessionTimeoutMs);
      member.isNew = false;
      this.roster.pendingSync.add(member.memberId);
    }
    const generation = this.generationId;
    this.setTimer(this.syncKey(), this.roster.rebalanceTimeoutMs(), () => this.expirePendingSync(generation));
  }

  /** Keep the leader if it rejoined, else pick a member that did; false if none did. */
  private maybeElectNewJoinedLeader(): boolean {
    const before = this.roster.leaderId;
    const elected = this.roster.electJoinedLeader();
    if (elected && before !== this.roster.leaderId) {
      this.info(`leader ${before} did not rejoin in time; ${this.roster.leaderId} leads now`);
    }
    return elected;
  }

  /** Next generation: CompletingRebalance with the chosen protocol, or Empty when no member is left. */
  private initNextGeneration(): ClassicGroupState {
    this.generationId++;
    if (this.roster.members.size > 0) {
      this.protocolName = this.roster.selectProtocol();
      this.subscribedTopics = this.computeSubscribedTopics();
      this.transitionTo("CompletingRebalance");
    } else {
      this.protocolName = null;
      this.subscribedTopics = this.computeSubscribedTopics();
      this.transitionTo("Empty");
    }
    this.roster.pendingSync.clear();
    return this.state;
  }

  /** Members that never sent SyncGroup within the rebalance timeout are removed, and the group rebalances. */
  private expirePendingSync(generation: number): void {
    if (generation !== this.generationId) return;
    if (this.state !== "CompletingRebalance" && this.state !== "Stable") return;
    if (this.roster.pendingSync.size === 0) return;
    const pending = [...this.roster.pendingSync];
    for (const memberId of pending) {
      const member = this.roster.members.get(memberId);
      if (member) {
        this.roster.completeJoin(member, joinError("", ErrorCode.UNKNOWN_MEMBER_ID));
        this.roster.remove(memberId);
      }
      this.clearTimer(this.sessionKey(memberId));
    }
    this.prepareRebalance(`removing ${pending.join(", ")}: no SyncGroup within the rebalance timeout`);
  }

  private removeSyncExpiration(): void {
    this.roster.pendingSync.clear();
    this.clearTimer(this.syncKey());
  }

  private removePendingSyncMember(memberId: string): void {
    this.roster.pendingSync.delete(memberId);
    if (this.roster.pendingSync.size === 0) this.clearTimer(this.syncKey());
  }

  private resetAndPropagateAssignmentError(error: number): void {
    for (const member of this.roster.members.values()) member.assignment = EMPTY_BYTES;
    this.propagateAssignment(error);
  }

  private setAndPropagateAssignment(assignment: Map<string, Uint8Array>): void {
    for (const member of this.roster.members.values()) {
      member.assignment = assignment.get(member.memberId) ?? EMPTY_BYTES;
    }
    this.propagateAssignment(ErrorCode.NONE);
  }

  private propagateAssignment(error: number): void {
    const ok = error === ErrorCode.NONE;
    for (const member of this.roster.members.values()) {
      const answered = this.roster.completeSync(member, {
        errorCode: error,
        protocolType: ok ? this.roster.protocolType : null,
        protocolName: ok ? this.protocolName : null,
        assignment: member.assignment,
      });
      // Its session timer may have fired (and been ignored) while it waited: start it again.
      if (answered) this.scheduleSessionTimeout(member, member.sessionTimeoutMs);
    }
  }

  // ---------------------------------------------------------------------------
  // Session timeouts

  private scheduleSessionTimeout(member: ClassicMember, timeoutMs: number): void {
    const memberId = member.memberId;
    this.setTimer(this.sessionKey(memberId), timeoutMs, () => this.expireSession(memberId));
  }

  private expireSession(memberId: string): void {
    if (this.state === "Dead") return;
    if (this.roster.pendingJoin.has(memberId)) {
      this.info(`pending member ${memberId} never joined within its session timeout`);
      this.roster.pendingJoin.delete(memberId);
      if (this.state === "PreparingRebalance" && this.roster.hasAllJoined()) this.completeJoinPhase();
      return;
    }
    const member = this.roster.members.get(memberId);
    if (!member || member.hasSatisfiedHeartbeat()) return;
    this.info(`member ${memberId} failed (session timeout); removing it`);
    // A new member may still be parked in JoinGroup: tell it to join again from scratch.
    this.roster.completeJoin(member, joinError("", ErrorCode.UNKNOWN_MEMBER_ID));
    this.roster.completeSync(member, syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    this.roster.remove(memberId);
    if (this.state === "Stable" || this.state === "CompletingRebalance") {
      this.maybePrepareRebalanceOrCompleteJoin(`member ${memberId} session expired`);
    } else if (this.state === "PreparingRebalance" && this.roster.hasAllJoined()) {
      this.completeJoinPhase();
    }
  }

  // ---------------------------------------------------------------------------
  // Members and state

  /** Turned away for group.max.size: removed without a rebalance (as Kafka). */
  private removeMemberQuietly(memberId: string): void {
    if (memberId === "") return;
    const member = this.roster.get(memberId);
    if (member) this.roster.completeSync(member, syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    if (member || this.roster.pendingJoin.has(memberId)) this.clearTimer(this.sessionKey(memberId));
    this.roster.remove(memberId);
  }

  private replaceStaticMember(instanceId: string, oldMemberId: string, newMemberId: string): ClassicMember {
    this.clearTimer(this.sessionKey(oldMemberId));
    return this.roster.replaceStatic(instanceId, oldMemberId, newMemberId);
  }

  /** Kafka parses every member's "consumer" subscription with the v0 prefix every version shares. */
  private computeSubscribedTopics(): Set<string> | undefined {
    if (this.roster.protocolType !== CONSUMER_PROTOCOL_TYPE) return undefined;
    if (this.roster.members.size === 0) return new Set();
    if (this.protocolName === null) return undefined;
    const topics = new Set<string>();
    try {
      for (const m of this.roster.members.values()) {
        const r = new Reader(m.metadata(this.protocolName));
        r.readInt16(); // the subscription's version
        for (const t of decodeConsumerProtocolSubscription(r, 0).topics) topics.add(t);
      }
    } catch (e) {
      this.env.log.warn(
        `group ${this.groupId}: cannot parse a consumer subscription (${e}); subscribed topics unknown`,
      );
      return undefined;
    }
    return topics;
  }

  private transitionTo(target: ClassicGroupState): void {
    if (!VALID_PREVIOUS[target].includes(this.state)) {
      throw new Error(`group ${this.groupId}: invalid transition ${this.state} -> ${target}`);
    }
    this.previousState = this.state;
    this.state = target;
    this.stateTimestamp = this.env.now();
  }

  // ---------------------------------------------------------------------------
  // Answers, persistence, timers

  private joinResult(member: ClassicMember, withMembers: boolean): JoinGroupResult {
    return {
      errorCode: ErrorCode.NONE,
      generationId: this.generationId,
      protocolType: this.roster.protocolType,
      protocolName: this.protocolName,
      leader: this.roster.leaderId ?? "",
      memberId: member.memberId,
      members: withMembers ? this.roster.joinMembers(this.protocolName) : [],
    };
  }

  /** Writes during a LeaveGroup, which answers after them (Kafka answers once its records are written). */
  private opWrites: Promise<number>[] | null = null;

  private trackWrite(write: Promise<number>, what: string): void {
    if (this.opWrites) this.opWrites.push(write);
    void write.then((error) => {
      if (error !== ErrorCode.NONE) {
        this.env.log.warn(`group ${this.groupId}: could not persist ${what} (error ${error})`);
      }
    });
  }

  private persistGroup(assignments?: Map<string, Uint8Array>): Promise<number> {
    const value = this.toRecord(assignments);
    return this.env.persist([{ kind: "classic", groupId: this.groupId, value }])
      .catch(() => ErrorCode.UNKNOWN_SERVER_ERROR);
  }

  private setTimer(key: string, delayMs: number, fn: () => void): void {
    this.timerKeys.add(key);
    this.env.timers.set(key, delayMs, () => {
      this.timerKeys.delete(key);
      if (this.state !== "Dead") fn();
    });
  }

  private clearTimer(key: string): void {
    if (this.timerKeys.delete(key)) this.env.timers.clear(key);
  }

  private sessionKey(memberId: string): string {
    return `${this.groupId}\u0000session\u0000${memberId}`;
  }

  private joinKey(): string {
    return `${this.groupId}\u0000join`;
  }

  private syncKey(): string {
    return `${this.groupId}\u0000sync`;
  }

  private info(message: string): void {
    this.env.log.info(`group ${this.groupId}: ${message}`);
  }
}

function isInconsistent(requested: string | null, current: string | null): boolean {
  return requested !== null && current !== null && requested !== current;
}

function copyProtocols(protocols: Array<{ name: string; metadata: Uint8Array }>): ClassicProtocol[] {
  return protocols.map((p) => ({ name: p.name, metadata: p.metadata }));
}

function reasonSuffix(reason: string | null): string {
  return reason ? `; client reason: ${reason}` : "";
}

/** Resolve a promise once; later calls are ignored. */
function once<T>(resolve: (value: T) => void): (value: T) => void {
  let done = false;
  return (value) => {
    if (done) return;
    done = true;
    resolve(value);
  };
}
