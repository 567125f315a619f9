/**
 * JoinGroup for a classic group (see classic_group.ts for the protocol): the
 * checks a joining member must pass (session timeout bounds, group.max.size,
 * protocols the group supports), new members (with MEMBER_ID_REQUIRED from
 * v4), known members rejoining in each state, and a static member (KIP-345)
 * coming back with a new member id, which in a Stable group that keeps its
 * protocol takes over without a rebalance.
 */
import { ErrorCode } from "../protocol/errors.ts";
import { ClassicMember, type ClassicProtocol, joinError, type JoinReply } from "./classic_member.ts";
import { ClassicRebalance, once, reasonSuffix } from "./classic_rebalance.ts";
import type { JoinGroupArgs, JoinGroupResult } from "./group_ops.ts";

/**
 * Kafka's new-member join timeout (classicGroupNewMemberJoinTimeoutMs): a new
 * member cannot heartbeat while its first JoinGroup is parked, so it gets this
 * long before being dropped; if still alive, it retries.
 */
export const NEW_MEMBER_JOIN_TIMEOUT_MS = 5 * 60 * 1000;

export abstract class ClassicJoin extends ClassicRebalance {
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
}

function copyProtocols(protocols: Array<{ name: string; metadata: Uint8Array }>): ClassicProtocol[] {
  return protocols.map((p) => ({ name: p.name, metadata: p.metadata }));
}
