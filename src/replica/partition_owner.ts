/**
 * Which handler Worker owns a partition: a stable hash of the topic id plus
 * the partition index, modulo the handler count. Consecutive partitions of
 * a topic land on consecutive handlers, so a topic's load spreads evenly.
 * Ownership only has to be stable for the life of the process: every open
 * re-derives it, and the files do not record it.
 */
export function ownerOf(topicId: string, partition: number, handlerCount: number): number {
  let hash = 0x811c9dc5; // FNV-1a
  for (let i = 0; i < topicId.length; i++) {
    hash ^= topicId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return ((hash >>> 0) + partition) % handlerCount;
}

export function partitionKey(topicId: string, partition: number): string {
  return `${topicId}:${partition}`;
}
