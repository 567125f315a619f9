/**
 * The cleaner's view of one v2 batch's records: parse them (decompressed), and build the batch that
 * keeps a subset of them, as Kafka's MemoryRecords.filterTo does. A rebuilt batch keeps its base offset,
 * last offset delta (so the producer's last sequence survives), producer id/epoch/base sequence, leader
 * epoch, codec and flags; its base timestamp becomes the first kept record's timestamp, or the delete
 * horizon when one is set (KIP-534: attribute bit 6, the horizon stored as the base timestamp, record
 * timestamps as deltas from it). A batch whose records all go but which must stay for producer state
 * becomes an empty batch: the header alone, with its offsets and sequence, as Kafka writes it.
 */
import { readZigzag as zigzag, writeZigzag, zigzagSize } from "../zigzag.ts";
import { compress, decompress } from "../codecs/codec.ts";
import {
  ATTRIBUTES_OFFSET,
  BASE_OFFSET_OFFSET,
  BASE_SEQUENCE_OFFSET,
  BASE_TIMESTAMP_OFFSET,
  BATCH_HEADER_BYTES,
  BATCH_LENGTH_OFFSET,
  COMPRESSION_MASK,
  CONTROL_MASK,
  DELETE_HORIZON_MASK,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  MAGIC_V2,
  MAX_TIMESTAMP_OFFSET,
  PARTITION_LEADER_EPOCH_OFFSET,
  PRODUCER_EPOCH_OFFSET,
  PRODUCER_ID_OFFSET,
  RECORDS_COUNT_OFFSET,
  RECORDS_OFFSET,
  TIMESTAMP_TYPE_MASK,
  TRANSACTIONAL_MASK,
  writeBatchCrc,
} from "../record_batch.ts";

/** One record inside a (decompressed) records section. */
export interface ParsedRecord {
  offsetDelta: number;
  /** Absolute timestamp (batch base timestamp + delta). */
  timestamp: number;
  /** Key bytes' range in the section, or keyStart -1 for a null key. */
  keyStart: number;
  keyLength: number;
  /** The value is null: a tombstone. */
  tombstone: boolean;
  /** The value bytes' range in the section (length 0 for a tombstone). */
  valueStart: number;
  valueLength: number;
  /** From the offset delta to the record's end: copied unchanged into a rebuilt record. */
  tailStart: number;
  end: number;
}

/** The records section of `batch` (a whole batch), decompressed. Throws on bad compressed data. */
export function recordsSection(batch: Uint8Array): Uint8Array {
  const v = new DataView(batch.buffer, batch.byteOffset, batch.length);
  const codec = v.getInt16(ATTRIBUTES_OFFSET) & COMPRESSION_MASK;
  return decompress(codec, batch.subarray(RECORDS_OFFSET));
}

/** Parses `count` records of a decompressed section; throws Error on malformed bytes. */
export function parseRecords(section: Uint8Array, count: number, baseTimestamp: number): ParsedRecord[] {
  const out: ParsedRecord[] = [];
  let pos = 0;
  const end = section.length;
  for (let i = 0; i < count; i++) {
    const [length, bodyStart] = zigzag(section, pos, end);
    if (!(length >= 0) || bodyStart + length > end) throw new Error(`record ${i}: bad length ${length}`);
    const bodyEnd = bodyStart + length;
    const [tsDelta, p1] = zigzag(section, bodyStart + 1, bodyEnd);
    const [offsetDelta, p2] = zigzag(section, p1, bodyEnd);
    const [keyLength, p3] = zigzag(section, p2, bodyEnd);
    if (tsDelta !== tsDelta || offsetDelta !== offsetDelta || keyLength !== keyLength) {
      throw new Error(`record ${i}: malformed fields`);
    }
    const afterKey = keyLength >= 0 ? p3 + keyLength : p3;
    const [valueLength, valueStart] = zigzag(section, afterKey, bodyEnd);
    if (valueLength !== valueLength) throw new Error(`record ${i}: malformed value length`);
    out.push({
      offsetDelta,
      timestamp: baseTimestamp + tsDelta,
      keyStart: keyLength >= 0 ? p3 : -1,
      keyLength: keyLength >= 0 ? keyLength : 0,
      tombstone: valueLength < 0,
      valueStart,
      valueLength: valueLength >= 0 ? valueLength : 0,
      tailStart: p1,
      end: bodyEnd,
    });
    pos = bodyEnd;
  }
  return out;
}

/**
 * A batch holding only `kept` records of `original` (parsed from `section`), re-encoded with timestamp
 * deltas from the new base and compressed with the original codec; `deleteHorizonMs` (or null) marks
 * it as KIP-534 does.
 */
