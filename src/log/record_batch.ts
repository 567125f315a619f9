/**
 * Kafka record batches (magic v2), handled as bytes.
 *
 * The broker stores and serves a producer's batch as it arrived, so the
 * produce path reads the 61-byte header, checks what Kafka checks, rewrites
 * the few header fields the leader owns, and walks the records only to
 * validate them; a batch is rebuilt only when the topic's compression.type
 * names another codec (recompress.ts) or the log cleaner compacts it. Layout and semantics
 * follow https://kafka.apache.org/documentation/#recordbatch; the checks and
 * their error codes follow Kafka 3.9's broker (see validateBatchForAppend).
 */
import { ErrorCode } from "../protocol/errors.ts";
import { crc32c } from "./crc32c.ts";
import { writeZigzag, zigzagSize } from "./zigzag.ts";

// Byte offsets of the header fields (big-endian), from the batch start.
export const BASE_OFFSET_OFFSET = 0;
export const BATCH_LENGTH_OFFSET = 8;
export const PARTITION_LEADER_EPOCH_OFFSET = 12;
export const MAGIC_OFFSET = 16;
export const CRC_OFFSET = 17;
export const ATTRIBUTES_OFFSET = 21;
export const LAST_OFFSET_DELTA_OFFSET = 23;
export const BASE_TIMESTAMP_OFFSET = 27;
export const MAX_TIMESTAMP_OFFSET = 35;
export const PRODUCER_ID_OFFSET = 43;
export const PRODUCER_EPOCH_OFFSET = 51;
export const BASE_SEQUENCE_OFFSET = 53;
export const RECORDS_COUNT_OFFSET = 57;
export const RECORDS_OFFSET = 61;

/** Bytes before the first record (the record batch overhead). */
export const BATCH_HEADER_BYTES = 61;
/** baseOffset + batchLength: the bytes not counted by batchLength. */
export const LOG_OVERHEAD = 12;
/** Bytes needed to read a batch's magic, whatever its version. */
export const HEADER_SIZE_UP_TO_MAGIC = 17;
/** Kafka rejects a batchLength below the smallest legacy (v0) message. */
export const MIN_BATCH_LENGTH = 14;
export const MAGIC_V2 = 2;

export const CompressionType = { None: 0, Gzip: 1, Snappy: 2, Lz4: 3, Zstd: 4 } as const;
export type CompressionType = (typeof CompressionType)[keyof typeof CompressionType];

export const COMPRESSION_MASK = 0x07;
export const TIMESTAMP_TYPE_MASK = 0x08;
export const TRANSACTIONAL_MASK = 0x10;
export const CONTROL_MASK = 0x20;
export const DELETE_HORIZON_MASK = 0x40;

export const NO_PRODUCER_ID = -1n;
export const NO_PRODUCER_EPOCH = -1;
export const NO_SEQUENCE = -1;
export const NO_PARTITION_LEADER_EPOCH = -1;

export interface BatchHeader {
  baseOffset: bigint;
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  /** Raw bits 0–2; values above CompressionType.Zstd are not valid codecs. */
  compression: number;
  timestampType: "CreateTime" | "LogAppendTime";
  isTransactional: boolean;
  isControl: boolean;
  hasDeleteHorizonMs: boolean;
  lastOffsetDelta: number;
  baseTimestamp: bigint;
  maxTimestamp: bigint;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  recordsCount: number;
  /** LOG_OVERHEAD + batchLength: the whole batch. */
  sizeInBytes: number;
}

/** A refusal, carrying the Kafka error code a Produce response would hold. */
export interface BatchError {
  code: number;
  message: string;
}

function view(buf: Uint8Array, start: number, length: number): DataView {
  return new DataView(buf.buffer, buf.byteOffset + start, length);
}

