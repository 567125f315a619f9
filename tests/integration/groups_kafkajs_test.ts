/**
 * A kafkajs consumer group (clients/group_kafkajs.mjs) against the broker
 * under Deno and under Bun: member A (eachMessage) consumes a 6-partition
 * topic alone and commits (autoCommit: OffsetCommit after each batch);
 * member B (eachBatch) joins, which must make the group rebalance (both
 * rejoin, GROUP_JOIN events with the same leader and complementary
 * assignments); then more records are produced and the two consume them
 * between them, each record exactly once.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { type BrokerProcess, type Flavour, ROOT, runCommand, startBroker } from "./_broker.ts";
import { GROUP_OVERRIDES } from "./_groups.ts";

const PARTITIONS = 6;

interface Join {
  member: "A" | "B";
  t: number;
  memberId: string;
  leaderId: string;
  isLeader: boolean;
  groupProtocol: string;
  partitions: number[];
}
interface Run {
  joins: Join[];
  messages: Array<{ member: "A" | "B"; p: number; o: number; v: string; t: number }>;
  commits: Array<{ member: "A" | "B"; generation: number; p: number; o: number }>;
  crashes: Array<{ member: string; error: string }>;
  phases: { aDone: number; bStarted: number; rebalanced: number; secondSent: number };
  error?: string;
}

for (const flavour of ["deno", "bun"] as Flavour[]) {
  describe(`a kafkajs consumer group grows from one member to two, broker under ${flavour}`, () => {
    let broker: BrokerProcess;
    let run: Run;
    before(async () => {
      broker = await startBroker(flavour, { overrides: GROUP_OVERRIDES });
      const { code, stdout, stderr } = await runCommand(
        "node",
        [path.join(ROOT, "tests/integration/clients/group_kafkajs.mjs"), broker.bootstrap, "grow", "growing"],
        { timeoutMs: 120_000 },
      );
      assert.equal(
        code,
        0,
        `group_kafkajs.mjs failed:\n${stdout.slice(-3000)}\n${stderr}\n${broker.output.slice(-20).join("\n")}`,
      );
      run = JSON.parse(stdout);
    });
    after(async () => {
      assert.equal(await broker.stop(), 0, `broker did not exit cleanly:\n${broker.output.slice(-20).join("\n")}`);
      fs.rmSync(broker.dataDir, { recursive: true, force: true });
    });

    test("alone, A is assigned every partition and commits what it consumed", () => {
      const first = run.joins[0];
      assert.equal(first.member, "A");
      assert.equal(first.isLeader, true);
      assert.equal(first.leaderId, first.memberId);
      assert.deepEqual(first.partitions, [0, 1, 2, 3, 4, 5]);
      const early = run.messages.filter((m) => m.t <= run.phases.aDone);
      assert.ok(early.every((m) => m.member === "A"));
      for (let p = 0; p < PARTITIONS; p++) {
        assert.ok(
          run.commits.some((c) => c.member === "A" && c.p === p && c.o === 50),
          `A never committed offset 50 of partition ${p}`,
        );
      }
    });

    test("B joining makes both rejoin one generation: same leader, complementary assignments", () => {
      const afterB = run.joins.filter((j) => j.t >= run.phases.bStarted && j.t <= run.phases.rebalanced);
      const a = afterB.filter((j) => j.member === "A").at(-1);
      const b = afterB.filter((j) => j.member === "B").at(-1);
      assert.ok(a && b, `joins after B started: ${JSON.stringify(run.joins)}`);
      assert.notEqual(a.memberId, b.memberId);
      assert.equal(a.memberId, run.joins[0].memberId, "A kept its member id across the rebalance");
      assert.equal(a.leaderId, b.leaderId);
      assert.equal([a, b].filter((j) => j.isLeader).length, 1);
      assert.ok([a.memberId, b.memberId].includes(a.leaderId));
      assert.equal(a.groupProtocol, b.groupProtocol);
      assert.ok(a.partitions.length > 0 && b.partitions.length > 0);
      assert.deepEqual([...a.partitions, ...b.partitions].sort(), [0, 1, 2, 3, 4, 5]);
    });

    test("after the rebalance both consume, and every record is seen exactly once across members", () => {
      assert.deepEqual(run.crashes, []);
      const byValue = new Map<string, string>();
      for (const m of run.messages) {
        assert.ok(!byValue.has(m.v), `${m.v} consumed by ${byValue.get(m.v)} and again by ${m.member} (${m.p}/${m.o})`);
        byValue.set(m.v, m.member);
      }
      const expected = [
        ...Array.from({ length: 300 }, (_, i) => `a-${String(i).padStart(6, "0")}`),
        ...Array.from({ length: 300 }, (_, i) => `b-${String(300 + i).padStart(6, "0")}`),
      ];
      assert.deepEqual([...byValue.keys()].sort(), expected);
      const late = run.messages.filter((m) => m.v.startsWith("b-"));
      assert.ok(late.some((m) => m.member === "A"), "A consumed nothing after the rebalance");
      assert.ok(late.some((m) => m.member === "B"), "B consumed nothing");
      // Each partition's records were read in offset order, from where the previous owner committed.
      for (let p = 0; p < PARTITIONS; p++) {
        const offsets = run.messages.filter((m) => m.p === p).map((m) => m.o);
        assert.deepEqual(offsets, Array.from({ length: 100 }, (_, i) => i), `partition ${p}`);
      }
    });
  });
}
