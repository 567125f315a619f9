/**
 * `deno task bench -- --librdkafka FILE|system`: the option reaches the
 * plan, a missing file name is refused, useLibrdkafka() puts FILE first on
 * the library path under the name librdkafka clients link to
 * (librdkafka.so.1), and without the option the bench finds the current
 * librdkafka in the venv's confluent-kafka wheel (or says there is none);
 * under librdkafka 2.0 the W8-1p target says why that client can hold it.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parsePlan, type Plan } from "../../scripts/bench/_plan.ts";
import { currentLibrdkafka, useLibrdkafka, wheelLibrdkafka } from "../../scripts/bench/_setup.ts";
import type { Row } from "../../scripts/bench/_report.ts";
import { checkIssueTargets } from "../../scripts/bench/_targets.ts";

Deno.test("--librdkafka is carried in the plan, and needs a file", () => {
  const plan = parsePlan(["--", "--only", "deno", "--librdkafka", "/opt/lib/librdkafka-abc.so.1"]) as Plan;
  assert.equal(plan.librdkafka, "/opt/lib/librdkafka-abc.so.1");
  assert.equal((parsePlan(["--only", "deno"]) as Plan).librdkafka, undefined);
  assert.equal((parsePlan(["--librdkafka", "system"]) as Plan).librdkafka, "system");
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

Deno.test("the default librdkafka is the one in the venv's confluent-kafka wheel, and null without a wheel", async () => {
  const venv = fs.mkdtempSync(path.join(os.tmpdir(), "tsbroker-venv-"));
  try {
    assert.equal(wheelLibrdkafka(venv), null);
    assert.equal(await currentLibrdkafka(false, venv), null);
    const libs = path.join(venv, "lib", "python3.11", "site-packages", "confluent_kafka.libs");
    fs.mkdirSync(libs, { recursive: true });
    fs.writeFileSync(path.join(libs, "libssl-1a2b.so.3"), "");
    assert.equal(wheelLibrdkafka(venv), null, "only librdkafka-*.so.1 counts");
    fs.writeFileSync(path.join(libs, "librdkafka-0cb94173.so.1"), "");
    assert.equal(wheelLibrdkafka(venv), path.join(libs, "librdkafka-0cb94173.so.1"));
    assert.equal(await currentLibrdkafka(false, venv), path.join(libs, "librdkafka-0cb94173.so.1"));
  } finally {
    fs.rmSync(venv, { recursive: true, force: true });
  }
});
