/**
 * DeleteRecords (key 21) through a whole in-process broker core
 * (LocalBroker): every version v0–v2 moves the log start offset of
 * partitions on different handlers; ListOffsets earliest and Fetch follow it
 * (below it is OFFSET_OUT_OF_RANGE), whole segments below it go, -1 means the
 * high watermark, beyond it is OFFSET_OUT_OF_RANGE, and the new start
 * survives a clean restart.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { LocalBroker } from "../_local_broker.ts";
import { fetchPartition, produceRecords } from "./_helpers.ts";
import { ErrorCode } from "../../../src/protocol/errors.ts";
import { buildBatch, readBatchHeader } from "../../../src/log/record_batch.ts";
import { ownerOf } from "../../../src/replica/partition_owner.ts";
import {
  decodeDeleteRecordsResponse,
  type DeleteRecordsPartitionResult,
  encodeDeleteRecordsRequest,
} from "../../../src/protocol/generated/delete_records.ts";
import { decodeListOffsetsResponse, encodeListOffsetsRequest } from "../../../src/protocol/generated/list_offsets.ts";
import { type PartitionData } from "../../../src/protocol/generated/fetch.ts";

const enc = new TextEncoder();

/** Two records per batch, `batches` batches. */
async function fill(broker: LocalBroker, topic: string, partition: number, batches: number): Promise<void> {
  for (let i = 0; i < batches; i++) {
    const records = buildBatch([0, 1].map((r) => ({ key: null, value: enc.encode(`b${i}r${r}`.padEnd(40, ".")) })));
    await produceRecords(broker, topic, partition, records);
  }
}

async function deleteRecords(
  broker: LocalBroker,
  version: number,
  topic: string,
  offsets: Array<[number, bigint]>,
): Promise<DeleteRecordsPartitionResult[]> {
  const res = await broker.call(
    21,
    version,
    {
      topics: [{ name: topic, partitions: offsets.map(([partitionIndex, offset]) => ({ partitionIndex, offset })) }],
      timeoutMs: 5000,
    },
    encodeDeleteRecordsRequest,
    decodeDeleteRecordsResponse,
  );
  assert.deepEqual(res.topics.map((t) => t.name), [topic]);
  return res.topics[0].partitions;
}

async function earliest(broker: LocalBroker, topic: string, partition: number): Promise<bigint> {
  const res = await broker.call(
    2,
    7,
    {
      replicaId: -1,
      isolationLevel: 0,
      topics: [{
        name: topic,
        partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, timestamp: -2n, maxNumOffsets: 1 }],
      }],
    },
    encodeListOffsetsRequest,
    decodeListOffsetsResponse,
  );
  const p = res.topics[0].partitions[0];
  assert.equal(p.errorCode, ErrorCode.NONE);
  return p.offset;
}

function fetchAt(broker: LocalBroker, topic: string, partition: number, offset: bigint): Promise<PartitionData> {
  return fetchPartition(broker, topic, partition, offset);
}

function segmentFiles(broker: LocalBroker, topic: string, partition: number): string[] {
  return fs.readdirSync(path.join(broker.dir, `${topic}-${partition}`)).filter((f) => f.endsWith(".log")).sort();
}

