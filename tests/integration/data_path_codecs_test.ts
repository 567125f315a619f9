/**
 * Compressed batches through confluent-kafka-python (librdkafka 2.0): for
 * each of gzip, snappy, lz4 and zstd, 4 KB records (librdkafka only keeps a
 * compressed batch when it is smaller) are produced and consumed back
 * group-less. Then the partition's segment files are read from the broker's
 * data directory: every stored batch must carry the producer's codec in its
 * attributes and a valid CRC-32C (the broker passes compressed batches
 * through as received), and an independent decoder (tests/integration/
 * clients/decode_log.py) must find exactly the acknowledged records in them.
 * Also: a compressed batch on a LogAppendTime topic gets the broker's time
 * without being recompressed.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { type BrokerProcess, ROOT, runCommand, startBroker } from "./_broker.ts";
import { readBatchHeader } from "../../src/log/record_batch.ts";
import { computeBatchCrc } from "../../src/log/record_batch.ts";

const PYTHON = "/usr/bin/python3";
const CLIENTS = path.join(ROOT, "tests/integration/clients");
const CODECS = { gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;
const COUNT = 200;
const SIZE = 4096;

type Row = [number, number, string, string];
interface ProduceResult {
  unflushed: number;
  failed: string[];
  acked: Row[];
  consumed: Array<[number, number, string, string, number]>;
  consumeErrors: string[];
}

async function produceWithCodec(broker: BrokerProcess, topic: string, codec: string): Promise<ProduceResult> {
  const { code, stdout, stderr } = await runCommand(
    PYTHON,
    [path.join(CLIENTS, "produce_codec.py"), broker.bootstrap, topic, codec, String(COUNT), String(SIZE)],
    { timeoutMs: 90_000 },
  );
  assert.equal(code, 0, `produce_codec.py failed: ${stderr}`);
  return JSON.parse(stdout);
}

/** Every batch in the partition's segments, read with the broker's own header reader; checks sizes and CRCs. */
function storedBatches(dir: string) {
  const segments = fs.readdirSync(dir).filter((f) => f.endsWith(".log")).sort();
  const batches = [];
  for (const name of segments) {
    const bytes = fs.readFileSync(path.join(dir, name));
    let pos = 0;
    while (pos < bytes.length) {
      const header = readBatchHeader(bytes, pos);
      assert.ok(pos + header.sizeInBytes <= bytes.length, `${name}: batch at ${pos} runs past the end of the file`);
      assert.equal(computeBatchCrc(bytes, pos, pos + header.sizeInBytes), header.crc, `${name}: bad crc at ${pos}`);
      batches.push(header);
      pos += header.sizeInBytes;
    }
  }
  return batches;
}

async function decodeLog(dir: string): Promise<{ records: Array<[number, string, string]> }> {
  const { code, stdout, stderr } = await runCommand(PYTHON, [path.join(CLIENTS, "decode_log.py"), dir]);
  assert.equal(code, 0, `decode_log.py failed: ${stderr}`);
  return JSON.parse(stdout);
}

describe("compressed batches through confluent-kafka-python", () => {
  let broker: BrokerProcess;
  before(async () => {
    broker = await startBroker("deno", { overrides: { "num.partitions": 1 } });
  });
  after(async () => {
    assert.equal(await broker.stop(), 0, `broker did not exit cleanly:\n${broker.output.slice(-20).join("\n")}`);
  });

  for (const [codec, id] of Object.entries(CODECS)) {
    test(`${codec}: produced, consumed back, and stored compressed as sent`, async () => {
      const topic = `codec-${codec}`;
      const result = await produceWithCodec(broker, topic, codec);
      assert.deepEqual(result.failed, []);
      assert.equal(result.unflushed, 0);
      assert.equal(result.acked.length, COUNT);
      assert.deepEqual(result.consumeErrors, []);
      const acked = [...result.acked].sort((a, b) => a[1] - b[1]);
      assert.deepEqual(acked.map((r) => r[1]), Array.from({ length: COUNT }, (_, i) => i), "offsets not contiguous");
      assert.deepEqual(result.consumed.map((r) => r.slice(0, 4)), acked, "consumed records differ from acked ones");
      assert.ok(result.consumed.every((r) => r[4] === 1), "timestamps should be CreateTime");

      const dir = path.join(broker.dataDir, `${topic}-0`);
      const batches = storedBatches(dir);
      assert.ok(
        batches.length > 1 && batches.length < COUNT,
        `expected several multi-record batches, got ${batches.length}`,
      );
      for (const b of batches) {
        // librdkafka 2.0 silently sends gzip, snappy and lz4 uncompressed unless the broker
        // advertises Produce v0 (and, for lz4, FindCoordinator): its codec gate predates v2 batches.
        assert.equal(b.compression, id, `batch at offset ${b.baseOffset} stored with codec ${b.compression}`);
        assert.equal(b.magic, 2);
      }
      const storedBytes = batches.reduce((sum, b) => sum + b.sizeInBytes, 0);
      assert.ok(storedBytes < (COUNT * SIZE) / 4, `${storedBytes} bytes stored: not compressed`);
      const decoded = await decodeLog(dir);
      assert.deepEqual(decoded.records, acked.map(([, offset, key, sha]) => [offset, key, sha]));
    });
  }

  test("zstd on a LogAppendTime topic: broker time, batch still zstd and valid", async () => {
    const created = await runCommand(PYTHON, [
      path.join(CLIENTS, "admin_ops.py"),
      broker.bootstrap,
      JSON.stringify([{ op: "create", topic: "codec-lat", config: { "message.timestamp.type": "LogAppendTime" } }]),
    ]);
    assert.equal(created.code, 0, created.stderr);
    assert.deepEqual(JSON.parse(created.stdout), [{ ok: true }]);
    const before = BigInt(Date.now());
    const result = await produceWithCodec(broker, "codec-lat", "zstd");
    assert.equal(result.acked.length, COUNT);
    assert.ok(result.consumed.every((r) => r[4] === 2), "timestamps should be LogAppendTime");
    for (const b of storedBatches(path.join(broker.dataDir, "codec-lat-0"))) {
      assert.equal(b.compression, CODECS.zstd);
      assert.equal(b.timestampType, "LogAppendTime");
      assert.ok(b.maxTimestamp >= before && b.maxTimestamp <= BigInt(Date.now()), `maxTimestamp ${b.maxTimestamp}`);
    }
  });
});
