/**
 * Wire fuzzing in the suite: a real broker gets 6,000 frames (three quarters mutated) of every
 * advertised API and version over a few hundred connections (fixed seed).
 * Every 250 frames a fresh client must get correct ApiVersions and Metadata
 * answers; at the end the broker must still be running and shut down
 * cleanly (exit code 0). `deno task fuzz` runs the same for longer.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { startBroker } from "../integration/_broker.ts";
import { fuzzWire } from "../../scripts/fuzz/wire.ts";

describe("wire fuzzing", () => {
  test("6,000 frames (three quarters mutated): the broker keeps serving well-behaved clients and shuts down cleanly", async () => {
    const broker = await startBroker("deno");
    let code: number | null = null;
    try {
      const started = performance.now();
      const report = await fuzzWire({ port: broker.port, seed: 0x17f022, frames: 6_000 });
      console.log(
        `wire fuzz: ${report.frames} frames over ${report.connections} connections ` +
          `(${report.closedByBroker} closed by the broker), ${report.checks} health checks, ` +
          `${Math.round(performance.now() - started)} ms`,
      );
      assert.deepEqual(report.failures, [], broker.output.slice(-20).join("\n"));
      assert.ok(report.checks >= 24);
      assert.ok(broker.running, `the broker died:\n${broker.output.slice(-20).join("\n")}`);
    } finally {
      code = await broker.stop("SIGTERM");
    }
    assert.equal(code, 0, `the broker did not shut down cleanly:\n${broker.output.slice(-20).join("\n")}`);
    const crashes = broker.output.filter((l) => /uncaught|panicked|out of memory/i.test(l));
    assert.deepEqual(crashes, []);
  });
});