/** Reads the 61-byte header at `offset`; the records need not be present. */
export function readBatchHeader(buf: Uint8Array, offset = 0): BatchHeader {
  if (offset < 0 || buf.length - offset < BATCH_HEADER_BYTES) {
    throw new RangeError(`a batch header needs ${BATCH_HEADER_BYTES} bytes, ${buf.length - offset} available`);
  }
  const v = view(buf, offset, BATCH_HEADER_BYTES);
  const attributes = v.getInt16(ATTRIBUTES_OFFSET);
  const batchLength = v.getInt32(BATCH_LENGTH_OFFSET);
  return {
    baseOffset: v.getBigInt64(BASE_OFFSET_OFFSET),
    batchLength,
    partitionLeaderEpoch: v.getInt32(PARTITION_LEADER_EPOCH_OFFSET),
    magic: v.getInt8(MAGIC_OFFSET),
    crc: v.getUint32(CRC_OFFSET),
    attributes,
    compression: attributes & COMPRESSION_MASK,
    timestampType: attributes & TIMESTAMP_TYPE_MASK ? "LogAppendTime" : "CreateTime",
    isTransactional: (attributes & TRANSACTIONAL_MASK) !== 0,
    isControl: (attributes & CONTROL_MASK) !== 0,
    hasDeleteHorizonMs: (attributes & DELETE_HORIZON_MASK) !== 0,
    lastOffsetDelta: v.getInt32(LAST_OFFSET_DELTA_OFFSET),
    baseTimestamp: v.getBigInt64(BASE_TIMESTAMP_OFFSET),
    maxTimestamp: v.getBigInt64(MAX_TIMESTAMP_OFFSET),
    producerId: v.getBigInt64(PRODUCER_ID_OFFSET),
    producerEpoch: v.getInt16(PRODUCER_EPOCH_OFFSET),
    baseSequence: v.getInt32(BASE_SEQUENCE_OFFSET),
    recordsCount: v.getInt32(RECORDS_COUNT_OFFSET),
    sizeInBytes: LOG_OVERHEAD + batchLength,
  };
}

const corrupt = (message: string): BatchError => ({ code: ErrorCode.CORRUPT_MESSAGE, message });
const invalid = (message: string): BatchError => ({ code: ErrorCode.INVALID_RECORD, message });

/**
 * Splits a Produce partition's `records` bytes into whole batches, reading
 * only each batch's length and magic (as Kafka's batch iterator does).
 * A batchLength below 14 or a magic outside 0..2 is CORRUPT_MESSAGE, as in
 * Kafka. A truncated batch at the end is also reported as CORRUPT_MESSAGE,
 * with the whole batches before it still listed: Kafka instead stops at it
 * silently and appends only the whole batches, so a caller wanting exactly
 * that may ignore an error whose batches are non-empty.
 *
 * Kafka (Produce v3+) also requires exactly one batch per partition
 * (INVALID_RECORD for none or several); that rule is left to the caller.
 */
export function splitBatches(
  records: Uint8Array,
): { batches: Array<{ start: number; end: number }>; error?: BatchError } {
  const batches: Array<{ start: number; end: number }> = [];
  const v = view(records, 0, records.length);
  let pos = 0;
  while (pos < records.length) {
    const remaining = records.length - pos;
    if (remaining < LOG_OVERHEAD) {
      return {
        batches,
        error: corrupt(`truncated batch at byte ${pos}: ${remaining} bytes left, not a full log header`),
      };
    }
    const batchLength = v.getInt32(pos + BATCH_LENGTH_OFFSET);
    if (batchLength < MIN_BATCH_LENGTH) {
      return {
        batches,
        error: corrupt(`batch at byte ${pos} has length ${batchLength}, below the minimum ${MIN_BATCH_LENGTH}`),
      };
    }
    if (remaining < HEADER_SIZE_UP_TO_MAGIC) {
      return { batches, error: corrupt(`truncated batch at byte ${pos}: ${remaining} bytes left, no magic byte`) };
    }
    const magic = v.getInt8(pos + MAGIC_OFFSET);
    if (magic < 0 || magic > MAGIC_V2) {
      return { batches, error: corrupt(`batch at byte ${pos} has invalid magic ${magic}`) };
    }
    const size = LOG_OVERHEAD + batchLength;
    if (remaining < size) {
      return { batches, error: corrupt(`truncated batch at byte ${pos}: declares ${size} bytes, ${remaining} left`) };
    }
    batches.push({ start: pos, end: pos + size });
    pos += size;
  }
  return { batches };
}

