/**
 * ListOffsets by timestamp over a log's segments, as Kafka 3.9's UnifiedLog.fetchOffsetByTimestamp: the
 * time index picks where to start, uncompressed batches are searched record by record, and a compressed or
 * LogAppendTime batch answers with its first offset and its max timestamp (batches are never
 * decompressed). `lso` is the log start offset: nothing below it is answered.
 */
import { visitRecordTimestamps } from "./batch_records.ts";
import type { Segment } from "./segment.ts";
import {
  ATTRIBUTES_OFFSET,
  BASE_OFFSET_OFFSET,
  BATCH_LENGTH_OFFSET,
  COMPRESSION_MASK,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  MAX_TIMESTAMP_OFFSET,
  PARTITION_LEADER_EPOCH_OFFSET,
  TIMESTAMP_TYPE_MASK,
} from "./record_batch.ts";

export interface TimestampAndOffset {
  offset: bigint;
  timestamp: bigint;
  /** The batch's partition leader epoch, -1 when it has none. */
  leaderEpoch: number;
}

/**
 * ListOffsets by timestamp: the first offset (>= logStartOffset) whose record timestamp is >= ts. The
 * time index picks where to start in the first segment whose max timestamp reaches ts; uncompressed
 * batches are searched record by record; a compressed or LogAppendTime batch answers with its first
 * offset and its max timestamp (we never decompress).
 */
export function offsetForTimestamp(
  segments: Segment[],
  fromIndex: number,
  lso: bigint,
  ts: bigint,
): TimestampAndOffset | null {
  for (let i = fromIndex; i < segments.length; i++) {
    const seg = segments[i];
    if (seg.maxTimestamp < ts) continue;
    const rel = seg.timeIndex.lookup(ts);
    let from = rel < 0 ? seg.baseOffset : seg.baseOffset + BigInt(rel);
    if (from < lso) from = lso;
    const first = seg.findBatch(from);
    if (first === null) continue;
    for (let pos = first.position; pos < seg.size;) {
      const v = seg.headerAt(pos);
      if (v === null) break;
      const size = LOG_OVERHEAD + v.getInt32(BATCH_LENGTH_OFFSET);
      const baseOffset = v.getBigInt64(BASE_OFFSET_OFFSET);
      const lastOffset = baseOffset + BigInt(v.getInt32(LAST_OFFSET_DELTA_OFFSET));
      if (lastOffset >= lso && v.getBigInt64(MAX_TIMESTAMP_OFFSET) >= ts) {
        const found = recordAtOrAfter(lso, seg, pos, size, ts);
        if (found !== null) return found;
      }
      pos += size;
    }
  }
  return null;
}

/** The first record of the batch at `pos` with timestamp >= ts (or == ts when `exact`) and offset >= LSO. */
function recordAtOrAfter(
  lso: bigint,
  seg: Segment,
  pos: number,
  size: number,
  ts: bigint,
  exact = false,
): TimestampAndOffset | null {
  const v = seg.headerAt(pos)!;
  const attributes = v.getInt16(ATTRIBUTES_OFFSET);
  const baseOffset = v.getBigInt64(BASE_OFFSET_OFFSET);
  const maxTimestamp = v.getBigInt64(MAX_TIMESTAMP_OFFSET);
  const epoch = v.getInt32(PARTITION_LEADER_EPOCH_OFFSET);
  const leaderEpoch = epoch >= 0 ? epoch : -1;
  const floor = baseOffset < lso ? lso : baseOffset;
  if ((attributes & TIMESTAMP_TYPE_MASK) !== 0 || (attributes & COMPRESSION_MASK) !== 0) {
    return { offset: floor, timestamp: maxTimestamp, leaderEpoch };
  }
  const batch = seg.read(pos, size);
  let result: TimestampAndOffset | null = null;
  visitRecordTimestamps(batch, (offsetDelta, timestamp) => {
    const offset = baseOffset + BigInt(offsetDelta);
    if (offset < lso || (exact ? timestamp !== ts : timestamp < ts)) return false;
    result = { offset, timestamp, leaderEpoch };
    return true;
  });
  return result;
}

/**
 * ListOffsets MAX_TIMESTAMP: the record with the largest timestamp (earliest such offset), found from
 * the per-segment max and one batch read, as Kafka 3.9 does; null on an empty log.
 */
export function maxTimestampAndOffset(segments: Segment[], lso: bigint): TimestampAndOffset | null {
  let best: Segment | null = null;
  for (const s of segments) {
    if (s.size > 0 && s.maxTimestamp >= 0n && (best === null || s.maxTimestamp > best.maxTimestamp)) best = s;
  }
  if (best === null) return null;
  const b = best.findBatch(best.baseOffset + BigInt(best.maxTimestampRel));
  for (let pos = b === null ? 0 : b.position; pos < best.size;) {
    const loc = best.batchAt(pos);
    if (loc === null) break;
    if (loc.maxTimestamp === best.maxTimestamp) {
      const found = recordAtOrAfter(lso, best, pos, loc.size, best.maxTimestamp, true);
      if (found !== null) return found;
    }
    pos += loc.size;
  }
  return null;
}
