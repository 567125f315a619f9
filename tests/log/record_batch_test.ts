/** v2 record batches: golden bytes, header reading, splitting, Kafka's append checks, offset assignment. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  assignOffsets,
  ATTRIBUTES_OFFSET,
  BASE_OFFSET_OFFSET,
  BASE_SEQUENCE_OFFSET,
  BATCH_HEADER_BYTES,
  BATCH_LENGTH_OFFSET,
  buildBatch,
  type BuildRecord,
  CompressionType,
  computeBatchCrc,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  PRODUCER_ID_OFFSET,
  readBatchHeader,
  RECORDS_COUNT_OFFSET,
  RECORDS_OFFSET,
  setPartitionLeaderEpoch,
  splitBatches,
  validateBatchForAppend,
  writeBatchCrc,
} from "../../src/log/record_batch.ts";

const CORRUPT_MESSAGE = 2;
const MESSAGE_TOO_LARGE = 10;
const INVALID_RECORD = 87;
const UNKNOWN_SERVER_ERROR = -1;

const te = new TextEncoder();
const T0 = 1700000000000n; // 0x0000018BCFE56800
const opts = { maxMessageBytes: 1048588 }; // Kafka's default max.message.bytes

function sample(n = 3): BuildRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    key: i % 2 ? null : te.encode(`key-${i}`),
    value: te.encode("v".repeat(10 * i + 1)),
    headers: i === 1 ? [["trace", te.encode("abc")], ["empty", null]] : undefined,
    timestampDelta: i * 5,
  }));
}

const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

/** Applies `edit` to a copy of a valid batch, then makes its crc right again. */
function edited(edit: (v: DataView, b: Uint8Array) => void, records = sample()): Uint8Array {
  const b = buildBatch(records, { baseTimestamp: T0 });
  edit(dv(b), b);
  writeBatchCrc(b, 0, b.length);
  return b;
}

const check = (b: Uint8Array) => validateBatchForAppend(b, 0, b.length, opts);
const codeOf = (b: Uint8Array) => check(b)?.code ?? 0;

/** Asserts the refusal's code, and its message so a test fails for the reason it means to. */
function assertRefused(b: Uint8Array, code: number, message: RegExp): void {
  const error = check(b);
  assert.ok(error, "expected a refusal");
  assert.equal(error.code, code, error.message);
  assert.match(error.message, message);
}

/** Byte position of each record's length varint in an uncompressed batch built by buildBatch. */
function recordStarts(b: Uint8Array): number[] {
  const starts: number[] = [];
  let pos = RECORDS_OFFSET;
  while (pos < b.length) {
    starts.push(pos);
    assert.ok(b[pos] < 0x80, "test helper handles 1-byte record lengths only");
    pos += 1 + (b[pos] >>> 1);
  }
  return starts;
}

describe("golden bytes", () => {
  test('one record, key null, value "hello"', () => {
    // deno-fmt-ignore
    const expected = Uint8Array.from([
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // baseOffset 0
      0x00, 0x00, 0x00, 0x3d,                         // batchLength 61 = 73 bytes - 12
      0xff, 0xff, 0xff, 0xff,                         // partitionLeaderEpoch -1
      0x02,                                           // magic 2
      0xe6, 0x41, 0xa4, 0x4b,                         // crc32c of bytes 21..72 (as kafkajs computes it too)
      0x00, 0x00,                                     // attributes: none, CreateTime
      0x00, 0x00, 0x00, 0x00,                         // lastOffsetDelta 0
      0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00, // baseTimestamp 1700000000000
      0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00, // maxTimestamp 1700000000000
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // producerId -1
      0xff, 0xff,                                     // producerEpoch -1
      0xff, 0xff, 0xff, 0xff,                         // baseSequence -1
      0x00, 0x00, 0x00, 0x01,                         // recordsCount 1
      0x16,                                           // record length 11 (zigzag 22)
      0x00,                                           // record attributes
      0x00,                                           // timestampDelta 0
      0x00,                                           // offsetDelta 0
      0x01,                                           // key length -1 (null)
      0x0a,                                           // value length 5 (zigzag 10)
      0x68, 0x65, 0x6c, 0x6c, 0x6f,                   // "hello"
      0x00,                                           // 0 headers
    ]);
    const built = buildBatch([{ key: null, value: te.encode("hello") }], { baseTimestamp: T0 });
    assert.deepEqual(built, expected);
    assert.equal(computeBatchCrc(expected, 0, expected.length), 0xe641a44b);
    assert.equal(check(expected), null);
  });
});

