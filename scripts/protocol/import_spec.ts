/**
 * One-off importer: reads the Kafka 3.9 message specification from
 * ../shared/kafka-spec/message and writes tsbroker's schema tables to
 * src/protocol/schema/messages/. Run by hand (Deno):
 *
 *   deno run -A scripts/protocol/import_spec.ts
 *
 * Its output is committed and is the project's source from then on;
 * tests/protocol/schema_matches_spec_test.ts catches drift from the spec.
 * Only structural facts are carried over (no `about` texts, no comments).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { FieldSchema, MessageSchema, VersionRange } from "../../src/protocol/schema/types.ts";
import { specToSchema, stripJsonComments } from "./spec_json.ts";
import { snakeCase, SUPPORTED_API_KEYS } from "./api_list.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const SPEC_DIR = resolve(ROOT, "../shared/kafka-spec/message");
const OUT_DIR = join(ROOT, "src/protocol/schema/messages");

function loadSpec(): Map<string, MessageSchema> {
  const byName = new Map<string, MessageSchema>();
  for (const file of readdirSync(SPEC_DIR).sort()) {
    if (!file.endsWith(".json")) continue;
    const json = JSON.parse(
      stripJsonComments(readFileSync(join(SPEC_DIR, file), "utf8")),
    );
    byName.set(json.name, specToSchema(json));
  }
  return byName;
}

// ---- TS literal emission (fixed key order keeps the output stable) ----

function range(r: VersionRange): string {
  return `[${r[0]}, ${r[1] === null ? "null" : r[1]}]`;
}

function literal(v: unknown): string {
  if (typeof v === "bigint") return `${v}n`;
  return JSON.stringify(v);
}

function emitField(f: FieldSchema, indent: string): string {
  const parts = [
    `name: ${literal(f.name)}`,
    `type: ${literal(f.type)}`,
    `versions: ${range(f.versions)}`,
  ];
  if (f.nullableVersions) {
    parts.push(`nullableVersions: ${range(f.nullableVersions)}`);
  }
  if (f.taggedVersions) {
    parts.push(`taggedVersions: ${range(f.taggedVersions)}`);
  }
  if (f.tag !== undefined) parts.push(`tag: ${f.tag}`);
  if (f.default !== undefined) parts.push(`default: ${literal(f.default)}`);
  if (f.ignorable !== undefined) parts.push(`ignorable: ${f.ignorable}`);
  if (f.flexibleVersions !== undefined) {
    parts.push(`flexibleVersions: ${literal(f.flexibleVersions)}`);
  }
  if (f.fields) parts.push(`fields: ${emitFields(f.fields, indent)}`);
  return `${indent}{ ${parts.join(", ")} },\n`;
}

function emitFields(fields: readonly FieldSchema[], indent: string): string {
  return `[\n${fields.map((f) => emitField(f, indent + "  ")).join("")}${indent}]`;
}

function emitSchema(exportName: string, s: MessageSchema): string {
  let out = `export const ${exportName}: MessageSchema = {\n`;
  if (s.apiKey !== undefined) out += `  apiKey: ${s.apiKey},\n`;
  out += `  type: ${literal(s.type)},\n  name: ${literal(s.name)},\n`;
  out += `  validVersions: [${s.validVersions[0]}, ${s.validVersions[1]}],\n`;
  out += `  flexibleVersions: ${literal(s.flexibleVersions)},\n`;
  if (s.deprecatedVersions) {
    out += `  deprecatedVersions: ${range(s.deprecatedVersions)},\n`;
  }
  if (s.latestVersionUnstable !== undefined) {
    out += `  latestVersionUnstable: ${s.latestVersionUnstable},\n`;
  }
  out += `  fields: ${emitFields(s.fields, "  ")},\n`;
  out += `  commonStructs: [`;
  if (s.commonStructs.length > 0) {
    out += "\n";
    for (const c of s.commonStructs) {
      out += `    { name: ${literal(c.name)}, versions: ${range(c.versions)}, fields: ${
        emitFields(c.fields, "    ")
      } },\n`;
    }
    out += "  ";
  }
  out += `],\n};\n`;
  return out;
}

function header(what: string): string {
  return `// Schema tables for ${what}.\n` +
    `// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts\n` +
    `// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them\n` +
    `// against the specification. Regenerate codecs with scripts/protocol/generate.ts.\n` +
    `import type { MessageSchema } from "../types.ts";\n\n`;
}

function main(): void {
  const spec = loadSpec();
  const get = (name: string): MessageSchema => {
    const s = spec.get(name);
    if (!s) throw new Error(`spec has no ${name}`);
    return s;
  };
  mkdirSync(OUT_DIR, { recursive: true });
  const written: string[] = [];
  const write = (module: string, text: string) => {
    const path = join(OUT_DIR, `${module}.ts`);
    writeFileSync(path, text);
    written.push(path);
  };

  const apiEntries: string[] = [];
  const imports: string[] = [];
  for (const key of SUPPORTED_API_KEYS) {
    const req = [...spec.values()].find((s) => s.type === "request" && s.apiKey === key);
    if (!req) throw new Error(`spec has no request for API key ${key}`);
    const api = req.name.replace(/Request$/, "");
    const resp = get(`${api}Response`);
    const module = snakeCase(api);
    write(
      module,
      header(`Kafka API ${key} (${api})`) +
        emitSchema(`${api}RequestSchema`, req) + "\n" +
        emitSchema(`${api}ResponseSchema`, resp),
    );
    imports.push(
      `import { ${api}RequestSchema, ${api}ResponseSchema } from "./${module}.ts";`,
    );
    apiEntries.push(
      `  { apiKey: ${key}, name: "${api}", module: "${module}", request: ${api}RequestSchema, response: ${api}ResponseSchema },`,
    );
  }

  write(
    "headers",
    header("the request and response headers") +
      emitSchema("RequestHeaderSchema", get("RequestHeader")) + "\n" +
      emitSchema("ResponseHeaderSchema", get("ResponseHeader")),
  );
  imports.push(
    `import { RequestHeaderSchema, ResponseHeaderSchema } from "./headers.ts";`,
  );
  const standalone = [
    `  { module: "headers", schemas: [RequestHeaderSchema, ResponseHeaderSchema] },`,
  ];
  for (
    const name of ["ConsumerProtocolSubscription", "ConsumerProtocolAssignment"]
  ) {
    const module = snakeCase(name);
    write(
      module,
      header(`the ${name} data schema (consumer group member metadata)`) +
        emitSchema(`${name}Schema`, get(name)),
    );
    imports.push(`import { ${name}Schema } from "./${module}.ts";`);
    standalone.push(`  { module: "${module}", schemas: [${name}Schema] },`);
  }

  write(
    "index",
    `// Registry of every schema table, in API-key order (read by the codec generator and tests).\n` +
      `import type { ApiSchemaPair, StandaloneSchema } from "../types.ts";\n` +
      imports.join("\n") + "\n\n" +
      `export const API_SCHEMAS: readonly ApiSchemaPair[] = [\n${apiEntries.join("\n")}\n];\n\n` +
      `export const STANDALONE_SCHEMAS: readonly StandaloneSchema[] = [\n${standalone.join("\n")}\n];\n`,
  );

  // Committed sources follow the project's formatter.
  execFileSync(process.execPath, ["fmt", "--quiet", ...written], {
    stdio: "inherit",
  });
  console.log(`wrote ${written.length} files to ${OUT_DIR}`);
}

main();
