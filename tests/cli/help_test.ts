import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { configHelpText, helpText } from "../../src/cli/help.ts";
import { CONFIG_KEY_NAMES } from "../../src/config/keys.ts";
import { VERSION } from "../../src/version.ts";

function widest(text: string): number {
  return Math.max(...text.split("\n").map((line) => [...line].length));
}

test("--help covers usage, every flag, examples, common keys and where the full list is", () => {
  const help = helpText();
  for (
    const fragment of [
      "Usage:",
      "--config",
      "-c,",
      "--override",
      "-o,",
      "--help",
      "-h,",
      "--help-config",
      "--version",
      "-V,",
      "Examples:",
      "docs/configuration.md",
      VERSION,
      "listeners",
      "log.dirs",
      "KAFKA_",
    ]
  ) {
    assert.ok(help.includes(fragment), fragment);
  }
});

test("--help fits an 80-column terminal on one screen and shows no null defaults", () => {
  const help = helpText();
  assert.ok(widest(help) <= 80, `widest line is ${widest(help)} columns`);
  assert.ok(help.split("\n").length <= 45, `${help.split("\n").length} lines`);
  assert.doesNotMatch(help, /\bnull\b/);
  assert.doesNotMatch(help, /^\s*\|/m, "no Markdown table");
});

test("--help-config lists every key in 80 columns, unset defaults in words", () => {
  const text = configHelpText();
  for (const key of CONFIG_KEY_NAMES) assert.match(text, new RegExp(`^${key.replaceAll(".", "\\.")} \\(`, "m"), key);
  assert.ok(widest(text) <= 80, `widest line is ${widest(text)} columns`);
  assert.doesNotMatch(text, /default: null/);
  assert.match(text, /num\.io\.threads \(int, default: \(unset: CPUs, at most 8\)\)/);
});

test("VERSION matches package.json", () => {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
  assert.equal(VERSION, pkg.version);
});
