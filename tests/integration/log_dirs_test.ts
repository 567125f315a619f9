/**
 * Several log dirs (issue 12) on a real broker process with two `log.dirs`:
 * DescribeLogDirs lists every partition in the dir that holds it with its
 * size on disk; AlterReplicaLogDirs moves a partition while a librdkafka
 * producer writes to it, and every acknowledged record is read back (kcat)
 * at its offset, in order; a SIGKILL right after a move starts loses
 * nothing and leaves the partition in exactly one dir after the restart.
 * Kafka's own tools drive it too: kafka-log-dirs --describe and
 * kafka-reassign-partitions with log_dirs (--execute, --verify).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { type BrokerProcess, ROOT, runCommand, startBroker, tempDir } from "./_broker.ts";
import { kcatRead, until } from "./_data_path.ts";
import { type WireCall, wireCaller, WireClient } from "./_wire.ts";
import {
  decodeDescribeLogDirsResponse,
  type DescribeLogDirsResponse,
  encodeDescribeLogDirsRequest,
} from "../../src/protocol/generated/describe_log_dirs.ts";
import {
  decodeAlterReplicaLogDirsResponse,
  encodeAlterReplicaLogDirsRequest,
} from "../../src/protocol/generated/alter_replica_log_dirs.ts";
import { ErrorCode } from "../../src/protocol/errors.ts";
import { javaCommand, kafkaClasspath } from "../../scripts/kafka/reference.ts";

const call: WireCall = wireCaller("log-dirs-test");

function twoDirs(): { root: string; dirs: [string, string] } {
  const root = tempDir("tsbroker-logdirs-");
  return { root, dirs: [path.join(root, "a"), path.join(root, "b")] };
}

async function describeDirs(client: WireClient): Promise<DescribeLogDirsResponse> {
  return await call(client, 35, 4, { topics: null }, encodeDescribeLogDirsRequest, decodeDescribeLogDirsResponse);
}

/** partition → [dir, size, isFuture] of one topic, from a DescribeLogDirs answer. */
function placement(res: DescribeLogDirsResponse, topic: string): Array<[number, string, bigint, boolean]> {
  const out: Array<[number, string, bigint, boolean]> = [];
  for (const r of res.results) {
    for (const t of r.topics) {
      if (t.name !== topic) continue;
      for (const p of t.partitions) out.push([p.partitionIndex, r.logDir, p.partitionSize, p.isFutureKey]);
    }
  }
  return out.sort((a, b) => a[0] - b[0] || Number(a[3]) - Number(b[3]));
}

async function alterDir(client: WireClient, dir: string, topic: string, partition: number): Promise<number> {
  const res = await call(
    client,
    34,
    2,
    { dirs: [{ path: dir, topics: [{ name: topic, partitions: [partition] }] }] },
    encodeAlterReplicaLogDirsRequest,
    decodeAlterReplicaLogDirsResponse,
  );
  return res.results[0].partitions[0].errorCode;
}

function logBytes(partitionDir: string): bigint {
  let total = 0n;
  for (const f of fs.readdirSync(partitionDir)) {
    if (f.endsWith(".log")) total += BigInt(fs.statSync(path.join(partitionDir, f)).size);
  }
  return total;
}

async function produceLines(broker: BrokerProcess, topic: string, partition: number, count: number): Promise<void> {
  const input = Array.from({ length: count }, (_, i) => `p${partition}-${i}`).join("\n") + "\n";
  const put = await runCommand("kcat", ["-P", "-b", broker.bootstrap, "-t", topic, "-p", String(partition)], { input });
  assert.equal(put.code, 0, put.stderr);
}

interface Ack {
  partition: number;
  offset: number;
  seq: number;
}

/** tests/integration/clients/crash_producer.py for `seconds`; `onAcks` sees the running count. */
function runProducer(
  broker: BrokerProcess,
  topic: string,
  partitions: number,
  seconds: number,
  onAcks: (count: number) => void,
): Promise<{ acks: Ack[]; stderr: string }> {
  const child = spawn("/usr/bin/python3", [
    path.join(ROOT, "tests/integration/clients/crash_producer.py"),
    broker.bootstrap,
    topic,
    String(partitions),
    "all",
    String(seconds),
  ], { cwd: ROOT });
  const acks: Ack[] = [];
  let stderr = "";
  let pending = "";
  child.stderr.on("data", (d) => (stderr += d));
  child.stdout.on("data", (d) => {
    pending += d;
    let at;
    while ((at = pending.indexOf("\n")) >= 0) {
      const [kind, ...fields] = pending.slice(0, at).split(" ");
      pending = pending.slice(at + 1);
      const n = fields.map(Number);
      if (kind === "ack") acks.push({ partition: n[0], offset: n[1], seq: n[2] });
    }
    onAcks(acks.length);
  });
  return new Promise((resolve, reject) => {
    child.on("close", () => resolve({ acks, stderr }));
    child.on("error", reject);
  });
}

