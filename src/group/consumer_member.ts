/**
 * A KIP-848 consumer group member and its reconciliation engine (Kafka's
 * ConsumerGroupMember and CurrentAssignmentBuilder).
 *
 * Members are immutable values: the group replaces a member with an updated
 * copy, which lets it snapshot its state cheaply and put it back when a write
 * of the group epoch fails (Kafka reverts its timeline the same way).
 *
 * Reconciliation moves a member from its current assignment towards its
 * target one without ever letting two members own a partition:
 * 1. partitions it must give up are revoked first — the member keeps its
 *    epoch and waits in "unrevoked" until its heartbeat's owned partitions no
 *    longer list them;
 * 2. then it moves to the target epoch and gets the new partitions that no
 *    other member still owns (assigned or pending revocation); the ones still
 *    owned elsewhere are given later ("unreleased").
 */
import {
  EMPTY_PARTITIONS,
  hasPartition,
  pairsOf,
  type PartitionMap,
  partitionMapOf,
  partitionMapsEqual,
} from "./assignors/assignor.ts";
import type { ConsumerHeartbeatArgs } from "./group_ops.ts";

/** Kafka's MemberState: STABLE, UNREVOKED_PARTITIONS, UNRELEASED_PARTITIONS. */
export type MemberState = "stable" | "unrevoked" | "unreleased";

export interface ConsumerMember {
  readonly memberId: string;
  readonly instanceId: string | null;
  readonly rackId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  /** -1 until the member gives one (its join must). */
  readonly rebalanceTimeoutMs: number;
  /** Sorted, without duplicates. */
  readonly subscribedTopicNames: readonly string[];
  /** "" when the member subscribes by names only. */
  readonly subscribedTopicRegex: string;
  readonly serverAssignor: string | null;
  /** 0 while joining; -2 while a static member is temporarily away. */
  readonly memberEpoch: number;
  readonly previousMemberEpoch: number;
  readonly state: MemberState;
  /** Partitions the member may use (what its heartbeats are told). */
  readonly assigned: PartitionMap;
  /** Partitions it was asked to give up and has not yet acknowledged. */
  readonly pendingRevocation: PartitionMap;
}

/** Owned partitions as a heartbeat reports them; null = unchanged / not sent. */
export type OwnedPartitions = ReadonlyArray<{ topicId: string; partitions: readonly number[] }> | null;

export function newMember(memberId: string): ConsumerMember {
  return {
    memberId,
    instanceId: null,
    rackId: null,
    clientId: "",
    clientHost: "",
    rebalanceTimeoutMs: -1,
    subscribedTopicNames: [],
    subscribedTopicRegex: "",
    serverAssignor: null,
    memberEpoch: 0,
    previousMemberEpoch: -1,
    state: "stable",
    assigned: EMPTY_PARTITIONS,
    pendingRevocation: EMPTY_PARTITIONS,
  };
}

export function isReconciledTo(m: ConsumerMember, targetEpoch: number): boolean {
  return m.state === "stable" && m.memberEpoch === targetEpoch;
}

/**
 * Kafka's isSubset: every owned partition is in `assigned`. A null owned list
 * is not a subset (the member did not say what it owns).
 */
export function ownedIsSubsetOf(owned: OwnedPartitions, assigned: PartitionMap): boolean {
  if (owned === null) return false;
  return owned.every((tp) => tp.partitions.every((p) => hasPartition(assigned, tp.topicId, p)));
}

/** Whether the member still reports owning any of `revoked`; a null report counts as still owning. */
function ownsAnyOf(owned: OwnedPartitions, revoked: PartitionMap): boolean {
  if (owned === null) return true;
  return owned.some((tp) => tp.partitions.some((p) => hasPartition(revoked, tp.topicId, p)));
}

/**
 * One reconciliation step (Kafka's CurrentAssignmentBuilder.build).
 * `ownedElsewhere(t, p)`: another member still holds the partition.
 */
