/**
 * The members of a classic-protocol group, kept apart from the protocol
 * logic in classic_group.ts as Kafka keeps ClassicGroup apart from
 * GroupMetadataManager.
 *
 * ClassicMember: what a member sent in its last JoinGroup (protocols in
 * preference order, timeouts), its assignment, and the JoinGroup / SyncGroup
 * callers parked until the group answers them.
 *
 * ClassicRoster: the group-wide bookkeeping over them: member ids by
 * group.instance.id, ids handed out with MEMBER_ID_REQUIRED, who still owes a
 * JoinGroup or SyncGroup, the leader, and how many members offer each
 * protocol (a protocol can be chosen only if every member offers it).
 */
import { ErrorCode } from "../protocol/errors.ts";
import type { JoinGroupResult, SyncGroupResult } from "./group_ops.ts";

export interface ClassicProtocol {
  name: string;
  metadata: Uint8Array;
}

const EMPTY = new Uint8Array(0);

export class ClassicMember {
  assignment: Uint8Array = EMPTY;
  /** Set while the member's JoinGroup waits for the join phase to end. */
  joinWaiter: ((result: JoinGroupResult) => void) | null = null;
  /** Set while the member's SyncGroup waits for the leader's assignment. */
  syncWaiter: ((result: SyncGroupResult) => void) | null = null;
  /**
   * A member added by this join phase. Its session timer then runs the
   * new-member join timeout, and fires even while it waits for the join
   * phase (it may have given up on a long rebalance and will retry).
   */
  isNew = false;

  constructor(
    readonly memberId: string,
    readonly groupInstanceId: string | null,
    readonly clientId: string,
    readonly clientHost: string,
    public rebalanceTimeoutMs: number,
    public sessionTimeoutMs: number,
    readonly protocolType: string,
    public protocols: ClassicProtocol[],
  ) {}

  get isAwaitingJoin(): boolean {
    return this.joinWaiter !== null;
  }

  get isAwaitingSync(): boolean {
    return this.syncWaiter !== null;
  }

  /**
   * Kafka: a member waiting in a JoinGroup or SyncGroup counts as alive (the
   * coordinator holds its request), except a new member, which may have left.
   */
  hasSatisfiedHeartbeat(): boolean {
    return !this.isNew && (this.isAwaitingJoin || this.isAwaitingSync);
  }

  /** The metadata the member sent for `protocol` (empty if it no longer offers it). */
  metadata(protocol: string | null): Uint8Array {
    return this.protocols.find((p) => p.name === protocol)?.metadata ?? EMPTY;
  }

  /** Same protocols, in the same order, with the same metadata bytes: a rejoin that changes nothing. */
  matches(protocols: ClassicProtocol[]): boolean {
    if (protocols.length !== this.protocols.length) return false;
    return protocols.every((p, i) =>
      p.name === this.protocols[i].name && bytesEqual(p.metadata, this.protocols[i].metadata)
    );
  }

  /** The member's most preferred protocol among `candidates`. */
  vote(candidates: Set<string>): string | null {
    return this.protocols.find((p) => candidates.has(p.name))?.name ?? null;
  }

  /** A copy under another member id (static member replacement keeps everything else). */
  withMemberId(memberId: string): ClassicMember {
    const m = new ClassicMember(
      memberId,
      this.groupInstanceId,
      this.clientId,
      this.clientHost,
      this.rebalanceTimeoutMs,
      this.sessionTimeoutMs,
      this.protocolType,
      this.protocols,
    );
    m.assignment = this.assignment;
    return m;
  }
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export type JoinReply = (result: JoinGroupResult) => void;

export class ClassicRoster {
  readonly members = new Map<string, ClassicMember>();
  /** groupInstanceId → current member id (KIP-345). */
  readonly staticMembers = new Map<string, string>();
  /** Member ids handed out with MEMBER_ID_REQUIRED, not yet joined with. */
  readonly pendingJoin = new Set<string>();
  /** Members that got this generation's JoinGroup answer but have not sent SyncGroup. */
  readonly pendingSync = new Set<string>();
  /** Members with a parked JoinGroup. */
  numAwaitingJoin = 0;
  leaderId: string | null = null;
  /** The group's protocol type: set by its first member, kept while the group is empty. */
  protocolType: string | null = null;
  /** Protocol name → how many members offer it. */
  private readonly protocolCounts = new Map<string, number>();

  get size(): number {
    return this.members.size;
  }

  get(memberId: string): ClassicMember | undefined {
    return this.members.get(memberId);
  }

  add(member: ClassicMember, reply: JoinReply | null): void {
    if (member.groupInstanceId !== null) this.staticMembers.set(member.groupInstanceId, member.memberId);
    if (this.members.size === 0) this.protocolType = member.protocolType;
    if (this.leaderId === null) this.leaderId = member.memberId;
    this.members.set(member.memberId, member);
    this.countProtocols(member, 1);
    member.joinWaiter = reply;
    if (reply !== null) this.numAwaitingJoin++;
    this.pendingJoin.delete(member.memberId);
  }

  /** Removes a member (or a pending id); the leader passes to the first remaining member. */
  remove(memberId: string): void {
    const member = this.members.get(memberId);
    if (member) {
      this.members.delete(memberId);
      this.countProtocols(member, -1);
      if (member.isAwaitingJoin) this.numAwaitingJoin--;
      if (member.groupInstanceId !== null && this.staticMembers.get(member.groupInstanceId) === memberId) {
        this.staticMembers.delete(member.groupInstanceId);
      }
    }
    if (this.leaderId === memberId) this.leaderId = this.members.keys().next().value ?? null;
    this.pendingJoin.delete(memberId);
    this.pendingSync.delete(memberId);
  }