/** Every acknowledged record at its offset, each partition's offsets contiguous from 0, nothing twice. */
async function assertAllAcked(broker: BrokerProcess, topic: string, partitions: number, acks: Ack[]): Promise<void> {
  const lines = await kcatRead(broker, topic, { format: "%p %o %s\\n", timeoutMs: 60_000, failure: "kcat -C" });
  const next = new Array<number>(partitions).fill(0);
  const bySeq = new Map<number, string>();
  for (const line of lines) {
    const [p, o, v] = line.split(" ");
    const partition = Number(p);
    assert.equal(Number(o), next[partition], `partition ${p}: offset ${o} after ${next[partition] - 1}`);
    next[partition]++;
    const seq = Number(v.slice(0, 10));
    assert.ok(!bySeq.has(seq), `record ${seq} is in the log twice`);
    bySeq.set(seq, `${p}/${o}`);
  }
  for (const a of acks) {
    assert.equal(bySeq.get(a.seq), `${a.partition}/${a.offset}`, `acknowledged record ${a.seq} lost or moved`);
  }
}

/** The log dirs holding `<topic>-<p>` (and no -future or -moved leftovers anywhere). */
function holders(dirs: string[], name: string): string[] {
  for (const d of dirs) {
    const leftovers = fs.readdirSync(d).filter((e) => e.startsWith(`${name}.`));
    assert.deepEqual(leftovers, [], `leftovers of a move in ${d}`);
  }
  return dirs.filter((d) => fs.existsSync(path.join(d, name)));
}

