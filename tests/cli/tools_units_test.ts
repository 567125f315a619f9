/**
 * The tools' pieces that need no broker: flag parsing (getopt style, negative values, kcat's -k:), the
 * kcat-like record format, tables, JSON with bigint offsets, latency percentiles, and the dispatcher's
 * answers to usage mistakes (exit 2 without touching the network).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { type FlagSpec, parseFlags, UsageError } from "../../src/cli/tools/flags.ts";
import { isToolName, runTool } from "../../src/cli/tools/mod.ts";
import { json, table, type ToolIo } from "../../src/cli/tools/output.ts";
import { latencySummary } from "../../src/cli/tools/perf.ts";
import { compileFormat } from "../../src/cli/tools/record_format.ts";
import type { ConsumerRecord } from "../../src/client/records.ts";

const SPECS: FlagSpec[] = [
  { name: "offset", short: "o", type: "string", help: "" },
  { name: "key-separator", short: "k", type: "string", help: "" },
  { name: "header", short: "H", type: "list", help: "" },
  { name: "exit", short: "e", type: "boolean", help: "" },
];

function usageError(argv: string[]): string {
  try {
    parseFlags(argv, SPECS);
  } catch (e) {
    assert.ok(e instanceof UsageError, String(e));
    return e.message;
  }
  assert.fail(`${argv.join(" ")} was accepted`);
}

describe("parseFlags", () => {
  test("long, long=, short, attached short values, lists, booleans, positionals and --", () => {
    const p = parseFlags(["t", "--offset", "5", "-k:", "-H", "a=1", "--header=b=2", "-e", "--", "-x"], SPECS);
    assert.deepEqual(p.positionals, ["t", "-x"]);
    assert.equal(p.values.get("offset"), "5");
    assert.equal(p.values.get("key-separator"), ":");
    assert.deepEqual(p.values.get("header"), ["a=1", "b=2"]);
    assert.equal(p.values.get("exit"), true);
  });

  test("a value may start with one dash (-o -10), never with two", () => {
    assert.equal(parseFlags(["-o", "-10"], SPECS).values.get("offset"), "-10");
    assert.match(usageError(["-o", "--exit"]), /flag -o needs a value \(got flag --exit\)/);
    assert.match(usageError(["--offset"]), /flag --offset needs a value/);
  });

  test("unknown flags and values given to booleans are named", () => {
    assert.match(usageError(["--from-beginning"]), /unknown flag --from-beginning/);
    assert.match(usageError(["-Z"]), /unknown flag -Z/);
    assert.match(usageError(["--exit=yes"]), /flag --exit takes no value/);
  });
});

describe("compileFormat", () => {
  const utf8 = new TextEncoder();
  const record: ConsumerRecord = {
    topic: "t",
    partition: 2,
    offset: 41n,
    timestamp: 1700000000000,
    timestampType: "CreateTime",
    key: utf8.encode("k"),
    value: utf8.encode("héllo"),
    headers: [["a", utf8.encode("1")], ["b", null]],
  };

  test("every directive and escape", () => {
    const f = compileFormat("%t/%p@%o %k=%s (%K,%S) [%h] %T 100%%\\t|\\n");
    assert.equal(f(record), "t/2@41 k=héllo (1,6) [a=1,b=] 1700000000000 100%\t|\n");
    assert.equal(compileFormat("%k|%S")({ ...record, key: null, value: null }), "|-1");
  });

  test("an unknown directive is a usage error before any record", () => {
    assert.throws(() => compileFormat("%s %q"), (e) => e instanceof UsageError && /"%q"/.test(e.message));
    assert.throws(() => compileFormat("50%"), UsageError);
  });
});

describe("output", () => {
  test("table aligns columns and shows null as -", () => {
    assert.equal(table(["A", "LONGER"], [["x", 1], ["yyyy", null]]), "A     LONGER\nx     1\nyyyy  -\n");
  });

  test("json writes bigints as numbers while exact, else as strings", () => {
    assert.equal(json({ a: 5n, b: 2n ** 60n }), `{"a":5,"b":"${2n ** 60n}"}\n`);
  });

  test("latencySummary: percentiles of the samples", () => {
    const samples = Float64Array.from({ length: 1000 }, (_, i) => i + 1);
    const s = latencySummary(samples);
    assert.equal(s.p50Ms, 501);
    assert.equal(s.p99Ms, 991);
    assert.equal(s.p999Ms, 1000);
    assert.equal(s.maxMs, 1000);
    assert.equal(s.avgMs, 500.5);
  });
});

describe("runTool", () => {
  function io(): ToolIo & { outText: string; errText: string } {
    const self = {
      outText: "",
      errText: "",
      out: (t: string) => void (self.outText += t),
      err: (t: string) => void (self.errText += t),
      stdinLines: async function* () {},
      isTty: false,
      onInterrupt: () => {},
    };
    return self;
  }

  test("tool names are recognised; the broker's own flags are not tools", () => {
    for (const t of ["topic", "produce", "consume", "group", "cluster", "perf"]) assert.ok(isToolName(t), t);
    for (const t of [undefined, "--config", "-c", "help", "topics"]) assert.ok(!isToolName(t), String(t));
  });

  test("usage mistakes exit 2 before any connection (an unreachable -b does not matter)", async () => {
    for (
      const argv of [
        ["topic", "create", "t", "-p", "0", "-b", "127.0.0.1:1"],
        ["topic", "create", "t", "-b", "nohostport"],
        ["consume", "t", "-o", "x", "-b", "127.0.0.1:1"],
        ["topic"],
      ]
    ) {
      const out = io();
      assert.equal(await runTool(argv, out), 2, argv.join(" "));
      assert.match(out.errText + out.outText, /tsbroker topic|tsbroker consume|Usage|usage/);
    }
  });

  test("every command's --help exits 0 and lists the common flags", async () => {
    for (const tool of ["topic", "group", "perf"]) {
      const out = io();
      assert.equal(await runTool([tool, "--help"], out), 0);
      const commands = [...out.outText.matchAll(new RegExp(`tsbroker ${tool} (\\S+)`, "g"))].map((m) => m[1]);
      assert.ok(commands.length >= 2, out.outText);
      for (const c of commands) {
        const sub = io();
        assert.equal(await runTool([tool, c, "--help"], sub), 0, `${tool} ${c}`);
        assert.match(sub.outText, /--brokers host:port/);
        assert.match(sub.outText, /Exit status: 0 ok, 1 refused or failed, 2 bad usage, 3 broker unreachable/);
      }
    }
  });
});
