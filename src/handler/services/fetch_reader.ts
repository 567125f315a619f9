/**
 * Reads a fetch's partitions from their owners and, like Kafka's
 * DelayedFetch, waits when there is less than minBytes: each owner is asked
 * to answer as soon as a watched partition's high watermark moves past what
 * this fetch saw, then everything is read again, until minBytes is met or
 * maxWaitMs runs out. A partition error answers at once.
 *
 * The response limit (maxBytes) applies in request order: the first
 * partition with data is always returned whole, at least one batch (Kafka's
 * minOneMessage, so a batch larger than every limit still makes progress),
 * later ones only with whole batches that fit what is left of the limit and
 * of their own partitionMaxBytes.
 */
import { LOG_OVERHEAD } from "../../log/record_batch.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import type { PartitionAccess } from "./broker_state.ts";
import type { ReadItem, ReadOutcome } from "../../replica/partition_ops.ts";

export interface FetchLimits {
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
}

export async function readWithWait(
  partitions: PartitionAccess,
  items: ReadItem[],
  limits: FetchLimits,
  now: () => number = Date.now,
): Promise<ReadOutcome[]> {
  const deadline = now() + Math.max(0, limits.maxWaitMs);
  for (;;) {
    const results = items.length > 0 ? await partitions.run({ op: "read", items }) : [];
    const bytes = applyResponseLimit(items, results, limits.maxBytes);
    const remaining = deadline - now();
    if (bytes >= limits.minBytes || remaining <= 0 || items.length === 0) return results;
    if (results.some((r) => r.errorCode !== ErrorCode.NONE)) return results;
    const fired = await partitions.watch({
      op: "watch",
      items: items.map((item, i) => ({
        topicId: item.topicId,
        partition: item.partition,
        offset: results[i].highWatermark,
      })),
      timeoutMs: remaining,
    });
    if (!fired) {
      return partitions.run({ op: "read", items }).then((r) => (applyResponseLimit(items, r, limits.maxBytes), r));
    }
  }
}

/** Trims results in place to the response limit; returns the bytes kept. */
export function applyResponseLimit(items: ReadItem[], results: ReadOutcome[], maxBytes: number): number {
  let used = 0;
  for (let i = 0; i < results.length; i++) {
    const records = results[i].records;
    if (!records || records.byteLength === 0) continue;
    if (used === 0) {
      used = records.byteLength;
      continue;
    }
    const limit = Math.min(items[i].maxBytes, Math.max(0, maxBytes - used));
    const kept = wholeBatchesWithin(records, limit);
    if (kept !== records.byteLength) results[i].records = records.subarray(0, kept);
    used += kept;
  }
  return used;
}

/** The length of the longest prefix of whole batches no longer than `limit`. */
export function wholeBatchesWithin(records: Uint8Array, limit: number): number {
  if (records.byteLength <= limit) return records.byteLength;
  const view = new DataView(records.buffer, records.byteOffset, records.byteLength);
  let pos = 0;
  while (pos + LOG_OVERHEAD <= records.byteLength) {
    const size = LOG_OVERHEAD + view.getInt32(pos + 8);
    if (pos + size > limit) break;
    pos += size;
  }
  return pos;
}
