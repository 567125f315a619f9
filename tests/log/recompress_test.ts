/** Broker-side recompression: every codec into every other, what it keeps, and what it refuses. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { recompressBatch } from "../../src/log/recompress.ts";
import { decompress } from "../../src/log/codecs/codec.ts";
import { gzipCompress } from "../../src/log/codecs/gzip.ts";
import { crc32, upConvertMessageSet } from "../../src/log/legacy_message_set.ts";
import {
  ATTRIBUTES_OFFSET,
  BATCH_HEADER_BYTES,
  buildBatch,
  type BuildRecord,
  COMPRESSION_MASK,
  CompressionType,
  computeBatchCrc,
  CRC_OFFSET,
  readBatchHeader,
  RECORDS_OFFSET,
  TIMESTAMP_TYPE_MASK,
  validateBatchForAppend,
  writeBatchCrc,
} from "../../src/log/record_batch.ts";

const CODECS = [
  CompressionType.None,
  CompressionType.Gzip,
  CompressionType.Snappy,
  CompressionType.Lz4,
  CompressionType.Zstd,
];
const utf8 = new TextEncoder();

function records(n: number): BuildRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    key: i % 3 === 0 ? null : utf8.encode(`key-${i}`),
    value: i % 5 === 4 ? null : utf8.encode(`value-${i}-${"x".repeat(i * 7)}`),
    headers: [["h", utf8.encode(`hv${i}`)], ["null-header", null]],
    timestampDelta: i * 3,
  }));
}

/** An idempotent, transactional producer's batch, uncompressed. */
function plainBatch(n = 40): Uint8Array {
  return buildBatch(records(n), {
    baseTimestamp: 1_700_000_000_000n,
    producerId: 4242n,
    producerEpoch: 7,
    baseSequence: 123,
    isTransactional: true,
  });
}

function inCodec(batch: Uint8Array, codec: number): Uint8Array {
  const r = recompressBatch(batch, { codec });
  if ("error" in r) throw new Error(r.error.message);
  return r.batch;
}

function recordsSection(batch: Uint8Array): Uint8Array {
  const codec = batch[ATTRIBUTES_OFFSET + 1] & COMPRESSION_MASK;
  return decompress(codec, batch.subarray(RECORDS_OFFSET));
}

describe("recompressBatch", () => {
  test("every codec into every other keeps the header and each record's bytes, with a valid CRC-32C", () => {
    const plain = plainBatch();
    const original = readBatchHeader(plain);
    for (const from of CODECS) {
      const source = inCodec(plain, from);
      for (const to of CODECS) {
        const r = recompressBatch(source, { codec: to });
        assert.ok(!("error" in r), `${from} → ${to}`);
        const out = r.batch;
        assert.equal(r.recompressed, from !== to);
        assert.equal(validateBatchForAppend(out, 0, out.length, { maxMessageBytes: 1 << 30 }), null, `${from}→${to}`);
        const h = readBatchHeader(out);
        assert.equal(h.compression, to);
        assert.equal(h.sizeInBytes, out.length);
        assert.equal(h.crc, computeBatchCrc(out, 0, out.length));
        for (
          const field of [
            "baseOffset",
            "partitionLeaderEpoch",
            "magic",
            "timestampType",
            "isTransactional",
            "isControl",
            "lastOffsetDelta",
            "baseTimestamp",
            "maxTimestamp",
            "producerId",
            "producerEpoch",
            "baseSequence",
            "recordsCount",
          ] as const
        ) {
          assert.equal(h[field], original[field], `${field} after ${from} → ${to}`);
        }
        assert.deepEqual(recordsSection(out), plain.subarray(RECORDS_OFFSET), `records after ${from} → ${to}`);
      }
    }
  });

  test("a batch already in the target codec is returned as it is, not rewritten", () => {
    const lz4 = inCodec(plainBatch(), CompressionType.Lz4);
    const r = recompressBatch(lz4, { codec: CompressionType.Lz4 });
    assert.ok(!("error" in r));
    assert.equal(r.batch, lz4);
    assert.equal(r.recompressed, false);
  });

  test("the timestamp-type bit and the other attributes survive", () => {
    const plain = plainBatch(3);
    const attributes = new DataView(plain.buffer).getInt16(ATTRIBUTES_OFFSET);
    new DataView(plain.buffer).setInt16(ATTRIBUTES_OFFSET, attributes | TIMESTAMP_TYPE_MASK);
    writeBatchCrc(plain, 0, plain.length);
    const zstd = inCodec(plain, CompressionType.Zstd);
    const h = readBatchHeader(zstd);
    assert.equal(h.timestampType, "LogAppendTime");
    assert.equal(h.isTransactional, true);
    assert.equal(h.compression, CompressionType.Zstd);
  });

  test("levels: gzip and zstd take the topic's level, and any level reads back the same records", () => {
    const plain = buildBatch([{ key: null, value: utf8.encode("abcdefgh".repeat(4000)) }]);
    const sizes: number[] = [];
    for (
      const [codec, level] of [[CompressionType.Gzip, 1], [CompressionType.Gzip, 9], [CompressionType.Zstd, -5], [
        CompressionType.Zstd,
        19,
      ]]
    ) {
      const r = recompressBatch(plain, { codec, level });
      assert.ok(!("error" in r));
      assert.deepEqual(recordsSection(r.batch), plain.subarray(RECORDS_OFFSET));
      sizes.push(r.batch.length);
    }
    assert.ok(sizes[1] <= sizes[0], `gzip level 9 (${sizes[1]}) is no larger than level 1 (${sizes[0]})`);
    assert.ok(sizes[3] < sizes[2], `zstd level 19 (${sizes[3]}) is smaller than level -5 (${sizes[2]})`);
  });

  test("a payload that does not decompress is CORRUPT_MESSAGE; malformed records inside are INVALID_RECORD", () => {
    const gzip = inCodec(plainBatch(5), CompressionType.Gzip);
    const broken = gzip.slice();
    broken.fill(0x55, RECORDS_OFFSET + 12, RECORDS_OFFSET + 30);
    writeBatchCrc(broken, 0, broken.length);
    const r = recompressBatch(broken, { codec: CompressionType.Lz4 });
    assert.ok("error" in r);
    assert.equal(r.error.code, 2); // CORRUPT_MESSAGE

    // Records whose offset deltas do not run 0..n-1, hidden inside a compressed batch.
    const plain = plainBatch(2);
    const section = plain.slice(RECORDS_OFFSET);
    // First record: length varint, attributes, timestampDelta (0 → one byte), then offsetDelta: make it 1 (zigzag 2).
    section[3] = 2;
    const reopened = recompressBatch(withSection(plain, section, CompressionType.Snappy), {
      codec: CompressionType.Zstd,
    });
    assert.ok("error" in reopened);
    assert.equal(reopened.error.code, 87); // INVALID_RECORD
    assert.match(reopened.error.message, /offsetDelta/);
  });
});