/** CRC-32C of the batch's bytes from attributes to its end (what the crc field covers). */
export function computeBatchCrc(buf: Uint8Array, start: number, end: number): number {
  return crc32c(buf.subarray(start + ATTRIBUTES_OFFSET, end));
}

/** Recomputes and stores the batch's crc; returns it. */
export function writeBatchCrc(buf: Uint8Array, start: number, end: number): number {
  const crc = computeBatchCrc(buf, start, end);
  view(buf, start, BATCH_HEADER_BYTES).setUint32(CRC_OFFSET, crc);
  return crc;
}

/**
 * Kafka 3.9's broker-side checks of a client's v2 batch before append, in
 * Kafka's order (Produce v3+ parsing, then UnifiedLog, then LogValidator),
 * each with the error code Kafka answers. Deliberate differences:
 * - [start, end) must be exactly one batch (splitBatches' output), else
 *   CORRUPT_MESSAGE.
 * - Uncompressed records must carry offsetDelta 0..n-1 (INVALID_RECORD).
 *   Kafka does not check this for uncompressed batches, and for compressed
 *   ones it rewrites the batch instead; we keep bytes as sent, so we refuse.
 * - Compressed batches are checked only as far as their header goes: Kafka
 *   decompresses to check the record count against the bytes, each record's
 *   structure, inner offsets, compacted-topic keys and timestamps.
 * - Topic-config checks (keys on compacted topics, timestamp bounds and
 *   type) are not here: they need per-record data and the topic's config.
 */
export function validateBatchForAppend(
  buf: Uint8Array,
  start: number,
  end: number,
  opts: { maxMessageBytes: number },
): BatchError | null {
  if (start < 0 || end > buf.length || start > end) throw new RangeError(`bad batch range [${start}, ${end})`);
  const size = end - start;
  if (size < HEADER_SIZE_UP_TO_MAGIC) return corrupt(`batch of ${size} bytes is shorter than its header`);
  const v = view(buf, start, Math.min(size, BATCH_HEADER_BYTES));
  const batchLength = v.getInt32(BATCH_LENGTH_OFFSET);
  if (batchLength < MIN_BATCH_LENGTH) {
    return corrupt(`batch length ${batchLength} is below the minimum ${MIN_BATCH_LENGTH}`);
  }
  if (LOG_OVERHEAD + batchLength !== size) {
    return corrupt(`batch length ${batchLength} does not match the ${size} bytes given`);
  }
  const magic = v.getInt8(MAGIC_OFFSET);
  if (magic < 0 || magic > MAGIC_V2) return corrupt(`invalid magic ${magic}`);
  // Kafka answers INVALID_RECORD for magic 0/1 in Produce v3+, the only
  // versions that carry v2 batches; older Produce versions it up-converts.
  if (magic !== MAGIC_V2) return invalid(`only magic v2 record batches are accepted, not v${magic}`);
  const baseOffset = v.getBigInt64(BASE_OFFSET_OFFSET);
  if (baseOffset !== 0n) return invalid(`a produced batch must have baseOffset 0, not ${baseOffset}`);
  if (size > opts.maxMessageBytes) {
    return {
      code: ErrorCode.MESSAGE_TOO_LARGE,
      message: `batch of ${size} bytes exceeds the maximum ${opts.maxMessageBytes}`,
    };
  }
  if (size < BATCH_HEADER_BYTES) {
    return corrupt(`batch of ${size} bytes is shorter than the ${BATCH_HEADER_BYTES}-byte header`);
  }
  const storedCrc = v.getUint32(CRC_OFFSET);
  const crc = computeBatchCrc(buf, start, end);
  if (crc !== storedCrc) return corrupt(`batch crc mismatch (stored ${storedCrc}, computed ${crc})`);
  const attributes = v.getInt16(ATTRIBUTES_OFFSET);
  const compression = attributes & COMPRESSION_MASK;
  // Kafka fails decoding an unknown codec id with an unexpected exception,
  // which its produce path answers as UNKNOWN_SERVER_ERROR.
  if (compression > CompressionType.Zstd) {
    return { code: ErrorCode.UNKNOWN_SERVER_ERROR, message: `unknown compression type id ${compression}` };
  }
  // LogValidator.validateBatch (client origin).
  const lastOffsetDelta = v.getInt32(LAST_OFFSET_DELTA_OFFSET);
  const count = v.getInt32(RECORDS_COUNT_OFFSET);
  if (lastOffsetDelta + 1 <= 0) return invalid(`invalid offset range: lastOffsetDelta ${lastOffsetDelta}`);
  if (count <= 0) return invalid(`invalid record count ${count}`);
  if (lastOffsetDelta + 1 !== count) {
    return invalid(`lastOffsetDelta ${lastOffsetDelta} is inconsistent with ${count} records`);
  }
  if (attributes & CONTROL_MASK) return invalid("clients may not write control batches");
  if (v.getBigInt64(PRODUCER_ID_OFFSET) >= 0n && v.getInt32(BASE_SEQUENCE_OFFSET) < 0) {
    return invalid(`invalid base sequence ${v.getInt32(BASE_SEQUENCE_OFFSET)} for a batch with a producer id`);
  }
  if (compression !== CompressionType.None) return null;
  return walkRecords(buf, start + RECORDS_OFFSET, end, count);
}