describe("readBatchHeader", () => {
  test("round trip through buildBatch", () => {
    const b = buildBatch(sample(), {
      baseTimestamp: T0,
      producerId: 4000n,
      producerEpoch: 3,
      baseSequence: 17,
      isTransactional: true,
      partitionLeaderEpoch: 9,
    });
    const h = readBatchHeader(b);
    assert.deepEqual({ ...h, crc: 0 }, {
      baseOffset: 0n,
      batchLength: b.length - LOG_OVERHEAD,
      partitionLeaderEpoch: 9,
      magic: 2,
      crc: 0,
      attributes: 0x10,
      compression: CompressionType.None,
      timestampType: "CreateTime",
      isTransactional: true,
      isControl: false,
      hasDeleteHorizonMs: false,
      lastOffsetDelta: 2,
      baseTimestamp: T0,
      maxTimestamp: T0 + 10n,
      producerId: 4000n,
      producerEpoch: 3,
      baseSequence: 17,
      recordsCount: 3,
      sizeInBytes: b.length,
    });
    assert.equal(h.crc, computeBatchCrc(b, 0, b.length));
    assert.equal(check(b), null);
  });

  test("reads at an offset inside a larger buffer view", () => {
    const b = buildBatch(sample(), { baseTimestamp: T0 });
    const outer = new Uint8Array(b.length + 10);
    outer.set(b, 7);
    const h = readBatchHeader(outer.subarray(2), 5);
    assert.equal(h.recordsCount, 3);
    assert.equal(h.maxTimestamp, T0 + 10n);
  });

  test("throws on fewer than 61 bytes", () => {
    assert.throws(() => readBatchHeader(new Uint8Array(BATCH_HEADER_BYTES - 1)), RangeError);
  });
});

describe("splitBatches", () => {
  const three = [buildBatch(sample(1), { baseTimestamp: T0 }), buildBatch(sample(3)), buildBatch(sample(5))];
  const concat = (parts: Uint8Array[]) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let pos = 0;
    for (const p of parts) out.set(p, (pos += p.length) - p.length);
    return out;
  };
  const ranges = () => {
    let pos = 0;
    return three.map((p) => ({ start: pos, end: pos += p.length }));
  };

  test("three concatenated batches, each valid", () => {
    const all = concat(three);
    const { batches, error } = splitBatches(all);
    assert.equal(error, undefined);
    assert.deepEqual(batches, ranges());
    for (const { start, end } of batches) assert.equal(validateBatchForAppend(all, start, end, opts), null);
  });

  test("works on a view with a non-zero byteOffset", () => {
    const all = concat([new Uint8Array(5), ...three]).subarray(5);
    assert.deepEqual(splitBatches(all), { batches: ranges() });
  });

  test("no bytes, no batches", () => {
    assert.deepEqual(splitBatches(new Uint8Array(0)), { batches: [] });
  });

  test("trailing bytes too short for a log header", () => {
    const { batches, error } = splitBatches(concat([...three, new Uint8Array(5)]));
    assert.deepEqual(batches, ranges());
    assert.equal(error?.code, CORRUPT_MESSAGE);
  });

  test("truncated final batch", () => {
    const { batches, error } = splitBatches(concat([...three, three[1].subarray(0, 40)]));
    assert.deepEqual(batches, ranges());
    assert.equal(error?.code, CORRUPT_MESSAGE);
  });

  test("garbage with a batchLength below 14", () => {
    const garbage = new Uint8Array(30);
    dv(garbage).setInt32(BATCH_LENGTH_OFFSET, 13);
    const { batches, error } = splitBatches(concat([three[0], garbage]));
    assert.equal(batches.length, 1);
    assert.equal(error?.code, CORRUPT_MESSAGE);
  });

  test("a batch with magic outside 0..2", () => {
    const bad = three[0].slice();
    bad[MAGIC_OFFSET] = 3;
    const { batches, error } = splitBatches(concat([bad, three[1]]));
    assert.deepEqual(batches, []);
    assert.equal(error?.code, CORRUPT_MESSAGE);
  });
});

