/**
 * The producer's record batches, written as records arrive (Kafka's MemoryRecordsBuilder): each append
 * serializes the record straight into the batch's buffer, so a record costs no allocation of its own (string
 * keys and values are UTF-8 encoded into a shared scratch buffer, not into a new array each), and sending a
 * batch only fills in the 61-byte header and the CRC-32C. The layout is the v2 batch of src/log/record_batch.ts,
 * whose constants, CRC and varint helpers this reuses; its `buildBatch` serves tests and tools that build a
 * batch from a finished list, while this builder grows one record at a time. A codec other than none
 * compresses the records section with the broker's codecs (src/log/codecs) when the batch is sent.
 */
import { compress } from "../log/codecs/codec.ts";
import {
  ATTRIBUTES_OFFSET,
  BASE_OFFSET_OFFSET,
  BASE_SEQUENCE_OFFSET,
  BASE_TIMESTAMP_OFFSET,
  BATCH_LENGTH_OFFSET,
  type BuildRecord,
  CompressionType,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  MAGIC_V2,
  MAX_TIMESTAMP_OFFSET,
  NO_PARTITION_LEADER_EPOCH,
  PARTITION_LEADER_EPOCH_OFFSET,
  PRODUCER_EPOCH_OFFSET,
  PRODUCER_ID_OFFSET,
  RECORDS_COUNT_OFFSET,
  RECORDS_OFFSET,
  writeBatchCrc,
} from "../log/record_batch.ts";
import { writeZigzag, zigzagSize } from "../log/zigzag.ts";

/** compression.type names, as Kafka's producer spells them. */
export type CompressionName = "none" | "gzip" | "snappy" | "lz4" | "zstd";

export const CODEC_IDS: Record<CompressionName, number> = {
  none: CompressionType.None,
  gzip: CompressionType.Gzip,
  snappy: CompressionType.Snappy,
  lz4: CompressionType.Lz4,
  zstd: CompressionType.Zstd,
};

/** A key, value or header value as the producer accepts it. */
export type Bytes = string | Uint8Array | null;

/** The header fields a batch gets when it is sent. */
export interface SealOptions {
  codec: number;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
}

const utf8 = new TextEncoder();

/** UTF-8 of strings, written into reused scratch space (valid until the next call for the same slot). */
class Scratch {
  private buf = new Uint8Array(4096);
  bytes(s: string): Uint8Array {
    if (this.buf.length < s.length * 3) this.buf = new Uint8Array(s.length * 3);
    const { written } = utf8.encodeInto(s, this.buf);
    return this.buf.subarray(0, written);
  }
}
const keyScratch = new Scratch();
const valueScratch = new Scratch();

function asBytes(b: Bytes, scratch: Scratch): Uint8Array | null {
  return typeof b === "string" ? scratch.bytes(b) : b;
}

function fieldSize(b: Uint8Array | null): number {
  return b === null ? 1 : zigzagSize(b.length) + b.length;
}

function writeField(buf: Uint8Array, pos: number, b: Uint8Array | null): number {
  if (b === null) return writeZigzag(buf, pos, -1);
  pos = writeZigzag(buf, pos, b.length);
  buf.set(b, pos);
  return pos + b.length;
}

/** One batch being filled. */
export class RecordBatchBuilder {
  private buf: Uint8Array;
  /** End of the records written so far (the batch's size before compression). */
  size = RECORDS_OFFSET;
  count = 0;
  private baseTimestamp = 0;
  private maxTimestamp = 0;

  /** `capacity`: batch.size (a single larger record grows the buffer). */
  constructor(private readonly capacity: number) {
    this.buf = new Uint8Array(Math.max(capacity, RECORDS_OFFSET + 64));
  }

