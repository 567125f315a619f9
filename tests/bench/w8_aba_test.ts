/**
 * W8's procedure (Bench.transactions) with the load generator replaced:
 * W8-idem runs before and after the transactional rows (A-B-A), with the
 * topic created only the first time; its samples are pooled into one row,
 * and W8 and W8-1p are given as a percentage of that pooled median. A
 * second idempotent run that fails leaves the first run's figure.
 */
import * as assert from "node:assert/strict";
import { parsePlan, type Plan } from "../../scripts/bench/_plan.ts";
import type { Server } from "../../scripts/bench/_procs.ts";
import type { Kind, Row } from "../../scripts/bench/_report.ts";
import { Bench } from "../../scripts/bench/_runner.ts";

/** A Bench whose load generator answers each run with the next figure (MB/s; null: the run fails). */
class ScriptedBench extends Bench {
  readonly runs: Array<{ workload: string; args: string[] }> = [];
  constructor(private readonly figures: Array<number | null>) {
    super(parsePlan(["--only", "deno", "--workloads", "W8"]) as Plan, "/nonexistent/loadgen");
  }
  override load(workload: string, system: string, kind: Kind, args: string[], _pid?: number, note?: string) {
    this.runs.push({ workload, args });
    const mb = this.figures.shift();
    if (mb === null || mb === undefined) return Promise.resolve(this.fail(workload, system, kind, "loadgen died"));
    const sample = { recordsPerSec: mb * 1000, mbPerSec: mb, bytes: mb * 1e6, seconds: 1 };
    return Promise.resolve(this.add({ workload, system, kind, note, samples: [sample] }));
  }
}

const server = { name: "broker", pid: 1, output: [], ready: "9092", running: true, stop: () => Promise.resolve() };

async function runW8(figures: Array<number | null>): Promise<{ bench: ScriptedBench; rows: Map<string, Row> }> {
  const bench = new ScriptedBench(figures);
  try {
    await bench.transactions("tsbroker-deno", "tsbroker", server as Server, "127.0.0.1:9092");
  } finally {
    bench.cleanup();
  }
  return { bench, rows: new Map(bench.rows.map((r) => [r.workload, r])) };
}

Deno.test("W8-idem runs before and after the transactional rows, pooled, and the ratios use the pooled median", async () => {
  const { bench, rows } = await runW8([400, 100, 200, 300]);
  assert.deepEqual(bench.runs.map((r) => r.workload), ["W8-idem", "W8", "W8-1p", "W8-idem"]);
  assert.ok(bench.runs[0].args.includes("--create"));
  assert.ok(!bench.runs[3].args.includes("--create"), "the second idempotent run reuses the topic");
  assert.deepEqual(
    bench.runs[3].args.filter((a) => a !== "--create"),
    bench.runs[0].args.filter((a) => a !== "--create"),
  );
  assert.equal(bench.rows.filter((r) => r.workload === "W8-idem").length, 1, "one W8-idem row");
  assert.equal(rows.get("W8-idem")!.samples.length, 2);
  assert.equal(rows.get("W8-idem")!.median!.mbPerSec, 350);
  assert.equal(rows.get("W8")!.extra!.ofIdempotentPct, 100 * 100 / 350);
  assert.equal(rows.get("W8-1p")!.extra!.ofIdempotentPct, 100 * 200 / 350);
});

Deno.test("a failed second W8-idem run leaves the first run's figure", async () => {
  const { rows } = await runW8([400, 100, 200, null]);
  assert.equal(rows.get("W8-idem")!.samples.length, 1);
  assert.equal(rows.get("W8")!.extra!.ofIdempotentPct, 25);
  assert.ok(![...rows.values()].some((r) => r.error), "the failed repeat leaves no row of its own");
});

Deno.test("without a first W8-idem figure there is no second run and no ratio", async () => {
  const { bench, rows } = await runW8([null, 100, 200]);
  assert.deepEqual(bench.runs.map((r) => r.workload), ["W8-idem", "W8", "W8-1p"]);
  assert.equal(rows.get("W8")!.extra?.ofIdempotentPct, undefined);
});
