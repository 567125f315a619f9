/**
 * ListOffsets (key 2) through a whole in-process broker core (LocalBroker):
 * every version v0–v9 with its fields (v0's oldStyleOffsets, v4's leader
 * epoch, v7 max timestamp, v8 earliest-local, v9 latest-tiered), offsets by
 * timestamp across several segments, partitions on different handlers in
 * one request, and Kafka's errors (duplicate partition, unknown partition,
 * leader epoch).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { LocalBroker } from "../_local_broker.ts";
import { produceRecords, withBroker } from "./_helpers.ts";
import { ErrorCode } from "../../../src/protocol/errors.ts";
import { buildBatch } from "../../../src/log/record_batch.ts";
import { ownerOf } from "../../../src/replica/partition_owner.ts";
import {
  decodeListOffsetsResponse,
  encodeListOffsetsRequest,
  type ListOffsetsPartition,
  type ListOffsetsPartitionResponse,
  type ListOffsetsRequest,
} from "../../../src/protocol/generated/list_offsets.ts";

const EARLIEST = -2n;
const LATEST = -1n;
const MAX_TIMESTAMP = -3n;
const EARLIEST_LOCAL = -4n;
const LATEST_TIERED = -5n;
const enc = new TextEncoder();

/** One batch whose records carry the timestamps `base + delta` for each delta. */
async function produce(
  broker: LocalBroker,
  topic: string,
  partition: number,
  base: bigint,
  deltas: number[],
): Promise<void> {
  const records = buildBatch(deltas.map((d, i) => ({ key: null, value: enc.encode(`v${i}`), timestampDelta: d })), {
    baseTimestamp: base,
  });
  await produceRecords(broker, topic, partition, records);
}

/**
 * Offsets 0–2 at 1000, 1010, 1020; 3–5 at 2000, 2030, 2005 (the largest timestamp, inside a batch); 6 at 2020.
 * segment.bytes is tiny so that every batch gets its own segment and look-ups cross segments.
 */
async function seed(broker: LocalBroker, topic: string, partitions = 1): Promise<string> {
  const topicId = await broker.createTopic(topic, partitions, { "segment.bytes": "100" });
  await produce(broker, topic, 0, 1000n, [0, 10, 20]);
  await produce(broker, topic, 0, 2000n, [0, 30, 5]);
  await produce(broker, topic, 0, 2020n, [0]);
  const segments = fs.readdirSync(path.join(broker.dir, `${topic}-0`)).filter((f) => f.endsWith(".log"));
  assert.equal(segments.length, 3);
  return topicId;
}

function query(
  partitionIndex: number,
  timestamp: bigint,
  extra: Partial<ListOffsetsPartition> = {},
): ListOffsetsPartition {
  return { partitionIndex, currentLeaderEpoch: -1, timestamp, maxNumOffsets: 1, ...extra };
}

async function listOffsets(
  broker: LocalBroker,
  version: number,
  topics: Array<[string, ListOffsetsPartition[]]>,
  isolationLevel = 0,
): Promise<ListOffsetsPartitionResponse[]> {
  const req: ListOffsetsRequest = {
    replicaId: -1,
    isolationLevel,
    topics: topics.map(([name, partitions]) => ({ name, partitions })),
  };
  const res = await broker.call(2, version, req, encodeListOffsetsRequest, decodeListOffsetsResponse);
  assert.deepEqual(res.topics.map((t) => t.name), topics.map(([name]) => name));
  return res.topics.flatMap((t) => t.partitions);
}

/** [errorCode, offset, timestamp] of each answer. */
const brief = (rs: ListOffsetsPartitionResponse[]) => rs.map((r) => [r.errorCode, r.offset, r.timestamp]);

