/**
 * The core never names a runtime: outside src/runtime/deno and
 * src/runtime/bun, no file in src/ (nor mod.ts) may use `Deno.` or `Bun.`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");

function* files(dir: string): Generator<string> {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* files(full);
    else if (full.endsWith(".ts")) yield full;
  }
}

test("src/ outside the runtime adapters never uses Deno.* or Bun.*", () => {
  const offenders: string[] = [];
  const adapters = [path.join(ROOT, "src/runtime/deno"), path.join(ROOT, "src/runtime/bun")];
  for (const file of [...files(path.join(ROOT, "src")), path.join(ROOT, "mod.ts")]) {
    if (adapters.some((dir) => file.startsWith(dir + path.sep))) continue;
    fs.readFileSync(file, "utf8").split("\n").forEach((line, i) => {
      const code = line.replace(/\/\/.*$/, "").replace(/^\s*\*.*$/, "");
      if (/\b(Deno|Bun)\.[A-Za-z]/.test(code)) offenders.push(`${path.relative(ROOT, file)}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(offenders, []);
});
