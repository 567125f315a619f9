import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { CONFIG_KEY_NAMES } from "../../src/config/keys.ts";
import { describeConfigTable } from "../../src/config/render.ts";

const docs = readFileSync(new URL("../../docs/configuration.md", import.meta.url), "utf8");

test("docs/configuration.md contains the table rendered from keys.ts", () => {
  // If this fails, paste the output of describeConfigTable() into the docs' "Keys" section.
  assert.ok(docs.includes(describeConfigTable()), "docs/configuration.md is out of date with src/config/keys.ts");
});

test("the rendered table has one row per key", () => {
  const rows = describeConfigTable().trimEnd().split("\n");
  assert.equal(rows.length, CONFIG_KEY_NAMES.length + 2);
  for (const key of CONFIG_KEY_NAMES) assert.ok(rows.some((r) => r.startsWith(`| \`${key}\` |`)), key);
});
