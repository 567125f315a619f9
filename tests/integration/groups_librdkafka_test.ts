/**
 * Three librdkafka consumers (confluent-kafka-python, clients/
 * group_consumer.py) in one classic group over a 6-partition topic, one of
 * them closing half-way (consumer.close(): revoke, then LeaveGroup). Each
 * consumer commits every record synchronously before taking the next, so
 * committed offsets are always exact: every record must be consumed, and
 * none twice unless its commit was refused (there are none when the broker
 * honours commits across rebalances). The leave must trigger a rebalance
 * at once: the remaining members get new assignments well within the
 * session timeout, which a broker that only noticed the member's absence
 * when its session expired could not do.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { type BrokerProcess, startBroker } from "./_broker.ts";
import { adminOps, until } from "./_data_path.ts";
import { coversAll, GROUP_OVERRIDES, produceNumbered, PyConsumer, pyGroupAdmin } from "./_groups.ts";

const PARTITIONS = 6;
const RECORDS = 1200;
const SESSION_TIMEOUT_MS = 6000;
const TOPIC = "three";
const GROUP = "three-consumers";

describe("three librdkafka consumers in one group, one leaving half-way", () => {
  let broker: BrokerProcess;
  let produced: string[];
  const consumers: PyConsumer[] = [];
  let leftAt = 0;

  before(async () => {
    broker = await startBroker("deno", { overrides: GROUP_OVERRIDES });
    const [created] = await adminOps(broker, [{ op: "create", topic: TOPIC, partitions: PARTITIONS }]);
    assert.deepEqual(created, { ok: true });
    produced = await produceNumbered(broker, TOPIC, PARTITIONS, 0, RECORDS, "r");
  });
  after(async () => {
    await Promise.all(consumers.map((c) => c.kill()));
    assert.equal(await broker.stop(), 0, `broker did not exit cleanly:\n${broker.output.slice(-20).join("\n")}`);
    fs.rmSync(broker.dataDir, { recursive: true, force: true });
  });

  const consumed = () => consumers.flatMap((c) => c.values);

  test("all three get a share of the partitions", async () => {
    for (const name of ["c1", "c2", "c3"]) {
      // 10 ms per record: slow enough that the group is still consuming when c3 leaves.
      const c = new PyConsumer(broker, { group: GROUP, topics: [TOPIC], clientId: name, delayMs: 10 });
      consumers.push(c);
      await c.waitFor("it gets an assignment", () => c.assignment.length > 0);
    }
    await until("the three assignments split the 6 partitions", () => coversAll(consumers, PARTITIONS), 30_000);
    for (const c of consumers) assert.equal(c.assignment.length, 2, `${c.name}: ${c.assignment}`);
  });

  test("c3 leaves half-way; the others take over its partitions within the session timeout", async () => {
    const [c1, c2, c3] = consumers;
    await until("half the records are consumed", () => consumed().length >= RECORDS / 2, 60_000);
    await c3.waitFor(
      "c3 has consumed from its own share",
      () => c3.events.some((e) => e.ev === "msg" && c3.assignment.includes(e.p!)),
    );
    assert.ok(consumed().length < RECORDS, "everything was consumed before c3 could leave: nothing tested");
    const theirs = c3.assignment;
    await c3.close();
    leftAt = c3.events.find((e) => e.ev === "closing")!.t;

    const next = (c: PyConsumer) => c.events.find((e) => e.ev === "assigned" && e.t > leftAt);
    await until("c1 and c2 are assigned again", () => next(c1) !== undefined && next(c2) !== undefined, 30_000);
    for (const c of [c1, c2]) {
      const took = next(c)!.t - leftAt;
      assert.ok(took < SESSION_TIMEOUT_MS, `${c.name} was reassigned ${took} ms after c3 left`);
    }
    await until("c1 and c2 cover all partitions", () => coversAll([c1, c2], PARTITIONS), 30_000);
    assert.ok(theirs.every((p) => c1.assignment.includes(p) || c2.assignment.includes(p)));
  });

  test("every record is consumed, and none twice: commits hold across both rebalances", async () => {
    await until("every record is consumed", () => new Set(consumed()).size === RECORDS, 90_000);
    const [c1, c2] = consumers;
    await c1.close();
    await c2.close();
    const failed = new Set(
      consumers.flatMap((c) => c.events.filter((e) => e.ev === "msg" && e.err !== null).map((e) => e.v)),
    );
    assert.deepEqual([...failed], [], "commits were refused");
    const seen = new Map<string, string>();
    for (const c of consumers) {
      for (const e of c.events) {
        if (e.ev !== "msg") continue;
        assert.ok(!seen.has(e.v!), `${e.v} consumed by ${seen.get(e.v!)} and again by ${c.name} (${e.p}/${e.o})`);
        seen.set(e.v!, c.name);
      }
    }
    assert.deepEqual([...seen.keys()].sort(), produced);
    assert.ok(consumers.every((c) => c.values.length > 0), "a member consumed nothing");
    for (const c of consumers) {
      assert.deepEqual(c.events.filter((e) => e.ev === "error"), [], `${c.name} saw consumer errors`);
    }
  });

  test("the group's committed offsets are the end of every partition", async () => {
    const [result] = await pyGroupAdmin(broker, [
      { op: "committed", group: GROUP, topic: TOPIC, partitions: PARTITIONS },
    ]);
    assert.deepEqual(result, { ok: true, offsets: new Array(PARTITIONS).fill(RECORDS / PARTITIONS) });
  });
});
