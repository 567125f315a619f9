/** Legacy (magic 0/1) message sets up-converted to one v2 batch, as Kafka does for Produce v0–v2. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { crc32, upConvertMessageSet } from "../../src/log/legacy_message_set.ts";
import { buildBatch, CompressionType, readBatchHeader, validateBatchForAppend } from "../../src/log/record_batch.ts";
import { gzipCompress, gzipDecompress } from "../../src/log/codecs/gzip.ts";
import { lz4FrameCompress, lz4FrameDecompress, xxhash32 } from "../../src/log/codecs/lz4.ts";
import { snappyCompress, snappyCompressBlock, snappyDecompress } from "../../src/log/codecs/snappy.ts";

const CORRUPT_MESSAGE = 2;
const INVALID_RECORD = 87;
const UNKNOWN_SERVER_ERROR = -1;
const te = new TextEncoder();
const T0 = 1700000000000n;

interface Msg {
  key: Uint8Array | null;
  value: Uint8Array | null;
  timestamp?: bigint;
  attributes?: number;
}

/** One legacy message-set entry: offset, size, crc, magic, attributes, [timestamp], key, value. */
function entry(magic: 0 | 1, m: Msg, offset = 0n): Uint8Array {
  const body = (magic === 1 ? 10 : 2) + 4 + (m.key?.length ?? 0) + 4 + (m.value?.length ?? 0);
  const out = new Uint8Array(12 + 4 + body);
  const v = new DataView(out.buffer);
  v.setBigInt64(0, offset);
  v.setInt32(8, 4 + body);
  v.setInt8(16, magic);
  v.setInt8(17, m.attributes ?? 0);
  let p = 18;
  if (magic === 1) {
    v.setBigInt64(p, m.timestamp ?? -1n);
    p += 8;
  }
  for (const b of [m.key, m.value]) {
    v.setInt32(p, b === null ? -1 : b.length);
    p += 4;
    if (b) {
      out.set(b, p);
      p += b.length;
    }
  }
  v.setUint32(12, crc32(out, 16, out.length));
  return out;
}

