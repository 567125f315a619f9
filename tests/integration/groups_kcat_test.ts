/**
 * Committed offsets survive broker restarts. `kcat -G` (librdkafka's
 * balanced consumer: JoinGroup/SyncGroup, auto-commit, final commit on
 * close) consumes a topic as a group and exits at the end (-e); the broker
 * is stopped cleanly (SIGTERM) and restarted on the same data directory,
 * more records are produced, and a new `kcat -G` in the same group must get
 * only the new records. The crash variant: a python consumer commits each
 * record synchronously (so every commit is acknowledged), the broker is
 * killed with SIGKILL while that member is still in the group, and after
 * the restart kcat must again resume exactly at the committed offsets,
 * once the dead member's session has expired.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { type BrokerProcess, runCommand, startBroker, tempDir } from "./_broker.ts";
import { adminOps } from "./_data_path.ts";
import { GROUP_OVERRIDES, produceNumbered, PyConsumer, pyGroupAdmin } from "./_groups.ts";

const PARTITIONS = 3;
const COUNT = 30;

/** `kcat -G GROUP TOPIC -e`: the values it printed, sorted. Committed offsets are used, never -o. */
async function kcatGroup(broker: BrokerProcess, group: string, topic: string): Promise<string[]> {
  const { code, stdout, stderr } = await runCommand("kcat", [
    "-b",
    broker.bootstrap,
    "-G",
    group,
    "-X",
    "auto.offset.reset=earliest",
    "-X",
    "session.timeout.ms=6000",
    "-e",
    "-q",
    "-f",
    "%s\\n",
    topic,
  ], { timeoutMs: 60_000 });
  assert.equal(code, 0, `kcat -G failed: ${stderr}\n${broker.output.slice(-20).join("\n")}`);
  return stdout.split("\n").filter((l) => l !== "").sort();
}

async function committed(broker: BrokerProcess, group: string, topic: string): Promise<number[] | undefined> {
  const [result] = await pyGroupAdmin(broker, [{ op: "committed", group, topic, partitions: PARTITIONS }]);
  assert.ok(result.ok, JSON.stringify(result));
  return result.offsets;
}

async function createTopic(broker: BrokerProcess, topic: string): Promise<void> {
  const [created] = await adminOps(broker, [{ op: "create", topic, partitions: PARTITIONS }]);
  assert.deepEqual(created, { ok: true });
}

describe("consumption resumes from committed offsets after a broker restart", () => {
  test("kcat -G commits; clean stop (SIGTERM) and restart; a new kcat -G gets only the new records", async () => {
    const dataDir = tempDir("tsbroker-groups-kcat-");
    let broker = await startBroker("deno", { dataDir, overrides: GROUP_OVERRIDES });
    try {
      await createTopic(broker, "resume");
      const old = await produceNumbered(broker, "resume", PARTITIONS, 0, COUNT, "old");
      assert.deepEqual(await kcatGroup(broker, "kcat-group", "resume"), old);
      assert.deepEqual(await committed(broker, "kcat-group", "resume"), [10, 10, 10]);

      assert.equal(await broker.stop("SIGTERM"), 0, broker.output.slice(-20).join("\n"));
      broker = await startBroker("deno", { dataDir, overrides: GROUP_OVERRIDES });
      assert.deepEqual(await committed(broker, "kcat-group", "resume"), [10, 10, 10]);
      const fresh = await produceNumbered(broker, "resume", PARTITIONS, COUNT, COUNT, "new");
      assert.deepEqual(await kcatGroup(broker, "kcat-group", "resume"), fresh);
      assert.deepEqual(await committed(broker, "kcat-group", "resume"), [20, 20, 20]);
      // A group that never committed still starts from the beginning.
      assert.deepEqual(await kcatGroup(broker, "other-group", "resume"), [...fresh, ...old].sort());
    } finally {
      assert.equal(await broker.stop(), 0, broker.output.slice(-20).join("\n"));
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test("acknowledged synchronous commits survive SIGKILL; kcat -G resumes after the dead member expires", async () => {
    const dataDir = tempDir("tsbroker-groups-kill-");
    let broker = await startBroker("deno", { dataDir, overrides: GROUP_OVERRIDES });
    let consumer: PyConsumer | undefined;
    try {
      await createTopic(broker, "crash");
      const old = await produceNumbered(broker, "crash", PARTITIONS, 0, COUNT, "old");
      consumer = new PyConsumer(broker, { group: "sync-group", topics: ["crash"], clientId: "sync-committer" });
      const c = consumer;
      await c.waitFor("it has consumed and committed every record", () => c.values.length >= COUNT);
      assert.deepEqual(c.values.sort(), old);
      assert.ok(c.events.every((e) => e.ev !== "msg" || e.err === null), "a commit was refused");

      // Killed while the member is still in the group, right after its last commit was acknowledged.
      assert.equal(await broker.stop("SIGKILL"), null);
      await c.kill();
      broker = await startBroker("deno", { dataDir, overrides: GROUP_OVERRIDES });
      assert.deepEqual(await committed(broker, "sync-group", "crash"), [10, 10, 10]);
      const fresh = await produceNumbered(broker, "crash", PARTITIONS, COUNT, COUNT, "new");
      assert.deepEqual(await kcatGroup(broker, "sync-group", "crash"), fresh);
    } finally {
      await consumer?.kill();
      assert.equal(await broker.stop(), 0, broker.output.slice(-20).join("\n"));
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
