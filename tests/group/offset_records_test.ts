/**
 * __consumer_offsets records in Kafka's formats: golden key/value bytes, round trips of every kind and version
 * we write, decoding of hand-built older and flexible versions, batches, and skip-and-count of what is not ours.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  decodeGroupRecord,
  decodeGroupRecords,
  encodeGroupRecordKey,
  encodeGroupRecordsBatch,
  encodeGroupRecordValue,
  groupRecordBytes,
} from "../../src/group/offset_records.ts";
import type { ClassicGroupValue, GroupRecord } from "../../src/group/types.ts";
import {
  ATTRIBUTES_OFFSET,
  BATCH_HEADER_BYTES,
  BATCH_LENGTH_OFFSET,
  buildBatch,
  type BuildRecord,
  CompressionType,
  LOG_OVERHEAD,
  readBatchHeader,
  writeBatchCrc,
} from "../../src/log/record_batch.ts";
import { gzipCompress } from "../../src/log/codecs/gzip.ts";
import { snappyCompress } from "../../src/log/codecs/snappy.ts";
import { lz4FrameCompress } from "../../src/log/codecs/lz4.ts";
import { Writer } from "../../src/protocol/io/writer.ts";

const te = new TextEncoder();
const T0 = 1700000000000;

const offsetRecord = (
  groupId: string,
  topic: string,
  partition: number,
  offset: bigint,
  extra: { leaderEpoch?: number; metadata?: string; expireTimestamp?: bigint } = {},
): GroupRecord => ({
  kind: "offset",
  groupId,
  topic,
  partition,
  value: {
    offset,
    leaderEpoch: extra.leaderEpoch ?? 7,
    metadata: extra.metadata ?? "meta",
    commitTimestamp: BigInt(T0),
    expireTimestamp: extra.expireTimestamp ?? -1n,
  },
});

const classicValue = (): ClassicGroupValue => ({
  protocolType: "consumer",
  generation: 4,
  protocol: "range",
  leader: "m-1",
  currentStateTimestamp: BigInt(T0 + 5),
  members: [
    {
      memberId: "m-1",
      groupInstanceId: null,
      clientId: "client-a",
      clientHost: "/127.0.0.1",
      rebalanceTimeoutMs: 300000,
      sessionTimeoutMs: 45000,
      subscription: Uint8Array.from([0, 1, 2]),
      assignment: Uint8Array.from([9, 8]),
    },
    {
      memberId: "m-2",
      groupInstanceId: "instance-ü",
      clientId: "client-b",
      clientHost: "/10.0.0.2",
      rebalanceTimeoutMs: 60000,
      sessionTimeoutMs: 10000,
      subscription: new Uint8Array(0),
      assignment: new Uint8Array(0),
    },
  ],
});

const i16 = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength).getInt16(0);

function roundTrip(record: GroupRecord): GroupRecord | null {
  return decodeGroupRecord(encodeGroupRecordKey(record), encodeGroupRecordValue(record));
}

/** Writes a value the way a Kafka broker of another version would have, field by field. */
function handBuilt(write: (w: Writer) => void): Uint8Array {
  const w = new Writer(64);
  write(w);
  return w.finish().slice();
}

/** Key bytes of an OffsetCommitKey with key version `version`. */
function offsetKey(version: number, group: string, topic: string, partition: number): Uint8Array {
  return handBuilt((w) => {
    w.writeInt16(version);
    w.writeString(group);
    w.writeString(topic);
    w.writeInt32(partition);
  });
}

const groupKey = (version: number, group: string) =>
  handBuilt((w) => {
    w.writeInt16(version);
    w.writeString(group);
  });

/** A tagged-field section holding one unknown tag, which readers must skip. */
function unknownTag(w: Writer): void {
  w.writeUnsignedVarint(1); // one field
  w.writeUnsignedVarint(42); // tag
  w.writeUnsignedVarint(3); // size
  w.writeRaw(Uint8Array.from([1, 2, 3]));
}

/** Re-wraps an uncompressed batch's records with `codec`, as a producer of compressed batches would. */
function compressBatch(batch: Uint8Array, codec: number, compress: (b: Uint8Array) => Uint8Array): Uint8Array {
  const records = compress(batch.subarray(BATCH_HEADER_BYTES));
  const out = new Uint8Array(BATCH_HEADER_BYTES + records.length);
  out.set(batch.subarray(0, BATCH_HEADER_BYTES));
  out.set(records, BATCH_HEADER_BYTES);
  const v = new DataView(out.buffer);
  v.setInt32(BATCH_LENGTH_OFFSET, out.length - LOG_OVERHEAD);
  v.setInt16(ATTRIBUTES_OFFSET, v.getInt16(ATTRIBUTES_OFFSET) | codec);
  writeBatchCrc(out, 0, out.length);
  return out;
}

