/**
 * Idempotent producers. librdkafka (kcat and confluent-kafka-python with
 * enable.idempotence=true) must run clean: no errors, every record once, in
 * order per key, also when the broker restarts under a live producer. Then,
 * on the raw protocol (InitProducerId + Produce built with the generated
 * codecs), Kafka 3.9's sequence rules, and that the broker keeps each
 * producer's state across a clean and an unclean (SIGKILL) restart: a resent
 * batch is still recognised as a duplicate and answered with its original
 * offset, and a sequence gap is still OUT_OF_ORDER_SEQUENCE_NUMBER. Without
 * kept state both would be accepted and appended.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as path from "node:path";
import { type BrokerProcess, ROOT, runCommand, startBroker } from "./_broker.ts";
import { wireCaller, WireClient } from "./_wire.ts";
import { kcatRead } from "./_data_path.ts";
import { buildBatch } from "../../src/log/record_batch.ts";
import { ErrorCode } from "../../src/protocol/errors.ts";
import {
  decodeProduceResponse,
  encodeProduceRequest,
  type PartitionProduceResponse,
} from "../../src/protocol/generated/produce.ts";
import {
  decodeInitProducerIdResponse,
  encodeInitProducerIdRequest,
} from "../../src/protocol/generated/init_producer_id.ts";

const PYTHON = "/usr/bin/python3";
const utf8 = new TextEncoder();
const call = wireCaller("data-path-idempotence");

/** kcat -C of a whole topic: "partition offset key value" lines. */
function kcatReadAll(broker: BrokerProcess, topic: string): Promise<string[]> {
  return kcatRead(broker, topic, { format: "%p %o %k %s\\n", timeoutMs: 60_000, failure: "kcat -C failed" });
}

/** Each value once; offsets contiguous from 0 per partition; per key, values in the given order. */
function checkOnceInOrder(lines: string[], expected: string[], orderOf: (value: string) => number): void {
  const values = lines.map((l) => l.split(" ")[3]);
  assert.equal(new Set(values).size, values.length, "duplicates in the log");
  assert.deepEqual([...values].sort(), [...expected].sort());
  const next = new Map<string, number>();
  const lastByKey = new Map<string, number>();
  for (const line of lines) {
    const [partition, offset, key, value] = line.split(" ");
    assert.equal(Number(offset), next.get(partition) ?? 0, `partition ${partition}: offsets not contiguous`);
    next.set(partition, Number(offset) + 1);
    const order = orderOf(value);
    assert.ok(order > (lastByKey.get(key) ?? -1), `key ${key}: ${value} out of order`);
    lastByKey.set(key, order);
  }
}

describe("librdkafka idempotent producers", () => {
  let broker: BrokerProcess;
  before(async () => {
    broker = await startBroker("deno", { overrides: { "num.partitions": 4 } });
  });
  after(async () => {
    assert.equal(await broker.stop(), 0, `broker did not exit cleanly:\n${broker.output.slice(-20).join("\n")}`);
  });

  test("kcat -X enable.idempotence=true: 100,000 records, no errors, each once", async () => {
    const count = 100_000;
    const input = Array.from({ length: count }, (_, i) => `k${i % 16}\t${i}`).join("\n") + "\n";
    const put = await runCommand("kcat", [
      "-P",
      "-b",
      broker.bootstrap,
      "-t",
      "idem-kcat",
      "-K",
      "\t",
      "-X",
      "enable.idempotence=true",
    ], { input, timeoutMs: 90_000 });
    assert.equal(put.code, 0, put.stderr);
    assert.doesNotMatch(put.stderr, /error|fail|fatal|sequence/i, put.stderr);
    const lines = await kcatReadAll(broker, "idem-kcat");
    checkOnceInOrder(lines, Array.from({ length: count }, (_, i) => String(i)), Number);
  });

  test("confluent-kafka-python idempotent producer keeps going across a broker restart", async () => {
    const count = 20_000;
    const child = spawn(PYTHON, [
      path.join(ROOT, "tests/integration/clients/idem_producer.py"),
      broker.bootstrap,
      "idem-py",
      String(count),
      "2",
    ], { cwd: ROOT });
    const reports: Array<{ acked: number; failed: string[]; unflushed: number; errors: unknown[] }> = [];
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    let pending = "";
    let onReport = () => {};
    child.stdout.on("data", (d) => {
      pending += d;
      let at;
      while ((at = pending.indexOf("\n")) >= 0) {
        reports.push(JSON.parse(pending.slice(0, at)));
        pending = pending.slice(at + 1);
        onReport();
      }
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    const report = (n: number) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no report ${n} from idem_producer.py: ${stderr}`)), 60_000);
        const check = () => {
          if (reports.length >= n) {
            clearTimeout(timer);
            resolve();
          }
        };
        onReport = check;
        check();
      });
    try {
      await report(1);
      // Restart on the same port and data directory while the producer lives.
      const { dataDir, port } = broker;
      assert.equal(await broker.stop(), 0);
      broker = await startBroker("deno", {
        dataDir,
        overrides: { "num.partitions": 4, listeners: `PLAINTEXT://127.0.0.1:${port}` },
      });
      child.stdin.write("go\n");
      await report(2);
      assert.equal(await exited, 0, stderr);
    } finally {
      child.kill();
    }
    for (const r of reports) {
      assert.equal(r.acked, count, JSON.stringify(r));
      assert.deepEqual(r.failed, []);
      assert.equal(r.unflushed, 0);
    }
    // Losing the connection while the broker restarts is reported (transport errors); nothing else may be.
    const serious = (reports[1].errors as Array<{ name: string; fatal: boolean }>).filter(
      (e) => e.fatal || !/^_(TRANSPORT|ALL_BROKERS_DOWN|RESOLVE|TIMED_OUT)$/.test(e.name),
    );
    assert.deepEqual(serious, []);
    const lines = await kcatReadAll(broker, "idem-py");
    const expected = [0, 1].flatMap((phase) => Array.from({ length: count }, (_, i) => `${phase}-${i}`));
    checkOnceInOrder(lines, expected, (v) => {
      const [phase, i] = v.split("-").map(Number);
      return phase * count + i;
    });
  });
});

