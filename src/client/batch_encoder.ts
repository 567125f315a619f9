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
  buf = new Uint8Array(4096);
  bytes(s: string): Uint8Array {
    return this.buf.subarray(0, this.encode(s, 0));
  }
  /** Encodes `s` at `at` (keeping what is before `at`); returns the bytes written. */
  encode(s: string, at: number): number {
    this.reserve(at, s.length * 3);
    return utf8.encodeInto(s, this.buf.subarray(at)).written;
  }
  /** Copies `b` to `at` (keeping what is before `at`); returns its length. */
  copy(b: Uint8Array, at: number): number {
    this.reserve(at, b.length);
    this.buf.set(b, at);
    return b.length;
  }
  private reserve(at: number, n: number): void {
    if (this.buf.length >= at + n) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, at + n));
    bigger.set(this.buf.subarray(0, at));
    this.buf = bigger;
  }
}
const keyScratch = new Scratch();
const valueScratch = new Scratch();
/** A record's header keys and values, one after another; `headerLengths` holds each one's length (-1: null). */
const headerScratch = new Scratch();
const headerLengths: number[] = [];

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

/**
 * Lays the headers' bytes into headerScratch and their lengths into headerLengths, and returns the bytes
 * they take in a record (count excluded): no array per header or per record.
 */
function stageHeaders(headers: Array<[string, Bytes]>): number {
  headerLengths.length = 0;
  let at = 0;
  for (const [k, v] of headers) at = stageField(v, stageField(k, at));
  let size = 0;
  for (const n of headerLengths) size += n < 0 ? 1 : zigzagSize(n) + n;
  return size;
}

/** Stages one header key or value at `at` in headerScratch; returns where the next one goes. */
function stageField(part: Bytes, at: number): number {
  const n = part === null
    ? -1
    : typeof part === "string"
    ? headerScratch.encode(part, at)
    : headerScratch.copy(part, at);
  headerLengths.push(n);
  return n < 0 ? at : at + n;
}

/** Writes the staged headers (see stageHeaders) at `pos`; returns the next position. */
function writeHeaders(buf: Uint8Array, pos: number): number {
  let at = 0;
  for (const n of headerLengths) {
    pos = writeZigzag(buf, pos, n);
    if (n > 0) {
      buf.set(headerScratch.buf.subarray(at, at + n), pos);
      pos += n;
      at += n;
    }
  }
  return pos;
}

/**
 * Batch buffers of one capacity, kept after their batch was answered so the next batch writes into memory
 * that is already mapped and needs no collection (a 1 MB batch.size would otherwise allocate, fault in and
 * later collect a fresh megabyte per batch). Bounded: at most POOL_BYTES are kept.
 */
const pool: Uint8Array[] = [];
const POOL_BYTES = 8 * 1024 * 1024;
/** The first allocation of a batch, grown by doubling up to batch.size as records arrive. */
const INITIAL_BYTES = 64 * 1024;

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
    const i = pool.findIndex((b) => b.length === capacity);
    this.buf = i >= 0
      ? pool.splice(i, 1)[0]
      : new Uint8Array(Math.max(Math.min(capacity, INITIAL_BYTES), RECORDS_OFFSET + 64));
  }

  /**
   * Appends a record; false (nothing written) when the batch holds records and this one would take it past
   * its capacity. Returns the bytes it added otherwise.
   */
  tryAppend(timestamp: number, key: Bytes, value: Bytes, headers: Array<[string, Bytes]> | null): number | false {
    if (this.count === 0) this.baseTimestamp = this.maxTimestamp = timestamp;
    const k = asBytes(key, keyScratch);
    const v = asBytes(value, valueScratch);
    const headerCount = headers === null ? 0 : headers.length;
    const headerBytes = headerCount === 0 ? 0 : stageHeaders(headers!);
    const delta = timestamp - this.baseTimestamp;
    const body = 1 + zigzagSize(delta) + zigzagSize(this.count) + fieldSize(k) + fieldSize(v) +
      zigzagSize(headerCount) + headerBytes;
    const total = zigzagSize(body) + body;
    if (this.size + total > this.buf.length && !this.grow(this.size + total)) return false;
    const buf = this.buf;
    let pos = writeZigzag(buf, this.size, body);
    buf[pos++] = 0; // record attributes: unused
    pos = writeZigzag(buf, pos, delta);
    pos = writeZigzag(buf, pos, this.count);
    pos = writeField(buf, pos, k);
    pos = writeField(buf, pos, v);
    pos = writeZigzag(buf, pos, headerCount);
    if (headerCount > 0) pos = writeHeaders(buf, pos);
    this.size = pos;
    this.count++;
    if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
    return total;
  }

  /** Makes room for `needed` bytes: doubling up to the capacity, past it only for a batch's first record. */
  private grow(needed: number): boolean {
    if (needed > this.capacity && this.count > 0) return false;
    const length = needed > this.capacity ? needed : Math.min(this.capacity, Math.max(needed, this.buf.length * 2));
    const bigger = new Uint8Array(length);
    bigger.set(this.buf.subarray(0, this.size));
    this.buf = bigger;
    return true;
  }

  /**
   * Hands the buffer back for a later batch. Only once nothing reads the sealed batch any more: after the
   * broker answered the request that carried it (the socket has written every byte by then).
   */
  release(): void {
    const held = pool.reduce((sum, b) => sum + b.length, 0);
    if (this.buf.length === this.capacity && held + this.capacity <= POOL_BYTES) pool.push(this.buf);
    this.buf = new Uint8Array(0);
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
