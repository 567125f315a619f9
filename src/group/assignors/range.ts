/**
 * The "range" server assignor (Kafka's RangeAssignor for KIP-848 groups):
 * for every topic, its subscribers — static members first in instance id
 * order, then dynamic members in member id order — get contiguous ranges of
 * ⌊P/n⌋ partitions, the first P mod n of them one more. When every member
 * subscribes to the same topics and the topics have the same partition count,
 * member k gets the same partition numbers of every topic (co-partitioning,
 * what stream joins need).
 *
 * Like Kafka's, it is not sticky beyond that order: static members keep their
 * ranges across restarts because the order follows their instance ids.
 */
import {
  type AssignorMember,
  compareStrings,
  type PartitionAssignor,
  type PartitionMap,
  partitionMapOf,
} from "./assignor.ts";

function memberOrder(a: AssignorMember, b: AssignorMember): number {
  if (a.instanceId !== null && b.instanceId !== null) return compareStrings(a.instanceId, b.instanceId);
  if (a.instanceId !== null) return -1;
  if (b.instanceId !== null) return 1;
  return compareStrings(a.memberId, b.memberId);
}

export const rangeAssignor: PartitionAssignor = {
  name: "range",
  assign(members, topics) {
    const sorted = [...members].sort(memberOrder);
    const pairs = new Map<string, Array<[string, number]>>(sorted.map((m) => [m.memberId, []]));
    const subscribers = new Map<string, string[]>();
    for (const m of sorted) {
      for (const t of new Set(m.subscribedTopicIds)) {
        if ((topics.get(t) ?? 0) <= 0) continue; // a topic missing from the metadata has nothing to give
        let l = subscribers.get(t);
        if (!l) subscribers.set(t, l = []);
        l.push(m.memberId);
      }
    }
    for (const [t, ids] of subscribers) {
      const count = topics.get(t)!;
      const min = Math.floor(count / ids.length);
      let extra = count % ids.length;
      let next = 0;
      for (const id of ids) {
        const quota = min + (extra > 0 ? 1 : 0);
        if (extra > 0) extra--;
        const end = Math.min(next + quota, count);
        for (let p = next; p < end; p++) pairs.get(id)!.push([t, p]);
        next = end;
      }
    }
    const out = new Map<string, PartitionMap>();
    for (const m of sorted) out.set(m.memberId, partitionMapOf(pairs.get(m.memberId)!));
    return out;
  },
};
