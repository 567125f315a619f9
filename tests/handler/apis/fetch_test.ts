/**
 * Fetch (key 1) through a whole in-process broker core (LocalBroker): every
 * advertised version v4–v17 reading back byte-identical batches with its
 * version-specific fields (names or topic ids, log start offset, sessions),
 * OFFSET_OUT_OF_RANGE and unknown topics/ids, the response and partition
 * byte limits, long polling woken by a produce through another handler, and
 * KIP-227 fetch sessions (full, incremental, wrong epoch / id).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { LocalBroker } from "../_local_broker.ts";
import { produceRecords, withBroker } from "./_helpers.ts";
import { ErrorCode } from "../../../src/protocol/errors.ts";
import { ZERO_UUID } from "../../../src/protocol/io/uuid.ts";
import { buildBatch, readBatchHeader } from "../../../src/log/record_batch.ts";
import { ownerOf } from "../../../src/replica/partition_owner.ts";
import {
  decodeFetchResponse,
  defaultFetchPartition,
  defaultFetchRequest,
  encodeFetchRequest,
  type FetchPartition,
  type FetchRequest,
  type FetchResponse,
  type PartitionData,
} from "../../../src/protocol/generated/fetch.ts";

const enc = new TextEncoder();

/** `n` records with `size`-byte values; leader epoch 0 as stored, so a read compares byte for byte. */
function batch(n: number, size = 16, tag = "v"): Uint8Array {
  const value = (i: number) => enc.encode(`${tag}-${i}-`.padEnd(size, "."));
  return buildBatch(Array.from({ length: n }, (_, i) => ({ key: null, value: value(i) })), { partitionLeaderEpoch: 0 });
}

/** Produce (acks=1) of one record set; its base offset. */
function produce(
  broker: LocalBroker,
  topic: string,
  partition: number,
  records: Uint8Array,
  h?: number,
): Promise<bigint> {
  return produceRecords(broker, topic, partition, records, 1, h);
}

interface Want {
  partition: number;
  offset?: bigint;
  maxBytes?: number;
}

/** One topic's partitions, named (v<13) or by id (v13+). */
function fetchRequest(
  version: number,
  topic: string,
  topicId: string,
  wants: Want[],
  extra: Partial<FetchRequest> = {},
): FetchRequest {
  const byId = version >= 13;
  return {
    ...defaultFetchRequest(),
    maxBytes: 1 << 20,
    ...extra,
    topics: wants.length === 0 ? [] : [{
      topic: byId ? "" : topic,
      topicId: byId ? topicId : ZERO_UUID,
      partitions: wants.map((w): FetchPartition => ({
        ...defaultFetchPartition(),
        partition: w.partition,
        fetchOffset: w.offset ?? 0n,
        partitionMaxBytes: w.maxBytes ?? 1 << 20,
      })),
    }],
  };
}

function fetch(broker: LocalBroker, version: number, req: FetchRequest, h?: number): Promise<FetchResponse> {
  return broker.call(1, version, req, encodeFetchRequest, decodeFetchResponse, h);
}

function parts(res: FetchResponse): PartitionData[] {
  return res.responses.flatMap((t) => t.partitions);
}

/** Stored batches equal the produced ones but for the base offset field. */
function assertSameBatches(got: Uint8Array | null, sent: Uint8Array[]): void {
  const records = got ?? new Uint8Array(0);
  let pos = 0;
  for (const b of sent) {
    const copy = records.slice(pos, pos + b.byteLength);
    copy.fill(0, 0, 8);
    assert.deepEqual(copy, b);
    pos += b.byteLength;
  }
  assert.equal(pos, records.byteLength, "no more bytes than the batches sent");
}

function batchCount(records: Uint8Array | null): number {
  let n = 0;
  for (let pos = 0; records && pos < records.byteLength; n++) pos += readBatchHeader(records, pos).sizeInBytes;
  return n;
}

/** Two partitions of `topicId` owned by different handlers (of 2). */
function splitPair(topicId: string, partitions: number): [number, number] {
  const a = 0;
  for (let b = 1; b < partitions; b++) if (ownerOf(topicId, b, 2) !== ownerOf(topicId, a, 2)) return [a, b];
  throw new Error("no partition pair with different owners");
}

