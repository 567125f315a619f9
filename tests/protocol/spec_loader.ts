/**
 * Test-side access to the upstream Kafka message specification in
 * ../shared/kafka-spec/message (relative to the repository root). Kept
 * independent of scripts/protocol/spec_json.ts on purpose, so the drift test
 * does not share the importer's interpretation of the spec.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = resolve(
  dirname(fileURLToPath(import.meta.url)),
  "../..",
);
export const SPEC_DIR = resolve(REPO_ROOT, "../shared/kafka-spec/message");

// deno-lint-ignore no-explicit-any
export type SpecJson = any;

/**
 * Why the drift check cannot run here, or null when it can. The spec is the
 * team's copy of Kafka's message definitions beside the repository; a user's
 * clone has none, and their suite must not fail for it.
 */
export function specMissingReason(): string | null {
  return existsSync(SPEC_DIR) ? null : `Kafka message spec not found at ${SPEC_DIR} ` +
    `(the drift check runs when ../shared/kafka-spec/message is beside the repository)`;
}

/** Throws a clear error when the spec folder is not checked out next to the repo. */
export function assertSpecDir(): void {
  const missing = specMissingReason();
  if (missing) throw new Error(missing);
}

/** Parses `<SPEC_DIR>/<name>.json`, dropping `//` comments outside strings. */
export function loadSpec(name: string): SpecJson {
  assertSpecDir();
  const path = join(SPEC_DIR, `${name}.json`);
  if (!existsSync(path)) throw new Error(`spec file ${path} does not exist`);
  const text = readFileSync(path, "utf8");
  let json = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      json += c;
      if (c === "\\") json += text[++i];
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      json += c;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
      json += "\n";
    } else {
      json += c;
    }
  }
  return JSON.parse(json);
}
