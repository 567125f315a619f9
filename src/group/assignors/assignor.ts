/**
 * The server-side partition assignors of KIP-848 consumer groups (Kafka's
 * ConsumerGroupPartitionAssignor): pure functions from the members (their
 * subscriptions and their previous target assignment) and the subscribed
 * topics' partition counts to a new target assignment. They never do I/O and
 * are deterministic, so a group computes the same assignment on every run.
 *
 * Also the small helpers on partition maps (topic id → sorted partitions)
 * shared by the assignors and the group state machine.
 */

/** Topic id → partitions, sorted ascending, never empty. Treated as immutable. */
export type PartitionMap = ReadonlyMap<string, readonly number[]>;

export const EMPTY_PARTITIONS: PartitionMap = new Map();

export interface AssignorMember {
  memberId: string;
  /** Static members come first in the range assignor (sticky across restarts). */
  instanceId: string | null;
  rackId: string | null;
  /** Ids of subscribed topics that exist; ids missing from `topics` are ignored. */
  subscribedTopicIds: readonly string[];
  /** The member's previous target assignment (stickiness). */
  assignment: PartitionMap;
}

export interface PartitionAssignor {
  readonly name: string;
  /**
   * @param topics topic id → partition count of every subscribed topic that exists.
   * @returns a target for every member (an empty map when it gets nothing).
   */
  assign(members: readonly AssignorMember[], topics: ReadonlyMap<string, number>): Map<string, PartitionMap>;
}

// ---------------------------------------------------------------------------
// Partition map helpers

/** Builds a PartitionMap from (topic id, partition) pairs, dropping duplicates. */
export function partitionMapOf(pairs: Iterable<readonly [string, number]>): PartitionMap {
  const sets = new Map<string, Set<number>>();
  for (const [topicId, p] of pairs) {
    let s = sets.get(topicId);
    if (!s) sets.set(topicId, s = new Set());
    s.add(p);
  }
  const out = new Map<string, number[]>();
  for (const topicId of [...sets.keys()].sort()) {
    const s = sets.get(topicId)!;
    if (s.size > 0) out.set(topicId, [...s].sort((a, b) => a - b));
  }
  return out;
}

/** The (topic id, partition) pairs of a map, topic ids sorted then partitions. */
export function* pairsOf(map: PartitionMap): Generator<[string, number]> {
  for (const topicId of [...map.keys()].sort()) {
    for (const p of map.get(topicId)!) yield [topicId, p];
  }
}

export function partitionCount(map: PartitionMap): number {
  let n = 0;
  for (const ps of map.values()) n += ps.length;
  return n;
}

export function hasPartition(map: PartitionMap, topicId: string, partition: number): boolean {
  return map.get(topicId)?.includes(partition) ?? false;
}

export function partitionMapsEqual(a: PartitionMap, b: PartitionMap): boolean {
  if (a.size !== b.size) return false;
  for (const [topicId, pa] of a) {
    const pb = b.get(topicId);
    if (!pb || pb.length !== pa.length) return false;
    for (let i = 0; i < pa.length; i++) if (pa[i] !== pb[i]) return false;
  }
  return true;
}

/** Wire form: [{topicId, partitions}], topic ids sorted. */
export function partitionMapToList(map: PartitionMap): Array<{ topicId: string; partitions: number[] }> {
  return [...map.keys()].sort().map((topicId) => ({ topicId, partitions: [...map.get(topicId)!] }));
}

export function partitionMapFromList(
  list: ReadonlyArray<{ topicId: string; partitions: readonly number[] }>,
): PartitionMap {
  const pairs: Array<[string, number]> = [];
  for (const tp of list) for (const p of tp.partitions) pairs.push([tp.topicId, p]);
  return partitionMapOf(pairs);
}

/** Compares (topic id, partition) keys; used to keep assignor output deterministic. */
export function compareTopicPartition(a: readonly [string, number], b: readonly [string, number]): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  return a[1] - b[1];
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
