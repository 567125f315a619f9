/**
 * Transactions and exactly-once with real clients (issue 13), each scenario
 * run against the reference Apache Kafka and against tsbroker under Deno, and
 * asserted on both (so a failure on tsbroker alone is tsbroker's):
 *
 * - confluent-kafka (librdkafka): alternating committed and aborted
 *   transactions over 4 partitions; read_committed sees exactly the committed
 *   records, read_uncommitted all of them (python/txn_scenarios.py alternate);
 * - confluent-kafka: a consume-transform-produce loop with
 *   send_offsets_to_transaction moves 100,000 records from one topic to
 *   another, SIGKILLed twice mid-run and restarted; every record arrives
 *   exactly once (ctp-seed, ctp-loop, ctp-verify);
 * - kafkajs: producer.transaction() with sendOffsets, committed and aborted
 *   (node/kafkajs_txn.mjs);
 * - the Java producer: commit, abort, fenced by a second producer with the
 *   same transactional.id (java/TxnScenarios.java producer);
 * - Kafka Streams word count with exactly_once_v2, SIGKILLed twice mid-run:
 *   per word the committed counts are exactly 1..n (TxnScenarios streams-eos-*).
 *
 * Each test runs on the reference Kafka first, then on tsbroker.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { type BrokerProcess, ROOT, runCommand, startBroker, tempDir } from "../integration/_broker.ts";
import { type ReferenceKafka, startReferenceKafka } from "../../scripts/kafka/reference.ts";
import {
  apiVersions,
  javaTxnScenarios,
  pythonScenarios,
  pythonWithClients,
  type Result,
  withoutTimings,
} from "./_clients.ts";

const END_TXN = 26;
const CTP_RECORDS = 100_000;

const tmp = tempDir("tsbroker-txn-clients-");
const brokers: { kafka?: ReferenceKafka; deno?: BrokerProcess } = {};
const once = <T>(make: () => Promise<T>) => {
  let made: Promise<T> | undefined;
  return () => (made ??= make());
};
const java = once(() => javaTxnScenarios(tmp));
const python = once(() => pythonWithClients());
const txnPy = async () => pythonScenarios(await python(), "txn_scenarios.py");

type Target = { who: "reference Kafka" | "tsbroker"; bootstrap: string };

/** The targets of a test: the reference Kafka first (the scenario holds there), then tsbroker. */
function targets(): Target[] {
  return [
    { who: "reference Kafka", bootstrap: brokers.kafka!.bootstrap },
    { who: "tsbroker", bootstrap: brokers.deno!.bootstrap },
  ];
}

function ok(r: Result, who: string) {
  assert.equal(r.error, undefined, `${who}: ${r.error}\n${r.stderrTail ?? ""}`);
}

/** A program run until `killWhen` holds for a line of its output, then SIGKILLed; what it printed. */
function runAndKill(
  command: string,
  args: string[],
  killWhen: (line: string) => boolean,
  timeoutMs = 180_000,
): Promise<{ killed: boolean; code: number | null; lines: string[]; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    const lines: string[] = [];
    let stderr = "", partial = "", killed = false;
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.stdout.on("data", (d) => {
      const text = partial + d;
      const parts = text.split("\n");
      partial = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        if (!killed && killWhen(line)) {
          killed = true;
          // A moment past the line, so that the kill lands inside the next transaction rather than between two.
          setTimeout(() => child.kill("SIGKILL"), 30);
        }
      }
    });
    child.stderr.on("data", (d) => (stderr = (stderr + d).slice(-4000)));
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ killed: killed && code === null, code, lines, stderr });
    });
  });
}

