/**
 * The read of a fetch: whole batches from the one holding an offset, from one segment, as Kafka reads.
 * Apart from PartitionLog so the log's own file stays within the size rule.
 */
import type { Segment } from "./segment.ts";
import { BATCH_LENGTH_OFFSET, LOG_OVERHEAD } from "./record_batch.ts";

const EMPTY = new Uint8Array(0);

/**
 * Batches from the first one in segments[first..] whose last offset is >= `offset`, at most maxBytes (the
 * first one whole regardless with minOneMessage), cut at the last whole batch; empty when none.
 */
export function readBatchesFrom(
  segments: readonly Segment[],
  first: number,
  offset: bigint,
  maxBytes: number,
  minOneMessage: boolean,
): Uint8Array {
  for (let i = first; i < segments.length; i++) {
    const seg = segments[i];
    const b = seg.findBatch(offset);
    if (b === null) continue;
    let length = Math.min(maxBytes, seg.size - b.position);
    if (b.size > length) {
      if (!minOneMessage) return EMPTY;
      length = b.size;
    }
    const buf = seg.read(b.position, length);
    const v = new DataView(buf.buffer, buf.byteOffset, buf.length);
    let end = 0;
    while (end + LOG_OVERHEAD <= buf.length) {
      const size = LOG_OVERHEAD + v.getInt32(end + BATCH_LENGTH_OFFSET);
      if (end + size > buf.length) break;
      end += size;
    }
    return end === buf.length ? buf : buf.subarray(0, end);
  }
  return EMPTY;
}

/** Index of the segment holding `offset`: the last one with baseOffset <= offset (0 if below all). */
export function segmentIndexFor(segments: readonly Segment[], offset: bigint): number {
  let lo = 0;
  let hi = segments.length - 1;
  let found = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (segments[mid].baseOffset <= offset) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}
