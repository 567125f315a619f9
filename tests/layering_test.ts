/**
 * Imports run one way. Each folder of src/ has a layer (ARCHITECTURE.md's folder map); a file may
 * import from its own folder or from a lower layer, never from a higher one. The upper layers are
 * the threads (supervisor, handler), the lower ones what every thread shares (storage, metadata,
 * protocol, utilities), so a newcomer reading a file knows nothing below it reaches back up.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const SRC = path.join(ROOT, "src");

/** Higher numbers may import lower ones. The deepest matching folder decides. */
export const LAYERS: Record<string, number> = {
  "runtime/deno": 100,
  "runtime/bun": 100,
  "supervisor": 90,
  "cli": 85,
  "client": 80,
  "handler": 70,
  "handler/apis": 65,
  "handler/services": 60,
  "network": 55,
  "network/sasl": 52,
  "group": 45,
  "txn": 40,
  "replica": 35,
  "cluster": 33,
  "log": 30,
  "metrics": 20,
  "config": 15,
  "protocol": 10,
  "util": 5,
  "runtime": 0,
  "": 0,
};

function layerOf(file: string): { folder: string; rank: number } {
  let folder = path.relative(SRC, path.dirname(file)).split(path.sep).join("/");
  while (!(folder in LAYERS)) folder = folder.includes("/") ? folder.slice(0, folder.lastIndexOf("/")) : "";
  return { folder, rank: LAYERS[folder] };
}

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(full);
    else if (full.endsWith(".ts")) yield full;
  }
}

function relativeImports(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)) found.push(match[1]);
  return found;
}

test("no file in src/ imports from a higher layer", () => {
  const upward: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const from = layerOf(file);
    for (const spec of relativeImports(fs.readFileSync(file, "utf8"))) {
      const target = path.resolve(path.dirname(file), spec);
      const to = layerOf(target);
      if (to.folder !== from.folder && to.rank >= from.rank) {
        upward.push(`${path.relative(ROOT, file)} → ${path.relative(ROOT, target)}`);
      }
    }
  }
  assert.deepEqual(upward, []);
});

test("every folder of src/ has a layer", () => {
  const unknown: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name === "generated" || entry.name === "schema") continue;
      const folder = path.relative(SRC, path.join(dir, entry.name)).split(path.sep).join("/");
      const parent = folder.slice(0, folder.lastIndexOf("/"));
      if (!(folder in LAYERS) && !(parent in LAYERS && parent !== "")) unknown.push(folder);
      walk(path.join(dir, entry.name));
    }
  };
  walk(SRC);
  assert.deepEqual(unknown, []);
});
