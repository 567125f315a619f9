/**
 * Issue 13's W8 targets name the load generator's own ceiling when the
 * bench ran the mock cluster's W8 rows: the same ratio against
 * rdkafka-mock, per workload; without those rows the reason is as before,
 * and the ceiling never changes a target's verdict.
 */
import * as assert from "node:assert/strict";
import type { Row } from "../../scripts/bench/_report.ts";
import { checkIssueTargets } from "../../scripts/bench/_targets.ts";

const row = (workload: string, system: string, ofIdempotentPct: number): Row => ({
  workload,
  system,
  kind: system === "rdkafka-mock" ? "reference" : "tsbroker",
  samples: [],
  extra: { ofIdempotentPct },
});

function w8Targets(rows: Row[]) {
  const targets = checkIssueTargets(rows, "librdkafka 2.16.0");
  const find = (prefix: string) => targets.find((t) => t.name.startsWith(prefix) && t.system === "tsbroker-deno")!;
  return { w8: find("W8 transactional"), w8p: find("W8-1p") };
}

Deno.test("the W8 targets give the mock cluster's ratio of each as the client's ceiling", () => {
  const { w8, w8p } = w8Targets([
    row("W8", "tsbroker-deno", 31),
    row("W8-1p", "tsbroker-deno", 72),
    row("W8", "rdkafka-mock", 52),
    row("W8-1p", "rdkafka-mock", 78),
  ]);
  assert.match(w8.why ?? "", /own ceiling \(against rdkafka-mock\) is 52%/);
  assert.match(w8p.why ?? "", /own ceiling \(against rdkafka-mock\) is 78%/);
  assert.equal(w8.status, "MISS");
  assert.equal(w8p.status, "PASS");
  assert.equal(checkIssueTargets([row("W8", "rdkafka-mock", 52)]).length, 0, "the mock has no targets of its own");
});

Deno.test("without the mock's W8 rows the W8 targets name no ceiling", () => {
  const { w8, w8p } = w8Targets([row("W8", "tsbroker-deno", 31), row("W8-1p", "tsbroker-deno", 60)]);
  assert.doesNotMatch(w8.why ?? "", /ceiling/);
  assert.doesNotMatch(w8p.why ?? "", /ceiling/);
});