// Read position shared by the varint helpers below, so that reading a field
// returns a plain number instead of allocating a {value, next} pair.
let cursor = 0;

/** Zigzag varint (int32) at `cursor`, as Kafka reads it; NaN if it runs past `limit` or beyond 5 bytes. */
function readVarint(buf: Uint8Array, limit: number): number {
  let raw = 0;
  for (let shift = 0; shift <= 28; shift += 7) {
    if (cursor >= limit) return NaN;
    const b = buf[cursor++];
    raw |= (b & 0x7f) << shift;
    if (b < 0x80) return (raw >>> 1) ^ -(raw & 1);
  }
  return NaN;
}

/** Skips a varlong (at most 10 bytes); false if it runs past `limit` or is too long. */
function skipVarlong(buf: Uint8Array, limit: number): boolean {
  for (let i = 0; i < 10; i++) {
    if (cursor >= limit) return false;
    if (buf[cursor++] < 0x80) return true;
  }
  return false;
}

/** Skips a varint-length-prefixed byte string (negative length = null); false if malformed. */
function skipBytes(buf: Uint8Array, limit: number, allowNull: boolean): boolean {
  const length = readVarint(buf, limit);
  if (length !== length || (length < 0 && !allowNull)) return false;
  if (length > 0) cursor += length;
  return cursor <= limit;
}

/**
 * Walks `count` v2 records in [pos, end) the way Kafka's record reader does,
 * checking that each one's fields fill exactly its declared length, that
 * offsetDelta runs 0..count-1 and that no bytes follow the last record.
 */