describe("two log dirs", () => {
  test("DescribeLogDirs lists every partition in the dir holding it, with its size on disk", async () => {
    const { root, dirs } = twoDirs();
    const broker = await startBroker("deno", {
      dataDir: dirs[0],
      overrides: { "log.dirs": dirs.join(","), "num.partitions": 4 },
    });
    try {
      for (let p = 0; p < 4; p++) await produceLines(broker, "spread", p, 100 * (p + 1));
      const client = await WireClient.connect(broker.port);
      const res = await describeDirs(client);
      client.destroy();
      assert.equal(res.errorCode, ErrorCode.NONE);
      assert.deepEqual(res.results.map((r) => r.logDir).sort(), [...dirs].sort());
      for (const r of res.results) {
        assert.equal(r.errorCode, ErrorCode.NONE);
        assert.ok(r.totalBytes > 0n && r.usableBytes > 0n && r.usableBytes <= r.totalBytes);
      }
      const found = placement(res, "spread");
      assert.deepEqual(found.map(([p]) => p), [0, 1, 2, 3]);
      for (const [p, dir, size, isFuture] of found) {
        assert.equal(isFuture, false);
        assert.ok(fs.existsSync(path.join(dir, `spread-${p}`)), `spread-${p} is not in ${dir}`);
        assert.equal(size, logBytes(path.join(dir, `spread-${p}`)), `size of spread-${p}`);
        assert.ok(size > 0n);
      }
      // Kafka's rule: a new partition goes to the dir with the fewest, so both dirs get two.
      assert.deepEqual(dirs.map((d) => found.filter(([, dir]) => dir === d).length), [2, 2]);
      for (const d of dirs) {
        assert.ok(fs.existsSync(path.join(d, "meta.properties")), `no meta.properties in ${d}`);
        assert.ok(fs.existsSync(path.join(d, "recovery-point-offset-checkpoint")), `no checkpoint in ${d}`);
      }
      const ids = dirs.map((d) =>
        /cluster\.id=(.*)/.exec(fs.readFileSync(path.join(d, "meta.properties"), "utf8"))![1]
      );
      assert.equal(ids[0], ids[1], "both dirs belong to one cluster");
    } finally {
      await broker.stop();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  test("AlterReplicaLogDirs moves a partition while it is produced to; every acknowledged record stays", async () => {
    const { root, dirs } = twoDirs();
    const broker = await startBroker("deno", {
      dataDir: dirs[0],
      overrides: { "log.dirs": dirs.join(","), "num.partitions": 2, "log.segment.bytes": 1_048_576 },
    });
    try {
      const md = await runCommand("kcat", ["-L", "-b", broker.bootstrap, "-t", "moving", "-m", "10"]);
      assert.equal(md.code, 0, md.stderr);
      const client = await WireClient.connect(broker.port);
      const before = placement(await describeDirs(client), "moving");
      const from = before.find(([p]) => p === 0)![1];
      const to = dirs.find((d) => d !== from)!;
      let moveAsked: Promise<number> | null = null;
      const run = await runProducer(broker, "moving", 2, 8, (count) => {
        if (count >= 20_000 && moveAsked === null) moveAsked = alterDir(client, to, "moving", 0);
      });
      assert.ok(moveAsked !== null, `the producer never got 20,000 acks: ${run.stderr}`);
      assert.equal(await moveAsked, ErrorCode.NONE);
      await until("moving-0 is in its new dir", async () => {
        const now = placement(await describeDirs(client), "moving").filter(([p]) => p === 0);
        return now.length === 1 && now[0][1] === to && !now[0][3];
      }, 30_000);
      client.destroy();
      assert.deepEqual(holders(dirs, "moving-0"), [to]);
      assert.ok(broker.output.some((l) => /Moved moving-0/.test(l)), broker.output.join("\n"));
      await assertAllAcked(broker, "moving", 2, run.acks);
    } finally {
      await broker.stop();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  test("Kafka's kafka-log-dirs and kafka-reassign-partitions (log_dirs) work against it", async () => {
    const { root, dirs } = twoDirs();
    const broker = await startBroker("deno", {
      dataDir: dirs[0],
      overrides: { "log.dirs": dirs.join(","), "num.partitions": 2 },
    });
    try {
      await produceLines(broker, "tools", 0, 10);
      const classpath = await kafkaClasspath();
      const tool = async (cls: string, args: string[]) => {
        const out = await runCommand(javaCommand(), [
          "-cp",
          classpath,
          cls,
          "--bootstrap-server",
          broker.bootstrap,
          ...args,
        ]);
        assert.equal(out.code, 0, `${cls}: ${out.stderr}`);
        return out.stdout;
      };
      const logDirs = async () => {
        const out = await tool("org.apache.kafka.tools.LogDirsCommand", ["--describe", "--topic-list", "tools"]);
        const json = JSON.parse(out.split("\n").find((l) => l.startsWith("{"))!);
        const found: Record<string, string> = {};
        for (const d of json.brokers[0].logDirs) for (const p of d.partitions) found[p.partition] = d.logDir;
        return found;
      };
      const before = await logDirs();
      assert.deepEqual(Object.keys(before).sort(), ["tools-0", "tools-1"]);
      const to = dirs.find((d) => d !== before["tools-0"])!;
      const plan = path.join(root, "plan.json");
      fs.writeFileSync(
        plan,
        JSON.stringify({ version: 1, partitions: [{ topic: "tools", partition: 0, replicas: [1], log_dirs: [to] }] }),
      );
      const reassign = "org.apache.kafka.tools.reassign.ReassignPartitionsCommand";
      assert.match(
        await tool(reassign, ["--execute", "--reassignment-json-file", plan]),
        /Successfully started moving/,
      );
      await until("kafka-reassign-partitions --verify says the move completed", async () => {
        const out = await tool(reassign, ["--verify", "--reassignment-json-file", plan]);
        return /Reassignment of replica tools-0-1 completed successfully/.test(out);
      }, 30_000);
      assert.equal((await logDirs())["tools-0"], to);
      assert.equal((await kcatRead(broker, "tools", { partition: 0, format: "%s\n" })).length, 10);
    } finally {
      await broker.stop();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  test("SIGKILL during a move: after the restart nothing is lost and one copy remains", async () => {
    const { root, dirs } = twoDirs();
    const overrides = { "log.dirs": dirs.join(","), "num.partitions": 1, "log.segment.bytes": 1_048_576 };
    let broker = await startBroker("deno", { dataDir: dirs[0], overrides });
    try {
      const run = await runProducer(broker, "crashmove", 1, 4, () => {});
      assert.ok(run.acks.length > 10_000, `too few acks: ${run.stderr}`);
      const client = await WireClient.connect(broker.port);
      const from = placement(await describeDirs(client), "crashmove")[0][1];
      const to = dirs.find((d) => d !== from)!;
      assert.equal(await alterDir(client, to, "crashmove", 0), ErrorCode.NONE);
      client.destroy();
      assert.equal(await broker.stop("SIGKILL"), null);

      broker = await startBroker("deno", { dataDir: dirs[0], overrides });
      await assertAllAcked(broker, "crashmove", 1, run.acks);
      // The interrupted move resumes (or had finished): it ends in the destination, once.
      const again = await WireClient.connect(broker.port);
      await until("crashmove-0 is in its new dir", async () => {
        const now = placement(await describeDirs(again), "crashmove");
        return now.length === 1 && now[0][1] === to;
      }, 30_000);
      again.destroy();
      assert.deepEqual(holders(dirs, "crashmove-0"), [to]);
      await assertAllAcked(broker, "crashmove", 1, run.acks);
    } finally {
      await broker.stop();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
