/**
 * Issue 17, storage (cases 3, 5, 6, 7, 9 and 10) against real broker processes: acknowledged records are
 * written, the files are damaged the way each case says, the broker is restarted, and it must start, keep
 * the right partitions online and the damaged ones offline (KAFKA_STORAGE_ERROR), say what it did at WARN
 * or ERROR naming the file, and still serve every acknowledged record that lives in an undamaged place.
 * The full-disk case mounts a small tmpfs and needs root; it skips itself otherwise.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import process from "node:process";
import { type BrokerOptions, type BrokerProcess, runCommand, startBroker, tempDir } from "./_broker.ts";
import { wireCaller, WireClient } from "./_wire.ts";
import { kcatRead, until } from "./_data_path.ts";
import { buildBatch } from "../../src/log/record_batch.ts";
import { ErrorCode } from "../../src/protocol/errors.ts";
import { decodeProduceResponse, encodeProduceRequest } from "../../src/protocol/generated/produce.ts";
import { decodeFetchResponse, encodeFetchRequest } from "../../src/protocol/generated/fetch.ts";
import {
  decodeInitProducerIdResponse,
  encodeInitProducerIdRequest,
} from "../../src/protocol/generated/init_producer_id.ts";

const call = wireCaller("hardening-storage");
const utf8 = new TextEncoder();
const IS_ROOT = process.getuid?.() === 0;
const TOPIC = "hs";
const PARTITIONS = 3;

/** A broker with a connected raw client; `restart` keeps the data dir. */
class Node {
  private constructor(public broker: BrokerProcess, public client: WireClient, private readonly opts: BrokerOptions) {}

  static async start(opts: BrokerOptions = {}): Promise<Node> {
    const broker = await startBroker("deno", {
      ...opts,
      overrides: { "num.partitions": PARTITIONS, ...opts.overrides },
    });
    return new Node(broker, await WireClient.connect(broker.port), opts);
  }

  get dir(): string {
    return this.broker.dataDir;
  }

  log(): string {
    return this.broker.output.join("\n");
  }

  async stop(signal: "SIGTERM" | "SIGKILL" = "SIGTERM"): Promise<number | null> {
    this.client.destroy();
    return await this.broker.stop(signal);
  }

  async restart(signal: "SIGTERM" | "SIGKILL" = "SIGTERM", between: () => void = () => {}): Promise<void> {
    const code = await this.stop(signal);
    if (signal === "SIGTERM") assert.equal(code, 0, this.log());
    between();
    this.broker = await startBroker("deno", {
      ...this.opts,
      dataDir: this.dir,
      overrides: { "num.partitions": PARTITIONS, ...this.opts.overrides },
    });
    this.client = await WireClient.connect(this.broker.port);
  }

  /** Produce one batch of `values` (acks=-1); the partition's error code and base offset. */
  async produce(partition: number, values: string[], ids?: { id: bigint; seq: number }): Promise<[number, bigint]> {
    const records = buildBatch(
      values.map((v) => ({ key: null, value: utf8.encode(v) })),
      ids ? { producerId: ids.id, producerEpoch: 0, baseSequence: ids.seq } : {},
    );
    const r = await call(
      this.client,
      0,
      9,
      {
        transactionalId: null,
        acks: -1,
        timeoutMs: 10_000,
        topicData: [{ name: TOPIC, partitionData: [{ index: partition, records }] }],
      },
      encodeProduceRequest,
      decodeProduceResponse,
    );
    const p = r.responses[0].partitionResponses[0];
    return [p.errorCode, p.baseOffset];
  }

  /** The error code a fetch from offset 0 gets for `partition`. */
  async fetchError(partition: number): Promise<number> {
    const r = await call(
      this.client,
      1,
      12,
      {
        clusterId: null,
        replicaId: -1,
        replicaState: { replicaId: -1, replicaEpoch: -1n },
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes: 1 << 20,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [{
          topic: TOPIC,
          topicId: "",
          partitions: [{
            partition,
            currentLeaderEpoch: -1,
            fetchOffset: 0n,
            lastFetchedEpoch: -1,
            logStartOffset: -1n,
            partitionMaxBytes: 1 << 20,
            replicaDirectoryId: "",
          }],
        }],
        forgottenTopicsData: [],
        rackId: "",
      },
      encodeFetchRequest,
      decodeFetchResponse,
    );
    return r.responses[0].partitions[0].errorCode;
  }

  async initProducerId(): Promise<bigint> {
    const r = await call(
      this.client,
      22,
      4,
      {
        transactionalId: null,
        transactionTimeoutMs: 60_000,
        producerId: -1n,
        producerEpoch: -1,
      },
      encodeInitProducerIdRequest,
      decodeInitProducerIdResponse,
    );
    assert.equal(r.errorCode, 0);
    return r.producerId;
  }