describe("DeleteRecords", () => {
  for (let version = 0; version <= 2; version++) {
    test(`v${version} moves the log start offset of partitions on different handlers`, async () => {
      const broker = await LocalBroker.start({ handlers: 2 });
      try {
        // Tiny segments: one batch each, so deleting records removes whole segments.
        const topicId = await broker.createTopic("trim", 4, { "segment.bytes": "120" });
        const other = [1, 2, 3].find((p) => ownerOf(topicId, p, 2) !== ownerOf(topicId, 0, 2))!;
        await fill(broker, "trim", 0, 4);
        await fill(broker, "trim", other, 3);
        assert.equal(segmentFiles(broker, "trim", 0).length, 4);
        const results = await deleteRecords(broker, version, "trim", [[0, 5n], [other, -1n]]);
        assert.deepEqual(results.map((r) => [r.partitionIndex, r.errorCode, r.lowWatermark]), [[0, 0, 5n], [
          other,
          0,
          6n,
        ]]);
        assert.equal(await earliest(broker, "trim", 0), 5n);
        assert.equal(await earliest(broker, "trim", other), 6n);
        // Segments wholly below the new start are gone (those holding offsets 0–1, 2–3).
        assert.equal(segmentFiles(broker, "trim", 0).length, 2);
        // Below the log start: OFFSET_OUT_OF_RANGE with unknown (-1) offsets, as Kafka answers (checked against it
        // by tests/differential/data_path_test.ts); ListOffsets gives the new start.
        const below = await fetchAt(broker, "trim", 0, 3n);
        assert.deepEqual([below.errorCode, below.logStartOffset], [ErrorCode.OFFSET_OUT_OF_RANGE, -1n]);
        // At the log start (mid-batch): the batch holding it, offsets 4–5.
        const at = await fetchAt(broker, "trim", 0, 5n);
        assert.deepEqual([at.errorCode, at.logStartOffset, at.highWatermark], [0, 5n, 8n]);
        assert.equal(readBatchHeader(at.records!, 0).baseOffset, 4n);
        // An offset at or below the current start changes nothing.
        const again = await deleteRecords(broker, version, "trim", [[0, 2n]]);
        assert.deepEqual(again.map((r) => [r.errorCode, r.lowWatermark]), [[0, 5n]]);
        // New records continue at the end.
        await fill(broker, "trim", other, 1);
        assert.equal((await fetchAt(broker, "trim", other, 6n)).highWatermark, 8n);
      } finally {
        await broker.stop();
        broker.remove();
      }
    });
  }

  test("beyond the high watermark or below -1 is OFFSET_OUT_OF_RANGE; unknown partitions UNKNOWN_TOPIC_OR_PARTITION", async () => {
    const broker = await LocalBroker.start({ handlers: 3 });
    try {
      await broker.createTopic("edge", 2);
      await fill(broker, "edge", 0, 2);
      const results = await deleteRecords(broker, 2, "edge", [[0, 5n], [1, -2n], [7, 0n]]);
      assert.deepEqual(results.map((r) => [r.partitionIndex, r.errorCode, r.lowWatermark]), [
        [0, ErrorCode.OFFSET_OUT_OF_RANGE, -1n],
        [1, ErrorCode.OFFSET_OUT_OF_RANGE, -1n],
        [7, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1n],
      ]);
      const [unknown] = await deleteRecords(broker, 1, "nowhere", [[0, 0n]]);
      assert.equal(unknown.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      assert.equal(await earliest(broker, "edge", 0), 0n);
      // Exactly the high watermark is allowed and empties the partition.
      const [all] = await deleteRecords(broker, 2, "edge", [[0, 4n]]);
      assert.deepEqual([all.errorCode, all.lowWatermark], [0, 4n]);
      const empty = await fetchAt(broker, "edge", 0, 4n);
      assert.deepEqual([empty.errorCode, empty.logStartOffset, empty.highWatermark, empty.records?.byteLength ?? 0], [
        0,
        4n,
        4n,
        0,
      ]);
    } finally {
      await broker.stop();
      broker.remove();
    }
  });

  test("the moved log start offset survives a clean restart", async () => {
    const broker = await LocalBroker.start({ handlers: 2 });
    let first: LocalBroker | null = broker;
    let again: LocalBroker | null = null;
    try {
      await broker.createTopic("kept", 2, { "segment.bytes": "120" });
      await fill(broker, "kept", 1, 3);
      await deleteRecords(broker, 2, "kept", [[1, 3n]]);
      first = null;
      await broker.stop();
      again = await LocalBroker.start({ handlers: 2, dir: broker.dir });
      assert.equal(await earliest(again, "kept", 1), 3n);
      assert.equal((await fetchAt(again, "kept", 1, 1n)).errorCode, ErrorCode.OFFSET_OUT_OF_RANGE);
    } finally {
      if (first) await first.stop();
      if (again) await again.stop();
      broker.remove();
    }
  });
});