describe("producer state on the raw protocol, across restarts", () => {
  let broker: BrokerProcess;
  let client: WireClient;
  let producerId: bigint;
  let producerEpoch: number;

  async function send(seq: number, count: number, epoch = producerEpoch): Promise<PartitionProduceResponse> {
    const records = buildBatch(
      Array.from({ length: count }, (_, i) => ({ key: null, value: utf8.encode(`seq-${seq + i}`) })),
      { producerId, producerEpoch: epoch, baseSequence: seq },
    );
    const response = await call(
      client,
      0,
      9,
      {
        transactionalId: null,
        acks: -1,
        timeoutMs: 10_000,
        topicData: [{ name: "idem-wire", partitionData: [{ index: 0, records }] }],
      },
      encodeProduceRequest,
      decodeProduceResponse,
    );
    return response.responses[0].partitionResponses[0];
  }

  /** Kafka 3.9 answers a duplicate of one of the last 5 batches with NONE and the original offset. */
  function assertDuplicate(r: PartitionProduceResponse, baseOffset: bigint): void {
    assert.ok(
      r.errorCode === 0 || r.errorCode === ErrorCode.DUPLICATE_SEQUENCE_NUMBER,
      `a resent batch got error ${r.errorCode}`,
    );
    assert.equal(r.baseOffset, baseOffset, "a resent batch must be answered with its original offset");
  }

  async function restart(signal: "SIGTERM" | "SIGKILL"): Promise<void> {
    client.destroy();
    const { dataDir } = broker;
    const code = await broker.stop(signal);
    if (signal === "SIGTERM") assert.equal(code, 0);
    broker = await startBroker("deno", { dataDir });
    client = await WireClient.connect(broker.port);
  }

  before(async () => {
    broker = await startBroker("deno");
    const md = await runCommand("kcat", ["-L", "-b", broker.bootstrap, "-t", "idem-wire", "-m", "10"]);
    assert.equal(md.code, 0, md.stderr);
    client = await WireClient.connect(broker.port);
    for (const version of [0, 4]) {
      const init = await call(
        client,
        22,
        version,
        {
          transactionalId: null,
          transactionTimeoutMs: 60_000,
          producerId: -1n,
          producerEpoch: -1,
        },
        encodeInitProducerIdRequest,
        decodeInitProducerIdResponse,
      );
      assert.equal(init.errorCode, 0);
      assert.ok(init.producerId >= 0n, `producer id ${init.producerId}`);
      assert.ok(init.producerEpoch >= 0);
      if (producerId !== undefined) assert.notEqual(init.producerId, producerId, "each InitProducerId gets a new id");
      producerId = init.producerId;
      producerEpoch = init.producerEpoch;
    }
  });
  after(async () => {
    client.destroy();
    assert.equal(await broker.stop(), 0, `broker did not exit cleanly:\n${broker.output.slice(-20).join("\n")}`);
  });

  test("sequences: in order appended, a resend is a duplicate, a gap is OUT_OF_ORDER_SEQUENCE_NUMBER", async () => {
    assert.equal((await send(0, 5)).baseOffset, 0n);
    assert.equal((await send(5, 5)).baseOffset, 5n);
    assertDuplicate(await send(0, 5), 0n);
    assertDuplicate(await send(5, 5), 5n);
    assert.equal((await send(20, 5)).errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    assert.equal((await send(10, 5)).baseOffset, 10n);
  });

  test("after a clean restart the broker still knows the producer's sequences", async () => {
    await restart("SIGTERM");
    assertDuplicate(await send(10, 5), 10n);
    assert.equal((await send(20, 5)).errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    assert.equal((await send(15, 5)).baseOffset, 15n);
  });

  test("after SIGKILL the state is rebuilt from the log", async () => {
    await restart("SIGKILL");
    assertDuplicate(await send(15, 5), 15n);
    assert.equal((await send(30, 5)).errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    assert.equal((await send(20, 5)).baseOffset, 20n);
  });

  test("a new epoch starts at sequence 0 and fences the old one", async () => {
    assert.equal((await send(0, 5, producerEpoch + 1)).baseOffset, 25n);
    assert.equal((await send(25, 5, producerEpoch)).errorCode, ErrorCode.INVALID_PRODUCER_EPOCH);
    assert.equal((await send(5, 5, producerEpoch + 1)).baseOffset, 30n);
    const { code, stdout, stderr } = await runCommand("kcat", [
      "-C",
      "-b",
      broker.bootstrap,
      "-t",
      "idem-wire",
      "-o",
      "beginning",
      "-e",
      "-q",
      "-f",
      "%o %s\\n",
    ]);
    assert.equal(code, 0, stderr);
    const expected = [
      ...Array.from({ length: 25 }, (_, i) => `${i} seq-${i}`),
      ...Array.from({ length: 10 }, (_, i) => `${25 + i} seq-${i}`),
    ];
    assert.deepEqual(stdout.split("\n").filter((l) => l !== ""), expected);
  });
});
