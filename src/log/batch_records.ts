/**
 * Timestamps of the records inside one uncompressed v2 batch, for ListOffsets (by timestamp and max
 * timestamp). Only the fields before the key are decoded: length, attributes, timestampDelta, offsetDelta.
 */
import { BASE_TIMESTAMP_OFFSET, RECORDS_COUNT_OFFSET, RECORDS_OFFSET } from "./record_batch.ts";
import { readZigzag as zigzag } from "./zigzag.ts";

/**
 * Calls `visit(offsetDelta, timestamp)` for each record of the uncompressed batch `batch` (a whole batch)
 * until it returns true; returns whether one did. Stops quietly at malformed bytes.
 */
export function visitRecordTimestamps(
  batch: Uint8Array,
  visit: (offsetDelta: number, timestamp: bigint) => boolean,
): boolean {
  const v = new DataView(batch.buffer, batch.byteOffset, batch.length);
  const baseTimestamp = v.getBigInt64(BASE_TIMESTAMP_OFFSET);
  const count = v.getInt32(RECORDS_COUNT_OFFSET);
  let pos = RECORDS_OFFSET;
  const end = batch.length;
  for (let i = 0; i < count && pos < end; i++) {
    const [length, bodyStart] = zigzag(batch, pos, end);
    if (!(length >= 0)) return false;
    const [tsDelta, p1] = zigzag(batch, bodyStart + 1, end);
    const [offsetDelta] = zigzag(batch, p1, end);
    if (tsDelta !== tsDelta || offsetDelta !== offsetDelta) return false;
    if (visit(offsetDelta, baseTimestamp + BigInt(tsDelta))) return true;
    pos = bodyStart + length;
  }
  return false;
}
