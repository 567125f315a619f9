/**
 * Produce (key 0) through a whole in-process broker core (LocalBroker): every
 * advertised version v3–v11 with its version-specific fields, offsets per
 * partition across requests, a request split across handler owners and
 * joined, acks=0 (no response; an error closes), Kafka's per-partition error
 * codes, LogAppendTime topics, and recovery of a torn tail after a crash.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { LocalBroker } from "../_local_broker.ts";
import { fetchPartition, withBroker } from "./_helpers.ts";
import { ErrorCode } from "../../../src/protocol/errors.ts";
import { buildBatch, CRC_OFFSET, readBatchHeader, TIMESTAMP_TYPE_MASK } from "../../../src/log/record_batch.ts";
import { ownerOf } from "../../../src/replica/partition_owner.ts";
import { decodeResponseHeader, encodeRequestHeader } from "../../../src/protocol/generated/headers.ts";
import { requestHeaderVersion, responseHeaderVersion } from "../../../src/protocol/api_headers.ts";
import { Writer } from "../../../src/protocol/io/writer.ts";
import { Reader } from "../../../src/protocol/io/reader.ts";
import {
  decodeProduceResponse,
  encodeProduceRequest,
  type PartitionProduceResponse,
  type ProduceRequest,
} from "../../../src/protocol/generated/produce.ts";

const PRODUCE = 0;
const enc = new TextEncoder();

/** A v2 batch of `n` records "<tag>-i"; leader epoch 0 as the broker stamps it, so reads compare byte for byte. */
function batch(n: number, tag = "r", extra: Parameters<typeof buildBatch>[1] = {}): Uint8Array {
  const records = Array.from({ length: n }, (_, i) => ({ key: enc.encode(`k${i}`), value: enc.encode(`${tag}-${i}`) }));
  return buildBatch(records, { partitionLeaderEpoch: 0, ...extra });
}

function request(topic: string, parts: Array<[number, Uint8Array | null]>, acks = -1): ProduceRequest {
  return {
    transactionalId: null,
    acks,
    timeoutMs: 30_000,
    topicData: [{ name: topic, partitionData: parts.map(([index, records]) => ({ index, records })) }],
  };
}

async function produce(
  broker: LocalBroker,
  version: number,
  req: ProduceRequest,
  h?: number,
): Promise<PartitionProduceResponse[]> {
  const res = await broker.call(PRODUCE, version, req, encodeProduceRequest, decodeProduceResponse, h);
  return res.responses.flatMap((t) => t.partitionResponses);
}

function frame(version: number, req: ProduceRequest): Uint8Array {
  const w = new Writer(256);
  encodeRequestHeader(w, requestHeaderVersion(PRODUCE, version), {
    requestApiKey: PRODUCE,
    requestApiVersion: version,
    correlationId: 9,
    clientId: "produce-test",
  });
  encodeProduceRequest(w, version, req);
  return w.finish().slice();
}

async function fetchRecords(broker: LocalBroker, topic: string, partition: number, offset = 0n): Promise<Uint8Array> {
  const p = await fetchPartition(broker, topic, partition, offset, 1 << 20);
  assert.equal(p.errorCode, ErrorCode.NONE);
  return p.records ?? new Uint8Array(0);
}

/** The batches of a fetched record set, as [baseOffset, recordsCount]. */
function batchesOf(records: Uint8Array): Array<[bigint, number]> {
  const out: Array<[bigint, number]> = [];
  for (let pos = 0; pos < records.byteLength;) {
    const h = readBatchHeader(records, pos);
    out.push([h.baseOffset, h.recordsCount]);
    pos += h.sizeInBytes;
  }
  return out;
}