describe("golden bytes", () => {
  test("OffsetCommitKey v1 and OffsetCommitValue v3, as Kafka 3.9 writes them", () => {
    const record = offsetRecord("g", "t", 5, 258n, { leaderEpoch: 3, metadata: "m" });
    // deno-fmt-ignore
    assert.deepEqual(encodeGroupRecordKey(record), Uint8Array.from([
      0x00, 0x01,             // key version 1
      0x00, 0x01, 0x67,       // group "g"
      0x00, 0x01, 0x74,       // topic "t"
      0x00, 0x00, 0x00, 0x05, // partition 5
    ]));
    // deno-fmt-ignore
    assert.deepEqual(encodeGroupRecordValue(record), Uint8Array.from([
      0x00, 0x03,                                     // value version 3
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, // offset 258
      0x00, 0x00, 0x00, 0x03,                         // leaderEpoch 3
      0x00, 0x01, 0x6d,                               // metadata "m"
      0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00, // commitTimestamp 1700000000000
    ]));
  });

  test("OffsetCommitValue with an expire timestamp is v1, without leader epoch", () => {
    const record = offsetRecord("g", "t", 0, 1n, { metadata: "", expireTimestamp: 0x1234n });
    // deno-fmt-ignore
    assert.deepEqual(encodeGroupRecordValue(record), Uint8Array.from([
      0x00, 0x01,                                     // value version 1
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, // offset 1
      0x00, 0x00,                                     // metadata ""
      0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00, // commitTimestamp
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x12, 0x34, // expireTimestamp
    ]));
  });

  test("GroupMetadataKey v2 and ConsumerGroupMetadataKey v3 / value v0 (flexible)", () => {
    assert.deepEqual(
      encodeGroupRecordKey({ kind: "classic", groupId: "ab", value: null }),
      Uint8Array.from([0x00, 0x02, 0x00, 0x02, 0x61, 0x62]),
    );
    const consumer: GroupRecord = { kind: "consumer", groupId: "ab", value: { epoch: 260 } };
    assert.deepEqual(encodeGroupRecordKey(consumer), Uint8Array.from([0x00, 0x03, 0x00, 0x02, 0x61, 0x62]));
    // version 0, epoch 260, empty tagged fields
    assert.deepEqual(encodeGroupRecordValue(consumer), Uint8Array.from([0x00, 0x00, 0x00, 0x00, 0x01, 0x04, 0x00]));
  });

  test("GroupMetadataValue v3 layout", () => {
    const value: ClassicGroupValue = {
      protocolType: "c",
      generation: 1,
      protocol: null,
      leader: "m",
      currentStateTimestamp: -1n,
      members: [{
        memberId: "m",
        groupInstanceId: null,
        clientId: "i",
        clientHost: "h",
        rebalanceTimeoutMs: 2,
        sessionTimeoutMs: 3,
        subscription: Uint8Array.from([0xaa]),
        assignment: new Uint8Array(0),
      }],
    };
    // deno-fmt-ignore
    assert.deepEqual(encodeGroupRecordValue({ kind: "classic", groupId: "g", value }), Uint8Array.from([
      0x00, 0x03,                                     // value version 3
      0x00, 0x01, 0x63,                               // protocolType "c"
      0x00, 0x00, 0x00, 0x01,                         // generation 1
      0xff, 0xff,                                     // protocol null
      0x00, 0x01, 0x6d,                               // leader "m"
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // currentStateTimestamp -1
      0x00, 0x00, 0x00, 0x01,                         // 1 member
      0x00, 0x01, 0x6d,                               //   memberId "m"
      0xff, 0xff,                                     //   groupInstanceId null
      0x00, 0x01, 0x69,                               //   clientId "i"
      0x00, 0x01, 0x68,                               //   clientHost "h"
      0x00, 0x00, 0x00, 0x02,                         //   rebalanceTimeout 2
      0x00, 0x00, 0x00, 0x03,                         //   sessionTimeout 3
      0x00, 0x00, 0x00, 0x01, 0xaa,                   //   subscription
      0x00, 0x00, 0x00, 0x00,                         //   assignment (empty)
    ]));
  });
});

