import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { helpText } from "../../src/cli/help.ts";
import { describeConfigTable } from "../../src/config/render.ts";
import { VERSION } from "../../src/version.ts";

test("help text covers usage, every flag, examples, the docs and the key table", () => {
  const help = helpText();
  for (const fragment of ["Usage:", "--config", "-c,", "--override", "-o,", "--help", "-h,", "--version", "-V,", "Examples:", "docs/configuration.md", VERSION]) {
    assert.ok(help.includes(fragment), fragment);
  }
  assert.ok(help.includes(describeConfigTable()));
});

test("VERSION matches package.json", () => {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
  assert.equal(VERSION, pkg.version);
});