describe("Produce", () => {
  for (let version = 3; version <= 11; version++) {
    test(`v${version} appends, answers base offsets and its version's fields`, async () => {
      await withBroker({}, async (broker) => {
        await broker.createTopic("orders", 2);
        const first = await produce(broker, version, request("orders", [[0, batch(3)], [1, batch(2)]]));
        assert.deepEqual(first.map((p) => [p.index, p.errorCode, p.baseOffset]), [[0, 0, 0n], [1, 0, 0n]]);
        const second = await produce(broker, version, request("orders", [[0, batch(1)], [7, batch(1)]]));
        assert.equal(second[0].baseOffset, 3n);
        assert.equal(second[1].errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        for (const p of first) {
          assert.equal(p.logAppendTimeMs, -1n); // CreateTime topic
          // logStartOffset is on the wire from v5; before that it decodes as its default, -1.
          assert.equal(p.logStartOffset, version >= 5 ? 0n : -1n);
          assert.deepEqual(p.recordErrors, []);
          assert.equal(p.errorMessage, null);
          assert.deepEqual(p.currentLeader, { leaderId: -1, leaderEpoch: -1 });
        }
        // Record-level errors: recordErrors and errorMessage exist from v8 only (see the INVALID_TIMESTAMP test).
        const corrupt = batch(1);
        corrupt[CRC_OFFSET] ^= 0xff;
        const [bad] = await produce(broker, version, request("orders", [[1, corrupt]]));
        assert.equal(bad.errorCode, ErrorCode.CORRUPT_MESSAGE);
        assert.equal(bad.baseOffset, -1n);
        assert.equal(bad.logStartOffset, -1n); // Kafka answers a corrupt batch without the log start offset
        if (version < 8) assert.deepEqual([bad.errorMessage, bad.recordErrors], [null, []]);
      });
    });
  }

  test("offsets stay contiguous per partition across requests and handlers", async () => {
    await withBroker({ handlers: 3 }, async (broker) => {
      await broker.createTopic("seq", 4);
      const next = [0n, 0n, 0n, 0n];
      for (let round = 0; round < 6; round++) {
        const parts: Array<[number, Uint8Array]> = [0, 1, 2, 3].map((
          p,
        ) => [p, batch(1 + ((round + p) % 3), `r${round}`)]);
        const res = await produce(broker, 11, request("seq", parts), round % 3);
        res.forEach((r, i) => {
          assert.equal(r.errorCode, ErrorCode.NONE);
          assert.equal(r.baseOffset, next[i]);
          next[i] += BigInt(1 + ((round + i) % 3));
        });
      }
      for (let p = 0; p < 4; p++) {
        const got = batchesOf(await fetchRecords(broker, "seq", p));
        assert.equal(got.length, 6);
        assert.equal(got.reduce((n, [, c]) => n + c, 0), Number(next[p]));
      }
    });
  });

  test("a request over 8 partitions owned by 3 handlers is split and joined in request order", async () => {
    await withBroker({ handlers: 3 }, async (broker) => {
      const topicId = await broker.createTopic("wide", 8);
      const owners = new Set(Array.from({ length: 8 }, (_, p) => ownerOf(topicId, p, 3)));
      assert.equal(owners.size, 3);
      // Partitions in a scrambled order, each with a distinct record count.
      const order = [5, 2, 7, 0, 3, 6, 1, 4];
      for (let round = 0; round < 2; round++) {
        const res = await produce(broker, 9, request("wide", order.map((p) => [p, batch(p + 1, `p${p}`)])), round);
        assert.deepEqual(res.map((r) => r.index), order);
        assert.deepEqual(res.map((r) => r.errorCode), order.map(() => 0));
        assert.deepEqual(res.map((r) => r.baseOffset), order.map((p) => BigInt(round * (p + 1))));
      }
      for (const p of order) {
        assert.deepEqual(batchesOf(await fetchRecords(broker, "wide", p)), [[0n, p + 1], [BigInt(p + 1), p + 1]]);
      }
    });
  });

  test("acks=0 sends no response; an acks=0 failure closes the connection", async () => {
    await withBroker({}, async (broker) => {
      await broker.createTopic("quiet", 2);
      const ok = await broker.raw(frame(11, request("quiet", [[0, batch(2)], [1, batch(1)]], 0)));
      assert.equal(ok.action, "none");
      assert.deepEqual(batchesOf(await fetchRecords(broker, "quiet", 0)), [[0n, 2]]);
      const unknown = await broker.raw(frame(11, request("quiet", [[0, batch(1)], [9, batch(1)]], 0)));
      assert.equal(unknown.action, "close");
      const corrupt = batch(1);
      corrupt[CRC_OFFSET + 1] ^= 0x01;
      assert.equal((await broker.raw(frame(3, request("quiet", [[1, corrupt]], 0)))).action, "close");
    });
  });

  test("CORRUPT_MESSAGE for a flipped CRC byte; the partition stays writable and readable", async () => {
    await withBroker({}, async (broker) => {
      await broker.createTopic("crc", 1);
      await produce(broker, 11, request("crc", [[0, batch(2)]]));
      const corrupt = batch(1);
      corrupt[CRC_OFFSET + 3] ^= 0x10;
      const [r] = await produce(broker, 11, request("crc", [[0, corrupt]]));
      assert.equal(r.errorCode, ErrorCode.CORRUPT_MESSAGE);
      const [after] = await produce(broker, 11, request("crc", [[0, batch(1)]]));
      assert.equal(after.baseOffset, 2n);
      assert.deepEqual(batchesOf(await fetchRecords(broker, "crc", 0)), [[0n, 2], [2n, 1]]);
    });
  });

  test("MESSAGE_TOO_LARGE for a batch above the topic's max.message.bytes", async () => {
    await withBroker({}, async (broker) => {
      await broker.createTopic("small", 1, { "max.message.bytes": "200" });
      const big = buildBatch([{ key: null, value: new Uint8Array(500) }], { partitionLeaderEpoch: 0 });
      const [r] = await produce(broker, 11, request("small", [[0, big]]));
      assert.equal(r.errorCode, ErrorCode.MESSAGE_TOO_LARGE);
      const [fits] = await produce(broker, 11, request("small", [[0, batch(1)]]));
      assert.deepEqual([fits.errorCode, fits.baseOffset], [0, 0n]);
    });
  });

  test("INVALID_RECORD for two batches in one partition, and for null records", async () => {
    await withBroker({}, async (broker) => {
      await broker.createTopic("two", 1);
      const a = batch(1);
      const b = batch(1);
      const both = new Uint8Array(a.byteLength + b.byteLength);
      both.set(a);
      both.set(b, a.byteLength);
      const [r] = await produce(broker, 11, request("two", [[0, both]]));
      assert.equal(r.errorCode, ErrorCode.INVALID_RECORD);
      const [empty] = await produce(broker, 11, request("two", [[0, null]]));
      assert.equal(empty.errorCode, ErrorCode.INVALID_RECORD);
      assert.deepEqual(batchesOf(await fetchRecords(broker, "two", 0)), []);
    });
  });

  test("UNKNOWN_TOPIC_OR_PARTITION for a missing topic and partition, others in the request still append", async () => {
    await withBroker({ overrides: ["auto.create.topics.enable=false"] }, async (broker) => {
      await broker.createTopic("known", 2);
      const res = await broker.call(
        PRODUCE,
        11,
        {
          transactionalId: null,
          acks: 1,
          timeoutMs: 1000,
          topicData: [
            { name: "absent", partitionData: [{ index: 0, records: batch(1) }] },
            { name: "known", partitionData: [{ index: 1, records: batch(1) }, { index: 2, records: batch(1) }] },
          ],
        },
        encodeProduceRequest,
        decodeProduceResponse,
      );
      assert.deepEqual(
        res.responses.map((t) => [t.name, t.partitionResponses.map((p) => [p.index, p.errorCode, p.baseOffset])]),
        [["absent", [[0, 3, -1n]]], ["known", [[1, 0, 0n], [2, 3, -1n]]]],
      );
    });
  });

  test("INVALID_REQUIRED_ACKS for acks=2, nothing appended", async () => {
    await withBroker({}, async (broker) => {
      await broker.createTopic("acks", 1);
      const res = await produce(broker, 11, request("acks", [[0, batch(1)]], 2));
      assert.deepEqual(res.map((r) => r.errorCode), [ErrorCode.INVALID_REQUIRED_ACKS]);
      assert.deepEqual(batchesOf(await fetchRecords(broker, "acks", 0)), []);
    });
  });

  test("message.timestamp.type=LogAppendTime: logAppendTimeMs answered and stamped on the stored batch", async () => {
    await withBroker({}, async (broker) => {
      await broker.createTopic("stamped", 1, { "message.timestamp.type": "LogAppendTime" });
      const before = BigInt(Date.now());
      const sent = batch(3, "t", { baseTimestamp: 1_000n });
      const [r] = await produce(broker, 11, request("stamped", [[0, sent]]));
      const afterMs = BigInt(Date.now());
      assert.equal(r.errorCode, ErrorCode.NONE);
      assert.ok(r.logAppendTimeMs >= before && r.logAppendTimeMs <= afterMs, `logAppendTimeMs ${r.logAppendTimeMs}`);
      const stored = await fetchRecords(broker, "stamped", 0);
      const h = readBatchHeader(stored, 0);
      assert.equal(h.timestampType, "LogAppendTime");
      assert.ok((h.attributes & TIMESTAMP_TYPE_MASK) !== 0);
      assert.equal(h.maxTimestamp, r.logAppendTimeMs);
      assert.equal(h.baseTimestamp, 1_000n);
      assert.equal(h.recordsCount, 3);
    });
  });

  // Kafka's LogValidator checks each record's CreateTime and lists every bad one in recordErrors (v8+), with the
  // errorMessage "One or more records have been rejected due to invalid timestamp"; older versions get the code only.
  for (const version of [7, 8, 11]) {
    test(`v${version} INVALID_TIMESTAMP outside message.timestamp.before.max.ms, with recordErrors from v8`, async () => {
      await withBroker({}, async (broker) => {
        await broker.createTopic("clock", 1, { "message.timestamp.before.max.ms": "3600000" });
        const stale = batch(2, "old", { baseTimestamp: BigInt(Date.now() - 7_200_000) });
        const [r] = await produce(broker, version, request("clock", [[0, stale]]));
        assert.deepEqual([r.errorCode, r.baseOffset], [ErrorCode.INVALID_TIMESTAMP, -1n]);
        // A record check of the log: Kafka reports the log start offset with it (on the wire from v5).
        assert.equal(r.logStartOffset, version >= 5 ? 0n : -1n);
        if (version < 8) {
          assert.deepEqual([r.errorMessage, r.recordErrors], [null, []]);
        } else {
          assert.equal(typeof r.errorMessage, "string");
          assert.deepEqual(r.recordErrors.map((e) => e.batchIndex), [0, 1]);
          assert.ok(r.recordErrors.every((e) => typeof e.batchIndexErrorMessage === "string"));
        }
        assert.deepEqual(batchesOf(await fetchRecords(broker, "clock", 0)), []);
      });
    });
  }

  // Kafka 3.7+ (KAFKA-15583) caps min.insync.replicas at the replica count
  // (Partition.effectiveMinIsr), so on one node with replication factor 1 an
  // acks=all produce to a topic with min.insync.replicas=2 succeeds.
  test("min.insync.replicas=2 on a one-replica topic: acks=-1 succeeds as in Kafka 3.9 (effective min ISR 1)", async () => {
    await withBroker({}, async (broker) => {
      await broker.createTopic("strict", 1, { "min.insync.replicas": "2" });
      const [all] = await produce(broker, 11, request("strict", [[0, batch(1)]], -1));
      assert.equal(all.errorCode, ErrorCode.NONE);
      const [one] = await produce(broker, 11, request("strict", [[0, batch(1)]], 1));
      assert.deepEqual([one.errorCode, one.baseOffset], [0, 1n]);
    });
  });

  test("after a crash, garbage appended to the newest segment is cut off; data before it and new offsets are right", async () => {
    const broker = await LocalBroker.start({ handlers: 2 });
    const dir = broker.dir;
    let first: LocalBroker | null = broker;
    let restarted: LocalBroker | null = null;
    try {
      await broker.createTopic("torn", 2);
      const sent: Uint8Array[] = [];
      for (let i = 0; i < 4; i++) {
        const b = batch(i + 1, `x${i}`);
        sent.push(b);
        const [r] = await produce(broker, 11, request("torn", [[1, b]]));
        assert.equal(r.errorCode, ErrorCode.NONE);
      }
      await produce(broker, 11, request("torn", [[0, batch(2)]]));
      first = null;
      await broker.stop({ crash: true });
      const partDir = path.join(dir, "torn-1");
      const logs = fs.readdirSync(partDir).filter((f) => f.endsWith(".log")).sort();
      const newest = path.join(partDir, logs[logs.length - 1]);
      const garbage = new Uint8Array(37).map((_, i) => (i * 73 + 11) & 0xff);
      fs.appendFileSync(newest, garbage);
      restarted = await LocalBroker.start({ handlers: 2, dir });
      const stored = await fetchRecords(restarted, "torn", 1);
      assert.deepEqual(batchesOf(stored), [[0n, 1], [1n, 2], [3n, 3], [6n, 4]]);
      // Byte-identical apart from the base offset field.
      let pos = 0;
      for (const b of sent) {
        const got = stored.slice(pos, pos + b.byteLength);
        got.fill(0, 0, 8);
        assert.deepEqual(got, b);
        pos += b.byteLength;
      }
      assert.equal(pos, stored.byteLength);
      const [next] = await produce(restarted, 11, request("torn", [[1, batch(1)], [0, batch(1)]]));
      assert.deepEqual([next.errorCode, next.baseOffset], [0, 10n]);
      assert.deepEqual(batchesOf(await fetchRecords(restarted, "torn", 0)), [[0n, 2], [2n, 1]]);
    } finally {
      if (first) await first.stop();
      if (restarted) await restarted.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("Produce in durable mode releases the connection once appended", () => {
  /** Handles `req` through handler `h` with a release spy; answers the partitions and when release came. */
  async function durableProduce(broker: LocalBroker, req: ProduceRequest, h: number) {
    const events: string[] = [];
    let releasedAt = -1;
    const result = await broker.raw(frame(11, req), h, () => {
      events.push("release");
      releasedAt = events.length;
    });
    events.push("answer");
    assert.equal(result.action, "send");
    const bytes = (result as { bytes: Uint8Array }).bytes;
    const r = new Reader(bytes, 4);
    decodeResponseHeader(r, responseHeaderVersion(PRODUCE, 11));
    const parts = decodeProduceResponse(r, 11).responses.flatMap((t) => t.partitionResponses);
    return { parts, events, releasedAt };
  }

  test("acks=all: released after the appends, answered after the sync, local and remote owners alike", async () => {
    await withBroker({ overrides: ["tsbroker.fsync.acks.all=true"] }, async (broker) => {
      const topicId = await broker.createTopic("durable", 4);
      const owners = [0, 1, 2, 3].map((p) => ownerOf(topicId, p, 2));
      assert.ok(owners.includes(0) && owners.includes(1), "the topic spans both handlers");
      const { parts, events } = await durableProduce(
        broker,
        request("durable", [[0, batch(2)], [1, batch(3)], [2, batch(1)], [3, batch(4)]]),
        0,
      );
      assert.deepEqual(events, ["release", "answer"]);
      assert.deepEqual(parts.map((p) => [p.index, p.errorCode, p.baseOffset]), [[0, 0, 0n], [1, 0, 0n], [2, 0, 0n], [
        3,
        0,
        0n,
      ]]);
      // Every owner's log was synced up to what was appended before the answer.
      for (const replicas of broker.replicas) {
        for (const cp of replicas.checkpoints().recoveryPoints) {
          if (cp.topic === "durable") assert.ok(cp.offset > 0n, `partition ${cp.partition} synced`);
        }
      }
      // The next request of the "connection" appends after this one.
      const next = await durableProduce(broker, request("durable", [[1, batch(1)]]), 1);
      assert.deepEqual(next.parts.map((p) => [p.errorCode, p.baseOffset]), [[0, 3n]]);
    });
  });

  test("a partition that fails is answered with its error and the request still releases", async () => {
    await withBroker({ overrides: ["tsbroker.fsync.acks.all=true"] }, async (broker) => {
      await broker.createTopic("mixed", 2);
      const broken = batch(2);
      broken[CRC_OFFSET] ^= 0xff;
      const { parts, events } = await durableProduce(
        broker,
        request("mixed", [[0, batch(1)], [1, broken], [7, batch(1)]]),
        0,
      );
      assert.deepEqual(events, ["release", "answer"]);
      assert.deepEqual(parts.map((p) => p.errorCode), [
        ErrorCode.NONE,
        ErrorCode.CORRUPT_MESSAGE,
        ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      ]);
    });
  });

  test("no release where nothing waits: acks=1 in durable mode, acks=all without it", async () => {
    await withBroker({ overrides: ["tsbroker.fsync.acks.all=true"] }, async (broker) => {
      await broker.createTopic("quick", 1);
      const { events, parts } = await durableProduce(broker, request("quick", [[0, batch(1)]], 1), 0);
      assert.deepEqual(events, ["answer"]);
      assert.equal(parts[0].errorCode, ErrorCode.NONE);
    });
    await withBroker({}, async (broker) => {
      await broker.createTopic("relaxed", 1);
      const { events } = await durableProduce(broker, request("relaxed", [[0, batch(1)]]), 0);
      assert.deepEqual(events, ["answer"]);
    });
  });
});
