/**
 * Where a group lives: Kafka's placement, the partition of __consumer_offsets
 * given by the group id's Java String.hashCode (made non-negative by masking,
 * as Kafka's Utils.abs) modulo the topic's partition count. The handler that
 * owns that partition coordinates the group (partition_owner.ts).
 */
export const OFFSETS_TOPIC = "__consumer_offsets";

/** Java's String.hashCode over UTF-16 code units. */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

export function offsetsPartitionFor(groupId: string, partitions: number): number {
  return (javaStringHash(groupId) & 0x7fffffff) % partitions;
}
