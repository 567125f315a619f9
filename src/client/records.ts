/**
 * Reading fetched record batches back into records: the `records` bytes of a Fetch partition hold whole v2
 * batches, possibly followed by a partial one (the broker cuts at max bytes), which is skipped. Compressed
 * batches are opened with the broker's codecs (src/log/codecs); control batches (transaction markers) carry
 * no user records and only advance the position. A compressed batch can begin before the requested offset,
 * so records below it are dropped.
 */
import { decompress } from "../log/codecs/codec.ts";
import {
  BATCH_HEADER_BYTES,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  readBatchHeader,
  RECORDS_OFFSET,
} from "../log/record_batch.ts";
import { readZigzag } from "../log/zigzag.ts";

/** One record as the consumer returns it. */
export interface ConsumerRecord {
  /** The record's topic. */
  topic: string;
  /** Its partition. */
  partition: number;
  /** Its offset in the partition. */
  offset: bigint;
  /** CreateTime or LogAppendTime (see timestampType), in ms. */
  timestamp: number;
  /** CreateTime (set by the producer) or LogAppendTime (set by the broker, per the topic's config). */
  timestampType: "CreateTime" | "LogAppendTime";
  /** The key bytes, or null. */
  key: Uint8Array | null;
  /** The value bytes, or null (a tombstone). */
  value: Uint8Array | null;
  /** Headers in order, as (key, value) pairs; a key may repeat. */
  headers: Array<[string, Uint8Array | null]>;
}

const utf8 = new TextDecoder();

/**
 * The records at or after `fromOffset` in `data`, and the offset after the last whole batch (where the next
 * fetch starts; `fromOffset` when no whole batch was present).
 */
export function decodeRecords(
  topic: string,
  partition: number,
  data: Uint8Array,
  fromOffset: bigint,
): { records: ConsumerRecord[]; nextOffset: bigint } {
  const records: ConsumerRecord[] = [];
  let nextOffset = fromOffset;
  let pos = 0;
  while (data.length - pos >= BATCH_HEADER_BYTES) {
    const size = LOG_OVERHEAD + new DataView(data.buffer, data.byteOffset + pos + 8, 4).getInt32(0);
    if (size > data.length - pos) break; // the partial batch at the end
    if (data[pos + MAGIC_OFFSET] !== 2) throw new Error(`unsupported record batch magic ${data[pos + MAGIC_OFFSET]}`);
    const h = readBatchHeader(data, pos);
    const batchEnd = h.baseOffset + BigInt(h.lastOffsetDelta) + 1n;
    if (!h.isControl && batchEnd > fromOffset) {
      const section = decompress(h.compression, data.subarray(pos + RECORDS_OFFSET, pos + size));
      readBatchRecords(section, h.recordsCount, (r) => {
        const offset = h.baseOffset + BigInt(r.offsetDelta);
        if (offset < fromOffset) return;
        records.push({
          topic,
          partition,
          offset,
          timestamp: h.timestampType === "LogAppendTime"
            ? Number(h.maxTimestamp)
            : Number(h.baseTimestamp) + r.timestampDelta,
          timestampType: h.timestampType,
          key: r.key,
          value: r.value,
          headers: r.headers,
        });
      });
    }
    if (batchEnd > nextOffset) nextOffset = batchEnd;
    pos += size;
  }
  return { records, nextOffset };
}

interface RawRecord {
  offsetDelta: number;
  timestampDelta: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: Array<[string, Uint8Array | null]>;
}

/** Walks `count` records of an uncompressed records section. Throws on malformed bytes. */
export function readBatchRecords(section: Uint8Array, count: number, visit: (r: RawRecord) => void): void {
  const end = section.length;
  let pos = 0;
  const varint = (): number => {
    const [v, next] = readZigzag(section, pos, end);
    if (v !== v) throw new Error("malformed record varint");
    pos = next;
    return v;
  };
  const bytes = (): Uint8Array | null => {
    const n = varint();
    if (n < 0) return null;
    if (pos + n > end) throw new Error("record field past the end of the batch");
    const b = section.subarray(pos, pos + n);
    pos += n;
    return b;
  };
  for (let i = 0; i < count; i++) {
    const length = varint();
    const recordEnd = pos + length;
    pos++; // attributes
    const timestampDelta = varint();
    const offsetDelta = varint();
    const key = bytes();
    const value = bytes();
    const headerCount = varint();
    const headers: Array<[string, Uint8Array | null]> = [];
    for (let h = 0; h < headerCount; h++) {
      const k = bytes();
      headers.push([k ? utf8.decode(k) : "", bytes()]);
    }
    if (pos !== recordEnd) throw new Error(`record ${i}: length ${length} does not match its fields`);
    visit({ offsetDelta, timestampDelta, key, value, headers });
  }
}
