/**
 * `deno task bench -- --librdkafka FILE`: the option reaches the plan, a
 * missing file name is refused, and useLibrdkafka() puts FILE first on the
 * library path under the name librdkafka clients link to (librdkafka.so.1);
 * under librdkafka 2.0 the W8-1p target says why that client can hold it.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parsePlan, type Plan } from "../../scripts/bench/_plan.ts";
import { useLibrdkafka } from "../../scripts/bench/_setup.ts";
import type { Row } from "../../scripts/bench/_report.ts";
import { checkIssueTargets } from "../../scripts/bench/_targets.ts";

Deno.test("--librdkafka is carried in the plan, and needs a file", () => {
  const plan = parsePlan(["--", "--only", "deno", "--librdkafka", "/opt/lib/librdkafka-abc.so.1"]) as Plan;
  assert.equal(plan.librdkafka, "/opt/lib/librdkafka-abc.so.1");
  assert.equal((parsePlan(["--only", "deno"]) as Plan).librdkafka, undefined);
  assert.throws(() => parsePlan(["--librdkafka"]), /--librdkafka needs a librdkafka shared library file/);
});

Deno.test("useLibrdkafka links the file as librdkafka.so.1 first on LD_LIBRARY_PATH", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsbroker-rdkafka-"));
  const before = Deno.env.get("LD_LIBRARY_PATH");
  try {
    const lib = path.join(dir, "librdkafka-0123.so.1");
    fs.writeFileSync(lib, "not really a library");
    Deno.env.set("LD_LIBRARY_PATH", "/usr/local/lib");
    useLibrdkafka(lib);
    const [first, rest] = Deno.env.get("LD_LIBRARY_PATH")!.split(":");
    assert.equal(rest, "/usr/local/lib");
    assert.equal(fs.realpathSync(path.join(first, "librdkafka.so.1")), fs.realpathSync(lib));
    fs.rmSync(first, { recursive: true, force: true });
  } finally {
    if (before === undefined) Deno.env.delete("LD_LIBRARY_PATH");
    else Deno.env.set("LD_LIBRARY_PATH", before);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("W8-1p's target names librdkafka 2.0's transactional polling, and only under 2.0", () => {
  const row = (workload: string, extra?: Record<string, number>): Row => ({
    workload,
    system: "tsbroker-deno",
    kind: "tsbroker",
    samples: [],
    extra,
  });
  const rows = [row("W8-1p", { ofIdempotentPct: 20 })];
  const why = (librdkafka?: string) =>
    checkIssueTargets(rows, librdkafka).find((t) => t.name.startsWith("W8-1p"))!.why ?? "";
  assert.match(why("librdkafka 2.0.2"), /librdkafka 2\.0\.2 polls its clock in transactions.*--librdkafka/);
  assert.doesNotMatch(why("librdkafka 2.16.0"), /polls its clock/);
  assert.doesNotMatch(why(undefined), /polls its clock/);
  assert.equal(checkIssueTargets(rows, "librdkafka 2.0.2").find((t) => t.name.startsWith("W8-1p"))!.status, "MISS");
});