describe("transactions with real clients against the reference Kafka and tsbroker under Deno", () => {
  before(async () => {
    const [kafka, deno] = await Promise.all([
      startReferenceKafka({ config: { "num.partitions": "1" } }),
      startBroker("deno", { overrides: { "group.initial.rebalance.delay.ms": 0 } }),
      java(),
      python(),
    ]);
    brokers.kafka = kafka;
    brokers.deno = deno;
    const versions = await apiVersions(deno.host, deno.port);
    assert.ok(versions.has(END_TXN), "tsbroker advertises EndTxn");
  });
  after(async () => {
    await brokers.kafka?.stop();
    if (brokers.deno) {
      const code = await brokers.deno.stop();
      fs.rmSync(brokers.deno.dataDir, { recursive: true, force: true });
      assert.equal(code, 0, `tsbroker did not exit cleanly:\n${brokers.deno.output.slice(-20).join("\n")}`);
    }
  });

  test("confluent-kafka: alternating commit/abort over 4 partitions; read_committed sees exactly the committed", async () => {
    const run = await txnPy();
    const results: Result[] = [];
    for (const { who, bootstrap } of targets()) {
      const r = await run(bootstrap, "alternate", "ck-alt");
      ok(r, who);
      assert.equal(r.sent, 204, who);
      assert.equal(r.committed, 104, who);
      assert.equal(r.readCommitted, 104, `${who}: read_committed reads the committed records only`);
      assert.ok(
        r.readCommittedExact,
        `${who}: exactly the committed ones (aborted seen: ${r.abortedSeenByReadCommitted})`,
      );
      assert.equal(r.readUncommitted, 204, `${who}: read_uncommitted reads every record, aborted ones included`);
      assert.ok(r.readUncommittedExact, who);
      results.push(withoutTimings(r));
    }
    if (results.length === 2) assert.deepEqual(results[1], results[0]);
  });

  test("confluent-kafka: consume-transform-produce moves 100,000 records exactly once, killed and restarted twice", async () => {
    const py = await python();
    const script = path.join(ROOT, "tests", "clients", "python", "txn_scenarios.py");
    const run = await txnPy();
    for (const { who, bootstrap } of targets()) {
      const prefix = "ck-ctp";
      const seeded = await runCommand(py, [script, bootstrap, "ctp-seed", prefix, String(CTP_RECORDS)], {
        timeoutMs: 120_000,
      });
      assert.equal(seeded.code, 0, `${who}: ${seeded.stderr}`);
      assert.match(seeded.stdout, new RegExp(`"seeded": ${CTP_RECORDS}`), `${who}: ${seeded.stdout}`);
      // Each killed run has committed some transactions of its own (15,000 records' worth) before it dies.
      const progress = (line: string) => Number(/^progress (\d+)/.exec(line)?.[1] ?? 0);
      for (const round of [1, 2]) {
        const killed = await runAndKill(py, [script, bootstrap, "ctp-loop", prefix], (l) => progress(l) >= 15_000);
        assert.ok(
          killed.killed,
          `${who}: loop run ${round} was not killed mid-run (exit ${killed.code}):\n${
            killed.lines.slice(-5).join("\n")
          }\n${killed.stderr}`,
        );
      }
      const last = await run(bootstrap, "ctp-loop", prefix);
      ok(last, `${who} (last loop run)`);
      assert.ok(last.moved < CTP_RECORDS, `${who}: the killed runs moved some of the records (${last.moved} left)`);
      const verify = await runCommand(py, [script, bootstrap, "ctp-verify", prefix, String(CTP_RECORDS)], {
        timeoutMs: 150_000,
      });
      const v = JSON.parse(verify.stdout.trim().split("\n").at(-1)!);
      ok(v, `${who} (verify)`);
      assert.deepEqual(
        { read: v.read, distinct: v.distinct, duplicates: v.duplicates, missing: v.missing, unexpected: v.unexpected },
        { read: CTP_RECORDS, distinct: CTP_RECORDS, duplicates: 0, missing: 0, unexpected: 0 },
        `${who}: every record exactly once in the output (duplicates e.g. ${v.duplicateSample})`,
      );
    }
  });

  test("kafkajs: producer.transaction() with sendOffsets, committed and aborted", async () => {
    const script = path.join(ROOT, "tests", "clients", "node", "kafkajs_txn.mjs");
    const results: Result[] = [];
    for (const { who, bootstrap } of targets()) {
      const out = await runCommand("node", [script, bootstrap, "kjs-txn"], { timeoutMs: 120_000 });
      const r = JSON.parse(out.stdout.trim().split("\n").at(-1) ?? "{}");
      ok(r, `${who}: ${out.stderr.slice(-2000)}`);
      assert.equal(r.offsetAfterAbort, "10", `${who}: the aborted transaction's sendOffsets does not count`);
      assert.equal(r.offsetAfterCommit, "30", `${who}: the committed one does`);
      assert.equal(r.readCommitted, 20, who);
      assert.deepEqual(r.readCommittedTxns, ["t1", "t3"], `${who}: read_committed skips the aborted transaction`);
      assert.equal(r.readUncommitted, 30, who);
      assert.deepEqual(r.readUncommittedTxns, ["t1", "t2", "t3"], who);
      results.push(withoutTimings(r));
    }
    if (results.length === 2) assert.deepEqual(results[1], results[0]);
  });

  test("Java producer: commit, abort, fenced by a second producer with the same transactional.id", async () => {
    const run = await java();
    const results: Result[] = [];
    for (const { who, bootstrap } of targets()) {
      const r = await run.run(bootstrap, "producer", "java-txn");
      ok(r, who);
      assert.equal(r.fencedCommit, "ProducerFencedException", `${who}: the fenced producer cannot commit`);
      assert.equal(r.fencedSend, "ProducerFencedException", `${who}: nor go on`);
      assert.equal(r.committed, 40, who);
      assert.equal(r.readCommitted, 40, `${who}: read_committed: the first and the second producer's commits`);
      assert.ok(r.readCommittedExact, who);
      assert.equal(r.readUncommitted, 100, `${who}: read_uncommitted: aborted and fenced records too`);
      assert.ok(r.readUncommittedExact, who);
      results.push(withoutTimings(r));
    }
    if (results.length === 2) assert.deepEqual(results[1], results[0]);
  });

  test("Kafka Streams word count with exactly_once_v2: exact counts after being killed mid-run twice", async () => {
    const run = await java();
    for (const { who, bootstrap } of targets()) {
      const prefix = "java-eos";
      const seed = async (n: number) => {
        const s = await run.run(bootstrap, "streams-eos-seed", prefix, String(n));
        ok(s, `${who} (seed ${n})`);
      };
      // A line "progress <committed> <end>": killed once some, not all, of the input is committed.
      const midway = (line: string) => {
        const m = /^progress (\d+) (\d+)/.exec(line);
        return m !== null && Number(m[1]) > 0 && Number(m[1]) < Number(m[2]);
      };
      for (const round of [0, 1]) {
        await seed(round);
        const [command, args] = run.commandLine(bootstrap, "streams-eos-run", prefix);
        const killed = await runAndKill(command, args, midway);
        assert.ok(
          killed.killed,
          `${who}: Streams run ${round} was not killed mid-run (exit ${killed.code}):\n${
            killed.lines.slice(-5).join("\n")
          }\n${killed.stderr}`,
        );
      }
      await seed(2);
      const r = await run.run(bootstrap, "streams-eos-run", prefix);
      ok(r, who);
      assert.deepEqual(r.errors, [], who);
      assert.ok(r.inputCommitted, `${who}: the input is consumed`);
      assert.equal(r.inputLines, 12_000, who);
      assert.equal(r.countUpdates, r.expectedUpdates, `${who}: one count update per word read`);
      assert.deepEqual(r.wrongWords, [], `${who}: per word, the counts 1..n each once`);
      assert.ok(r.wordsExact, who);
    }
  });
});

globalThis.addEventListener("unload", () => fs.rmSync(tmp, { recursive: true, force: true }));
