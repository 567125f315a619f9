/**
 * Up-conversion of legacy message sets (magic 0 and 1, Produce v0–v2) into one magic-2 record batch.
 *
 * The log stores only v2 batches, so, like Kafka 3.9 (UnifiedLog.analyzeAndValidateRecords, then
 * LogValidator with message format v2), a legacy set is checked, its messages are unpacked (inner messages of
 * a compressed wrapper included) and rewritten as one batch, compressed with the producer's codec (Kafka's
 * default compression.type=producer). Layout: https://kafka.apache.org/documentation/#messageset.
 *
 * Error codes follow Kafka's exceptions for each check. Deliberate differences: a truncated trailing message
 * (Kafka silently drops it) and a payload that will not decompress (Kafka: UNKNOWN_SERVER_ERROR) are
 * CORRUPT_MESSAGE, as are key/value lengths that do not fill their message exactly. The output is
 * always CreateTime: the topic's message.timestamp.type (and its timestamp bounds) are the caller's, as for v2.
 */
import { ErrorCode } from "../protocol/errors.ts";
import { gzipCompress, gzipDecompress } from "./codecs/gzip.ts";
import { lz4FrameCompress, lz4FrameDecompress } from "./codecs/lz4.ts";
import { snappyCompress, snappyDecompress } from "./codecs/snappy.ts";
import {
  ATTRIBUTES_OFFSET,
  BASE_OFFSET_OFFSET,
  BASE_SEQUENCE_OFFSET,
  BASE_TIMESTAMP_OFFSET,
  BATCH_HEADER_BYTES,
  BATCH_LENGTH_OFFSET,
  type BatchError,
  CompressionType,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  MAGIC_V2,
  MAX_TIMESTAMP_OFFSET,
  NO_PARTITION_LEADER_EPOCH,
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  NO_SEQUENCE,
  PARTITION_LEADER_EPOCH_OFFSET,
  PRODUCER_EPOCH_OFFSET,
  PRODUCER_ID_OFFSET,
  RECORDS_COUNT_OFFSET,
  RECORDS_OFFSET,
  splitBatches,
  writeBatchCrc,
} from "./record_batch.ts";

const NO_TIMESTAMP = -1n;
/** Legacy message header sizes, from the crc to the key length (magic 1 adds an int64 timestamp). */
const RECORD_OVERHEAD_V0 = 14;
const RECORD_OVERHEAD_V1 = 22;
const COMPRESSION_MASK = 0x07;
const TIMESTAMP_TYPE_MASK = 0x08;

/** One legacy message, its fields sliced (not copied) from the request. */
interface LegacyMessage {
  offset: bigint;
  magic: number;
  attributes: number;
  timestamp: bigint;
  key: Uint8Array | null;
  value: Uint8Array | null;
  crcValid: boolean;
}

interface UpRecord {
  key: Uint8Array | null;
  value: Uint8Array | null;
  timestamp: bigint;
}

type Result = { batch: Uint8Array } | { error: BatchError };

const corrupt = (message: string): { error: BatchError } => ({ error: { code: ErrorCode.CORRUPT_MESSAGE, message } });
const invalid = (message: string): { error: BatchError } => ({ error: { code: ErrorCode.INVALID_RECORD, message } });

// CRC-32 (IEEE, reflected 0xEDB88320), the legacy message checksum; bytewise is plenty for a legacy path.
const CRC32_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
    t[n] = c;
  }
  return t;
})();