describe("round trips of what we write", () => {
  test("offset commit v3 and v1, classic group v3, consumer group v0, and their tombstones", () => {
    const records: GroupRecord[] = [
      offsetRecord("group-1", "topic-ä", 0, 42n, { leaderEpoch: -1, metadata: "" }),
      offsetRecord("group-1", "topic-b", 2147483647, 9007199254740993n, { metadata: "x".repeat(4096) }),
      { kind: "classic", groupId: "group-1", value: classicValue() },
      { kind: "classic", groupId: "g", value: { ...classicValue(), protocol: null, leader: null, members: [] } },
      { kind: "consumer", groupId: "kip-848", value: { epoch: 2147483647 } },
      { kind: "offset", groupId: "group-1", topic: "t", partition: 1, value: null },
      { kind: "classic", groupId: "group-1", value: null },
      { kind: "consumer", groupId: "kip-848", value: null },
    ];
    for (const r of records) assert.deepEqual(roundTrip(r), r);
    assert.equal(i16(encodeGroupRecordValue(records[0])!), 3);
    assert.equal(i16(encodeGroupRecordValue(records[2])!), 3);
    assert.equal(i16(encodeGroupRecordValue(records[4])!), 0);
    for (const r of records.slice(5)) assert.equal(encodeGroupRecordValue(r), null);
  });

  test("a commit with an expire timestamp round-trips as v1, which has no leader epoch", () => {
    const record = offsetRecord("g", "t", 3, 10n, { leaderEpoch: 5, expireTimestamp: BigInt(T0 + 1000) });
    assert.equal(i16(encodeGroupRecordValue(record)!), 1);
    const back = roundTrip(record);
    assert.ok(back?.kind === "offset" && back.value);
    assert.deepEqual(back.value, { ...record.value!, leaderEpoch: -1 });
  });
});

describe("decoding versions Kafka wrote", () => {
  const key = offsetKey(0, "g", "t", 1); // key version 0: also an OffsetCommitKey
  const decodeOffset = (value: Uint8Array) => {
    const r = decodeGroupRecord(key, value);
    assert.ok(r?.kind === "offset");
    assert.deepEqual([r.groupId, r.topic, r.partition], ["g", "t", 1]);
    return r.value;
  };

  test("OffsetCommitValue v0 and v2: offset, metadata, commitTimestamp", () => {
    for (const version of [0, 2]) {
      const value = handBuilt((w) => {
        w.writeInt16(version);
        w.writeInt64(77n);
        w.writeString("md");
        w.writeInt64(123n);
      });
      assert.deepEqual(decodeOffset(value), {
        offset: 77n,
        leaderEpoch: -1,
        metadata: "md",
        commitTimestamp: 123n,
        expireTimestamp: -1n,
      });
    }
  });

  test("OffsetCommitValue v1 carries an expire timestamp", () => {
    const value = handBuilt((w) => {
      w.writeInt16(1);
      w.writeInt64(5n);
      w.writeString("");
      w.writeInt64(100n);
      w.writeInt64(200n);
    });
    assert.deepEqual(decodeOffset(value), {
      offset: 5n,
      leaderEpoch: -1,
      metadata: "",
      commitTimestamp: 100n,
      expireTimestamp: 200n,
    });
  });

  test("OffsetCommitValue v4 is flexible: compact metadata and tagged fields (skipped); v5 reads as v4", () => {
    for (const version of [4, 5]) {
      const value = handBuilt((w) => {
        w.writeInt16(version);
        w.writeInt64(9n);
        w.writeInt32(12);
        w.writeCompactString("flex");
        w.writeInt64(300n);
        unknownTag(w);
      });
      assert.deepEqual(decodeOffset(value), {
        offset: 9n,
        leaderEpoch: 12,
        metadata: "flex",
        commitTimestamp: 300n,
        expireTimestamp: -1n,
      });
    }
  });

  const member = { memberId: "m", clientId: "c", clientHost: "/h", subscription: [1, 2], assignment: [3] };
  function classicBytes(version: number): Uint8Array {
    const flexible = version >= 4;
    return handBuilt((w) => {
      const str = (s: string) => flexible ? w.writeCompactString(s) : w.writeString(s);
      const bytes = (b: number[]) =>
        flexible ? w.writeCompactBytes(Uint8Array.from(b)) : w.writeBytes(Uint8Array.from(b));
      w.writeInt16(version);
      str("consumer");
      w.writeInt32(8);
      str("range"); // protocol (nullable, here set)
      if (flexible) w.writeCompactNullableString(null);
      else w.writeNullableString(null); // leader null
      if (version >= 2) w.writeInt64(555n);
      if (flexible) w.writeCompactArrayLength(1);
      else w.writeArrayLength(1);
      str(member.memberId);
      if (version >= 3) str("static-1");
      str(member.clientId);
      str(member.clientHost);
      if (version >= 1) w.writeInt32(70000);
      w.writeInt32(30000);
      bytes(member.subscription);
      bytes(member.assignment);
      if (flexible) unknownTag(w);
      if (flexible) unknownTag(w);
    });
  }

  test("GroupMetadataValue v0–v4: fields appear with their versions", () => {
    for (const version of [0, 1, 2, 3, 4]) {
      const r = decodeGroupRecord(groupKey(2, "grp"), classicBytes(version));
      assert.ok(r?.kind === "classic" && r.value, `v${version}`);
      assert.equal(r.groupId, "grp");
      const v = r.value;
      assert.deepEqual([v.protocolType, v.generation, v.protocol, v.leader], ["consumer", 8, "range", null]);
      assert.equal(v.currentStateTimestamp, version >= 2 ? 555n : -1n, `v${version}`);
      assert.equal(v.members.length, 1);
      const m = v.members[0];
      assert.deepEqual([m.memberId, m.clientId, m.clientHost], ["m", "c", "/h"]);
      assert.equal(m.groupInstanceId, version >= 3 ? "static-1" : null);
      // v0 has no rebalance timeout: Kafka's loader uses the session timeout.
      assert.equal(m.rebalanceTimeoutMs, version >= 1 ? 70000 : 30000);
      assert.equal(m.sessionTimeoutMs, 30000);
      assert.deepEqual([...m.subscription], [1, 2]);
      assert.deepEqual([...m.assignment], [3]);
    }
  });

  test("ConsumerGroupMetadataValue v0 with a tagged field", () => {
    const value = handBuilt((w) => {
      w.writeInt16(0);
      w.writeInt32(17);
      unknownTag(w);
    });
    assert.deepEqual(decodeGroupRecord(groupKey(3, "new"), value), {
      kind: "consumer",
      groupId: "new",
      value: { epoch: 17 },
    });
  });

  test("key versions that are not ours decode to null; tombstones of ours decode", () => {
    assert.equal(decodeGroupRecord(groupKey(5, "g"), Uint8Array.from([0, 0])), null);
    assert.equal(decodeGroupRecord(groupKey(-1, "g"), null), null);
    assert.deepEqual(decodeGroupRecord(offsetKey(1, "g", "t", 0), null), {
      kind: "offset",
      groupId: "g",
      topic: "t",
      partition: 0,
      value: null,
    });
  });
});

