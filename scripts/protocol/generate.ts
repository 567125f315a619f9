/**
 * Codec generator: reads the schema tables (src/protocol/schema/messages/)
 * and writes src/protocol/generated/<module>.ts, one per API plus the
 * headers and the consumer-protocol data schemas, and apis.ts (descriptor
 * table).
 *
 *   deno run -A scripts/protocol/generate.ts          # write files
 *   deno run -A scripts/protocol/generate.ts --check  # CI: fail on drift
 *
 * Output depends only on the tables, so it is deterministic.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { API_SCHEMAS, STANDALONE_SCHEMAS } from "../../src/protocol/schema/messages/index.ts";
import { descriptorConstName, emitModule, GENERATED_BANNER } from "./codegen/module_emit.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const OUT_DIR = join(ROOT, "src/protocol/generated");

/** Every generated file, by name within OUT_DIR. */
export function generateAll(): Map<string, string> {
  const files = new Map<string, string>();
  for (const api of API_SCHEMAS) {
    files.set(
      `${api.module}.ts`,
      emitModule({
        module: api.module,
        source: api.module,
        schemas: [api.request, api.response],
        api: { apiKey: api.apiKey, name: api.name },
      }),
    );
  }
  for (const s of STANDALONE_SCHEMAS) {
    files.set(
      `${s.module}.ts`,
      emitModule({ module: s.module, source: s.module, schemas: s.schemas }),
    );
  }
  const imports = API_SCHEMAS.map((a) => `import { ${descriptorConstName(a.name)} } from "./${a.module}.ts";`);
  files.set(
    "apis.ts",
    [
      GENERATED_BANNER,
      `// Descriptors of every implemented API, in API-key order.`,
      `import type { ApiDescriptor } from "../api_descriptor.ts";`,
      ...imports,
      "",
      `export const API_DESCRIPTORS: readonly ApiDescriptor[] = [`,
      ...API_SCHEMAS.map((a) => `  ${descriptorConstName(a.name)},`),
      `];`,
      "",
    ].join("\n"),
  );
  return files;
}

function main(args: string[]): number {
  const check = args.includes("--check");
  const files = generateAll();
  const existing = existsSync(OUT_DIR) ? readdirSync(OUT_DIR).filter((f) => f.endsWith(".ts")) : [];
  const stale = existing.filter((f) => !files.has(f));
  if (check) {
    const bad: string[] = [];
    for (const [name, text] of files) {
      const path = join(OUT_DIR, name);
      if (!existsSync(path)) bad.push(`${name} (missing)`);
      else if (readFileSync(path, "utf8") !== text) {
        bad.push(`${name} (differs)`);
      }
    }
    for (const name of stale) bad.push(`${name} (not generated; stale)`);
    if (bad.length > 0) {
      console.error(
        `src/protocol/generated is out of date; run scripts/protocol/generate.ts:`,
      );
      for (const b of bad) console.error(`  src/protocol/generated/${b}`);
      return 1;
    }
    console.log(`src/protocol/generated: ${files.size} files up to date`);
    return 0;
  }
  mkdirSync(OUT_DIR, { recursive: true });
  let changed = 0;
  for (const [name, text] of files) {
    const path = join(OUT_DIR, name);
    if (existsSync(path) && readFileSync(path, "utf8") === text) continue;
    writeFileSync(path, text);
    changed++;
  }
  for (const name of stale) unlinkSync(join(OUT_DIR, name));
  console.log(
    `src/protocol/generated: ${files.size} files, ${changed} written, ${stale.length} removed`,
  );
  return 0;
}

if (import.meta.main) process.exit(main(process.argv.slice(2)));