describe("Fetch", () => {
  for (let version = 4; version <= 17; version++) {
    test(`v${version} reads back the produced batches with its version's fields`, async () => {
      await withBroker({}, async (broker) => {
        const topicId = await broker.createTopic("events", 4);
        const [a, b] = splitPair(topicId, 4);
        const sentA = [batch(2, 20, "a0"), batch(3, 20, "a1")];
        const sentB = [batch(1, 40, "b0")];
        for (const s of sentA) await produce(broker, "events", a, s);
        for (const s of sentB) await produce(broker, "events", b, s);
        const res = await fetch(
          broker,
          version,
          fetchRequest(version, "events", topicId, [{ partition: a }, { partition: b }]),
        );
        assert.equal(res.errorCode, ErrorCode.NONE);
        assert.equal(res.sessionId, 0); // sessionless (epoch -1)
        assert.equal(res.responses.length, 1);
        const [topic] = res.responses;
        // v13+ names topics by id only.
        assert.equal(topic.topic, version >= 13 ? "" : "events");
        assert.equal(topic.topicId, version >= 13 ? topicId : ZERO_UUID);
        const [pa, pb] = topic.partitions;
        assert.deepEqual([pa.partitionIndex, pb.partitionIndex], [a, b]);
        for (const [p, hw] of [[pa, 5n], [pb, 1n]] as const) {
          assert.equal(p.errorCode, ErrorCode.NONE);
          assert.equal(p.highWatermark, hw);
          assert.equal(p.lastStableOffset, hw);
          assert.equal(p.logStartOffset, version >= 5 ? 0n : -1n);
          assert.equal(p.abortedTransactions, null);
          assert.equal(p.preferredReadReplica, -1);
        }
        assertSameBatches(pa.records, sentA);
        assertSameBatches(pb.records, sentB);
        assert.deepEqual(readBatchHeader(pa.records!, sentA[0].byteLength).baseOffset, 2n);
        // read_committed (v4+) reads the same data and answers an empty aborted list.
        const committed = await fetch(
          broker,
          version,
          fetchRequest(version, "events", topicId, [{ partition: a }], { isolationLevel: 1 }),
        );
        assert.deepEqual(parts(committed)[0].abortedTransactions, []);
        assertSameBatches(parts(committed)[0].records, sentA);
      });
    });
  }

  test("OFFSET_OUT_OF_RANGE past the high watermark; fetching at the high watermark is empty, not an error", async () => {
    await withBroker({}, async (broker) => {
      const topicId = await broker.createTopic("range", 1);
      await produce(broker, "range", 0, batch(3));
      for (const version of [4, 12, 17]) {
        const [beyond] = parts(
          await fetch(broker, version, fetchRequest(version, "range", topicId, [{ partition: 0, offset: 4n }])),
        );
        assert.equal(beyond.errorCode, ErrorCode.OFFSET_OUT_OF_RANGE);
        assert.equal(beyond.records?.byteLength ?? 0, 0);
        const [at] = parts(
          await fetch(broker, version, fetchRequest(version, "range", topicId, [{ partition: 0, offset: 3n }])),
        );
        assert.deepEqual([at.errorCode, at.highWatermark, at.records?.byteLength ?? 0], [0, 3n, 0]);
        // An offset inside a batch returns that whole batch (the client skips what it did not ask for).
        const [inside] = parts(
          await fetch(broker, version, fetchRequest(version, "range", topicId, [{ partition: 0, offset: 1n }])),
        );
        assert.equal(readBatchHeader(inside.records!, 0).baseOffset, 0n);
      }
    });
  });

  test("unknown topic ids (v13+) are UNKNOWN_TOPIC_ID, unknown names and partitions UNKNOWN_TOPIC_OR_PARTITION", async () => {
    await withBroker({ overrides: ["auto.create.topics.enable=false"] }, async (broker) => {
      const topicId = await broker.createTopic("known", 1);
      await produce(broker, "known", 0, batch(1));
      const unknownId = "AAAAAAAAAAAAAAAAAAAAAQ";
      for (const version of [13, 15, 17]) {
        const req: FetchRequest = {
          ...fetchRequest(version, "known", topicId, [{ partition: 0 }, { partition: 5 }]),
        };
        req.topics.push({
          topic: "",
          topicId: unknownId,
          partitions: [{ ...defaultFetchPartition(), partitionMaxBytes: 1000 }],
        });
        const res = await fetch(broker, version, req);
        assert.deepEqual(
          res.responses.map((t) => [t.topicId, t.partitions.map((p) => [p.partitionIndex, p.errorCode])]),
          [[topicId, [[0, 0], [5, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]], [unknownId, [[
            0,
            ErrorCode.UNKNOWN_TOPIC_ID,
          ]]]],
        );
        assert.equal(res.responses[0].partitions[0].records?.byteLength !== 0, true);
      }
      const named = await fetch(broker, 12, fetchRequest(12, "absent", "", [{ partition: 0 }]));
      assert.deepEqual(parts(named).map((p) => p.errorCode), [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
    });
  });

  test("partitionMaxBytes: the first batch is always whole, then only whole batches within the limit", async () => {
    await withBroker({}, async (broker) => {
      const topicId = await broker.createTopic("limits", 1);
      const sent = [batch(4, 100, "x"), batch(4, 100, "y"), batch(4, 100, "z")];
      for (const s of sent) await produce(broker, "limits", 0, s);
      const size = sent[0].byteLength;
      const read = async (maxBytes: number) =>
        parts(await fetch(broker, 12, fetchRequest(12, "limits", topicId, [{ partition: 0, maxBytes }])))[0].records;
      assertSameBatches(await read(10), sent.slice(0, 1));
      assertSameBatches(await read(size * 2 + size / 2), sent.slice(0, 2));
      assertSameBatches(await read(size * 3), sent);
    });
  });

  test("maxBytes across partitions: the first non-empty partition gets its first batch whole, later ones only what fits", async () => {
    await withBroker({}, async (broker) => {
      const topicId = await broker.createTopic("budget", 4);
      const [a, b] = splitPair(topicId, 4);
      const big = batch(8, 200, "big");
      await produce(broker, "budget", b, big);
      const small = [batch(1, 10, "s0"), batch(1, 10, "s1")];
      for (const s of small) await produce(broker, "budget", a, s);
      // b first: its batch alone exceeds maxBytes and partitionMaxBytes, but is returned; a gets nothing.
      const first = parts(
        await fetch(
          broker,
          11,
          fetchRequest(11, "budget", topicId, [{ partition: b, maxBytes: 100 }, { partition: a }], { maxBytes: 100 }),
        ),
      );
      assertSameBatches(first[0].records, [big]);
      assert.equal(first[1].records?.byteLength ?? 0, 0);
      assert.equal(first[1].errorCode, ErrorCode.NONE);
      assert.equal(first[1].highWatermark, 2n);
      // a first, limited to one small batch by its partitionMaxBytes: b (too large for what is left) gets none.
      const one = small[0].byteLength + 5;
      const second = parts(
        await fetch(
          broker,
          11,
          fetchRequest(11, "budget", topicId, [{ partition: a, maxBytes: one }, { partition: b }], {
            maxBytes: one + 50,
          }),
        ),
      );
      assertSameBatches(second[0].records, small.slice(0, 1));
      assert.equal(second[1].records?.byteLength ?? 0, 0);
      // A later partition whose first batch exceeds its own partitionMaxBytes gets nothing.
      const third = parts(
        await fetch(
          broker,
          11,
          fetchRequest(11, "budget", topicId, [{ partition: a }, { partition: b, maxBytes: 100 }]),
        ),
      );
      assertSameBatches(third[0].records, small);
      assert.equal(third[1].records?.byteLength ?? 0, 0);
    });
  });

  test("maxBytes bounds the first partition too: whole batches up to the limit, at least one", async () => {
    await withBroker({}, async (broker) => {
      const topicId = await broker.createTopic("bounded", 1);
      const sent = [batch(2, 100, "p"), batch(2, 100, "q"), batch(2, 100, "r")];
      for (const s of sent) await produce(broker, "bounded", 0, s);
      // Kafka reads the first partition with min(partitionMaxBytes, maxBytes): 1.5 batches → one whole batch.
      const res = await fetch(
        broker,
        11,
        fetchRequest(11, "bounded", topicId, [{ partition: 0 }], { maxBytes: Math.floor(sent[0].byteLength * 1.5) }),
      );
      assert.equal(batchCount(parts(res)[0].records), 1);
    });
  });

  test("long poll: waits for data and wakes when another handler appends; times out empty without a produce", async () => {
    await withBroker({ handlers: 3 }, async (broker) => {
      const topicId = await broker.createTopic("poll", 3);
      // Fetch through a handler that does not own the partition; produce through a third one.
      const owner = ownerOf(topicId, 0, 3);
      const fetcher = (owner + 1) % 3;
      const producer = (owner + 2) % 3;
      const empty = await fetch(
        broker,
        12,
        fetchRequest(12, "poll", topicId, [{ partition: 0 }], { maxWaitMs: 200, minBytes: 1 }),
        fetcher,
      );
      assert.deepEqual(parts(empty).map((p) => [p.errorCode, p.highWatermark, p.records?.byteLength ?? 0]), [[
        0,
        0n,
        0,
      ]]);

      const events: string[] = [];
      const started = Date.now();
      const waiting = fetch(
        broker,
        12,
        fetchRequest(12, "poll", topicId, [{ partition: 0 }], { maxWaitMs: 5000, minBytes: 1 }),
        fetcher,
      ).then((res) => {
        events.push("fetched");
        return res;
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(events.length, 0, "the fetch waits while there is no data");
      const sent = batch(2, 30, "late");
      events.push("produced");
      await produce(broker, "poll", 0, sent, producer);
      const res = await waiting;
      assert.deepEqual(events, ["produced", "fetched"]);
      assert.ok(Date.now() - started < 5000, "answered before maxWaitMs ran out");
      const [p] = parts(res);
      assert.equal(p.highWatermark, 2n);
      assertSameBatches(p.records, [sent]);
    });
  });

  for (const version of [7, 12, 13, 17]) {
    test(`v${version} fetch sessions: full fetch opens a session, incremental ones list only changed partitions`, async () => {
      await withBroker({ handlers: 3 }, async (broker) => {
        const topicId = await broker.createTopic("sess", 3);
        await produce(broker, "sess", 0, batch(1));
        const h = 1; // one connection = one handler and its session cache
        const all = [0, 1, 2].map((partition) => ({ partition }));
        const full = await fetch(
          broker,
          version,
          fetchRequest(version, "sess", topicId, all, { sessionId: 0, sessionEpoch: 0 }),
          h,
        );
        assert.equal(full.errorCode, ErrorCode.NONE);
        assert.notEqual(full.sessionId, 0);
        assert.deepEqual(parts(full).map((p) => [p.partitionIndex, p.highWatermark]), [[0, 1n], [1, 0n], [2, 0n]]);
        const session = { sessionId: full.sessionId };

        // Epoch 1 advances partition 0 past its data: nothing changed anywhere, so nothing is listed.
        const quiet = await fetch(
          broker,
          version,
          fetchRequest(version, "sess", topicId, [{ partition: 0, offset: 1n }], { ...session, sessionEpoch: 1 }),
          h,
        );
        assert.equal(quiet.errorCode, ErrorCode.NONE);
        assert.equal(quiet.sessionId, full.sessionId);
        assert.deepEqual(parts(quiet), []);

        // Data arrives on partition 2 (through another handler): epoch 2 lists only it.
        const sent = batch(2, 20, "two");
        await produce(broker, "sess", 2, sent, 2);
        const changed = await fetch(
          broker,
          version,
          fetchRequest(version, "sess", topicId, [], { ...session, sessionEpoch: 2 }),
          h,
        );
        assert.equal(changed.errorCode, ErrorCode.NONE);
        assert.deepEqual(parts(changed).map((p) => [p.partitionIndex, p.highWatermark]), [[2, 2n]]);
        assertSameBatches(parts(changed)[0].records, [sent]);
        if (version >= 13) assert.equal(changed.responses[0].topicId, topicId);
        else assert.equal(changed.responses[0].topic, "sess");

        // A wrong epoch fails the whole fetch; an unknown session id too.
        const wrong = await fetch(
          broker,
          version,
          fetchRequest(version, "sess", topicId, [], { ...session, sessionEpoch: 7 }),
          h,
        );
        assert.deepEqual([wrong.errorCode, wrong.sessionId, wrong.responses], [
          ErrorCode.INVALID_FETCH_SESSION_EPOCH,
          0,
          [],
        ]);
        const unknown = await fetch(
          broker,
          version,
          fetchRequest(version, "sess", topicId, [], { sessionId: full.sessionId + 1, sessionEpoch: 1 }),
          h,
        );
        assert.equal(unknown.errorCode, ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
      });
    });
  }
});