function walkRecords(buf: Uint8Array, pos: number, end: number, count: number): BatchError | null {
  for (let i = 0; i < count; i++) {
    cursor = pos;
    const length = readVarint(buf, end);
    if (length !== length) return invalid(`record ${i}: batch ends inside the record length`);
    if (length < 0 || cursor + length > end) {
      return invalid(`record ${i}: length ${length} does not fit the ${end - cursor} bytes left in the batch`);
    }
    const bodyStart = cursor;
    const bodyEnd = cursor + length;
    cursor++; // attributes (int8, unused in v2)
    if (cursor > bodyEnd || !skipVarlong(buf, bodyEnd)) return invalid(`record ${i}: malformed timestampDelta`);
    const offsetDelta = readVarint(buf, bodyEnd);
    if (offsetDelta !== i) return invalid(`record ${i}: offsetDelta ${offsetDelta}, expected ${i}`);
    if (!skipBytes(buf, bodyEnd, true)) return invalid(`record ${i}: malformed key`);
    if (!skipBytes(buf, bodyEnd, true)) return invalid(`record ${i}: malformed value`);
    const headers = readVarint(buf, bodyEnd);
    if (headers !== headers || headers < 0) return invalid(`record ${i}: invalid header count ${headers}`);
    for (let h = 0; h < headers; h++) {
      if (!skipBytes(buf, bodyEnd, false)) return invalid(`record ${i}: malformed key of header ${h}`);
      if (!skipBytes(buf, bodyEnd, true)) return invalid(`record ${i}: malformed value of header ${h}`);
    }
    if (cursor !== bodyEnd) {
      return invalid(`record ${i}: declares ${length} bytes but its fields take ${cursor - bodyStart}`);
    }
    pos = bodyEnd;
  }
  if (pos !== end) return invalid(`${end - pos} bytes remain after the ${count} declared records`);
  return null;
}

/**
 * Stamps the leader's offset on an accepted batch: rewrites baseOffset (not
 * covered by the crc). With `logAppendTimeMs` (topics with LogAppendTime),
 * also does what Kafka does: sets the timestamp-type bit and maxTimestamp to
 * that time, leaving baseTimestamp and per-record deltas alone, and then
 * recomputes the crc, which covers both fields.
 */
export function assignOffsets(buf: Uint8Array, start: number, baseOffset: bigint, logAppendTimeMs?: bigint): void {
  const v = view(buf, start, BATCH_HEADER_BYTES);
  v.setBigInt64(BASE_OFFSET_OFFSET, baseOffset);
  if (logAppendTimeMs === undefined) return;
  const attributes = v.getInt16(ATTRIBUTES_OFFSET);
  // As Kafka: skip the crc pass when nothing under it changes.
  if (attributes & TIMESTAMP_TYPE_MASK && v.getBigInt64(MAX_TIMESTAMP_OFFSET) === logAppendTimeMs) return;
  v.setInt16(ATTRIBUTES_OFFSET, attributes | TIMESTAMP_TYPE_MASK);
  v.setBigInt64(MAX_TIMESTAMP_OFFSET, logAppendTimeMs);
  writeBatchCrc(buf, start, start + LOG_OVERHEAD + v.getInt32(BATCH_LENGTH_OFFSET));
}

/** Kafka stamps the leader's epoch on each appended batch; it lies outside the crc. */
export function setPartitionLeaderEpoch(buf: Uint8Array, start: number, epoch: number): void {
  view(buf, start, BATCH_HEADER_BYTES).setInt32(PARTITION_LEADER_EPOCH_OFFSET, epoch);
}

export interface BuildRecord {
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers?: Array<[string, Uint8Array | null]>;
  /** Milliseconds after the batch's baseTimestamp; 0 by default. */
  timestampDelta?: number;
}

export interface BuildBatchOptions {
  baseOffset?: bigint;
  /** Defaults to the current time. */
  baseTimestamp?: bigint;
  partitionLeaderEpoch?: number;
  producerId?: bigint;
  producerEpoch?: number;
  baseSequence?: number;
  isTransactional?: boolean;
  /** Only for tests: brokers refuse control batches from clients. */
  isControl?: boolean;
}

const utf8 = new TextEncoder();

function bytesSize(b: Uint8Array | null): number {
  return b === null ? zigzagSize(-1) : zigzagSize(b.length) + b.length;
}

