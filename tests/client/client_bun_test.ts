/**
 * The client library is runtime-agnostic: the same code (through mod.ts) run by Bun produces, consumes in a
 * group and lists groups against a tsbroker process (itself under Bun).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { ROOT, startBroker } from "../integration/_broker.ts";

test("under Bun, the client produces with zstd, consumes through a group and lists it", async () => {
  const broker = await startBroker("bun", { overrides: { "group.initial.rebalance.delay.ms": 0 } });
  try {
    const out = await new Deno.Command(path.join(ROOT, "node_modules", ".bin", "bun"), {
      args: ["run", path.join(ROOT, "tests", "client", "_bun_scenario.ts"), broker.bootstrap],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, stderr);
    const result = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!);
    assert.equal(result.acked, 100);
    assert.deepEqual(result.values, Array.from({ length: 100 }, (_, i) => `v${i}`).sort());
    assert.ok(result.groups.includes("bun-group"));
  } finally {
    await broker.stop();
  }
});