  /** Creates the topic (auto-creation through Metadata) and writes `batches` batches of 10 records to each partition. */
  async seed(batches: number): Promise<Map<number, Map<bigint, string>>> {
    const md = await runCommand("kcat", ["-L", "-b", this.broker.bootstrap, "-t", TOPIC, "-m", "10"]);
    assert.equal(md.code, 0, md.stderr);
    // Auto-creation may still be under way when the metadata answer arrives.
    await until("the topic exists", async () => (await this.fetchError(PARTITIONS - 1)) === 0, 10_000).catch((e) => {
      throw new Error(`${e.message}\n${this.log()}`);
    });
    const acked = new Map<number, Map<bigint, string>>();
    for (let p = 0; p < PARTITIONS; p++) {
      const got = new Map<bigint, string>();
      for (let b = 0; b < batches; b++) {
        const values = Array.from({ length: 10 }, (_, i) => `p${p}-b${b}-r${i}-${"x".repeat(40)}`);
        const [code, base] = await this.produce(p, values);
        assert.equal(code, 0, `produce to ${p} failed with ${code}`);
        values.forEach((v, i) => got.set(base + BigInt(i), v));
      }
      acked.set(p, got);
    }
    return acked;
  }

  /** Every record of `partition` by offset, read with kcat. */
  async read(partition: number): Promise<Map<bigint, string>> {
    const lines = await kcatRead(this.broker, TOPIC, { partition, format: "%o %s\\n", timeoutMs: 60_000 });
    return new Map(lines.map((l) => [BigInt(l.slice(0, l.indexOf(" "))), l.slice(l.indexOf(" ") + 1)]));
  }

  /** Asserts every acknowledged record of `partition` (except offsets `lost`) reads back unchanged. */
  async assertIntact(partition: number, acked: Map<bigint, string>, lost: (o: bigint) => boolean = () => false) {
    const got = await this.read(partition);
    let checked = 0;
    for (const [offset, value] of acked) {
      if (lost(offset)) continue;
      assert.equal(got.get(offset), value, `partition ${partition} offset ${offset}`);
      checked++;
    }
    assert.ok(checked > 0);
  }
}