describe("validateBatchForAppend: batch-level checks", () => {
  test("a batch inside a larger buffer validates in place", () => {
    const b = buildBatch(sample(), { baseTimestamp: T0 });
    const outer = new Uint8Array(b.length + 20);
    outer.set(b, 11);
    assert.equal(validateBatchForAppend(outer.subarray(3), 8, 8 + b.length, opts), null);
  });

  test("shorter than the bytes needed for magic: CORRUPT_MESSAGE", () => {
    assertRefused(new Uint8Array(16), CORRUPT_MESSAGE, /shorter than its header/);
  });

  test("batchLength inconsistent with the bytes given: CORRUPT_MESSAGE", () => {
    const b = buildBatch(sample(), { baseTimestamp: T0 });
    assert.equal(validateBatchForAppend(b, 0, b.length - 1, opts)?.code, CORRUPT_MESSAGE);
    const longer = new Uint8Array(b.length + 1);
    longer.set(b);
    assert.equal(codeOf(longer), CORRUPT_MESSAGE);
  });

  test("batchLength below Kafka's minimum of 14: CORRUPT_MESSAGE", () => {
    const b = new Uint8Array(LOG_OVERHEAD + 13);
    dv(b).setInt32(BATCH_LENGTH_OFFSET, 13);
    b[MAGIC_OFFSET] = 2;
    assertRefused(b, CORRUPT_MESSAGE, /below the minimum 14/);
  });

  test("consistent length but shorter than the 61-byte header: CORRUPT_MESSAGE", () => {
    const b = new Uint8Array(40);
    dv(b).setInt32(BATCH_LENGTH_OFFSET, 40 - LOG_OVERHEAD);
    b[MAGIC_OFFSET] = 2;
    assertRefused(b, CORRUPT_MESSAGE, /shorter than the 61-byte header/);
  });

  test("magic 0 or 1: INVALID_RECORD (Kafka's answer for Produce v3+)", () => {
    for (const magic of [0, 1]) assert.equal(codeOf(edited((_, b) => b[MAGIC_OFFSET] = magic)), INVALID_RECORD);
  });

  test("magic outside 0..2: CORRUPT_MESSAGE", () => {
    for (const magic of [3, -1]) assert.equal(codeOf(edited((v) => v.setInt8(MAGIC_OFFSET, magic))), CORRUPT_MESSAGE);
  });

  test("non-zero baseOffset from a client: INVALID_RECORD", () => {
    assertRefused(edited((v) => v.setBigInt64(BASE_OFFSET_OFFSET, 5n)), INVALID_RECORD, /baseOffset 0, not 5/);
  });

  test("crc mismatch: CORRUPT_MESSAGE", () => {
    const b = buildBatch(sample(), { baseTimestamp: T0 });
    b[b.length - 2] ^= 1;
    assertRefused(b, CORRUPT_MESSAGE, /crc mismatch/);
  });

  test("larger than maxMessageBytes: MESSAGE_TOO_LARGE; exactly the limit is fine", () => {
    const b = buildBatch(sample(), { baseTimestamp: T0 });
    assert.equal(validateBatchForAppend(b, 0, b.length, { maxMessageBytes: b.length - 1 })?.code, MESSAGE_TOO_LARGE);
    assert.equal(validateBatchForAppend(b, 0, b.length, { maxMessageBytes: b.length }), null);
  });

  test("negative or zero recordsCount: INVALID_RECORD", () => {
    assertRefused(edited((v) => v.setInt32(RECORDS_COUNT_OFFSET, -1)), INVALID_RECORD, /record count -1/);
    assertRefused(edited((v) => v.setInt32(RECORDS_COUNT_OFFSET, 0)), INVALID_RECORD, /record count 0/);
    // An empty batch's lastOffsetDelta is -1: an empty offset range, refused first.
    assertRefused(buildBatch([], { baseTimestamp: T0 }), INVALID_RECORD, /offset range/);
  });

  test("lastOffsetDelta != recordsCount - 1: INVALID_RECORD", () => {
    assert.equal(codeOf(edited((v) => v.setInt32(LAST_OFFSET_DELTA_OFFSET, 3))), INVALID_RECORD);
    assert.equal(codeOf(edited((v) => v.setInt32(LAST_OFFSET_DELTA_OFFSET, -1))), INVALID_RECORD);
    assert.equal(codeOf(edited((v) => v.setInt32(LAST_OFFSET_DELTA_OFFSET, 0x7fffffff))), INVALID_RECORD);
  });

  test("control batch from a client: INVALID_RECORD", () => {
    assertRefused(buildBatch(sample(), { baseTimestamp: T0, isControl: true }), INVALID_RECORD, /control/);
  });

  test("producer id without a base sequence: INVALID_RECORD", () => {
    assertRefused(buildBatch(sample(), { producerId: 7n, producerEpoch: 0 }), INVALID_RECORD, /base sequence -1/);
    assert.equal(codeOf(buildBatch(sample(), { producerId: 7n, producerEpoch: 0, baseSequence: 0 })), 0);
  });

  test("unknown compression id 5..7: UNKNOWN_SERVER_ERROR, as Kafka's produce path answers", () => {
    for (const id of [5, 6, 7]) {
      assert.equal(codeOf(edited((v) => v.setInt16(ATTRIBUTES_OFFSET, id))), UNKNOWN_SERVER_ERROR);
    }
  });

  test("compressed batches pass on header checks alone (records not walked)", () => {
    for (const id of [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd]) {
      // Scrambled "compressed" payload that would fail any record walk.
      const b = edited((v, bytes) => {
        v.setInt16(ATTRIBUTES_OFFSET, id);
        bytes.fill(0xff, RECORDS_OFFSET);
      });
      assert.equal(readBatchHeader(b).compression, id);
      assert.equal(check(b), null, `compression ${id}`);
      // Header checks still apply to them.
      assert.equal(
        codeOf(edited((v) => {
          v.setInt16(ATTRIBUTES_OFFSET, id);
          v.setInt32(LAST_OFFSET_DELTA_OFFSET, 0);
        })),
        INVALID_RECORD,
      );
    }
  });
});

