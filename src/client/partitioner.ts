/**
 * The producer's default partitioner, as Kafka's Java producer partitions: a keyed record goes to
 * `(murmur2(key) & 0x7fffffff) % partitions`, so the same key lands in the same partition from Java,
 * librdkafka (with its murmur2_random setting) and this client; a keyless record goes to a sticky partition
 * that changes once `batch.size` bytes were sent to it (KIP-480 and the built-in partitioner of KIP-794),
 * so keyless traffic fills whole batches instead of spraying one record per partition.
 */

const SEED = 0x9747b28c;
/** A v2 batch's header, which the accumulator counts towards batch.size. */
const BATCH_OVERHEAD = 61;
const M = 0x5bd1e995;

/** Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2): a signed 32-bit hash. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = SEED ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  // The tail falls through from 3 to 1, as in the Java switch.
  const rest = length & 3;
  if (rest === 3) h ^= data[whole + 2] << 16;
  if (rest >= 2) h ^= data[whole + 1] << 8;
  if (rest >= 1) {
    h ^= data[whole];
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition of a keyed record among `partitions`. */
export function keyedPartition(key: Uint8Array, partitions: number): number {
  return (murmur2(key) & 0x7fffffff) % partitions;
}

/** Whether partition `p` of `topic` has room for about `bytes` more in its open batch. */
export type Fits = (topic: string, p: number, bytes: number) => boolean;
const always: Fits = () => true;

/** Sticky choice for keyless records, per topic. */
export class StickyPartitioner {
  private readonly sticky = new Map<string, { partition: number; bytes: number }>();

  constructor(private readonly batchSize: number, private readonly random: () => number = Math.random) {}

  /**
   * The partition for a keyless record of about `size` bytes to `topic`. `fits(topic, p, size)` says whether
   * partition p's open batch still has room for it (the accumulator knows the exact bytes; the count here
   * estimates). One function serves every record, so choosing a partition allocates nothing.
   */
  partition(topic: string, partitions: number, size: number, fits: Fits = always): number {
    let s = this.sticky.get(topic);
    // Switch before the record that would not fit in the current batch (header included), so the batch
    // closes full and the record opens the next partition's batch rather than a one-record batch here.
    const full = s !== undefined && s.bytes > 0 &&
      (s.bytes + size > this.batchSize - BATCH_OVERHEAD || !fits(topic, s.partition, size));
    if (!s || s.partition >= partitions || full) {
      s = { partition: this.next(s?.partition ?? -1, partitions), bytes: 0 };
      this.sticky.set(topic, s);
    }
    s.bytes += size;
    return s.partition;
  }

  /** A random partition other than `previous` (when there is another). */
  private next(previous: number, partitions: number): number {
    if (partitions <= 1) return 0;
    const p = Math.floor(this.random() * (partitions - (previous >= 0 ? 1 : 0)));
    return previous >= 0 && p >= previous ? p + 1 : p;
  }
}