describe("batches", () => {
  const mixed: GroupRecord[] = [
    offsetRecord("a", "t", 0, 1n),
    // v1 (written when an expiry is set) has no leader epoch, so one that round-trips has none.
    offsetRecord("a", "t", 1, 2n, { leaderEpoch: -1, expireTimestamp: BigInt(T0 + 60000) }),
    { kind: "classic", groupId: "a", value: classicValue() },
    { kind: "consumer", groupId: "b", value: { epoch: 3 } },
    { kind: "offset", groupId: "b", topic: "u", partition: 0, value: null },
    { kind: "classic", groupId: "c", value: null },
  ];

  test("one uncompressed v2 batch, base offset 0, no producer, stamped with the given time", () => {
    const batch = encodeGroupRecordsBatch(mixed, T0);
    const h = readBatchHeader(batch);
    assert.equal(h.baseOffset, 0n);
    assert.equal(h.producerId, -1n);
    assert.equal(h.compression, CompressionType.None);
    assert.equal(h.recordsCount, mixed.length);
    assert.equal(h.baseTimestamp, BigInt(T0));
    assert.equal(h.sizeInBytes, batch.length);
    assert.deepEqual(decodeGroupRecords(batch), { records: mixed, skipped: 0 });
  });

  test("several batches decode in order", () => {
    const a = encodeGroupRecordsBatch(mixed.slice(0, 2), T0);
    const b = encodeGroupRecordsBatch(mixed.slice(2), T0 + 1);
    const both = new Uint8Array(a.length + b.length);
    both.set(a);
    both.set(b, a.length);
    assert.deepEqual(decodeGroupRecords(both), { records: mixed, skipped: 0 });
    assert.deepEqual(decodeGroupRecords(new Uint8Array(0)), { records: [], skipped: 0 });
  });

  test("an empty record list is refused", () => {
    assert.throws(() => encodeGroupRecordsBatch([], T0), RangeError);
  });

  test("garbage records are skipped and counted, the good ones kept", () => {
    const good = (r: GroupRecord): BuildRecord => ({ key: encodeGroupRecordKey(r), value: encodeGroupRecordValue(r) });
    const records: BuildRecord[] = [
      good(mixed[0]),
      { key: groupKey(5, "kip-848-member"), value: Uint8Array.from([0, 0, 1, 2]) }, // Kafka's member record type
      { key: null, value: te.encode("no key") },
      { key: Uint8Array.from([0]), value: null }, // key shorter than its version
      { key: offsetKey(1, "g", "t", 0).subarray(0, 6), value: null }, // truncated key
      { key: offsetKey(1, "g", "t", 0), value: Uint8Array.from([0, 3, 1]) }, // truncated value
      { key: offsetKey(1, "g", "t", 0), value: Uint8Array.from([0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0]) }, // version -1
      { key: groupKey(2, "g"), value: Uint8Array.from([0, 3, 0xff, 0xff]) }, // null protocolType
      good(mixed[2]),
      { key: groupKey(3, "g"), value: Uint8Array.from([0, 0, 0]) }, // truncated epoch
      good(mixed[3]),
    ];
    const batch = buildBatch(records, { baseTimestamp: BigInt(T0) });
    assert.deepEqual(decodeGroupRecords(batch), { records: [mixed[0], mixed[2], mixed[3]], skipped: 8 });
  });

  test("control batches other than COMMIT/ABORT, bad crcs, unknown codecs and a truncated tail are skipped and counted", () => {
    const good = encodeGroupRecordsBatch(mixed.slice(0, 1), T0);
    // Control type 5 is none of the transaction markers (0 ABORT, 1 COMMIT), which decodeGroupLog returns.
    const control = buildBatch([{ key: Uint8Array.from([0, 0, 0, 5]), value: Uint8Array.from([0, 0, 0, 0, 0, 0]) }], {
      isControl: true,
      isTransactional: true,
      producerId: 5n,
      producerEpoch: 0,
      baseSequence: 0,
    });
    const badCrc = encodeGroupRecordsBatch(mixed.slice(0, 3), T0);
    badCrc[badCrc.length - 1] ^= 0xff;
    const zstd = compressBatch(encodeGroupRecordsBatch(mixed.slice(0, 2), T0), CompressionType.Zstd, (b) => b);
    const badGzip = compressBatch(encodeGroupRecordsBatch(mixed.slice(0, 2), T0), CompressionType.Gzip, (b) => b);
    const tail = good.subarray(0, 30);
    const parts = [good, control, badCrc, good, zstd, badGzip, tail];
    const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((pos, p) => (all.set(p, pos), pos + p.length), 0);
    const decoded = decodeGroupRecords(all);
    assert.deepEqual(decoded.records, [mixed[0], mixed[0]]);
    assert.equal(decoded.skipped, 1 + 3 + 2 + 2 + 1);
  });

  test("a broken record length ends the batch's walk; the records after it count as skipped", () => {
    const batch = encodeGroupRecordsBatch(mixed.slice(0, 3), T0);
    const firstLength = batch[BATCH_HEADER_BYTES] >>> 1;
    batch[BATCH_HEADER_BYTES + 1 + firstLength] = 0x7f; // second record's length: -64
    writeBatchCrc(batch, 0, batch.length);
    assert.deepEqual(decodeGroupRecords(batch), { records: [mixed[0]], skipped: 2 });
  });

  test("gzip, snappy and lz4 batches decode", () => {
    const codecs: Array<[number, (b: Uint8Array) => Uint8Array]> = [
      [CompressionType.Gzip, gzipCompress],
      [CompressionType.Snappy, snappyCompress],
      [CompressionType.Lz4, lz4FrameCompress],
    ];
    for (const [codec, compress] of codecs) {
      const batch = compressBatch(encodeGroupRecordsBatch(mixed, T0), codec, compress);
      assert.equal(readBatchHeader(batch).compression, codec);
      assert.deepEqual(decodeGroupRecords(batch), { records: mixed, skipped: 0 }, `codec ${codec}`);
    }
  });
});

describe("groupRecordBytes", () => {
  test("close to the encoded size of each kind, tombstones included", () => {
    const records: GroupRecord[] = [
      offsetRecord("group", "tópic", 3, 1n),
      offsetRecord("group", "topic", 3, 1n, { expireTimestamp: 5n, metadata: "🙂" }),
      { kind: "classic", groupId: "group", value: classicValue() },
      { kind: "consumer", groupId: "group", value: { epoch: 1 } },
      { kind: "offset", groupId: "group", topic: "topic", partition: 0, value: null },
      { kind: "classic", groupId: "group", value: null },
    ];
    for (const r of records) {
      const single = encodeGroupRecordsBatch([r], T0).length - BATCH_HEADER_BYTES;
      const estimate = groupRecordBytes(r);
      assert.ok(Math.abs(estimate - single) <= 4, `${r.kind}: estimate ${estimate}, encoded ${single}`);
    }
  });
});