export function crc32(buf: Uint8Array, start = 0, end = buf.length): number {
  let c = -1;
  for (let i = start; i < end; i++) c = CRC32_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

/** Parses the message at `p` (whose `size` bytes are present); null if its key/value lengths do not fit. */
function parseMessage(buf: Uint8Array, v: DataView, p: number, size: number): LegacyMessage | null {
  const end = p + LOG_OVERHEAD + size;
  const magic = v.getInt8(p + 16);
  let q = p + 18;
  let timestamp = NO_TIMESTAMP;
  if (magic === 1) {
    timestamp = v.getBigInt64(q);
    q += 8;
  }
  const slice = (): Uint8Array | null | undefined => {
    if (q + 4 > end) return undefined;
    const len = v.getInt32(q);
    q += 4;
    if (len < 0) return null;
    if (q + len > end) return undefined;
    q += len;
    return buf.subarray(q - len, q);
  };
  const key = slice();
  const value = key === undefined ? undefined : slice();
  if (key === undefined || value === undefined || q !== end) return null;
  return {
    offset: v.getBigInt64(p),
    magic,
    attributes: v.getInt8(p + 17),
    timestamp,
    key,
    value,
    crcValid: v.getUint32(p + 12) === crc32(buf, p + 16, end),
  };
}

/**
 * Walks a message set's entries (offset, size, message). `outer` applies the checks Kafka makes on the
 * request itself, message by message: CRC and codec id; inner messages get their CRC checked later, as in Kafka.
 */
function parseSet(buf: Uint8Array, outer: boolean): LegacyMessage[] | { error: BatchError } | "v2" {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const messages: LegacyMessage[] = [];
  const where = outer ? "message" : "inner message";
  for (let p = 0; p < buf.length;) {
    const left = buf.length - p;
    if (left < LOG_OVERHEAD) return corrupt(`truncated ${where} at byte ${p}: ${left} bytes left`);
    const size = v.getInt32(p + 8);
    if (size < RECORD_OVERHEAD_V0) {
      return corrupt(`${where} at byte ${p} has size ${size}, below ${RECORD_OVERHEAD_V0}`);
    }
    if (left < LOG_OVERHEAD + size) {
      return corrupt(`truncated ${where} at byte ${p}: declares ${LOG_OVERHEAD + size} bytes, ${left} left`);
    }
    const magic = v.getInt8(p + 16);
    if (outer) {
      if (magic < 0 || magic > MAGIC_V2) return corrupt(`${where} at byte ${p} has invalid magic ${magic}`);
      if (magic === MAGIC_V2) {
        if (p === 0) return "v2";
        return invalid(`a magic 2 batch at byte ${p} follows magic ${messages[0].magic} messages`);
      }
    } else if (magic !== 0 && magic !== 1) {
      // Checked against the wrapper's magic by the caller (INVALID_RECORD in Kafka), so keep it for that.
      messages.push({
        offset: 0n,
        magic,
        attributes: 0,
        timestamp: NO_TIMESTAMP,
        key: null,
        value: null,
        crcValid: false,
      });
      p += LOG_OVERHEAD + size;
      continue;
    }
    if (size < (magic === 1 ? RECORD_OVERHEAD_V1 : RECORD_OVERHEAD_V0)) {
      return corrupt(`magic ${magic} ${where} at byte ${p} has size ${size}, too small for its header`);
    }
    const m = parseMessage(buf, v, p, size);
    if (m === null) return corrupt(`${where} at byte ${p}: key and value lengths do not fill its ${size} bytes`);
    if (outer) {
      if (!m.crcValid) return corrupt(`message at byte ${p} is corrupt (crc mismatch)`);
      // Kafka's CompressionType.forId fails on ids it does not know: an unexpected error, UNKNOWN_SERVER_ERROR.
      const codec = m.attributes & COMPRESSION_MASK;
      if (codec > CompressionType.Zstd) {
        return { error: { code: ErrorCode.UNKNOWN_SERVER_ERROR, message: `unknown compression type id ${codec}` } };
      }
    }
    messages.push(m);
    p += LOG_OVERHEAD + size;
  }
  return messages;
}

function decompress(codec: number, data: Uint8Array, magic: number): Uint8Array {
  switch (codec) {
    case CompressionType.Gzip:
      return gzipDecompress(data);
    case CompressionType.Snappy:
      return snappyDecompress(data);
    default:
      // KAFKA-1493: magic-0 producers wrote a wrong frame header checksum; Kafka ignores it for magic 0.
      return lz4FrameDecompress(data, { ignoreHeaderChecksum: magic === 0 });
  }
}

function compress(codec: number, data: Uint8Array): Uint8Array {
  switch (codec) {
    case CompressionType.Gzip:
      return gzipCompress(data);
    case CompressionType.Snappy:
      return snappyCompress(data);
    case CompressionType.Lz4:
      return lz4FrameCompress(data);
    default:
      return data;
  }
}

/** Unpacks the one compressed wrapper the way Kafka's legacy deep iterator does, with its checks. */
function unpackWrapper(wrapper: LegacyMessage): UpRecord[] | { error: BatchError } {
  const codec = wrapper.attributes & COMPRESSION_MASK;
  // Legacy formats cannot carry zstd; Kafka 3.9 refuses it in its deep iterator with InvalidRecordException.
  if (codec === CompressionType.Zstd) return invalid("zstd is not allowed in a magic 0/1 compressed message");
  if (wrapper.value === null) return invalid(`compressed message set with a null value (magic ${wrapper.magic})`);
  let inner: Uint8Array;
  try {
    inner = decompress(codec, wrapper.value, wrapper.magic);
  } catch (e) {
    return corrupt(`cannot decompress the magic ${wrapper.magic} wrapper: ${(e as Error).message}`);
  }
  const parsed = parseSet(inner, false);
  if (parsed === "v2") throw new Error("unreachable: inner sets are parsed without v2 detection");
  if (!Array.isArray(parsed)) return parsed;
  for (const m of parsed) {
    if (m.magic !== wrapper.magic) {
      return invalid(`compressed message magic ${m.magic} does not match wrapper magic ${wrapper.magic}`);
    }
  }
  if (parsed.length === 0) return invalid("compressed message set with no inner messages");
  // Magic 1 inner offsets are relative; a wrapper offset of 0 is tolerated (some librdkafka versions send it).
  const lastInner = parsed[parsed.length - 1].offset;
  if (wrapper.magic === 1 && wrapper.offset !== 0n && wrapper.offset < lastInner) {
    return invalid(`wrapper offset ${wrapper.offset} is below the last inner offset ${lastInner}`);
  }
  const logAppendTime = wrapper.magic === 1 && (wrapper.attributes & TIMESTAMP_TYPE_MASK) !== 0;
  const records: UpRecord[] = [];
  for (let i = 0; i < parsed.length; i++) {
    const m = parsed[i];
    if (m.attributes & COMPRESSION_MASK) return invalid(`inner message ${i} is itself compressed`);
    if (!m.crcValid) return corrupt(`inner message ${i} is corrupt (crc mismatch)`);
    // An inner magic-1 message under a LogAppendTime wrapper takes the wrapper's timestamp.
    records.push({ key: m.key, value: m.value, timestamp: logAppendTime ? wrapper.timestamp : m.timestamp });
  }
  return records;
}

/**
 * Converts a Produce v0–v2 partition's records (a legacy message set: magic 0 or 1 messages, possibly one
 * compressed wrapper) into one magic-2 record batch: baseOffset 0, no producer id, epoch, sequence or leader
 * epoch, CreateTime, compressed with the producer's codec. A single magic-2 batch (which Kafka accepts in any
 * Produce version) is returned unchanged. Returns Kafka's error code for input Kafka refuses.
 */
export function upConvertMessageSet(
  records: Uint8Array,
): { batch: Uint8Array } | { error: { code: number; message: string } } {
  const parsed = parseSet(records, true);
  if (parsed === "v2") {
    const { batches, error } = splitBatches(records);
    if (error) return { error };
    if (batches.length !== 1) return invalid(`a v2 message set must hold exactly one batch, not ${batches.length}`);
    return { batch: records };
  }
  if (!Array.isArray(parsed)) return parsed;
  if (parsed.length === 0) return invalid("the message set has no messages");
  const magic = parsed[0].magic;
  const codec = parsed.reduce((c, m) => (m.attributes & COMPRESSION_MASK) || c, 0);
  // Kafka takes a set with any compressed message as one compressed batch, so it must be the only message.
  if (codec !== CompressionType.None && parsed.length > 1) {
    return invalid(`a compressed message set must be a single wrapper message, not ${parsed.length} messages`);
  }
  for (const m of parsed) {
    if (m.magic !== magic) return invalid(`message magic ${m.magic} differs from the first message's ${magic}`);
  }
  let out: UpRecord[];
  if (codec === CompressionType.None) {
    out = parsed.map((m) => ({ key: m.key, value: m.value, timestamp: m.timestamp }));
  } else {
    const unpacked = unpackWrapper(parsed[0]);
    if (!Array.isArray(unpacked)) return unpacked;
    out = unpacked;
  }
  return { batch: buildV2Batch(out, codec) };
}

/** Bytes of an unsigned LEB128 of a non-negative bigint. */
function uvarSize(u: bigint): number {
  let size = 1;
  while (u >= 0x80n) {
    u >>= 7n;
    size++;
  }
  return size;
}

/** Zigzag of a signed 64-bit value, as Kafka's varlong. */
const zigzag = (n: number | bigint): bigint => {
  const b = BigInt.asIntN(64, BigInt(n));
  return BigInt.asUintN(64, (b << 1n) ^ (b >> 63n));
};

function writeUvar(buf: Uint8Array, pos: number, u: bigint): number {
  while (u >= 0x80n) {
    buf[pos++] = Number(u & 0x7fn) | 0x80;
    u >>= 7n;
  }
  buf[pos++] = Number(u);
  return pos;
}

/**
 * A v2 batch of `records` (offset deltas 0..n-1, no headers) as Kafka's MemoryRecordsBuilder writes it:
 * baseTimestamp is the first record's, maxTimestamp the largest (NO_TIMESTAMP for magic-0 input); with a codec,
 * the records section is compressed and the codec set in the attributes.
 */
function buildV2Batch(records: UpRecord[], codec: number): Uint8Array {
  const base = records[0].timestamp;
  let max = NO_TIMESTAMP;
  // Record fields as zigzag values, sized first so the section is written into one exact buffer.
  const fields = records.map((r, i) => {
    if (r.timestamp > max) max = r.timestamp;
    const parts = [
      zigzag(r.timestamp - base),
      zigzag(i),
      zigzag(r.key === null ? -1 : r.key.length),
      zigzag(r.value === null ? -1 : r.value.length),
    ];
    const body = 1 + parts.reduce((s, u) => s + uvarSize(u), 0) + (r.key?.length ?? 0) + (r.value?.length ?? 0) + 1;
    return { parts, body: BigInt(body) };
  });
  const sectionSize = fields.reduce((s, f) => s + uvarSize(zigzag(f.body)) + Number(f.body), 0);
  const section = new Uint8Array(sectionSize);
  let pos = 0;
  records.forEach((r, i) => {
    const { parts, body } = fields[i];
    pos = writeUvar(section, pos, zigzag(body));
    section[pos++] = 0; // attributes
    pos = writeUvar(section, pos, parts[0]);
    pos = writeUvar(section, pos, parts[1]);
    pos = writeUvar(section, pos, parts[2]);
    if (r.key) {
      section.set(r.key, pos);
      pos += r.key.length;
    }
    pos = writeUvar(section, pos, parts[3]);
    if (r.value) {
      section.set(r.value, pos);
      pos += r.value.length;
    }
    section[pos++] = 0; // no headers
  });
  const payload = compress(codec, section);
  const total = BATCH_HEADER_BYTES + payload.length;
  const batch = new Uint8Array(total);
  batch.set(payload, RECORDS_OFFSET);
  const v = new DataView(batch.buffer);
  v.setBigInt64(BASE_OFFSET_OFFSET, 0n);
  v.setInt32(BATCH_LENGTH_OFFSET, total - LOG_OVERHEAD);
  v.setInt32(PARTITION_LEADER_EPOCH_OFFSET, NO_PARTITION_LEADER_EPOCH);
  v.setInt8(MAGIC_OFFSET, MAGIC_V2);
  v.setInt16(ATTRIBUTES_OFFSET, codec);
  v.setInt32(LAST_OFFSET_DELTA_OFFSET, records.length - 1);
  v.setBigInt64(BASE_TIMESTAMP_OFFSET, base);
  v.setBigInt64(MAX_TIMESTAMP_OFFSET, max);
  v.setBigInt64(PRODUCER_ID_OFFSET, NO_PRODUCER_ID);
  v.setInt16(PRODUCER_EPOCH_OFFSET, NO_PRODUCER_EPOCH);
  v.setInt32(BASE_SEQUENCE_OFFSET, NO_SEQUENCE);
  v.setInt32(RECORDS_COUNT_OFFSET, records.length);
  writeBatchCrc(batch, 0, total);
  return batch;
}