function writeBytes(buf: Uint8Array, pos: number, b: Uint8Array | null): number {
  if (b === null) return writeZigzag(buf, pos, -1);
  pos = writeZigzag(buf, pos, b.length);
  buf.set(b, pos);
  return pos + b.length;
}

/**
 * A valid, uncompressed v2 batch holding `records` (for tests and tools such
 * as `tsbroker perf`). Defaults match a non-idempotent Java producer:
 * baseOffset 0, no producer id/epoch/sequence, no leader epoch, CreateTime.
 */
export function buildBatch(records: BuildRecord[], opts: BuildBatchOptions = {}): Uint8Array {
  const baseTimestamp = opts.baseTimestamp ?? BigInt(Date.now());
  // Encode header keys once; size every record before allocating the batch.
  const keys = records.map((r) => (r.headers ?? []).map(([k]) => utf8.encode(k)));
  const bodySizes = records.map((r, i) => {
    let size = 1 + zigzagSize(r.timestampDelta ?? 0) + zigzagSize(i) + bytesSize(r.key) + bytesSize(r.value);
    const headers = r.headers ?? [];
    size += zigzagSize(headers.length);
    headers.forEach(([, value], h) => {
      size += bytesSize(keys[i][h]) + bytesSize(value);
    });
    return size;
  });
  const total = bodySizes.reduce((sum, n) => sum + zigzagSize(n) + n, BATCH_HEADER_BYTES);
  const buf = new Uint8Array(total);
  let pos = RECORDS_OFFSET;
  let maxDelta = 0;
  records.forEach((r, i) => {
    const delta = r.timestampDelta ?? 0;
    if (!Number.isSafeInteger(delta)) throw new RangeError(`timestampDelta ${delta} is not an integer`);
    maxDelta = i === 0 ? delta : Math.max(maxDelta, delta);
    pos = writeZigzag(buf, pos, bodySizes[i]);
    buf[pos++] = 0; // attributes
    pos = writeZigzag(buf, pos, delta);
    pos = writeZigzag(buf, pos, i);
    pos = writeBytes(buf, pos, r.key);
    pos = writeBytes(buf, pos, r.value);
    const headers = r.headers ?? [];
    pos = writeZigzag(buf, pos, headers.length);
    headers.forEach(([, value], h) => {
      pos = writeBytes(buf, pos, keys[i][h]);
      pos = writeBytes(buf, pos, value);
    });
  });
  const v = view(buf, 0, BATCH_HEADER_BYTES);
  let attributes = 0;
  if (opts.isTransactional) attributes |= TRANSACTIONAL_MASK;
  if (opts.isControl) attributes |= CONTROL_MASK;
  v.setBigInt64(BASE_OFFSET_OFFSET, opts.baseOffset ?? 0n);
  v.setInt32(BATCH_LENGTH_OFFSET, total - LOG_OVERHEAD);
  v.setInt32(PARTITION_LEADER_EPOCH_OFFSET, opts.partitionLeaderEpoch ?? NO_PARTITION_LEADER_EPOCH);
  v.setInt8(MAGIC_OFFSET, MAGIC_V2);
  v.setInt16(ATTRIBUTES_OFFSET, attributes);
  v.setInt32(LAST_OFFSET_DELTA_OFFSET, records.length - 1);
  v.setBigInt64(BASE_TIMESTAMP_OFFSET, baseTimestamp);
  v.setBigInt64(MAX_TIMESTAMP_OFFSET, baseTimestamp + BigInt(maxDelta));
  v.setBigInt64(PRODUCER_ID_OFFSET, opts.producerId ?? NO_PRODUCER_ID);
  v.setInt16(PRODUCER_EPOCH_OFFSET, opts.producerEpoch ?? NO_PRODUCER_EPOCH);
  v.setInt32(BASE_SEQUENCE_OFFSET, opts.baseSequence ?? NO_SEQUENCE);
  v.setInt32(RECORDS_COUNT_OFFSET, records.length);
  writeBatchCrc(buf, 0, total);
  return buf;
}