describe("validateBatchForAppend: uncompressed record walk (INVALID_RECORD)", () => {
  test("records with keys, null keys, values and headers pass", () => {
    const records: BuildRecord[] = [
      { key: null, value: null },
      { key: new Uint8Array(0), value: new Uint8Array(0), headers: [["", new Uint8Array(0)]] },
      { key: new Uint8Array(300), value: new Uint8Array(70000), headers: [["h", null], ["é", te.encode("x")]] },
      { key: te.encode("k"), value: te.encode("v"), timestampDelta: -5 },
      { key: te.encode("k"), value: te.encode("v"), timestampDelta: 2 ** 40 },
    ];
    assert.equal(check(buildBatch(records, { baseTimestamp: T0 })), null);
  });

  test("a record's declared length longer than its fields", () => {
    const b = edited((_, bytes) => {
      const [first] = recordStarts(bytes);
      bytes[first] += 2; // +1 in zigzag
    });
    assertRefused(b, INVALID_RECORD, /declares 13 bytes but its fields take 12/);
  });

  test("a record's declared length shorter than its fields", () => {
    const b = edited((_, bytes) => {
      const [, second] = recordStarts(bytes);
      bytes[second] -= 2;
    });
    assertRefused(b, INVALID_RECORD, /record 1: malformed value of header 1/);
  });

  test("offsetDelta not running 0..n-1", () => {
    const b = edited((_, bytes) => {
      const starts = recordStarts(bytes);
      bytes[starts[2] + 3] = 2; // offsetDelta of the third record: zigzag 2 = 1
    });
    assertRefused(b, INVALID_RECORD, /offsetDelta 1, expected 2/);
  });

  test("fewer records declared than present: bytes remain", () => {
    const b = edited((v) => {
      v.setInt32(RECORDS_COUNT_OFFSET, 2);
      v.setInt32(LAST_OFFSET_DELTA_OFFSET, 1);
    });
    assertRefused(b, INVALID_RECORD, /33 bytes remain after the 2 declared records/);
  });

  test("more records declared than present: premature end", () => {
    const b = edited((v) => {
      v.setInt32(RECORDS_COUNT_OFFSET, 4);
      v.setInt32(LAST_OFFSET_DELTA_OFFSET, 3);
    });
    assertRefused(b, INVALID_RECORD, /record 3: batch ends inside the record length/);
  });

  test("negative header count", () => {
    const b = edited((_, bytes) => {
      bytes[bytes.length - 1] = 0x01; // last record's header count: zigzag 1 = -1
    }, [{ key: null, value: te.encode("x") }]);
    assertRefused(b, INVALID_RECORD, /invalid header count -1/);
  });

  test("negative header key length", () => {
    const records = [{ key: null, value: null, headers: [["k", null]] as Array<[string, Uint8Array | null]> }];
    const b = edited((_, bytes) => {
      // ... 0x02 (1 header) 0x02 'k' 0x01 (null value): make the key length -1.
      assert.deepEqual([...bytes.subarray(bytes.length - 4)], [0x02, 0x02, 0x6b, 0x01]);
      bytes.set([0x01, 0x00, 0x01], bytes.length - 3); // key null, value length 0, then a stray byte
    }, records);
    assertRefused(b, INVALID_RECORD, /malformed key of header 0/);
  });

  test("a varint longer than 5 bytes", () => {
    const b = edited((_, bytes) => {
      // Record body is 8 bytes: attrs, ts, offsetDelta, key, value(1 byte), 'x', headers.
      // Replace key..headers with a 6-byte varint (continuation bits on five bytes).
      const [first] = recordStarts(bytes);
      bytes.set([0x80, 0x80, 0x80, 0x80, 0x80, 0x00], first + 4);
    }, [{ key: null, value: te.encode("xyzw") }]);
    assertRefused(b, INVALID_RECORD, /record 0: malformed key/);
  });
});

