/**
 * Power loss, not just process death. The broker runs in durable mode
 * (tsbroker.fsync.acks.all) under an LD_PRELOAD shim (shim.c) that journals
 * every write, sync, create, rename and unlink it makes in its data dir;
 * acks=all producers note when each acknowledgement arrived. Then, for 100
 * cut points chosen with a fixed seed, the test builds the disk image a
 * power cut at that point could leave (disk_model.ts: what was synced, plus
 * a random, possibly torn, subset of the rest), starts a broker on it
 * without the shim and checks that every record acknowledged before the cut
 * is readable at its offset with its content.
 *
 * The journal is complete: Deno's file I/O is Rust std over glibc
 * (open64, write, pwrite64, fdatasync, rename...), checked against strace
 * of the same run; fds Deno clones for async syncs (fcntl F_DUPFD) are
 * followed; calls the model cannot replay fail the test.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { type BrokerProcess, ROOT, runCommand, startBroker, tempDir } from "../integration/_broker.ts";
import { parseJournal } from "./journal.ts";
import { DiskHistory } from "./disk_model.ts";
import { type AckedRecord, createTopic, monotonicNs, produce, readAll, seeded } from "./workload.ts";

const SEED = 17;
const CUTS = 100;
const TOPIC = "durable";
const PARTITIONS = 3;

const overrides = {
  "tsbroker.fsync.acks.all": true,
  "num.partitions": PARTITIONS,
  // Small segments, frequent checkpoints and early roll syncs: the cuts land in rolls, producer
  // snapshots, index writes and checkpoint replacements, not only in appends.
  "log.segment.bytes": 64 * 1024,
  "log.flush.offset.checkpoint.interval.ms": 300,
  "log.flush.start.offset.checkpoint.interval.ms": 300,
  "tsbroker.log.roll.flush.delay.ms": 500,
};

async function compileShim(dir: string): Promise<string> {
  const out = path.join(dir, "shim.so");
  const src = path.join(ROOT, "tests/powerloss/shim.c");
  const { code, stderr } = await runCommand("cc", ["-O2", "-shared", "-fPIC", "-o", out, src, "-ldl"]);
  assert.equal(code, 0, `compiling the shim failed: ${stderr}`);
  return out;
}

/** Runs the durable workload under the shim; returns the acknowledged records and the journal. */
async function recordRun(work: string, shim: string): Promise<{ acked: AckedRecord[]; history: DiskHistory }> {
  const dataDir = fs.realpathSync(fs.mkdtempSync(path.join(work, "data-")));
  const journal = path.join(work, "journal.bin");
  const broker = await startBroker("deno", {
    dataDir,
    overrides,
    env: { LD_PRELOAD: shim, PL_DATA_DIR: dataDir, PL_JOURNAL: journal },
  });
  let acked: AckedRecord[];
  try {
    await createTopic(broker, TOPIC, PARTITIONS);
    acked = await produce(broker, TOPIC, {
      partitions: PARTITIONS,
      connections: 4,
      requests: 100,
      random: seeded(SEED),
    });
    // Let a checkpoint and the delayed roll syncs happen, then stop cleanly: cuts also land in the shutdown.
    await new Promise((r) => setTimeout(r, 700));
  } finally {
    assert.equal(await broker.stop("SIGTERM"), 0, broker.output.join("\n"));
  }
  return { acked, history: new DiskHistory(parseJournal(fs.readFileSync(journal)), dataDir) };
}

function brokerWarnings(broker: BrokerProcess): string {
  return broker.output.filter((l) => / (WARN|ERROR) /.test(l)).slice(0, 20).join("\n");
}

interface CutResult {
  cut: number;
  expected: number;
  lost: string[];
}

/** Builds the image for one cut, starts a broker on it and looks for every record acknowledged before it. */
async function checkCut(history: DiskHistory, acked: AckedRecord[], cut: number, seed: number): Promise<CutResult> {
  const cutNs = cut > history.lastSeq ? monotonicNs() : history.time(cut);
  const expected = acked.filter((r) => r.ackNs < cutNs);
  const image = tempDir("tsbroker-powerloss-image-");
  let broker: BrokerProcess | undefined;
  try {
    history.writeImage(cut, seeded(seed), image);
    broker = await startBroker("deno", { dataDir: image, overrides });
    if (expected.length === 0) return { cut, expected: 0, lost: [] };
    const { records, unreadable } = await readAll(broker, TOPIC, PARTITIONS);
    const why = (r: AckedRecord) => {
      if (unreadable.has(r.partition)) return `partition unreadable (${unreadable.get(r.partition)})`;
      return records.has(`${r.partition} ${r.offset}`) ? "wrong value" : "missing";
    };
    const lost = expected
      .filter((r) => records.get(`${r.partition} ${r.offset}`) !== r.value)
      .map((r) => `cut ${cut}: partition ${r.partition} offset ${r.offset}: ${why(r)}`);
    if (lost.length > 0) console.log(`cut ${cut}: broker said\n${brokerWarnings(broker)}`);
    return { cut, expected: expected.length, lost };
  } catch (e) {
    // A broker that cannot start (or serve) on the image loses everything acknowledged before the cut.
    console.log(`cut ${cut}: ${e}\n${broker ? brokerWarnings(broker) : ""}`);
    return { cut, expected: expected.length, lost: expected.map(() => `cut ${cut}: ${String(e).slice(0, 400)}`) };
  } finally {
    await broker?.stop("SIGKILL");
    fs.rmSync(image, { recursive: true, force: true });
  }
}

describe("power loss in durable mode", () => {
  test(`${CUTS} cut points: every record acknowledged before the cut survives`, async () => {
    const started = performance.now();
    const work = tempDir("tsbroker-powerloss-");
    try {
      const shim = await compileShim(work);
      const { acked, history } = await recordRun(work, shim);
      assert.ok(acked.length > 500, `the workload acknowledged only ${acked.length} records`);

      // Cuts over the whole run, from the first file operation to just after the last.
      const random = seeded(SEED);
      const cuts = Array.from({ length: CUTS }, () => 1 + Math.floor(random() * (history.lastSeq + 1))).sort((a, b) =>
        a - b
      );
      const results: CutResult[] = [];
      for (const [i, cut] of cuts.entries()) results.push(await checkCut(history, acked, cut, SEED * 1000 + i));

      const losses = results.flatMap((r) => r.lost);
      console.log(
        `power loss: ${CUTS} cut points over ${history.lastSeq} journaled operations, ${acked.length} records ` +
          `acknowledged, ${results.reduce((n, r) => n + r.expected, 0)} record checks, ${losses.length} losses, ` +
          `${Math.round((performance.now() - started) / 1000)} s`,
      );
      assert.deepEqual(losses.slice(0, 20), [], `${losses.length} acknowledged records lost`);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});
