/**
 * Differential: log compaction against the reference Kafka. Both brokers get a compacted topic (segments
 * rolled by segment.ms after every batch, a low dirty ratio) and the same batches of keyed records with
 * updates and tombstones; once both cleaners ran, a fetch from the start must read the same records at
 * the same offsets (key, value, timestamp) on both. A batch with a keyless record is refused the same way
 * (error code, message, record errors).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { type Answer, Oracle, type Side, sleep } from "./_oracle.ts";
import { buildBatch, readBatchHeader } from "../../src/log/record_batch.ts";
import { parseRecords, recordsSection } from "../../src/log/cleaner/batch_filter.ts";
import { defaultCreatableTopic, defaultCreateTopicsRequest } from "../../src/protocol/generated/create_topics.ts";
import { defaultFetchPartition, defaultFetchRequest } from "../../src/protocol/generated/fetch.ts";

const TOPIC = "cmp";
const BASE_TIMESTAMP = BigInt(Date.now() - 60_000);
const utf8 = new TextEncoder();
const text = new TextDecoder();

const produce = (records: Uint8Array) => ({
  transactionalId: null,
  acks: -1,
  timeoutMs: 10_000,
  topicData: [{ name: TOPIC, partitionData: [{ index: 0, records }] }],
});

/**
 * Batch b: 20 records over keys k0..k9 (a tombstone for k3 in batch 4, for k7 in every third batch),
 * stamped now: Kafka rolls a segment by segment.ms on record timestamps.
 */
function batch(b: number): Uint8Array {
  return buildBatch(
    Array.from({ length: 20 }, (_, i) => {
      const key = `k${(b * 7 + i) % 10}`;
      const tombstone = (b === 4 && key === "k3") || (b % 3 === 2 && key === "k7");
      return { key: utf8.encode(key), value: tombstone ? null : utf8.encode(`b${b}-${i}`), timestampDelta: i };
    }),
    { baseTimestamp: BigInt(Date.now()) },
  );
}

/** Every record from offset 0 to the end, fetch after fetch: "offset key value timestamp". */
async function readAll(side: Side): Promise<string[]> {
  const lines: string[] = [];
  let offset = 0n;
  for (let fetches = 0; fetches < 100; fetches++) {
    const request = defaultFetchRequest();
    request.maxWaitMs = 0;
    request.minBytes = 0;
    request.maxBytes = 1 << 20;
    request.topics = [{
      topic: TOPIC,
      topicId: await side.topicId(TOPIC),
      partitions: [{ ...defaultFetchPartition(), partition: 0, fetchOffset: offset, partitionMaxBytes: 1 << 20 }],
    }];
    const out = await side.send(1, 13, request);
    assert.equal(out.kind, "answer");
    const partition = (out as Answer).body.responses[0].partitions[0];
    const records: Uint8Array = partition.records ?? new Uint8Array(0);
    if (records.length === 0) break;
    for (let pos = 0; pos + 61 <= records.length;) {
      const h = readBatchHeader(records, pos);
      if (pos + h.sizeInBytes > records.length) break;
      const section = recordsSection(records.subarray(pos, pos + h.sizeInBytes));
      for (const r of parseRecords(section, h.recordsCount, Number(h.baseTimestamp))) {
        const at = h.baseOffset + BigInt(r.offsetDelta);
        if (at < offset) continue;
        const key = text.decode(section.subarray(r.keyStart, r.keyStart + r.keyLength));
        const value = r.tombstone ? "null" : text.decode(section.subarray(r.valueStart, r.valueStart + r.valueLength));
        lines.push(`${at} ${key} ${value} ${r.timestamp}`);
      }
      offset = h.baseOffset + BigInt(h.lastOffsetDelta) + 1n;
      pos += h.sizeInBytes;
    }
    if (offset >= partition.highWatermark) break;
  }
  return lines;
}

describe("differential: log compaction", () => {
  let o: Oracle;
  before(async () => {
    const cleaner = { "log.cleaner.backoff.ms": "300" };
    o = await Oracle.start("compaction_test.ts", cleaner);
    await o.compare({
      title: "create a compacted topic",
      apiKey: 19,
      version: 7,
      request: {
        ...defaultCreateTopicsRequest(),
        topics: [{
          ...defaultCreatableTopic(),
          name: TOPIC,
          numPartitions: 1,
          replicationFactor: 1,
          configs: [
            { name: "cleanup.policy", value: "compact" },
            { name: "segment.ms", value: "100" },
            { name: "min.cleanable.dirty.ratio", value: "0.01" },
          ],
        }],
      },
    });
    await o.settle([TOPIC]);
  });
  after(async () => {
    o?.report();
    await o?.stop();
  });

  test("Produce: a keyless record on a compacted topic", async () => {
    const keyless = buildBatch([{ key: utf8.encode("a"), value: null }, { key: null, value: utf8.encode("x") }], {
      baseTimestamp: BASE_TIMESTAMP,
    });
    await o.compare({ title: "keyless record", apiKey: 0, version: 9, request: produce(keyless) });
    o.assertNoDifferences();
  });

  test("after cleaning, both brokers serve the same records at the same offsets", async () => {
    for (let b = 0; b < 12; b++) {
      await o.compare({ title: `batch ${b}`, apiKey: 0, version: 9, request: produce(batch(b)) });
      await sleep(150); // past segment.ms: the next batch rolls the segment
    }
    o.assertNoDifferences();
    // All but the last batch's segment are cleaned down to the latest record per key (10 keys, some tombstones).
    const deadline = Date.now() + 60_000;
    let kafka: string[] = [];
    let ours: string[] = [];
    while (Date.now() < deadline) {
      [kafka, ours] = await Promise.all([readAll(o.kafka), readAll(o.tsbroker)]);
      if (kafka.length <= 30 && ours.length <= 30 && kafka.join() === ours.join()) break;
      await sleep(500);
    }
    if (ours.join() !== kafka.join()) {
      console.log(`kafka:\n${kafka.join("\n")}\ntsbroker:\n${ours.join("\n")}`);
      console.log(o.broker.output.filter((l) => /lean|WARN|ERROR/.test(l)).join("\n"));
      console.log(fs.readdirSync(path.join(o.broker.dataDir, `${TOPIC}-0`)).join(" "));
    }
    assert.ok(kafka.length <= 30, `the reference Kafka cleaned the topic (${kafka.length} records)`);
    assert.deepEqual(ours, kafka);
  });
});
