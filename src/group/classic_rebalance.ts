/**
 * The state machine of one classic-protocol group (Empty → PreparingRebalance
 * → CompletingRebalance → Stable, and Dead) and the rebalance steps every
 * request path drives: preparing a rebalance, the initial delay, ending the
 * join phase (dropping members that did not rejoin, electing a leader, the
 * next generation), expiring SyncGroup and sessions, handing out assignments,
 * and the timers and writes behind them. classic_group.ts describes the
 * protocol as a whole.
 *
 * The classic group is one class chain split by concern: this file
 * (ClassicRebalance), classic_join.ts (JoinGroup, static members rejoining)
 * and classic_group.ts (construction from a record, the Group interface,
 * views, SyncGroup, Heartbeat, LeaveGroup). A chain and not separate objects
 * because every request both reads and moves the same state; the protected
 * members are that state, and nothing outside the chain sees them.
 */
import { ErrorCode } from "../protocol/errors.ts";
import { Reader } from "../protocol/io/reader.ts";
import { decodeConsumerProtocolSubscription } from "../protocol/generated/consumer_protocol_subscription.ts";
import { type ClassicMember, ClassicRoster, joinError, syncError } from "./classic_member.ts";
import type { JoinGroupResult } from "./group_ops.ts";
import type { ClassicGroupValue, GroupEnv } from "./types.ts";

export type ClassicGroupState = "Empty" | "PreparingRebalance" | "CompletingRebalance" | "Stable" | "Dead";

/** Kafka's allowed transitions: target state → states it may be entered from. */
const VALID_PREVIOUS: Record<ClassicGroupState, ClassicGroupState[]> = {
  Empty: ["PreparingRebalance"],
  PreparingRebalance: ["Stable", "CompletingRebalance", "Empty"],
  CompletingRebalance: ["PreparingRebalance"],
  Stable: ["CompletingRebalance"],
  Dead: ["Stable", "PreparingRebalance", "CompletingRebalance", "Empty", "Dead"],
};

const CONSUMER_PROTOCOL_TYPE = "consumer";
export const EMPTY_BYTES = new Uint8Array(0);

export abstract class ClassicRebalance {
  protected state: ClassicGroupState;
  protected previousState: ClassicGroupState = "Dead";
  /** When the group last changed state (ms); null for records written before Kafka kept it. */
  protected stateTimestamp: number | null;
  protected generationId = 0;
  protected protocolName: string | null = null;
  protected readonly roster = new ClassicRoster();
  /** Topics the members subscribe to (protocol type "consumer" only); undefined when not known. */
  protected subscribedTopics: Set<string> | undefined = undefined;
  /** A member joined during the initial delay, which extends the delay (Kafka's InitialDelayedJoin). */
  protected newMemberAdded = false;
  /** Keys of the timers this group has set, so shutdown() can clear them. */
  protected readonly timerKeys = new Set<string>();

  constructor(readonly groupId: string, protected readonly env: GroupEnv, initialState: ClassicGroupState = "Empty") {
    this.state = initialState;
    this.stateTimestamp = env.now();
  }

  /** The GroupMetadataValue describing the group now (classic_group.ts); every persisted step writes it. */
  abstract toRecord(assignments?: Map<string, Uint8Array>): ClassicGroupValue;

  // ---------------------------------------------------------------------------
  // Rebalance machinery

  protected maybePrepareRebalanceOrCompleteJoin(reason: string): void {
    if (this.canRebalance()) this.prepareRebalance(reason);
    else this.maybeCompleteJoinPhase();
  }

  private canRebalance(): boolean {
    return VALID_PREVIOUS.PreparingRebalance.includes(this.state);
  }

  protected prepareRebalance(reason: string): void {
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
  protected maybeCompleteJoinPhase(): void {
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

  protected removePendingSyncMember(memberId: string): void {
    this.roster.pendingSync.delete(memberId);
    if (this.roster.pendingSync.size === 0) this.clearTimer(this.syncKey());
  }

  protected resetAndPropagateAssignmentError(error: number): void {
    for (const member of this.roster.members.values()) member.assignment = EMPTY_BYTES;
    this.propagateAssignment(error);
  }

  protected setAndPropagateAssignment(assignment: Map<string, Uint8Array>): void {
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

  protected scheduleSessionTimeout(member: ClassicMember, timeoutMs: number): void {
    const memberId = member.memberId;
    this.setTimer(this.sessionKey(memberId), timeoutMs, () => this.expireSession(memberId));
  }

  protected expireSession(memberId: string): void {
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
  protected removeMemberQuietly(memberId: string): void {
    if (memberId === "") return;
    const member = this.roster.get(memberId);
    if (member) this.roster.completeSync(member, syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    if (member || this.roster.pendingJoin.has(memberId)) this.clearTimer(this.sessionKey(memberId));
    this.roster.remove(memberId);
  }

  protected replaceStaticMember(instanceId: string, oldMemberId: string, newMemberId: string): ClassicMember {
    this.clearTimer(this.sessionKey(oldMemberId));
    return this.roster.replaceStatic(instanceId, oldMemberId, newMemberId);
  }

  /** Kafka parses every member's "consumer" subscription with the v0 prefix every version shares. */
  protected computeSubscribedTopics(): Set<string> | undefined {
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

  protected transitionTo(target: ClassicGroupState): void {
    if (!VALID_PREVIOUS[target].includes(this.state)) {
      throw new Error(`group ${this.groupId}: invalid transition ${this.state} -> ${target}`);
    }
    this.previousState = this.state;
    this.state = target;
    this.stateTimestamp = this.env.now();
  }

  // ---------------------------------------------------------------------------
  // Answers, persistence, timers

  protected joinResult(member: ClassicMember, withMembers: boolean): JoinGroupResult {
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
  protected opWrites: Promise<number>[] | null = null;

  private trackWrite(write: Promise<number>, what: string): void {
    if (this.opWrites) this.opWrites.push(write);
    void write.then((error) => {
      if (error !== ErrorCode.NONE) {
        this.env.log.warn(`group ${this.groupId}: could not persist ${what} (error ${error})`);
      }
    });
  }

  protected persistGroup(assignments?: Map<string, Uint8Array>): Promise<number> {
    const value = this.toRecord(assignments);
    return this.env.persist([{ kind: "classic", groupId: this.groupId, value }])
      .catch(() => ErrorCode.UNKNOWN_SERVER_ERROR);
  }

  protected setTimer(key: string, delayMs: number, fn: () => void): void {
    this.timerKeys.add(key);
    this.env.timers.set(key, delayMs, () => {
      this.timerKeys.delete(key);
      if (this.state !== "Dead") fn();
    });
  }

  protected clearTimer(key: string): void {
    if (this.timerKeys.delete(key)) this.env.timers.clear(key);
  }

  protected sessionKey(memberId: string): string {
    return `${this.groupId}\u0000session\u0000${memberId}`;
  }

  private joinKey(): string {
    return `${this.groupId}\u0000join`;
  }

  private syncKey(): string {
    return `${this.groupId}\u0000sync`;
  }

  protected info(message: string): void {
    this.env.log.info(`group ${this.groupId}: ${message}`);
  }
}

export function reasonSuffix(reason: string | null): string {
  return reason ? `; client reason: ${reason}` : "";
}

/** Resolve a promise once; later calls are ignored. */
export function once<T>(resolve: (value: T) => void): (value: T) => void {
  let done = false;
  return (value) => {
    if (done) return;
    done = true;
    resolve(value);
  };
}
