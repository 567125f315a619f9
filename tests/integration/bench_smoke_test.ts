/**
 * Keeps `deno task bench` from rotting: its smoke mode (seconds; tsbroker
 * under Deno and librdkafka's mock cluster, driven by the C load generator
 * it builds) must run on a clean clone, install what it needs and print the
 * table with real throughput for tsbroker. The figures themselves are not
 * judged here (timing targets belong to the benchmark, not to tests).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";

const ROOT = path.resolve(import.meta.dirname ?? ".", "../..");

test("deno task bench --smoke builds its load generator, runs tsbroker and a reference, and prints the table", () => {
  const run = spawnSync(
    path.join(ROOT, "node_modules", ".bin", "deno"),
    ["run", "-A", path.join(ROOT, "scripts", "bench", "bench.ts"), "--smoke"],
    { cwd: ROOT, encoding: "utf8", timeout: 240_000 },
  );
  const output = `${run.stdout}\n${run.stderr}`;
  assert.equal(run.status, 0, output.slice(-4000));
  const w1 = output.split("\n").find((line) => /\bW1\b/.test(line) && line.includes("tsbroker-deno"));
  assert.ok(w1, `no W1 row for tsbroker-deno in:\n${output.slice(-4000)}`);
  // Columns: workload, system, records/s, MB/s, …
  const mbps = Number(w1.trim().split(/\s+/)[3].replace(/,/g, ""));
  assert.ok(mbps > 0, `W1 row without a throughput: ${w1}`);
  assert.match(output, /rdkafka-mock/);
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
