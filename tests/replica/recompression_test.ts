/**
 * The produce path with a topic codec, through the broker core's handlers
 * (LocalBroker): the broker's compression.type applies to topics without an
 * override, an alteration of compression.type takes effect on the next
 * append, a batch that recompression grows past max.message.bytes is refused
 * with nothing appended, and Kafka 3.9's message.timestamp.difference.max.ms
 * bounds timestamps.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { LocalBroker } from "../handler/_local_broker.ts";
import { fetchPartition, produceRecords, withBroker } from "../handler/apis/_helpers.ts";
import { ErrorCode } from "../../src/protocol/errors.ts";
import { buildBatch, CompressionType, readBatchHeader, RECORDS_OFFSET } from "../../src/log/record_batch.ts";
import { recompressBatch } from "../../src/log/recompress.ts";
import { decompress } from "../../src/log/codecs/codec.ts";
import { decodeProduceResponse, encodeProduceRequest } from "../../src/protocol/generated/produce.ts";
import {
  decodeIncrementalAlterConfigsResponse,
  encodeIncrementalAlterConfigsRequest,
} from "../../src/protocol/generated/incremental_alter_configs.ts";

const utf8 = new TextEncoder();

function batch(codec: number, n = 20, baseTimestamp = BigInt(Date.now())): Uint8Array {
  const plain = buildBatch(
    Array.from({ length: n }, (_, i) => ({ key: utf8.encode(`k${i}`), value: utf8.encode(`value ${i} `.repeat(40)) })),
    { baseTimestamp },
  );
  const r = recompressBatch(plain, { codec });
  if ("error" in r) throw new Error(r.error.message);
  return r.batch;
}

/** The codecs of the fetched batches, and their records sections decompressed. */
async function stored(broker: LocalBroker, topic: string): Promise<Array<[number, Uint8Array]>> {
  const data = await fetchPartition(broker, topic, 0);
  assert.equal(data.errorCode, ErrorCode.NONE);
  const bytes = data.records ?? new Uint8Array();
  const out: Array<[number, Uint8Array]> = [];
  for (let pos = 0; pos < bytes.length;) {
    const h = readBatchHeader(bytes, pos);
    out.push([h.compression, decompress(h.compression, bytes.subarray(pos + RECORDS_OFFSET, pos + h.sizeInBytes))]);
    pos += h.sizeInBytes;
  }
  return out;
}

async function produce(broker: LocalBroker, topic: string, records: Uint8Array) {
  const res = await broker.call(
    0,
    11,
    {
      transactionalId: null,
      acks: -1,
      timeoutMs: 1000,
      topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
    },
    encodeProduceRequest,
    decodeProduceResponse,
  );
  return res.responses[0].partitionResponses[0];
}

describe("produce with a topic codec", () => {
  test("the broker's compression.type applies to a topic without an override; an override wins", async () => {
    await withBroker({ overrides: ["compression.type=zstd"] }, async (broker) => {
      await broker.createTopic("plain", 1);
      await broker.createTopic("kept", 1, { "compression.type": "producer" });
      const gzip = batch(CompressionType.Gzip);
      const section = decompress(CompressionType.Gzip, gzip.subarray(RECORDS_OFFSET));
      await produceRecords(broker, "plain", 0, gzip.slice());
      await produceRecords(broker, "kept", 0, gzip.slice());
      assert.deepEqual(await stored(broker, "plain"), [[CompressionType.Zstd, section]]);
      assert.deepEqual(await stored(broker, "kept"), [[CompressionType.Gzip, section]]);
    });
  });

  test("an altered compression.type takes effect on the next append", async () => {
    await withBroker({}, async (broker) => {
      await broker.createTopic("altered", 1);
      await produceRecords(broker, "altered", 0, batch(CompressionType.Snappy));
      const res = await broker.call(
        44,
        1,
        {
          validateOnly: false,
          resources: [{
            resourceType: 2,
            resourceName: "altered",
            configs: [{ name: "compression.type", configOperation: 0, value: "lz4" }],
          }],
        },
        encodeIncrementalAlterConfigsRequest,
        decodeIncrementalAlterConfigsResponse,
      );
      assert.equal(res.responses[0].errorCode, ErrorCode.NONE);
      await produceRecords(broker, "altered", 0, batch(CompressionType.Snappy));
      assert.deepEqual((await stored(broker, "altered")).map(([codec]) => codec), [
        CompressionType.Snappy,
        CompressionType.Lz4,
      ]);
    });
  });

  test("a batch that recompression grows past max.message.bytes is refused, nothing appended", async () => {
    await withBroker({}, async (broker) => {
      await broker.createTopic("small", 1, { "compression.type": "uncompressed", "max.message.bytes": "2000" });
      const gzip = batch(CompressionType.Gzip, 50);
      assert.ok(gzip.length < 2000, `the gzip batch (${gzip.length} bytes) fits before recompression`);
      const p = await produce(broker, "small", gzip);
      assert.equal(p.errorCode, ErrorCode.MESSAGE_TOO_LARGE);
      assert.match(p.errorMessage ?? "", /exceeds the maximum configured size of 2000/);
      assert.deepEqual(await stored(broker, "small"), []);
    });
  });

  test("message.timestamp.difference.max.ms bounds timestamps both ways (Kafka 3.9)", async () => {
    await withBroker({}, async (broker) => {
      await broker.createTopic("bounded", 1, { "message.timestamp.difference.max.ms": "60000" });
      // Without it: no bound before the clock, one hour after it (tsbroker's after.max.ms default).
      const minute = 60_000n;
      for (const ts of [BigInt(Date.now()) - 120n * minute, BigInt(Date.now()) + 30n * minute]) {
        const p = await produce(broker, "bounded", batch(CompressionType.None, 2, ts));
        assert.equal(p.errorCode, ErrorCode.INVALID_TIMESTAMP, `timestamp ${ts}`);
      }
      const ok = await produce(broker, "bounded", batch(CompressionType.None, 2));
      assert.equal(ok.errorCode, ErrorCode.NONE);
    });
  });
});
