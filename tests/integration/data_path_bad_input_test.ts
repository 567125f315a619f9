/**
 * Bad input on the data path, sent as raw protocol requests (batches built
 * with src/log/record_batch.ts, requests with the generated codecs): a
 * corrupted CRC, an oversized batch, two batches for one partition, a
 * produce to a missing topic (auto-create off) or partition, a Fetch v13
 * with an unknown topic id, a fetch past the end. Each must get the error
 * code a Kafka 3.9 broker answers, for that partition only, without using up
 * offsets; and kcat must still read exactly the good records afterwards.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { type BrokerProcess, type Flavour, ROOT, runCommand, startBroker } from "./_broker.ts";
import { wireCaller, WireClient } from "./_wire.ts";
import { kcatRead } from "./_data_path.ts";
import { buildBatch } from "../../src/log/record_batch.ts";
import { ErrorCode } from "../../src/protocol/errors.ts";
import { ZERO_UUID } from "../../src/protocol/io/uuid.ts";
import {
  decodeProduceResponse,
  encodeProduceRequest,
  type PartitionProduceResponse,
} from "../../src/protocol/generated/produce.ts";
import {
  decodeFetchResponse,
  defaultFetchPartition,
  defaultFetchRequest,
  encodeFetchRequest,
  type FetchResponse,
} from "../../src/protocol/generated/fetch.ts";
import {
  decodeMetadataResponse,
  defaultMetadataRequest,
  encodeMetadataRequest,
} from "../../src/protocol/generated/metadata.ts";

const utf8 = new TextEncoder();
const call = wireCaller("data-path-bad-input");

function batchOf(values: string[]): Uint8Array {
  return buildBatch(values.map((v) => ({ key: null, value: utf8.encode(v) })));
}

/** Produce (acks=all) of one records blob per [topic, partition]; the partition responses in request order. */
async function produce(
  client: WireClient,
  version: number,
  parts: Array<[string, number, Uint8Array]>,
): Promise<PartitionProduceResponse[]> {
  const byTopic = new Map<string, Array<{ index: number; records: Uint8Array }>>();
  for (const [topic, index, records] of parts) {
    if (!byTopic.has(topic)) byTopic.set(topic, []);
    byTopic.get(topic)!.push({ index, records });
  }
  const response = await call(
    client,
    0,
    version,
    {
      transactionalId: null,
      acks: -1,
      timeoutMs: 10_000,
      topicData: [...byTopic].map(([name, partitionData]) => ({ name, partitionData })),
    },
    encodeProduceRequest,
    decodeProduceResponse,
  );
  return parts.map(([topic, index]) => {
    const t = response.responses.find((x) => x.name === topic);
    assert.ok(t, `no response for topic ${topic}`);
    const p = t.partitionResponses.find((x) => x.index === index);
    assert.ok(p, `no response for ${topic}/${index}`);
    return p;
  });
}

async function fetchOne(
  client: WireClient,
  version: number,
  topic: { name?: string; id?: string },
  partition: number,
  fetchOffset: bigint,
): Promise<FetchResponse> {
  const request = defaultFetchRequest();
  request.maxWaitMs = 0;
  request.minBytes = 0;
  request.maxBytes = 1 << 20;
  request.topics = [{
    topic: topic.name ?? "",
    topicId: topic.id ?? ZERO_UUID,
    partitions: [{ ...defaultFetchPartition(), partition, fetchOffset, partitionMaxBytes: 1 << 20 }],
  }];
  return await call(client, 1, version, request, encodeFetchRequest, decodeFetchResponse);
}

async function topicId(client: WireClient, name: string): Promise<string> {
  const request = defaultMetadataRequest();
  request.topics = [{ topicId: ZERO_UUID, name }];
  request.allowAutoTopicCreation = false;
  const md = await call(client, 3, 12, request, encodeMetadataRequest, decodeMetadataResponse);
  assert.equal(md.topics[0].errorCode, 0);
  return md.topics[0].topicId;
}

/** kcat -C of one partition from the beginning: "offset value" per record. */
function kcatReadPartition(broker: BrokerProcess, topic: string, partition: number): Promise<string[]> {
  return kcatRead(broker, topic, { partition, format: "%o %s\\n", failure: "kcat -C failed after bad input" });
}

