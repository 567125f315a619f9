/**
 * Transactions survive a broker crash (issue 13). A confluent-kafka
 * transactional producer (clients/txn_crash_producer.py) runs while the
 * broker is SIGKILLed and restarted on the same data directory:
 *
 * - during EndTxn traffic: transactions of 20 records over 4 partitions end
 *   back to back (two committed, one aborted); the broker dies mid-stream and
 *   the producer keeps running through the restart. Afterwards, from a
 *   read_committed consumer's view, every transaction is wholly there or
 *   wholly absent: each one the producer saw committed is there, each one it
 *   aborted is not, the one in flight is one or the other; and the producer
 *   goes on committing after the restart (resumed, as against Kafka);
 * - during a transaction timeout: a transaction left open past its 3 s
 *   timeout, the broker killed while the timeout comes due; after the restart
 *   the transaction is aborted (none of its records visible, the LSO reaches
 *   the high watermark), the transaction committed before it stays visible,
 *   and the producer that left it open is fenced when it finally commits.
 *
 * Each runs against the reference Kafka first (SIGKILLed and started again on
 * its data dir and port), so what is asserted is what Kafka does, with one
 * exception: in 3 of 4 runs Kafka 4.4 lost the abort of the transaction that
 * ended just before the kill (EndTxn answered, no ABORT marker in the data
 * logs after the restart, the next transaction's COMMIT made its records
 * visible, in part or whole). On Kafka that is reported, not asserted;
 * committed transactions must be there on both, and on tsbroker every
 * transaction must be whole.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT, runCommand, startBroker, tempDir } from "./_broker.ts";
import { type ReferenceKafka, startReferenceKafka } from "../../scripts/kafka/reference.ts";
import { pythonWithClients } from "../clients/_clients.ts";

const SCRIPT = path.join(ROOT, "tests", "integration", "clients", "txn_crash_producer.py");
const OVERRIDES = {
  "num.partitions": 4,
  "group.initial.rebalance.delay.ms": 0,
  "transaction.abort.timed.out.transaction.cleanup.interval.ms": 500,
};

/** The producer program running in the background: its output lines as they come. */
function background(python: string, args: string[]) {
  const child = spawn(python, [SCRIPT, ...args], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
  const lines: string[] = [];
  let partial = "", stderr = "";
  const waiters: Array<() => void> = [];
  child.stdout.on("data", (d) => {
    const parts = (partial + d).split("\n");
    partial = parts.pop()!;
    lines.push(...parts);
    waiters.splice(0).forEach((w) => w());
  });
  child.stderr.on("data", (d) => (stderr = (stderr + d).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  return {
    child,
    lines,
    stderr: () => stderr,
    exited,
    /** Resolves once `done` holds for the lines so far (checked on each new line), or rejects after `ms`. */
    async until(done: (lines: string[]) => boolean, ms: number, what: string): Promise<void> {
      const deadline = Date.now() + ms;
      while (!done(lines)) {
        if (Date.now() > deadline) {
          throw new Error(`${what}: not within ${ms} ms:\n${lines.slice(-10).join("\n")}\n${stderr}`);
        }
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 200);
        });
      }
    },
  };
}

/** What a read_committed consumer reads of the whole topic once every transaction has resolved. */
/** Where the last read found each transaction's records, for a failure's message. */
let lastPlaced = "";

async function readCommitted(python: string, broker: Crashable, topic: string): Promise<string[]> {
  const out = await runCommand(python, [SCRIPT, broker.bootstrap, "read", topic, `${topic}-reader`], {
    timeoutMs: 90_000,
  });
  const line = out.stdout.trim().split("\n").at(-1) ?? "";
  assert.ok(
    line.startsWith("values "),
    `read_committed never reached the high watermark (a transaction left unresolved): ${line}\n${out.stderr}`,
  );
  lastPlaced = out.stdout.split("\n").find((l) => l.startsWith("placed ")) ?? "";
  return JSON.parse(line.slice("values ".length));
}

/** A broker the test can SIGKILL and start again on the same data and the same port. */
interface Crashable {
  readonly who: string;
  readonly bootstrap: string;
  crash(): Promise<void>;
  stop(): Promise<void>;
}