async function withNode(opts: BrokerOptions, body: (node: Node) => Promise<void>): Promise<void> {
  const dataDir = opts.dataDir ?? tempDir();
  let node: Node | null = null;
  try {
    node = await Node.start({ ...opts, dataDir });
    await body(node);
  } finally {
    if (node?.broker.running) await node.stop("SIGKILL");
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const pdir = (node: Node, p: number) => path.join(node.dir, `${TOPIC}-${p}`);

describe("hardening: storage faults are survived and reported, never amplified", () => {
  test("case 6: a bit flip in partition.metadata is repaired, another topic id quarantines, nothing is deleted", async () => {
    await withNode({}, async (node) => {
      const acked = await node.seed(5);
      let log1Before = new Uint8Array();
      await node.restart("SIGTERM", () => {
        const m0 = path.join(pdir(node, 0), "partition.metadata");
        const bytes = fs.readFileSync(m0);
        bytes[bytes.length - 2] ^= 0x01;
        fs.writeFileSync(m0, bytes);
        fs.writeFileSync(
          path.join(pdir(node, 1), "partition.metadata"),
          "version: 0\ntopic_id: ZZZZZZZZZZZZZZZZZZZZZQ\n",
        );
        log1Before = fs.readFileSync(path.join(pdir(node, 1), "00000000000000000000.log"));
      });
      assert.match(node.log(), /WARN .*hs-0: .*partition\.metadata is damaged .* rewriting it/);
      assert.match(node.log(), /ERROR .*hs-1\/partition\.metadata names topic id ZZZZZZZZZZZZZZZZZZZZZQ.* quarantined/);
      await node.assertIntact(0, acked.get(0)!);
      await node.assertIntact(2, acked.get(2)!);
      assert.equal((await node.produce(1, ["x"]))[0], ErrorCode.KAFKA_STORAGE_ERROR);
      assert.equal(await node.fetchError(1), ErrorCode.KAFKA_STORAGE_ERROR);
      // A second restart deletes nothing either.
      await node.restart();
      assert.deepEqual(fs.readFileSync(path.join(pdir(node, 1), "00000000000000000000.log")), log1Before);
      assert.deepEqual(fs.readdirSync(node.dir).filter((n) => n.includes("-delete")), []);
    });
  });

  test("case 7: garbage checkpoint, corrupt producer-id file and a deleted topics registry", async () => {
    await withNode({}, async (node) => {
      const acked = await node.seed(3);
      const oldId = await node.initProducerId();
      await node.restart("SIGTERM", () => {
        fs.writeFileSync(path.join(node.dir, "recovery-point-offset-checkpoint"), "\u00ff\u00fegarbage\n7\n");
        fs.writeFileSync(path.join(node.dir, "__tsbroker_producer_ids"), "\u0000\u0013 not a number");
        fs.rmSync(path.join(node.dir, "__tsbroker_topics.msgpack"));
      });
      const log = node.log();
      assert.match(log, /WARN .*Ignoring checkpoint file .*recovery-point-offset-checkpoint/);
      assert.match(log, /WARN .*Producer id file .*__tsbroker_producer_ids cannot be read/);
      assert.match(
        log,
        /WARN .*Topic registry .*__tsbroker_topics\.msgpack is missing\. Rebuilt it .*hs \(id .{22}, 3 partitions\)/,
      );
      for (let p = 0; p < PARTITIONS; p++) await node.assertIntact(p, acked.get(p)!);
      const newId = await node.initProducerId();
      assert.ok(newId > oldId, `producer id ${newId} after ${oldId}`);
      assert.equal((await node.produce(0, ["idem"], { id: newId, seq: 0 }))[0], 0);
      // Deleting the producer-id file and its backup as well: ids still do not restart at 0.
      await node.restart("SIGTERM", () => {
        fs.rmSync(path.join(node.dir, "__tsbroker_producer_ids"));
        fs.rmSync(path.join(node.dir, "__tsbroker_producer_ids.backup"));
      });
      const third = await node.initProducerId();
      assert.ok(third > newId, `producer id ${third} after ${newId}`);
      assert.equal((await node.produce(0, ["idem2"], { id: third, seq: 0 }))[0], 0);
    });
  });

  test("case 9: a partition directory removed at run time goes offline loudly and its records survive", async () => {
    await withNode({}, async (node) => {
      const acked = await node.seed(5);
      fs.rmSync(pdir(node, 1), { recursive: true });
      await until("the partition is offline", async () => (await node.produce(1, ["late"]))[0] !== 0, 15_000);
      assert.equal((await node.produce(1, ["late"]))[0], ErrorCode.KAFKA_STORAGE_ERROR);
      assert.equal(await node.fetchError(1), ErrorCode.KAFKA_STORAGE_ERROR);
      assert.equal((await node.produce(0, ["still"]))[0], 0);
      assert.match(node.log(), /ERROR .*Partition hs-1 is offline: .*hs-1 was removed while the broker ran/);
      await node.restart("SIGTERM");
      // The shutdown was not counted as clean, and the restart finds every acknowledged record.
      assert.match(node.log(), /after an unclean shutdown/);
      await node.assertIntact(1, acked.get(1)!);
    });
  });

  test("case 10: a bit flip in a sealed segment cuts only that segment's tail; an unopenable partition stays offline", async () => {
    await withNode({ overrides: { "log.segment.bytes": 2048 } }, async (node) => {
      const acked = await node.seed(20);
      const segs = () => fs.readdirSync(pdir(node, 0)).filter((n) => n.endsWith(".log")).sort();
      assert.ok(segs().length >= 5, `${segs().length} segments`);
      let damaged = { from: 0n, to: 0n };
      await node.restart("SIGKILL", () => {
        const [first, second] = segs();
        const file = path.join(pdir(node, 0), first);
        const bytes = fs.readFileSync(file);
        bytes[bytes.length - 30] ^= 0x10; // in the last batch's records: its CRC fails
        fs.writeFileSync(file, bytes);
        // Offsets from the damaged batch to the next segment's base are what may go.
        const view = new DataView(bytes.buffer, bytes.byteOffset);
        let pos = 0;
        let last = 0;
        while (pos < bytes.length) {
          last = pos;
          pos += 12 + view.getInt32(pos + 8);
        }
        damaged = { from: view.getBigInt64(last), to: BigInt(second.slice(0, 20)) };
        // Partition 2 cannot be opened: chmod 000 for a normal user; root reads through that, so a
        // directory stands where its segment should be.
        if (IS_ROOT) {
          const seg = path.join(pdir(node, 2), "00000000000000000000.log");
          fs.renameSync(seg, `${seg}.moved`);
          fs.mkdirSync(seg);
        } else {
          fs.chmodSync(pdir(node, 2), 0);
        }
      });
      const log = node.log();
      assert.match(
        log,
        /ERROR .*Recovery of hs-0 truncated damaged data: .*fails its CRC; \d+ bytes from byte \d+ \(offsets \d+\.\.\d+\) moved to .*\.corrupt; the \d+ later segment\(s\) from offset \d+ are kept/,
      );
      assert.match(log, /ERROR .*Partition hs-2 cannot be opened/);
      assert.ok(fs.readdirSync(pdir(node, 0)).some((n) => n.endsWith(".corrupt")));
      await node.assertIntact(0, acked.get(0)!, (o) => o >= damaged.from && o < damaged.to);
      await node.assertIntact(1, acked.get(1)!);
      assert.equal(await node.fetchError(2), ErrorCode.KAFKA_STORAGE_ERROR);
      // Fixed by the operator: the partition comes back on its own, with its data.
      if (IS_ROOT) {
        const seg = path.join(pdir(node, 2), "00000000000000000000.log");
        fs.rmdirSync(seg);
        fs.renameSync(`${seg}.moved`, seg);
      } else {
        fs.chmodSync(pdir(node, 2), 0o755);
      }
      await until("partition 2 is back", async () => (await node.fetchError(2)) === 0, 15_000);
      await node.assertIntact(2, acked.get(2)!);
    });
  });

  test("case 3: many segments restart under a low descriptor limit (segment files open on demand)", async () => {
    const dataDir = tempDir();
    await withNode({ dataDir, overrides: { "log.segment.bytes": 1024 } }, async (node) => {
      // 3 partitions x ~150 segments: more .log files than a 256-descriptor process can hold at once.
      const acked = await node.seed(150);
      const total = [0, 1, 2].reduce(
        (n, p) => n + fs.readdirSync(pdir(node, p)).filter((f) => f.endsWith(".log")).length,
        0,
      );
      assert.ok(total > 400, `${total} segments`);
      await node.stop("SIGTERM");
      // Deno raises its soft limit to the hard one at start: both are lowered for the restarted broker.
      node.broker = await startBroker("deno", {
        dataDir,
        launcher: ["prlimit", "--nofile=256:256", "--"],
        overrides: { "num.partitions": PARTITIONS, "log.segment.bytes": 1024 },
      });
      node.client = await WireClient.connect(node.broker.port);
      assert.doesNotMatch(node.log(), /EMFILE|Too many open files/);
      assert.equal((await node.produce(0, ["after"]))[0], 0);
      const fds = fs.readdirSync(`/proc/${node.broker.pid}/fd`).length;
      assert.ok(fds < 256, `${fds} descriptors open`);
      for (let p = 0; p < PARTITIONS; p++) await node.assertIntact(p, acked.get(p)!);
    });
  });

  test("case 5: a full disk fails produces, never kills the broker, leaves no .tmp, and recovers", {
    skip: IS_ROOT ? false : "needs root to mount a small tmpfs",
  }, async () => {
    const mount = tempDir("tsbroker-tmpfs-");
    const mounted = await runCommand("mount", ["-t", "tmpfs", "-o", "size=16m", "tmpfs", mount]);
    assert.equal(mounted.code, 0, mounted.stderr);
    try {
      const dataDir = path.join(mount, "data");
      fs.mkdirSync(dataDir);
      await withNode({ dataDir, overrides: { "log.flush.offset.checkpoint.interval.ms": 500 } }, async (node) => {
        const acked = await node.seed(5);
        // Fill the disk.
        const filler = path.join(mount, "filler");
        const fd = fs.openSync(filler, "w");
        const chunk = new Uint8Array(1 << 16);
        try {
          for (let i = 0; i < 1024; i++) fs.writeSync(fd, chunk);
        } catch (e) {
          assert.equal((e as { code?: string }).code, "ENOSPC");
        } finally {
          fs.closeSync(fd);
        }
        const big = Array.from({ length: 10 }, () => "y".repeat(20_000));
        assert.equal((await node.produce(0, big))[0], ErrorCode.KAFKA_STORAGE_ERROR);
        // Several checkpoint intervals pass on the full disk: still up, still serving reads.
        await new Promise((r) => setTimeout(r, 3000));
        assert.ok(node.broker.running, node.log());
        assert.match(node.log(), /ERROR .*Writing the checkpoint files in .* failed/);
        assert.deepEqual(fs.readdirSync(dataDir).filter((n) => n.endsWith(".tmp")), []);
        await node.assertIntact(1, acked.get(1)!);
        // Space comes back: so do appends and checkpoints.
        fs.rmSync(filler);
        const [code, base] = await node.produce(0, ["after"]);
        assert.equal(code, 0);
        acked.get(0)!.set(base, "after");
        await until("checkpoints are written again", () => /Checkpoint files .* written again/.test(node.log()), 5000);
        await node.restart();
        for (let p = 0; p < PARTITIONS; p++) await node.assertIntact(p, acked.get(p)!);
      });
    } finally {
      await runCommand("umount", [mount]);
      fs.rmSync(mount, { recursive: true, force: true });
    }
  });
});