  /**
   * Appends a record; false (nothing written) when the batch holds records and this one would take it past
   * its capacity. Returns the bytes it added otherwise.
   */
  tryAppend(timestamp: number, key: Bytes, value: Bytes, headers: Array<[string, Bytes]> | null): number | false {
    if (this.count === 0) this.baseTimestamp = this.maxTimestamp = timestamp;
    const k = asBytes(key, keyScratch);
    const v = asBytes(value, valueScratch);
    const h = headers === null
      ? null
      : headers.map(([hk, hv]) => [utf8.encode(hk), typeof hv === "string" ? utf8.encode(hv) : hv]);
    const delta = timestamp - this.baseTimestamp;
    let body = 1 + zigzagSize(delta) + zigzagSize(this.count) + fieldSize(k) + fieldSize(v) +
      zigzagSize(h?.length ?? 0);
    if (h) { for (const [hk, hv] of h) body += fieldSize(hk) + fieldSize(hv); }
    const total = zigzagSize(body) + body;
    if (this.size + total > this.buf.length) {
      if (this.count > 0) return false;
      const bigger = new Uint8Array(this.size + total);
      bigger.set(this.buf.subarray(0, this.size));
      this.buf = bigger;
    }
    const buf = this.buf;
    let pos = writeZigzag(buf, this.size, body);
    buf[pos++] = 0; // record attributes: unused
    pos = writeZigzag(buf, pos, delta);
    pos = writeZigzag(buf, pos, this.count);
    pos = writeField(buf, pos, k);
    pos = writeField(buf, pos, v);
    pos = writeZigzag(buf, pos, h?.length ?? 0);
    if (h) { for (const [hk, hv] of h) pos = writeField(buf, writeField(buf, pos, hk), hv); }
    this.size = pos;
    this.count++;
    if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
    return total;
  }

  /** Whether another record of about `bytes` would still fit. */
  hasRoomFor(bytes: number): boolean {
    return this.size + bytes <= this.capacity;
  }

  /** The finished batch: header filled in, records compressed with `codec`, CRC written. */
  seal(o: SealOptions): Uint8Array {
    const plain = this.buf.subarray(0, this.size);
    const v = new DataView(plain.buffer, plain.byteOffset, RECORDS_OFFSET);
    v.setBigInt64(BASE_OFFSET_OFFSET, 0n);
    v.setInt32(PARTITION_LEADER_EPOCH_OFFSET, NO_PARTITION_LEADER_EPOCH);
    v.setInt8(MAGIC_OFFSET, MAGIC_V2);
    v.setInt16(ATTRIBUTES_OFFSET, o.codec);
    v.setInt32(LAST_OFFSET_DELTA_OFFSET, this.count - 1);
    v.setBigInt64(BASE_TIMESTAMP_OFFSET, BigInt(this.baseTimestamp));
    v.setBigInt64(MAX_TIMESTAMP_OFFSET, BigInt(this.maxTimestamp));
    v.setBigInt64(PRODUCER_ID_OFFSET, o.producerId);
    v.setInt16(PRODUCER_EPOCH_OFFSET, o.producerEpoch);
    v.setInt32(BASE_SEQUENCE_OFFSET, o.baseSequence);
    v.setInt32(RECORDS_COUNT_OFFSET, this.count);
    let out = plain;
    if (o.codec !== CompressionType.None) {
      const payload = compress(o.codec, plain.subarray(RECORDS_OFFSET));
      out = new Uint8Array(RECORDS_OFFSET + payload.length);
      out.set(plain.subarray(0, RECORDS_OFFSET));
      out.set(payload, RECORDS_OFFSET);
    }
    new DataView(out.buffer, out.byteOffset, RECORDS_OFFSET).setInt32(BATCH_LENGTH_OFFSET, out.length - LOG_OVERHEAD);
    writeBatchCrc(out, 0, out.length);
    return out;
  }
}

/** One v2 batch holding `records` with the given CreateTimes (for tests and tools; the producer streams). */
export function encodeBatch(records: BuildRecord[], o: SealOptions & { timestamps: number[] }): Uint8Array {
  let bound = RECORDS_OFFSET;
  for (const r of records) {
    bound += 32 + (r.key?.length ?? 0) + (r.value?.length ?? 0);
    for (const [k, v] of r.headers ?? []) bound += 16 + k.length * 3 + (v?.length ?? 0);
  }
  const builder = new RecordBatchBuilder(bound);
  records.forEach((r, i) => builder.tryAppend(o.timestamps[i], r.key, r.value, r.headers ?? null));
  return builder.seal(o);
}