/**
 * `batch` with its records replaced by `section`, compressed in `codec`. From an uncompressed batch the module
 * only compresses (the produce path has walked those records already), so bad records get through here.
 */
function withSection(batch: Uint8Array, section: Uint8Array, codec: number): Uint8Array {
  const plain = new Uint8Array(BATCH_HEADER_BYTES + section.length);
  plain.set(batch.subarray(0, BATCH_HEADER_BYTES));
  plain.set(section, RECORDS_OFFSET);
  new DataView(plain.buffer).setInt32(8, plain.length - 12);
  writeBatchCrc(plain, 0, plain.length);
  const out = inCodec(plain, codec);
  assert.equal(new DataView(out.buffer).getUint32(CRC_OFFSET), computeBatchCrc(out, 0, out.length));
  return out;
}

/** A magic-1 message (offset, size, crc, magic, attributes, timestamp, key, value), as Produce v2 carries it. */
function legacyMessage(offset: bigint, attributes: number, ts: bigint, key: string | null, value: Uint8Array) {
  const k = key === null ? null : utf8.encode(key);
  const body = new Uint8Array(1 + 1 + 8 + 4 + (k?.length ?? 0) + 4 + value.length);
  const v = new DataView(body.buffer);
  body[0] = 1;
  body[1] = attributes;
  v.setBigInt64(2, ts);
  v.setInt32(10, k === null ? -1 : k.length);
  if (k) body.set(k, 14);
  v.setInt32(14 + (k?.length ?? 0), value.length);
  body.set(value, 18 + (k?.length ?? 0));
  const out = new Uint8Array(12 + 4 + body.length);
  const o = new DataView(out.buffer);
  o.setBigInt64(0, offset);
  o.setInt32(8, 4 + body.length);
  o.setUint32(12, crc32(body));
  out.set(body, 16);
  return out;
}

describe("legacy message sets on a topic with its own codec", () => {
  test("an up-converted gzip v1 set is recompressed like any v2 batch, its records intact", () => {
    const inner = [0, 1, 2].map((i) =>
      legacyMessage(BigInt(i), 0, 1_700_000_000_000n + BigInt(i), `k${i}`, utf8.encode(`v${i}`))
    );
    const innerSet = new Uint8Array(inner.reduce((n, m) => n + m.length, 0));
    inner.reduce((at, m) => (innerSet.set(m, at), at + m.length), 0);
    const wrapper = legacyMessage(2n, CompressionType.Gzip, 1_700_000_000_002n, null, gzipCompress(innerSet));
    const converted = upConvertMessageSet(wrapper);
    assert.ok("batch" in converted);
    assert.equal(
      readBatchHeader(converted.batch).compression,
      CompressionType.Gzip,
      "up-converted with the producer's codec",
    );
    const plain = recordsSection(converted.batch);
    for (const codec of [CompressionType.Zstd, CompressionType.Lz4, CompressionType.None]) {
      const r = recompressBatch(converted.batch, { codec });
      assert.ok(!("error" in r));
      assert.equal(readBatchHeader(r.batch).compression, codec);
      assert.equal(readBatchHeader(r.batch).recordsCount, 3);
      assert.deepEqual(recordsSection(r.batch), plain);
      assert.equal(validateBatchForAppend(r.batch, 0, r.batch.length, { maxMessageBytes: 1 << 20 }), null);
    }
  });
});