const concat = (parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

/** A set of plain messages; magic-1 inner offsets are relative (0..n-1), as producers write them. */
const set = (magic: 0 | 1, msgs: Msg[]) => concat(msgs.map((m, i) => entry(magic, m, BigInt(i))));

function legacyCompress(codec: number, data: Uint8Array, magic: number): Uint8Array {
  if (codec === CompressionType.Gzip) return gzipCompress(data);
  if (codec === CompressionType.Snappy) return snappyCompress(data);
  const frame = lz4FrameCompress(data);
  // KAFKA-1493: magic-0 producers computed the header checksum over the magic number as well.
  if (magic === 0) frame[6] = (xxhash32(frame, 0, 0, 6) >>> 8) & 0xff;
  return frame;
}

/** A compressed wrapper message holding `inner`; its offset is the last inner offset, as the Java producer writes. */
function wrapper(magic: 0 | 1, codec: number, inner: Msg[], opts: { ts?: bigint; logAppendTime?: boolean } = {}) {
  const payload = legacyCompress(codec, set(magic, inner), magic);
  const attributes = codec | (opts.logAppendTime ? 0x08 : 0);
  return entry(magic, { key: null, value: payload, timestamp: opts.ts ?? T0, attributes }, BigInt(inner.length - 1));
}

/** Reads a varint/varlong (zigzag) at `pos` as a bigint. */
function readVar(b: Uint8Array, pos: number): [bigint, number] {
  let raw = 0n;
  let shift = 0n;
  for (;;) {
    const x = b[pos++];
    raw |= BigInt(x & 0x7f) << shift;
    shift += 7n;
    if (x < 0x80) break;
  }
  return [(raw >> 1n) ^ -(raw & 1n), pos];
}

/** Decodes a v2 batch's records (decompressing with our codecs) into key, value, absolute timestamp. */
function decode(batch: Uint8Array): Array<{ key: string | null; value: string | null; timestamp: bigint }> {
  const h = readBatchHeader(batch);
  let section = batch.subarray(61);
  if (h.compression === CompressionType.Gzip) section = gzipDecompress(section);
  if (h.compression === CompressionType.Snappy) section = snappyDecompress(section);
  if (h.compression === CompressionType.Lz4) section = lz4FrameDecompress(section);
  const td = new TextDecoder();
  const out = [];
  let pos = 0;
  for (let i = 0; i < h.recordsCount; i++) {
    const [len, start] = readVar(section, pos);
    let p = start + 1;
    const [tsDelta, p1] = readVar(section, p);
    const [offsetDelta, p2] = readVar(section, p1);
    assert.equal(offsetDelta, BigInt(i));
    p = p2;
    const field = (): string | null => {
      const [n, q] = readVar(section, p);
      p = q + Math.max(0, Number(n));
      return n < 0n ? null : td.decode(section.subarray(q, p));
    };
    const key = field();
    const value = field();
    const [headers, p3] = readVar(section, p);
    assert.equal(headers, 0n);
    assert.equal(p3, start + Number(len));
    pos = p3;
    out.push({ key, value, timestamp: h.baseTimestamp + tsDelta });
  }
  assert.equal(pos, section.length, "no bytes after the records");
  return out;
}

function convert(records: Uint8Array): Uint8Array {
  const r = upConvertMessageSet(records);
  if ("error" in r) assert.fail(`unexpected error ${r.error.code}: ${r.error.message}`);
  assert.equal(validateBatchForAppend(r.batch, 0, r.batch.length, { maxMessageBytes: 1 << 24 }), null);
  return r.batch;
}

function assertError(records: Uint8Array, code: number, message: RegExp): void {
  const r = upConvertMessageSet(records);
  assert.ok("error" in r, "expected an error");
  assert.equal(r.error.code, code, r.error.message);
  assert.match(r.error.message, message);
}

const msgs = (n: number, ts = true): Msg[] =>
  Array.from({ length: n }, (_, i) => ({
    key: i === 1 ? null : te.encode(`key-${i}`),
    value: i === 2 ? null : te.encode(`value-${i}-`.repeat(i * 40 + 1)),
    timestamp: ts ? T0 + BigInt(i * 7) : undefined,
  }));
const expected = (m: Msg[], ts: (i: number) => bigint) =>
  m.map((x, i) => ({
    key: x.key && new TextDecoder().decode(x.key),
    value: x.value && new TextDecoder().decode(x.value),
    timestamp: ts(i),
  }));

describe("upConvertMessageSet: uncompressed", () => {
  test("magic 0: keys, values, NO_TIMESTAMP, CreateTime, one batch without producer fields", () => {
    const m = msgs(4, false);
    const batch = convert(set(0, m));
    const h = readBatchHeader(batch);
    assert.equal(h.magic, 2);
    assert.equal(h.baseOffset, 0n);
    assert.equal(h.partitionLeaderEpoch, -1);
    assert.equal(h.compression, CompressionType.None);
    assert.equal(h.timestampType, "CreateTime");
    assert.equal(h.producerId, -1n);
    assert.equal(h.producerEpoch, -1);
    assert.equal(h.baseSequence, -1);
    assert.equal(h.recordsCount, 4);
    assert.equal(h.lastOffsetDelta, 3);
    assert.equal(h.baseTimestamp, -1n);
    assert.equal(h.maxTimestamp, -1n);
    assert.deepEqual(decode(batch), expected(m, () => -1n));
  });

  test("magic 1: record timestamps kept, maxTimestamp the largest", () => {
    const m = msgs(3);
    m[0].timestamp = T0 + 100n; // not in order: base is the first, deltas may be negative
    const batch = convert(set(1, m));
    const h = readBatchHeader(batch);
    assert.equal(h.baseTimestamp, T0 + 100n);
    assert.equal(h.maxTimestamp, T0 + 100n);
    assert.deepEqual(decode(batch), expected(m, (i) => m[i].timestamp!));
  });

  test("equals buildBatch's encoding of the same records", () => {
    const m = msgs(3);
    const ours = convert(set(1, m));
    const ref = buildBatch(
      m.map((x, i) => ({ key: x.key, value: x.value, timestampDelta: i * 7 })),
      { baseTimestamp: T0 },
    );
    assert.deepEqual(ours, ref);
  });
});

describe("upConvertMessageSet: compressed wrappers", () => {
  for (const [name, codec] of [["gzip", 1], ["snappy", 2], ["lz4", 3]] as const) {
    for (const magic of [0, 1] as const) {
      test(`${name}, magic ${magic}: inner messages unpacked, batch recompressed with ${name}`, () => {
        const m = msgs(5, magic === 1);
        const batch = convert(wrapper(magic, codec, m));
        const h = readBatchHeader(batch);
        assert.equal(h.compression, codec);
        assert.equal(h.recordsCount, 5);
        assert.equal(h.timestampType, "CreateTime");
        assert.equal(h.maxTimestamp, magic === 1 ? T0 + 28n : -1n);
        assert.deepEqual(decode(batch), expected(m, (i) => (magic === 1 ? m[i].timestamp! : -1n)));
      });
    }
  }

  test("magic 1 LogAppendTime wrapper: inner messages take the wrapper's timestamp", () => {
    const m = msgs(3);
    const batch = convert(wrapper(1, CompressionType.Gzip, m, { ts: T0 + 999n, logAppendTime: true }));
    assert.deepEqual(decode(batch), expected(m, () => T0 + 999n));
  });

  test("a raw (unframed) snappy block from a client is accepted", () => {
    const m = msgs(3);
    const payload = snappyCompressBlock(set(1, m));
    const batch = convert(entry(1, { key: null, value: payload, timestamp: T0, attributes: 2 }, 2n));
    assert.deepEqual(decode(batch), expected(m, (i) => m[i].timestamp!));
  });

  test("magic 1 wrapper offset 0 is tolerated (older librdkafka)", () => {
    const m = msgs(3);
    const w = wrapper(1, CompressionType.Gzip, m);
    new DataView(w.buffer).setBigInt64(0, 0n); // offset is outside the crc
    assert.equal(decode(convert(w)).length, 3);
  });
});

describe("upConvertMessageSet: a v2 batch in a v0–v2 request", () => {
  test("a single v2 batch is returned unchanged", () => {
    const b = buildBatch([{ key: null, value: te.encode("v") }], { baseTimestamp: T0 });
    const r = upConvertMessageSet(b);
    assert.ok("batch" in r);
    assert.deepEqual(r.batch, b);
  });

  test("two v2 batches, or v2 after legacy messages: INVALID_RECORD", () => {
    const b = buildBatch([{ key: null, value: te.encode("v") }], { baseTimestamp: T0 });
    assertError(concat([b, b]), INVALID_RECORD, /exactly one batch/);
    assertError(concat([set(1, msgs(1)), b]), INVALID_RECORD, /magic 2/);
  });
});

describe("upConvertMessageSet: refusals with Kafka's error codes", () => {
  test("bad CRC: CORRUPT_MESSAGE (outer and inner)", () => {
    const s = set(1, msgs(2));
    s[s.length - 1] ^= 1;
    assertError(s, CORRUPT_MESSAGE, /crc/);
    const inner = set(1, msgs(2));
    inner[inner.length - 1] ^= 1;
    const w = entry(1, { key: null, value: gzipCompress(inner), timestamp: T0, attributes: 1 }, 1n);
    assertError(w, CORRUPT_MESSAGE, /inner message 1 is corrupt/);
  });

  test("truncation and bad sizes: CORRUPT_MESSAGE", () => {
    const s = set(0, msgs(2, false));
    assertError(s.subarray(0, s.length - 1), CORRUPT_MESSAGE, /truncated/);
    assertError(s.subarray(0, 20), CORRUPT_MESSAGE, /truncated/);
    assertError(s.subarray(0, 5), CORRUPT_MESSAGE, /truncated/);
    const small = set(0, msgs(1, false));
    new DataView(small.buffer).setInt32(8, 13);
    assertError(small, CORRUPT_MESSAGE, /below 14/);
    // A key length reaching past the message, with a crc that matches the bytes.
    const lying = set(0, [{ key: te.encode("k"), value: te.encode("v") }]);
    new DataView(lying.buffer).setInt32(18, 50);
    new DataView(lying.buffer).setUint32(12, crc32(lying, 16, lying.length));
    assertError(lying, CORRUPT_MESSAGE, /do not fill/);
    // A magic-1 message too short for its timestamp.
    const short = entry(0, { key: null, value: null });
    short[16] = 1;
    new DataView(short.buffer).setUint32(12, crc32(short, 16, short.length));
    assertError(short, CORRUPT_MESSAGE, /too small/);
    // A compressed payload that does not decompress.
    const garbage = entry(1, { key: null, value: te.encode("not gzip at all"), timestamp: T0, attributes: 1 });
    assertError(garbage, CORRUPT_MESSAGE, /decompress/);
    const badMagic = set(0, msgs(1, false));
    badMagic[16] = 5;
    assertError(badMagic, CORRUPT_MESSAGE, /invalid magic 5/);
  });

  test("empty set, mixed magic, several wrappers, nested compression: INVALID_RECORD", () => {
    assertError(new Uint8Array(0), INVALID_RECORD, /no messages/);
    assertError(concat([set(0, msgs(1, false)), set(1, msgs(1))]), INVALID_RECORD, /magic 1 differs/);
    const w = wrapper(1, CompressionType.Gzip, msgs(2));
    assertError(concat([w, w]), INVALID_RECORD, /single wrapper/);
    assertError(concat([set(1, msgs(1)), w]), INVALID_RECORD, /single wrapper/);
    // Inner magic differs from the wrapper's.
    const mixed = entry(
      1,
      { key: null, value: gzipCompress(set(0, msgs(2, false))), timestamp: T0, attributes: 1 },
      1n,
    );
    assertError(mixed, INVALID_RECORD, /does not match wrapper magic/);
    // An inner message that is itself compressed.
    const nested = entry(1, { key: null, value: gzipCompress(w), timestamp: T0, attributes: 1 }, 0n);
    assertError(nested, INVALID_RECORD, /itself compressed/);
    assertError(entry(1, { key: null, value: null, timestamp: T0, attributes: 2 }), INVALID_RECORD, /null value/);
    assertError(
      entry(1, { key: null, value: gzipCompress(new Uint8Array(0)), timestamp: T0, attributes: 1 }),
      INVALID_RECORD,
      /no inner messages/,
    );
    // Wrapper offset below the last inner relative offset (and not 0).
    const lowOffset = wrapper(1, CompressionType.Gzip, msgs(3));
    new DataView(lowOffset.buffer).setBigInt64(0, 1n);
    assertError(lowOffset, INVALID_RECORD, /below the last inner offset/);
  });

  test("lz4: the KAFKA-1493 header checksum is accepted for magic 0 only", () => {
    const inner = set(1, msgs(2));
    const frame = lz4FrameCompress(inner);
    frame[6] = (xxhash32(frame, 0, 0, 6) >>> 8) & 0xff;
    const w = entry(1, { key: null, value: frame, timestamp: T0, attributes: 3 }, 1n);
    assertError(w, CORRUPT_MESSAGE, /header checksum/);
  });

  test("zstd in a legacy wrapper: INVALID_RECORD, as Kafka 3.9's deep iterator answers", () => {
    const z = entry(1, { key: null, value: te.encode("zstd frame"), timestamp: T0, attributes: 4 });
    assertError(z, INVALID_RECORD, /zstd/);
  });

  test("an unknown codec id: UNKNOWN_SERVER_ERROR, as Kafka's CompressionType.forId fails", () => {
    const u = entry(1, { key: null, value: te.encode("x"), timestamp: T0, attributes: 6 });
    assertError(u, UNKNOWN_SERVER_ERROR, /unknown compression type id 6/);
  });
});
