import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { resolveCli } from "../../src/cli/resolve.ts";
import { VERSION } from "../../src/version.ts";

const files: Record<string, string> = {
  "broker.toml": `"num.partitions" = 3\n`,
  "bad.toml": `\nnum.partitions = 0\n`,
};

function readTextFile(path: string): string {
  if (!(path in files)) throw new Error(`No such file or directory: ${path}`);
  return files[path];
}

describe("resolveCli", () => {
  test("runs with the file and overrides", () => {
    const outcome = resolveCli(["-c", "broker.toml", "-o", "num.io.threads=4"], readTextFile);
    assert.equal(outcome.action, "run");
    if (outcome.action !== "run") return;
    assert.equal(outcome.configPath, "broker.toml");
    assert.equal(outcome.config["num.partitions"], 3);
    assert.equal(outcome.config["num.io.threads"], 4);
  });

  test("runs on defaults without --config", () => {
    const outcome = resolveCli([], readTextFile);
    assert.equal(outcome.action === "run" && outcome.config["num.partitions"], 1);
  });

  test("help and version go to stdout with status 0", () => {
    const help = resolveCli(["--help"], readTextFile);
    assert.ok(help.action === "exit" && help.code === 0 && help.stream === "stdout" && help.output.includes("Usage:"));
    assert.deepEqual(resolveCli(["-V"], readTextFile), {
      action: "exit",
      code: 0,
      stream: "stdout",
      output: `tsbroker ${VERSION}\n`,
    });
  });

  test("command-line mistakes exit 2 with a pointer to --help", () => {
    const outcome = resolveCli(["--bogus"], readTextFile);
    assert.ok(outcome.action === "exit" && outcome.code === 2 && outcome.stream === "stderr");
    assert.match(outcome.output, /unknown flag --bogus[\s\S]*--help/);
  });

  test("config mistakes and unreadable files exit 1 naming file, line and key", () => {
    const bad = resolveCli(["-c", "bad.toml"], readTextFile);
    assert.ok(bad.action === "exit" && bad.code === 1 && bad.stream === "stderr");
    assert.match(bad.output, /bad\.toml:2: num\.partitions = 0: out of range/);
    const missing = resolveCli(["-c", "missing.toml"], readTextFile);
    assert.ok(missing.action === "exit" && missing.code === 1);
    assert.match(missing.output, /cannot read config file missing\.toml/);
    const override = resolveCli(["-o", "nope"], readTextFile);
    assert.ok(override.action === "exit" && override.code === 1);
    assert.match(override.output, /--override "nope": expected key=value/);
  });
});
