/**
 * Crash safety. A librdkafka producer (tests/integration/clients/
 * crash_producer.py) writes numbered records while the broker is killed
 * with SIGKILL; the broker is restarted on the same data directory without
 * help and every acknowledged record must be there, at the offset it was
 * acknowledged with, offsets contiguous, nothing duplicated, and start-up
 * must say that it recovered. Runs in durable mode (tsbroker.fsync.acks.all,
 * acks=all) and in Kafka's default mode (acks=1).
 *
 * Torn tails: with the broker killed, the newest segment of each partition
 * is damaged the ways a crash can leave it (half a batch, random bytes,
 * zeros, a batch whose CRC no longer matches); on start the broker must cut
 * each log back to its last valid batch, say so, and carry on appending.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { type BrokerProcess, ROOT, runCommand, startBroker, tempDir } from "./_broker.ts";
import { kcatRead } from "./_data_path.ts";
import { BASE_OFFSET_OFFSET, readBatchHeader, writeBatchCrc } from "../../src/log/record_batch.ts";

const PARTITIONS = 4;

interface Ack {
  partition: number;
  offset: number;
  seq: number;
}

/** Runs crash_producer.py; calls `onAcks` with the running count; resolves when it exits. */
function runProducer(
  broker: BrokerProcess,
  topic: string,
  acks: string,
  onAcks: (count: number) => void,
): Promise<{ acks: Ack[]; done: number[]; stderr: string }> {
  const child = spawn("/usr/bin/python3", [
    path.join(ROOT, "tests/integration/clients/crash_producer.py"),
    broker.bootstrap,
    topic,
    String(PARTITIONS),
    acks,
    "30",
  ], { cwd: ROOT });
  const acked: Ack[] = [];
  let done: number[] = [];
  let stderr = "";
  let pending = "";
  child.stderr.on("data", (d) => (stderr += d));
  child.stdout.on("data", (d) => {
    pending += d;
    let at;
    while ((at = pending.indexOf("\n")) >= 0) {
      const [kind, ...fields] = pending.slice(0, at).split(" ");
      pending = pending.slice(at + 1);
      const numbers = fields.map(Number);
      if (kind === "ack") acked.push({ partition: numbers[0], offset: numbers[1], seq: numbers[2] });
      else if (kind === "done") done = numbers;
    }
    onAcks(acked.length);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`crash_producer.py did not finish: ${stderr}`));
    }, 60_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`crash_producer.py exited with ${code}: ${stderr}`));
      else resolve({ acks: acked, done, stderr });
    });
  });
}

/** kcat -C of a whole topic: [partition, offset, value] per record. */
async function readAll(broker: BrokerProcess, topic: string): Promise<Array<[number, number, string]>> {
  const lines = await kcatRead(broker, topic, { format: "%p %o %s\\n", timeoutMs: 60_000, failure: "kcat -C failed" });
  return lines.map((l) => {
    const [p, o, v] = l.split(" ");
    return [Number(p), Number(o), v];
  });
}