describe("ListOffsets", () => {
  test("v0 answers in oldStyleOffsets: latest and earliest", async () => {
    await withBroker({ handlers: 3 }, async (broker) => {
      await seed(broker, "old");
      const [latest, earliest, none] = await listOffsets(broker, 0, [[
        "old",
        [query(0, LATEST), query(0, EARLIEST, { partitionIndex: 0 }), query(0, LATEST, { maxNumOffsets: 0 })],
      ]]);
      assert.deepEqual([latest.errorCode, latest.oldStyleOffsets], [0, [7n]]);
      assert.deepEqual([earliest.errorCode, earliest.oldStyleOffsets], [0, [0n]]);
      assert.deepEqual(none.oldStyleOffsets, []);
      // offset and timestamp are not in v0: they decode as their defaults.
      assert.deepEqual([latest.offset, latest.timestamp, latest.leaderEpoch], [-1n, -1n, -1]);
    });
  });

  for (let version = 1; version <= 9; version++) {
    test(`v${version} answers earliest, latest, by timestamp and the special timestamps of its version`, async () => {
      await withBroker({ handlers: 3 }, async (broker) => {
        await seed(broker, "ts");
        const epoch = version >= 4 ? 0 : -1; // leaderEpoch is on the wire from v4
        const answers = await listOffsets(broker, version, [["ts", [query(0, EARLIEST)]]]);
        assert.deepEqual(answers.map((a) => [a.errorCode, a.offset, a.timestamp, a.leaderEpoch, a.oldStyleOffsets]), [
          [0, 0n, -1n, epoch, []],
        ]);
        const latest = await listOffsets(broker, version, [["ts", [query(0, LATEST)]]], version >= 2 ? 1 : 0);
        assert.deepEqual(latest.map((a) => [a.offset, a.leaderEpoch]), [[7n, epoch]]);
        // By timestamp: the first offset whose record's timestamp is at or after the target, with that timestamp.
        const lookups: Array<[bigint, bigint, bigint]> = [
          [0n, 0n, 1000n],
          [1000n, 0n, 1000n],
          [1015n, 2n, 1020n],
          [1500n, 3n, 2000n],
          [2001n, 4n, 2030n],
          [2021n, 4n, 2030n],
        ];
        for (const [target, offset, timestamp] of lookups) {
          const [a] = await listOffsets(broker, version, [["ts", [query(0, target)]]]);
          assert.deepEqual([a.errorCode, a.offset, a.timestamp], [0, offset, timestamp], `timestamp ${target}`);
        }
        const [none] = await listOffsets(broker, version, [["ts", [query(0, 2031n)]]]);
        assert.deepEqual(brief([none]), [[0, -1n, -1n]]);
        if (version >= 7) {
          const [max] = await listOffsets(broker, version, [["ts", [query(0, MAX_TIMESTAMP)]]]);
          // Kafka 3.8+ (KAFKA-16310): the offset of the record with the largest timestamp, not its batch's last.
          assert.deepEqual([max.errorCode, max.offset, max.timestamp, max.leaderEpoch], [0, 4n, 2030n, 0]);
        }
        if (version >= 8) {
          const [local] = await listOffsets(broker, version, [["ts", [query(0, EARLIEST_LOCAL)]]]);
          assert.deepEqual([local.errorCode, local.offset, local.timestamp, local.leaderEpoch], [0, 0n, -1n, 0]);
        }
        if (version >= 9) {
          const [tiered] = await listOffsets(broker, version, [["ts", [query(0, LATEST_TIERED)]]]);
          assert.deepEqual(brief([tiered]), [[0, -1n, -1n]]);
        }
      });
    });
  }

  test("partitions of several owners in one request are answered in request order", async () => {
    await withBroker({ handlers: 3 }, async (broker) => {
      const topicId = await broker.createTopic("spread", 6);
      assert.equal(new Set([0, 1, 2, 3, 4, 5].map((p) => ownerOf(topicId, p, 3))).size, 3);
      for (let p = 0; p < 6; p++) {
        for (let i = 0; i <= p; i++) await produce(broker, "spread", p, 5000n + BigInt(p * 100 + i), [0]);
      }
      const order = [4, 1, 5, 0, 3, 2];
      const answers = await listOffsets(broker, 5, [["spread", order.map((p) => query(p, LATEST))]]);
      assert.deepEqual(
        answers.map((a) => [a.partitionIndex, a.errorCode, a.offset]),
        order.map((p) => [p, 0, BigInt(p + 1)]),
      );
      const byTime = await listOffsets(broker, 5, [[
        "spread",
        order.map((p) => query(p, 5000n + BigInt(p * 100 + 1))),
      ]]);
      assert.deepEqual(byTime.map((a) => a.offset), order.map((p) => (p >= 1 ? 1n : -1n)));
    });
  });

  test("an empty partition: earliest = latest = 0, max timestamp and lookups find nothing", async () => {
    await withBroker({ handlers: 3 }, async (broker) => {
      await broker.createTopic("void", 1);
      const answers = [];
      for (const ts of [EARLIEST, LATEST, MAX_TIMESTAMP, 0n]) {
        answers.push(...await listOffsets(broker, 9, [["void", [query(0, ts)]]]));
      }
      assert.deepEqual(brief(answers), [[0, 0n, -1n], [0, 0n, -1n], [0, -1n, -1n], [0, -1n, -1n]]);
    });
  });

  test("a partition named twice (v1+) is INVALID_REQUEST for both; unknown topics and partitions are UNKNOWN_TOPIC_OR_PARTITION", async () => {
    await withBroker({ handlers: 3 }, async (broker) => {
      await seed(broker, "dup", 2);
      for (const version of [1, 5, 9]) {
        const answers = await listOffsets(broker, version, [
          ["dup", [query(0, LATEST), query(1, LATEST), query(0, EARLIEST), query(2, LATEST)]],
          ["nope", [query(0, LATEST)]],
        ]);
        assert.deepEqual(answers.map((a) => [a.partitionIndex, a.errorCode, a.offset]), [
          [0, ErrorCode.INVALID_REQUEST, -1n],
          [1, ErrorCode.NONE, 0n],
          [0, ErrorCode.INVALID_REQUEST, -1n],
          [2, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1n],
          [0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1n],
        ]);
      }
    });
  });

  test("v4+ checks currentLeaderEpoch: a newer epoch than the leader's is UNKNOWN_LEADER_EPOCH", async () => {
    await withBroker({ handlers: 3 }, async (broker) => {
      await seed(broker, "epochs");
      const [ahead] = await listOffsets(broker, 9, [["epochs", [query(0, LATEST, { currentLeaderEpoch: 3 })]]]);
      const [current] = await listOffsets(broker, 9, [["epochs", [query(0, LATEST, { currentLeaderEpoch: 0 })]]]);
      assert.equal(ahead.errorCode, ErrorCode.UNKNOWN_LEADER_EPOCH);
      assert.deepEqual([current.errorCode, current.offset], [0, 7n]);
      // Before v4 the field is not sent, so nothing is checked.
      const [old] = await listOffsets(broker, 3, [["epochs", [query(0, LATEST, { currentLeaderEpoch: 3 })]]]);
      assert.deepEqual([old.errorCode, old.offset], [0, 7n]);
    });
  });
});
