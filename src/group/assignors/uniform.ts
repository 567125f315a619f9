/**
 * The "uniform" server assignor (Kafka's UniformAssignor, the KIP-848
 * default): balanced first, sticky second.
 *
 * - Homogeneous subscriptions (every member subscribes to the same existing
 *   topics): each member gets ⌊P/N⌋ or ⌈P/N⌉ partitions. The members that
 *   already hold the most keep the extra slots, every member keeps as much of
 *   its previous target as its quota allows, and the freed and new partitions
 *   go round-robin to the members with room.
 * - Heterogeneous subscriptions: previous targets are kept where still
 *   subscribed, unassigned partitions go to the least loaded subscriber
 *   (topics with fewest subscribers per partition last, like Kafka), then
 *   partitions move from a member to a subscriber of their topic that holds at
 *   least two fewer, until no such move exists (Kafka's balance criterion).
 *   Each move lowers the sum of squared loads, so the loop ends.
 *
 * Simpler than Kafka's builders (no rack awareness, no partition-movement
 * bookkeeping), same guarantees for our group sizes. Ties break on member id
 * and (topic id, partition) so the output is deterministic.
 */
import {
  type AssignorMember,
  compareStrings,
  compareTopicPartition,
  pairsOf,
  type PartitionAssignor,
  type PartitionMap,
  partitionMapOf,
} from "./assignor.ts";

type TP = [string, number];

export const uniformAssignor: PartitionAssignor = {
  name: "uniform",
  assign(members, topics) {
    const out = new Map<string, PartitionMap>();
    if (members.length === 0) return out;
    const sorted = [...members].sort((a, b) => compareStrings(a.memberId, b.memberId));
    const subs = new Map(sorted.map((m) => [m.memberId, existingSubscriptions(m, topics)]));
    const first = [...subs.values()][0];
    const homogeneous = [...subs.values()].every((s) => s.length === first.length && s.every((t, i) => t === first[i]));
    const result = homogeneous ? assignHomogeneous(sorted, first, topics) : assignHeterogeneous(sorted, subs, topics);
    for (const m of sorted) out.set(m.memberId, partitionMapOf(result.get(m.memberId) ?? []));
    return out;
  },
};

function existingSubscriptions(m: AssignorMember, topics: ReadonlyMap<string, number>): string[] {
  return [...new Set(m.subscribedTopicIds)].filter((t) => (topics.get(t) ?? 0) > 0).sort();
}

/** The member's previous partitions it may keep: subscribed, existing, not already claimed by another member. */
function retainable(
  m: AssignorMember,
  subscribed: ReadonlySet<string>,
  topics: ReadonlyMap<string, number>,
  claimed: Set<string>,
): TP[] {
  const out: TP[] = [];
  for (const [t, p] of pairsOf(m.assignment)) {
    const key = `${t}\u0000${p}`;
    if (!subscribed.has(t) || p >= (topics.get(t) ?? 0) || claimed.has(key)) continue;
    claimed.add(key);
    out.push([t, p]);
  }
  return out;
}