async function crashMidProduce(durable: boolean): Promise<void> {
  const dataDir = tempDir("tsbroker-crash-");
  const overrides = { "num.partitions": PARTITIONS, "tsbroker.fsync.acks.all": durable };
  let broker = await startBroker("deno", { dataDir, overrides });
  let killedAt = 0;
  try {
    const md = await runCommand("kcat", ["-L", "-b", broker.bootstrap, "-t", "crash", "-m", "10"]);
    assert.equal(md.code, 0, md.stderr);
    const killer = broker;
    const run = await runProducer(broker, "crash", durable ? "all" : "1", (count) => {
      // Kill once enough is acknowledged for every partition to have many batches.
      if (count >= 20_000 && killedAt === 0) {
        killedAt = count;
        killer.stop("SIGKILL");
      }
    });
    assert.ok(killedAt > 0, `the producer never got 20,000 acks: ${run.stderr}`);
    assert.equal(await broker.stop(), null, "the broker should have died of SIGKILL");
    const [sent, acked] = run.done;
    assert.equal(acked, run.acks.length);
    assert.ok(sent > acked, "the kill should have caught records in flight");

    broker = await startBroker("deno", { dataDir, overrides });
    assert.ok(
      broker.output.some((l) => /recover|unclean/i.test(l)),
      `start-up after SIGKILL does not say it recovered:\n${broker.output.join("\n")}`,
    );
    const records = await readAll(broker, "crash");
    const bySeq = new Map<number, [number, number]>();
    const next = new Array<number>(PARTITIONS).fill(0);
    for (const [partition, offset, value] of records) {
      assert.equal(offset, next[partition], `partition ${partition}: offset ${offset} after ${next[partition] - 1}`);
      next[partition] = offset + 1;
      assert.match(value, /^\d{10}x{90}$/, `damaged record at ${partition}/${offset}`);
      const seq = Number(value.slice(0, 10));
      assert.equal(seq % PARTITIONS, partition);
      assert.ok(!bySeq.has(seq), `record ${seq} is in the log twice`);
      bySeq.set(seq, [partition, offset]);
    }
    for (const ack of run.acks) {
      assert.deepEqual(bySeq.get(ack.seq), [ack.partition, ack.offset], `acknowledged record ${ack.seq} lost or moved`);
    }

    // The recovered log takes new records at the next offsets.
    const put = await runCommand("kcat", ["-P", "-b", broker.bootstrap, "-t", "crash", "-p", "0"], {
      input: "after-restart\n",
    });
    assert.equal(put.code, 0, put.stderr);
    const tail = (await readAll(broker, "crash")).filter(([p]) => p === 0).at(-1);
    assert.deepEqual(tail, [0, next[0], "after-restart"]);
  } finally {
    await broker.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

describe("SIGKILL in the middle of a produce run", () => {
  test("durable mode (tsbroker.fsync.acks.all=true, acks=all): every acknowledged record survives", async () => {
    await crashMidProduce(true);
  });
  test("default mode (acks=1): every acknowledged record survives, offsets stay contiguous", async () => {
    await crashMidProduce(false);
  });
});

/** Start and end of every batch in a segment file. */
function batchesOf(bytes: Uint8Array): Array<{ start: number; end: number; baseOffset: bigint; lastOffset: bigint }> {
  const out = [];
  let pos = 0;
  while (pos < bytes.length) {
    const h = readBatchHeader(bytes, pos);
    const lastOffset = h.baseOffset + BigInt(h.lastOffsetDelta);
    out.push({ start: pos, end: pos + h.sizeInBytes, baseOffset: h.baseOffset, lastOffset });
    pos += h.sizeInBytes;
  }
  return out;
}

function newestSegment(dir: string): string {
  const logs = fs.readdirSync(dir).filter((f) => f.endsWith(".log")).sort();
  return path.join(dir, logs[logs.length - 1]);
}

describe("torn tails are cut back on start-up", () => {
  test("half a batch, random bytes, zeros and a bad CRC at the end of a segment", async () => {
    const dataDir = tempDir("tsbroker-torn-");
    let broker = await startBroker("deno", { dataDir, overrides: { "num.partitions": PARTITIONS } });
    try {
      for (let p = 0; p < PARTITIONS; p++) {
        const input = Array.from({ length: 1000 }, (_, i) => `p${p}-${i}`).join("\n") + "\n";
        const put = await runCommand("kcat", [
          "-P",
          "-b",
          broker.bootstrap,
          "-t",
          "tail",
          "-p",
          String(p),
          "-X",
          "linger.ms=0",
          "-X",
          "batch.num.messages=50",
        ], { input });
        assert.equal(put.code, 0, put.stderr);
      }
      assert.equal(await broker.stop("SIGKILL"), null);

      // What each partition must hold after recovery: [kept records, kept bytes].
      const expected: Array<[number, number]> = [];
      for (let p = 0; p < PARTITIONS; p++) {
        const file = newestSegment(path.join(dataDir, `tail-${p}`));
        const bytes = new Uint8Array(fs.readFileSync(file));
        const batches = batchesOf(bytes);
        assert.ok(batches.length > 2, `tail-${p} holds only ${batches.length} batches`);
        const last = batches[batches.length - 1];
        let tail: Uint8Array;
        if (p === 0) {
          // Half of a next batch: a copy of the last one, renumbered, cut in the middle.
          const copy = bytes.slice(last.start, last.end);
          new DataView(copy.buffer).setBigInt64(BASE_OFFSET_OFFSET, last.lastOffset + 1n);
          writeBatchCrc(copy, 0, copy.length);
          tail = copy.subarray(0, copy.length >> 1);
          expected.push([1000, bytes.length]);
        } else if (p === 1) {
          tail = crypto.getRandomValues(new Uint8Array(1000));
          expected.push([1000, bytes.length]);
        } else if (p === 2) {
          tail = new Uint8Array(4096);
          expected.push([1000, bytes.length]);
        } else {
          // Damage the last whole batch instead of appending: its records are lost, the rest stays.
          bytes[last.end - 2] ^= 0xff;
          fs.writeFileSync(file, bytes);
          tail = new Uint8Array(0);
          expected.push([Number(last.baseOffset), last.start]);
        }
        fs.appendFileSync(file, tail);
      }

      broker = await startBroker("deno", { dataDir, overrides: { "num.partitions": PARTITIONS } });
      for (let p = 0; p < PARTITIONS; p++) {
        assert.ok(
          broker.output.some((l) => l.includes(`tail-${p}`) && /truncat/i.test(l)),
          `start-up does not report truncating tail-${p}:\n${broker.output.join("\n")}`,
        );
      }
      const records = await readAll(broker, "tail");
      for (let p = 0; p < PARTITIONS; p++) {
        const [count, size] = expected[p];
        const mine = records.filter(([q]) => q === p);
        assert.deepEqual(mine, Array.from({ length: count }, (_, i) => [p, i, `p${p}-${i}`]), `tail-${p}`);
        const file = newestSegment(path.join(dataDir, `tail-${p}`));
        // The damaged bytes are gone from the file, which ends with its last valid batch.
        assert.equal(fs.statSync(file).size, size, `tail-${p}: segment not truncated to its last valid batch`);
        const put = await runCommand("kcat", ["-P", "-b", broker.bootstrap, "-t", "tail", "-p", String(p)], {
          input: "appended\n",
        });
        assert.equal(put.code, 0, put.stderr);
      }
      const after = await readAll(broker, "tail");
      for (let p = 0; p < PARTITIONS; p++) {
        assert.deepEqual(after.filter(([q]) => q === p).at(-1), [p, expected[p][0], "appended"]);
      }
    } finally {
      assert.equal(await broker.stop(), 0, broker.output.slice(-20).join("\n"));
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
