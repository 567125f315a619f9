/**
 * Keeps `deno task bench` from rotting: its smoke mode (about a minute;
 * tsbroker under Deno and librdkafka's mock cluster, driven by the C load
 * generator it builds) must run on a clean clone, install what it needs and
 * print the table with real throughput for tsbroker, the workloads of issues
 * 14 and 15 (SMALL, STARTUP, TLS-W1, the two-core runs) and their targets. The figures themselves are not
 * judged here (timing targets belong to the benchmark, not to tests).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";

const ROOT = path.resolve(import.meta.dirname ?? ".", "../..");

/** The table's line for `workload` and `system` (the first column is the workload, the second the system). */
function rowOf(output: string, workload: string, system: string): string[] | undefined {
  return output.split("\n").map((line) => line.trim().split(/\s+/)).find((cells) =>
    cells[0] === workload && cells[1] === system
  );
}

test("deno task bench --smoke builds its load generator, runs tsbroker and a reference, and prints the tables", () => {
  const run = spawnSync(
    path.join(ROOT, "node_modules", ".bin", "deno"),
    ["run", "-A", path.join(ROOT, "scripts", "bench", "bench.ts"), "--smoke"],
    { cwd: ROOT, encoding: "utf8", timeout: 300_000 },
  );
  const output = `${run.stdout}\n${run.stderr}`;
  assert.equal(run.status, 0, output.slice(-4000));
  // Columns: workload, system, records/s, MB/s, …
  for (const workload of ["W1", "SMALL", "TLS-W1", "W1-2c", "W4-2c"]) {
    const cells = rowOf(output, workload, "tsbroker-deno");
    assert.ok(cells, `no ${workload} row for tsbroker-deno in:\n${output.slice(-4000)}`);
    assert.ok(Number(cells[3].replace(/,/g, "")) > 0, `${workload} row without a throughput: ${cells.join(" ")}`);
  }
  // SMALL's ack column is the round trip (p50/p99/p99.9 ms) and its note the broker's CPU per request.
  const small = rowOf(output, "SMALL", "tsbroker-deno")!;
  assert.ok(small.some((cell) => /^[\d.]+\/[\d.]+\/[\d.]+$/.test(cell)), small.join(" "));
  assert.match(small.join(" "), /broker CPU [\d,]+ µs per request/);
  const startup = output.split("\n").find((line) => /^STARTUP\s+tsbroker-deno\s/.test(line));
  assert.match(
    startup ?? "",
    /\s[\d,]+ ms: spawn → first ApiVersions answer, median of 2 cold starts/,
    output.slice(-4000),
  );
  assert.match(output, /rdkafka-mock/);
  // The targets of issues 13–16: one line per target with its issue, and a verdict per flavour.
  assert.match(output, /^15\s+SMALL p99 ≤ 1 ms\s+(PASS|MISS) [\d.]+ ms$/m);
  assert.match(output, /^14\s+TLS-W1 ≥ 50% of W1\s+(PASS|MISS) \d+%$/m);
  assert.match(output, /^15\s+STARTUP ≤ 300 ms \(exe\)\s+n\/a [\d,]+ ms$/m);
});

test("deno task bench --smoke --only kafka runs Apache Kafka pinned like tsbroker and prints its column", () => {
  const run = spawnSync(
    path.join(ROOT, "node_modules", ".bin", "deno"),
    [
      "run",
      "-A",
      path.join(ROOT, "scripts", "bench", "bench.ts"),
      "--smoke",
      "--only",
      "kafka",
      "--workloads",
      "IDLE,W1",
    ],
    { cwd: ROOT, encoding: "utf8", timeout: 240_000 },
  );
  const output = `${run.stdout}\n${run.stderr}`;
  assert.equal(run.status, 0, output.slice(-4000));
  const w1 = output.split("\n").find((line) => /\bW1\b/.test(line) && /\bkafka\b/.test(line) && !/FAILED/.test(line));
  assert.ok(w1, `no W1 row for kafka in:\n${output.slice(-4000)}`);
  const mbps = Number(w1.trim().split(/\s+/)[3].replace(/,/g, ""));
  assert.ok(mbps > 0, `W1 row without a throughput: ${w1}`);
});