export function rebuildBatch(
  original: Uint8Array,
  section: Uint8Array,
  kept: readonly ParsedRecord[],
  deleteHorizonMs: number | null,
): Uint8Array {
  const ov = new DataView(original.buffer, original.byteOffset, original.length);
  const attributes = ov.getInt16(ATTRIBUTES_OFFSET);
  const logAppendTime = (attributes & TIMESTAMP_TYPE_MASK) !== 0;
  const base = deleteHorizonMs ?? kept[0].timestamp;
  let size = 0;
  const bodies = kept.map((r) => {
    const body = 1 + zigzagSize(r.timestamp - base) + (r.end - r.tailStart);
    size += zigzagSize(body) + body;
    return body;
  });
  const records = new Uint8Array(size);
  let pos = 0;
  let maxTimestamp = -1;
  kept.forEach((r, i) => {
    pos = writeZigzag(records, pos, bodies[i]);
    records[pos++] = 0; // record attributes: unused in v2
    pos = writeZigzag(records, pos, r.timestamp - base);
    records.set(section.subarray(r.tailStart, r.end), pos);
    pos += r.end - r.tailStart;
    if (r.timestamp > maxTimestamp) maxTimestamp = r.timestamp;
  });
  const codec = attributes & COMPRESSION_MASK;
  const body = compress(codec, records);
  const out = new Uint8Array(BATCH_HEADER_BYTES + body.length);
  out.set(original.subarray(0, BATCH_HEADER_BYTES));
  out.set(body, BATCH_HEADER_BYTES);
  const v = new DataView(out.buffer);
  v.setInt32(BATCH_LENGTH_OFFSET, out.length - LOG_OVERHEAD);
  const horizonBit = deleteHorizonMs !== null ? DELETE_HORIZON_MASK : 0;
  v.setInt16(ATTRIBUTES_OFFSET, (attributes & ~DELETE_HORIZON_MASK) | horizonBit);
  v.setBigInt64(BASE_TIMESTAMP_OFFSET, BigInt(base));
  // LogAppendTime batches keep the append time as their max timestamp; CreateTime: the kept records' max.
  if (!logAppendTime) v.setBigInt64(MAX_TIMESTAMP_OFFSET, BigInt(maxTimestamp));
  v.setInt32(RECORDS_COUNT_OFFSET, kept.length);
  writeBatchCrc(out, 0, out.length);
  return out;
}

/**
 * The header-only batch Kafka keeps when every record of a producer's last batch is cleaned away: same
 * offsets, producer id, epoch, base sequence and flags, no records, no compression, both timestamps the
 * original max timestamp.
 */
export function emptyBatch(original: Uint8Array): Uint8Array {
  const ov = new DataView(original.buffer, original.byteOffset, original.length);
  const out = new Uint8Array(BATCH_HEADER_BYTES);
  const v = new DataView(out.buffer);
  const flags = ov.getInt16(ATTRIBUTES_OFFSET) & (TIMESTAMP_TYPE_MASK | TRANSACTIONAL_MASK | CONTROL_MASK);
  const maxTimestamp = ov.getBigInt64(MAX_TIMESTAMP_OFFSET);
  v.setBigInt64(BASE_OFFSET_OFFSET, ov.getBigInt64(BASE_OFFSET_OFFSET));
  v.setInt32(BATCH_LENGTH_OFFSET, BATCH_HEADER_BYTES - LOG_OVERHEAD);
  v.setInt32(PARTITION_LEADER_EPOCH_OFFSET, ov.getInt32(PARTITION_LEADER_EPOCH_OFFSET));
  v.setInt8(MAGIC_OFFSET, MAGIC_V2);
  v.setInt16(ATTRIBUTES_OFFSET, flags);
  v.setInt32(LAST_OFFSET_DELTA_OFFSET, ov.getInt32(LAST_OFFSET_DELTA_OFFSET));
  v.setBigInt64(BASE_TIMESTAMP_OFFSET, maxTimestamp);
  v.setBigInt64(MAX_TIMESTAMP_OFFSET, maxTimestamp);
  v.setBigInt64(PRODUCER_ID_OFFSET, ov.getBigInt64(PRODUCER_ID_OFFSET));
  v.setInt16(PRODUCER_EPOCH_OFFSET, ov.getInt16(PRODUCER_EPOCH_OFFSET));
  v.setInt32(BASE_SEQUENCE_OFFSET, ov.getInt32(BASE_SEQUENCE_OFFSET));
  v.setInt32(RECORDS_COUNT_OFFSET, 0);
  writeBatchCrc(out, 0, out.length);
  return out;
}

/** The key of a record as a map key: one UTF-16 unit per byte, so distinct keys stay distinct. */
export function keyString(section: Uint8Array, r: ParsedRecord): string {
  let s = "";
  const end = r.keyStart + r.keyLength;
  for (let i = r.keyStart; i < end; i += 4096) {
    s += String.fromCharCode.apply(null, section.subarray(i, Math.min(end, i + 4096)) as unknown as number[]);
  }
  return s;
}