for (const flavour of ["deno", "bun"] as Flavour[]) {
  describe(`bad data-path input, broker under ${flavour}`, () => {
    let broker: BrokerProcess;
    let client: WireClient;
    /** What partition 0 of "good" must hold: "offset value" lines. */
    const stored: string[] = [];

    async function appendGood(version: number, values: string[]): Promise<void> {
      const [r] = await produce(client, version, [["good", 0, batchOf(values)]]);
      assert.equal(r.errorCode, 0, `a valid batch at Produce v${version} was refused: ${r.errorMessage}`);
      assert.equal(r.baseOffset, BigInt(stored.length), "offsets must continue where the last good batch ended");
      if (version >= 5) assert.equal(r.logStartOffset, 0n);
      const base = stored.length;
      values.forEach((v, i) => stored.push(`${base + i} ${v}`));
    }

    before(async () => {
      broker = await startBroker(flavour, {
        overrides: { "auto.create.topics.enable": false, "message.max.bytes": 10_000 },
      });
      const created = await runCommand("/usr/bin/python3", [
        path.join(ROOT, "tests/integration/clients/admin_ops.py"),
        broker.bootstrap,
        JSON.stringify([
          { op: "create", topic: "good", partitions: 2 },
          { op: "create", topic: "small", config: { "max.message.bytes": "1000" } },
        ]),
      ]);
      assert.deepEqual(JSON.parse(created.stdout), [{ ok: true }, { ok: true }], created.stderr);
      client = await WireClient.connect(broker.port);
    });
    after(async () => {
      client.destroy();
      assert.equal(await broker.stop(), 0, `broker did not exit cleanly:\n${broker.output.slice(-20).join("\n")}`);
    });

    test("valid batches at Produce v3, v5, v7, v8, v9 and v11 get contiguous offsets", async () => {
      for (const version of [3, 5, 7, 8, 9, 11]) await appendGood(version, [`v${version}-a`, `v${version}-b`]);
      assert.deepEqual(await kcatReadPartition(broker, "good", 0), stored);
    });

    test("a corrupted CRC is CORRUPT_MESSAGE", async () => {
      for (const version of [3, 9]) {
        const batch = batchOf(["will be corrupted"]);
        batch[batch.length - 3] ^= 0xff; // inside the value: the stored crc no longer matches
        const [r] = await produce(client, version, [["good", 0, batch]]);
        assert.equal(r.errorCode, ErrorCode.CORRUPT_MESSAGE);
        assert.equal(r.baseOffset, -1n);
      }
      await appendGood(9, ["after-crc"]);
      assert.deepEqual(await kcatReadPartition(broker, "good", 0), stored);
    });

    test("a batch over message.max.bytes (broker or topic) is MESSAGE_TOO_LARGE", async () => {
      for (const version of [3, 9]) {
        const [r] = await produce(client, version, [["good", 0, batchOf(["x".repeat(20_000)])]]);
        assert.equal(r.errorCode, ErrorCode.MESSAGE_TOO_LARGE);
      }
      // The topic's own max.message.bytes overrides the broker's.
      const [small] = await produce(client, 9, [["small", 0, batchOf(["y".repeat(2000)])]]);
      assert.equal(small.errorCode, ErrorCode.MESSAGE_TOO_LARGE);
      const [fits] = await produce(client, 9, [["small", 0, batchOf(["y".repeat(500)])]]);
      assert.equal(fits.errorCode, 0);
      await appendGood(9, ["after-too-large"]);
      assert.deepEqual(await kcatReadPartition(broker, "good", 0), stored);
    });

    test("two batches for one partition (Produce v3+ allows exactly one) is INVALID_RECORD", async () => {
      const a = batchOf(["first"]);
      const b = batchOf(["second"]);
      const both = new Uint8Array(a.length + b.length);
      both.set(a);
      both.set(b, a.length);
      const [r] = await produce(client, 9, [["good", 0, both]]);
      assert.equal(r.errorCode, ErrorCode.INVALID_RECORD);
      assert.deepEqual(await kcatReadPartition(broker, "good", 0), stored);
    });

    test("a missing topic (auto-create off) and a missing partition are UNKNOWN_TOPIC_OR_PARTITION", async () => {
      for (const version of [3, 9]) {
        const [missing, noPartition] = await produce(client, version, [
          ["no-such-topic", 0, batchOf(["lost"])],
          ["good", 7, batchOf(["lost"])],
        ]);
        assert.equal(missing.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        assert.equal(noPartition.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      }
      // Produce never creates topics, even when auto-creation would be allowed.
      const md = await runCommand("/usr/bin/python3", [
        path.join(ROOT, "tests/integration/clients/admin_ops.py"),
        broker.bootstrap,
        JSON.stringify([{ op: "describe", topic: "no-such-topic" }]),
      ]);
      assert.equal(JSON.parse(md.stdout)[0].error, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, md.stdout);
    });

    test("in one request, a bad partition fails alone and the good one is appended", async () => {
      const corrupt = batchOf(["corrupt"]);
      corrupt[corrupt.length - 1] ^= 0x55;
      const [bad, good] = await produce(client, 9, [["good", 0, corrupt], ["good", 1, batchOf(["p1-only"])]]);
      assert.equal(bad.errorCode, ErrorCode.CORRUPT_MESSAGE);
      assert.equal(good.errorCode, 0);
      assert.equal(good.baseOffset, 0n);
      assert.deepEqual(await kcatReadPartition(broker, "good", 1), ["0 p1-only"]);
      assert.deepEqual(await kcatReadPartition(broker, "good", 0), stored);
    });

    test("Fetch v13 by topic id: the real id returns the records, an unknown id is UNKNOWN_TOPIC_ID", async () => {
      const id = await topicId(client, "good");
      assert.notEqual(id, ZERO_UUID);
      const ok = await fetchOne(client, 13, { id }, 0, 0n);
      assert.equal(ok.errorCode, 0);
      assert.equal(ok.responses[0].topicId, id);
      const p = ok.responses[0].partitions[0];
      assert.equal(p.errorCode, 0);
      assert.equal(p.highWatermark, BigInt(stored.length));
      assert.ok(p.records && p.records.length > 0, "no records returned");

      const unknown = "AAAAAAAAAAAAAAAAAAAAAQ"; // a valid, non-zero id no topic has
      const bad = await fetchOne(client, 13, { id: unknown }, 0, 0n);
      assert.equal(bad.errorCode, 0);
      assert.equal(bad.responses[0].topicId, unknown);
      assert.equal(bad.responses[0].partitions[0].errorCode, ErrorCode.UNKNOWN_TOPIC_ID);
      assert.deepEqual(await kcatReadPartition(broker, "good", 0), stored);
    });

    test("Fetch v12 of an unknown topic name is UNKNOWN_TOPIC_OR_PARTITION; past the end is OFFSET_OUT_OF_RANGE", async () => {
      const unknown = await fetchOne(client, 12, { name: "no-such-topic" }, 0, 0n);
      assert.equal(unknown.responses[0].partitions[0].errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      for (const version of [4, 11, 13]) {
        const id = version >= 13 ? await topicId(client, "good") : undefined;
        const atEnd = await fetchOne(client, version, { name: "good", id }, 0, BigInt(stored.length));
        assert.equal(atEnd.responses[0].partitions[0].errorCode, 0, "fetching at the end is not an error");
        const past = await fetchOne(client, version, { name: "good", id }, 0, BigInt(stored.length + 5));
        assert.equal(past.responses[0].partitions[0].errorCode, ErrorCode.OFFSET_OUT_OF_RANGE, `Fetch v${version}`);
      }
    });

    test("after all of it, kcat still produces and reads the partition", async () => {
      const put = await runCommand("kcat", ["-P", "-b", broker.bootstrap, "-t", "good", "-p", "0"], {
        input: "from-kcat\n",
      });
      assert.equal(put.code, 0, put.stderr);
      stored.push(`${stored.length} from-kcat`);
      assert.deepEqual(await kcatReadPartition(broker, "good", 0), stored);
    });
  });
}