describe("assignOffsets", () => {
  test("rewrites baseOffset only; the crc does not cover it", () => {
    const b = buildBatch(sample(), { baseTimestamp: T0 });
    const before = readBatchHeader(b);
    assignOffsets(b, 0, 1234n);
    const after = readBatchHeader(b);
    assert.deepEqual({ ...after, baseOffset: 0n }, before);
    assert.equal(after.baseOffset, 1234n);
    assert.equal(computeBatchCrc(b, 0, b.length), after.crc);
  });

  test("LogAppendTime: sets the type bit and maxTimestamp, keeps baseTimestamp, recomputes the crc", () => {
    const b = buildBatch(sample(), { baseTimestamp: T0 });
    const before = readBatchHeader(b);
    const now = T0 + 60_000n;
    assignOffsets(b, 0, 1_000_000_000_000n, now);
    const h = readBatchHeader(b);
    assert.equal(h.baseOffset, 1_000_000_000_000n);
    assert.equal(h.timestampType, "LogAppendTime");
    assert.equal(h.maxTimestamp, now);
    assert.equal(h.baseTimestamp, T0);
    assert.equal(h.attributes, before.attributes | 0x08);
    assert.notEqual(h.crc, before.crc);
    assert.equal(computeBatchCrc(b, 0, b.length), h.crc);
    // Back at baseOffset 0 the client-side checks pass again: the crc is right.
    assignOffsets(b, 0, 0n);
    assert.equal(check(b), null);
  });

  test("works on a batch in the middle of a buffer", () => {
    const parts = [buildBatch(sample(2)), buildBatch(sample(4), { baseTimestamp: T0 })];
    const all = new Uint8Array(parts[0].length + parts[1].length);
    all.set(parts[0]);
    all.set(parts[1], parts[0].length);
    const [, second] = splitBatches(all).batches;
    assignOffsets(all, second.start, 42n, T0 + 1n);
    const h = readBatchHeader(all, second.start);
    assert.equal(h.baseOffset, 42n);
    assert.equal(computeBatchCrc(all, second.start, second.end), h.crc);
    assert.deepEqual(all.subarray(0, parts[0].length), parts[0]);
  });

  test("setPartitionLeaderEpoch leaves the crc valid", () => {
    const b = buildBatch(sample(), { baseTimestamp: T0 });
    setPartitionLeaderEpoch(b, 0, 12);
    assert.equal(readBatchHeader(b).partitionLeaderEpoch, 12);
    assert.equal(check(b), null);
  });
});

describe("buildBatch", () => {
  test("header fields for an idempotent batch", () => {
    const b = buildBatch(sample(4), { baseTimestamp: T0, producerId: 1n, producerEpoch: 2, baseSequence: 3 });
    const v = dv(b);
    assert.equal(v.getBigInt64(PRODUCER_ID_OFFSET), 1n);
    assert.equal(v.getInt32(BASE_SEQUENCE_OFFSET), 3);
    assert.equal(readBatchHeader(b).maxTimestamp, T0 + 15n);
    assert.equal(check(b), null);
  });

  test("rejects a non-integer timestampDelta", () => {
    assert.throws(() => buildBatch([{ key: null, value: null, timestampDelta: 0.5 }]), RangeError);
  });
});