export function reconcile(
  m: ConsumerMember,
  targetEpoch: number,
  target: PartitionMap,
  owned: OwnedPartitions,
  ownedElsewhere: (topicId: string, partition: number) => boolean,
): ConsumerMember {
  switch (m.state) {
    case "stable":
      return m.memberEpoch === targetEpoch ? m : next(m, m.memberEpoch, targetEpoch, target, owned, ownedElsewhere);
    case "unrevoked":
      // Waits until the heartbeat shows the revoked partitions released; then one epoch on, towards the latest target.
      if (ownsAnyOf(owned, m.pendingRevocation)) return m;
      return next(m, m.memberEpoch + 1, targetEpoch, target, owned, ownedElsewhere);
    case "unreleased":
      return next(m, m.memberEpoch, targetEpoch, target, owned, ownedElsewhere);
  }
}

function withEpoch(m: ConsumerMember, epoch: number, fields: Partial<ConsumerMember>): ConsumerMember {
  return { ...m, ...fields, memberEpoch: epoch, previousMemberEpoch: m.memberEpoch };
}

function next(
  m: ConsumerMember,
  revokeEpoch: number,
  targetEpoch: number,
  target: PartitionMap,
  owned: OwnedPartitions,
  ownedElsewhere: (topicId: string, partition: number) => boolean,
): ConsumerMember {
  const kept: Array<[string, number]> = [];
  const revoke: Array<[string, number]> = [];
  for (const [t, p] of pairsOf(m.assigned)) (hasPartition(target, t, p) ? kept : revoke).push([t, p]);
  const gain: Array<[string, number]> = [];
  let unreleased = false;
  for (const [t, p] of pairsOf(target)) {
    if (hasPartition(m.assigned, t, p)) continue;
    if (ownedElsewhere(t, p)) unreleased = true;
    else gain.push([t, p]);
  }
  const pendingRevocation = partitionMapOf(revoke);
  if (revoke.length > 0 && ownsAnyOf(owned, pendingRevocation)) {
    return withEpoch(m, revokeEpoch, { state: "unrevoked", assigned: partitionMapOf(kept), pendingRevocation });
  }
  return withEpoch(m, targetEpoch, {
    state: unreleased ? "unreleased" : "stable",
    assigned: partitionMapOf([...kept, ...gain]),
    pendingRevocation: EMPTY_PARTITIONS,
  });
}

export function sameMemberAssignmentState(a: ConsumerMember, b: ConsumerMember): boolean {
  return a.memberEpoch === b.memberEpoch && a.previousMemberEpoch === b.previousMemberEpoch &&
    a.state === b.state && partitionMapsEqual(a.assigned, b.assigned) &&
    partitionMapsEqual(a.pendingRevocation, b.pendingRevocation);
}

/** The member with what the heartbeat sent; a field left null (or -1) keeps its value. */
export function withHeartbeatFields(member: ConsumerMember, a: ConsumerHeartbeatArgs): ConsumerMember {
  return {
    ...member,
    instanceId: a.instanceId ?? member.instanceId,
    rackId: a.rackId ?? member.rackId,
    rebalanceTimeoutMs: a.rebalanceTimeoutMs !== -1 ? a.rebalanceTimeoutMs : member.rebalanceTimeoutMs,
    serverAssignor: a.serverAssignor ?? member.serverAssignor,
    subscribedTopicNames: a.subscribedTopicNames !== null
      ? sortedUnique(a.subscribedTopicNames)
      : member.subscribedTopicNames,
    subscribedTopicRegex: a.subscribedTopicRegex ?? member.subscribedTopicRegex,
    clientId: a.clientId,
    clientHost: a.clientHost,
  };
}

/** Whether two versions of a member subscribe to the same topic names (both sorted) and regex. */
export function sameSubscription(a: ConsumerMember, b: ConsumerMember): boolean {
  const x = a.subscribedTopicNames, y = b.subscribedTopicNames;
  return x.length === y.length && x.every((name, i) => name === y[i]) &&
    a.subscribedTopicRegex === b.subscribedTopicRegex;
}

/** Topic names as members keep them: sorted, each once, so equal subscriptions compare equal. */
export function sortedUnique(names: readonly string[]): string[] {
  return [...new Set(names)].sort();
}