function assignHomogeneous(
  members: AssignorMember[],
  topicIds: string[],
  topics: ReadonlyMap<string, number>,
): Map<string, TP[]> {
  const result = new Map<string, TP[]>();
  if (topicIds.length === 0) return result;
  const subscribed = new Set(topicIds);
  const claimed = new Set<string>();
  const retained = new Map(members.map((m) => [m.memberId, retainable(m, subscribed, topics, claimed)]));

  let total = 0;
  for (const t of topicIds) total += topics.get(t)!;
  const min = Math.floor(total / members.length);
  let extra = total % members.length;

  // The members holding the most get the ⌈P/N⌉ quotas: fewest partitions move.
  const byRetained = [...members].sort((a, b) =>
    retained.get(b.memberId)!.length - retained.get(a.memberId)!.length || compareStrings(a.memberId, b.memberId)
  );
  const room = new Map<string, number>();
  const kept = new Set<string>();
  for (const m of byRetained) {
    const quota = min + (extra > 0 ? 1 : 0);
    if (extra > 0) extra--;
    const keep = retained.get(m.memberId)!.slice(0, quota);
    for (const [t, p] of keep) kept.add(`${t}\u0000${p}`);
    result.set(m.memberId, keep);
    room.set(m.memberId, quota - keep.length);
  }

  const unassigned: TP[] = [];
  for (const t of topicIds) {
    for (let p = 0; p < topics.get(t)!; p++) if (!kept.has(`${t}\u0000${p}`)) unassigned.push([t, p]);
  }
  // Round-robin over members with room, in member id order, so new topics spread out.
  let i = 0;
  for (const tp of unassigned) {
    while (room.get(members[i % members.length].memberId)! === 0) i++;
    const id = members[i % members.length].memberId;
    result.get(id)!.push(tp);
    room.set(id, room.get(id)! - 1);
    i++;
  }
  return result;
}

function assignHeterogeneous(
  members: AssignorMember[],
  subs: Map<string, string[]>,
  topics: ReadonlyMap<string, number>,
): Map<string, TP[]> {
  const subscribers = new Map<string, string[]>(); // topic id → member ids (sorted)
  for (const m of members) {
    for (const t of subs.get(m.memberId)!) {
      let l = subscribers.get(t);
      if (!l) subscribers.set(t, l = []);
      l.push(m.memberId);
    }
  }
  const owner = new Map<string, string>(); // "t\0p" → member id
  const load = new Map(members.map((m) => [m.memberId, 0]));
  const give = (tp: TP, memberId: string) => {
    const prev = owner.get(`${tp[0]}\u0000${tp[1]}`);
    if (prev !== undefined) load.set(prev, load.get(prev)! - 1);
    owner.set(`${tp[0]}\u0000${tp[1]}`, memberId);
    load.set(memberId, load.get(memberId)! + 1);
  };
  const leastLoaded = (t: string): string => {
    let best = "";
    let bestLoad = Infinity;
    for (const id of subscribers.get(t)!) {
      const l = load.get(id)!;
      // Subscribers are in id order: ties keep the smaller id.
      if (l < bestLoad) {
        best = id;
        bestLoad = l;
      }
    }
    return best;
  };

  const claimed = new Set<string>();
  for (const m of members) {
    for (const tp of retainable(m, new Set(subs.get(m.memberId)), topics, claimed)) give(tp, m.memberId);
  }

  // Kafka's order: topics with more partitions per subscriber first, then fewer subscribers.
  const all: TP[] = [];
  for (const t of [...subscribers.keys()].sort()) for (let p = 0; p < topics.get(t)!; p++) all.push([t, p]);
  const weight = (t: string) => topics.get(t)! / subscribers.get(t)!.length;
  all.sort((a, b) =>
    weight(b[0]) - weight(a[0]) || subscribers.get(a[0])!.length - subscribers.get(b[0])!.length ||
    a[1] - b[1] || compareTopicPartition(a, b)
  );
  for (const tp of all) if (!owner.has(`${tp[0]}\u0000${tp[1]}`)) give(tp, leastLoaded(tp[0]));

  for (let moved = true; moved;) {
    moved = false;
    for (const tp of all) {
      const from = owner.get(`${tp[0]}\u0000${tp[1]}`)!;
      const to = leastLoaded(tp[0]);
      if (load.get(from)! > load.get(to)! + 1) {
        give(tp, to);
        moved = true;
      }
    }
  }

  const result = new Map<string, TP[]>();
  for (const [key, id] of owner) {
    const sep = key.indexOf("\u0000");
    let l = result.get(id);
    if (!l) result.set(id, l = []);
    l.push([key.slice(0, sep), Number(key.slice(sep + 1))]);
  }
  return result;
}