  /** A rejoin: new protocols and timeouts, and the JoinGroup to answer (null: none parked). */
  update(
    member: ClassicMember,
    protocols: ClassicProtocol[],
    rebalanceTimeoutMs: number,
    sessionTimeoutMs: number,
    reply: JoinReply | null,
  ): void {
    this.countProtocols(member, -1);
    member.protocols = protocols;
    this.countProtocols(member, 1);
    member.rebalanceTimeoutMs = rebalanceTimeoutMs;
    member.sessionTimeoutMs = sessionTimeoutMs;
    if (reply !== null && member.isAwaitingJoin) {
      // The same member joined again while parked: the newer request takes over.
      member.joinWaiter!(joinError(member.memberId, ErrorCode.REBALANCE_IN_PROGRESS));
    } else if (reply !== null) {
      this.numAwaitingJoin++;
    } else if (member.isAwaitingJoin) {
      this.numAwaitingJoin--;
    }
    member.joinWaiter = reply;
  }

  /**
   * A static member's new id takes the old one's place (same protocols,
   * assignment, leadership, owed SyncGroup); whoever still waits under the
   * old id (a zombie of the same instance) is fenced.
   */
  replaceStatic(instanceId: string, oldMemberId: string, newMemberId: string): ClassicMember {
    const old = this.members.get(oldMemberId)!;
    this.completeJoin(old, joinError(oldMemberId, ErrorCode.FENCED_INSTANCE_ID));
    this.completeSync(old, syncError(ErrorCode.FENCED_INSTANCE_ID));
    this.members.delete(oldMemberId);
    const member = old.withMemberId(newMemberId);
    this.members.set(newMemberId, member);
    if (this.leaderId === oldMemberId) this.leaderId = newMemberId;
    this.staticMembers.set(instanceId, newMemberId);
    if (this.pendingSync.delete(oldMemberId)) this.pendingSync.add(newMemberId);
    return member;
  }

  /** FENCED_INSTANCE_ID when the instance id belongs to another member id; UNKNOWN_MEMBER_ID when unknown. */
  validate(memberId: string, groupInstanceId: string | null): number {
    if (groupInstanceId !== null) {
      const current = this.staticMembers.get(groupInstanceId);
      if (current === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
      if (current !== memberId) return ErrorCode.FENCED_INSTANCE_ID;
    }
    return this.members.has(memberId) ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID;
  }

  hasAllJoined(): boolean {
    return this.members.size === this.numAwaitingJoin && this.pendingJoin.size === 0;
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
  }

  /** The group's rebalance timeout: the largest of its members'. */
  rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  /** Keep the leader if it rejoined, else pick a member that did; false if none did. */
  electJoinedLeader(): boolean {
    if (this.leaderId === null) return false;
    if (this.members.get(this.leaderId)?.isAwaitingJoin) return true;
    for (const member of this.members.values()) {
      if (member.isAwaitingJoin) {
        this.leaderId = member.memberId;
        return true;
      }
    }
    return false;
  }

  /**
   * An empty group takes any non-empty protocol type and list; otherwise the type
   * must match and one of the protocols must be offered by every member.
   */
  supports(protocolType: string, protocols: Array<{ name: string }>, groupIsEmpty: boolean): boolean {
    if (groupIsEmpty) return protocolType !== "" && protocols.length > 0;
    return this.protocolType === protocolType &&
      protocols.some((p) => (this.protocolCounts.get(p.name) ?? 0) === this.members.size);
  }

  /** Each member votes for its most preferred protocol among those all members offer; most votes wins. */
  selectProtocol(): string {
    const candidates = new Set<string>();
    for (const [name, count] of this.protocolCounts) if (count === this.members.size) candidates.add(name);
    const votes = new Map<string, number>();
    for (const m of this.members.values()) {
      const choice = m.vote(candidates);
      if (choice !== null) votes.set(choice, (votes.get(choice) ?? 0) + 1);
    }
    let best = "";
    let bestVotes = -1;
    for (const [name, n] of votes) {
      if (n > bestVotes) {
        best = name;
        bestVotes = n;
      }
    }
    return best;
  }

  /** The members as the leader's JoinGroup answer lists them. */
  joinMembers(protocol: string | null): JoinGroupResult["members"] {
    return [...this.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      metadata: m.metadata(protocol),
    }));
  }

  /** Answers a member's parked JoinGroup; false if none was parked. */
  completeJoin(member: ClassicMember, result: JoinGroupResult): boolean {
    const waiter = member.joinWaiter;
    if (waiter === null) return false;
    member.joinWaiter = null;
    this.numAwaitingJoin--;
    waiter(result);
    return true;
  }

  /** Answers a member's parked SyncGroup; false if none was parked. */
  completeSync(member: ClassicMember, result: SyncGroupResult): boolean {
    const waiter = member.syncWaiter;
    if (waiter === null) return false;
    member.syncWaiter = null;
    waiter(result);
    return true;
  }

  private countProtocols(member: ClassicMember, delta: number): void {
    for (const p of member.protocols) this.protocolCounts.set(p.name, (this.protocolCounts.get(p.name) ?? 0) + delta);
  }
}

export function joinError(memberId: string, errorCode: number): JoinGroupResult {
  return { errorCode, generationId: -1, protocolType: null, protocolName: null, leader: "", memberId, members: [] };
}

export function syncError(errorCode: number): SyncGroupResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY };
}