async function tsbroker(): Promise<Crashable> {
  const dataDir = tempDir("tsbroker-txn-crash-");
  let broker = await startBroker("deno", { dataDir, overrides: OVERRIDES });
  const listeners = `PLAINTEXT://127.0.0.1:${broker.port}`;
  return {
    who: "tsbroker",
    bootstrap: broker.bootstrap,
    async crash() {
      assert.equal(await broker.stop("SIGKILL"), null, "the broker should have died of SIGKILL");
      broker = await startBroker("deno", { dataDir, overrides: { ...OVERRIDES, listeners }, startTimeoutMs: 60_000 });
    },
    async stop() {
      await broker.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The reference Kafka the same way: the test's scenario holds there first. */
async function reference(): Promise<Crashable> {
  const dir = tempDir("reference-kafka-txn-crash-");
  const config = {
    "num.partitions": "4",
    "transaction.abort.timed.out.transaction.cleanup.interval.ms": "500",
  };
  let kafka: ReferenceKafka = await startReferenceKafka({ dir, config });
  const port = kafka.port;
  return {
    who: "reference Kafka",
    bootstrap: kafka.bootstrap,
    async crash() {
      process.kill(kafka.pid, "SIGKILL");
      await kafka.stop();
      kafka = await startReferenceKafka({ dir, config, port });
    },
    async stop() {
      await kafka.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

const TARGETS: Array<[string, () => Promise<Crashable>]> = [["reference Kafka", reference], ["tsbroker", tsbroker]];

describe("transactions across a broker SIGKILL", () => {
  for (const [who, start] of TARGETS) {
    test(`${who}, during EndTxn traffic: every transaction wholly committed or wholly aborted; the producer resumes`, async () => {
      const python = await pythonWithClients();
      const topic = "txn-crash";
      const broker = await start();
      const producer = background(python, [broker.bootstrap, "loop", topic, "crash-loop", "120"]);
      try {
        const ended = (ls: string[]) => ls.filter((l) => /^(committed|aborted) /.test(l)).length;
        await producer.until((ls) => ended(ls) >= 30, 60_000, "30 transactions before the kill");
        // Killed between two answers to EndTxn: the next transaction's EndTxn (or its records) are in flight.
        await broker.crash();
        const before = ended(producer.lines);
        await producer.until((ls) => ended(ls) >= before + 6, 90_000, "6 more transactions after the restart");
        producer.child.kill("SIGKILL");
        await producer.exited;
        const fatal = producer.lines.filter((l) => l.startsWith("fatal"));
        assert.deepEqual(fatal, [], `the producer resumes without a fatal error:\n${producer.stderr()}`);

        const values = await readCommitted(python, broker, topic);
        const byTxn = new Map<number, number>();
        for (const v of values) {
          const n = Number(/^t(\d+)-/.exec(v)![1]);
          byTxn.set(n, (byTxn.get(n) ?? 0) + 1);
        }
        const broken: string[] = [];
        for (const [n, count] of byTxn) {
          if (count !== 20) broken.push(`transaction ${n} partly visible: ${count} of 20`);
        }
        for (const line of producer.lines) {
          const [kind, n] = line.split(" ");
          if (kind === "committed" && byTxn.get(Number(n)) !== 20) broken.push(`committed transaction ${n} missing`);
          if (kind === "aborted" && byTxn.has(Number(n))) broken.push(`aborted transaction ${n} is visible`);
        }
        if (who === "reference Kafka" && !broken.some((b) => b.startsWith("committed"))) {
          // Kafka 4.4 itself loses the abort of the transaction that ended just before the SIGKILL in most runs: no
          // ABORT marker follows its records, and the next transaction's COMMIT makes them visible. Reported, not
          // held against the reference; tsbroker must keep every transaction whole.
          if (broken.length) console.log(`[transactions_crash] reference Kafka: ${broken.join("; ")}`);
        } else {
          assert.deepEqual(broken, [], `read_committed after the crash (records at ${lastPlaced.slice(0, 4000)})`);
        }
      } finally {
        producer.child.kill("SIGKILL");
        await broker.stop();
      }
    });

    test(`${who}, during a transaction timeout: the open transaction is aborted, the one before stays, its producer is fenced`, async () => {
      const python = await pythonWithClients();
      const topic = "txn-timeout";
      const broker = await start();
      const producer = background(python, [broker.bootstrap, "open", topic, "crash-open"]);
      try {
        await producer.until((ls) => ls.includes("open"), 60_000, "the open transaction");
        // The timeout (3 s) comes due and the abort sweep (every 0.5 s) runs meanwhile: kill in that window.
        await new Promise((r) => setTimeout(r, 3_200));
        await broker.crash();
        const values = await readCommitted(python, broker, topic);
        assert.deepEqual(
          values.sort(),
          Array.from({ length: 20 }, (_, i) => `c-${i}`).sort(),
          "the committed transaction is visible, the timed-out one is not",
        );
        producer.child.stdin.write("commit\n");
        await producer.until((ls) => ls.some((l) => l.startsWith("commit-result")), 60_000, "the late commit");
        const result = producer.lines.find((l) => l.startsWith("commit-result"))!;
        assert.notEqual(result, "commit-result ok", "a producer whose transaction timed out cannot commit it");
        assert.match(result, /PRODUCER_FENCED|INVALID_PRODUCER_EPOCH|_FENCED|INVALID_TXN_STATE/, result);
        const after = await readCommitted(python, broker, topic);
        assert.ok(!after.some((v) => v.startsWith("o-")), "nor do its records appear later");
      } finally {
        producer.child.kill("SIGKILL");
        await broker.stop();
      }
    });
  }
});
