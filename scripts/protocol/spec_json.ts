/**
 * Reading the upstream Kafka message specification (JSON with `//` comments)
 * into tsbroker's schema format. Used only by import_spec.ts: the spec files
 * themselves are never copied into the project, and `about` texts are
 * dropped here.
 */
import type {
  FieldDefault,
  FieldSchema,
  MessageSchema,
  StructSchema,
  VersionRange,
} from "../../src/protocol/schema/types.ts";
import { parseFieldType } from "../../src/protocol/schema/field_type.ts";

/** Removes `//` line comments that are outside string literals. */
export function stripJsonComments(text: string): string {
  let out = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === "\\") out += text[++i];
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
      out += "\n";
    } else {
      out += c;
    }
  }
  return out;
}

/** "3+" → [3, null], "0-12" → [0, 12], "5" → [5, 5], "none" → null. */
export function parseVersionSpec(spec: string): VersionRange | null {
  const s = spec.trim();
  if (s === "none") return null;
  let m = /^(\d+)\+$/.exec(s);
  if (m) return [Number(m[1]), null];
  m = /^(\d+)-(\d+)$/.exec(s);
  if (m) return [Number(m[1]), Number(m[2])];
  m = /^(\d+)$/.exec(s);
  if (m) return [Number(m[1]), Number(m[1])];
  throw new Error(`bad version spec: ${JSON.stringify(spec)}`);
}

const INT_LIMITS: Record<string, readonly [number, number]> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
  varint: [-2147483648, 2147483647],
};

function parseIntLiteral(raw: string): number {
  const s = raw.trim();
  const neg = s.startsWith("-");
  const body = neg ? s.slice(1) : s;
  const n = /^0x[0-9a-f]+$/i.test(body) ? parseInt(body, 16) : Number(body);
  if (!Number.isInteger(n)) throw new Error(`bad integer default ${raw}`);
  return neg ? -n : n;
}

/** Converts a spec default (string or JSON scalar) into the value it denotes. */
export function parseDefault(
  type: string,
  raw: unknown,
  nullable: boolean,
): FieldDefault {
  const text = String(raw);
  const t = parseFieldType(type);
  if (t.kind !== "primitive") {
    if (text === "null" && nullable) return null;
    throw new Error(`unsupported default ${text} for ${type}`);
  }
  switch (t.name) {
    case "bool":
      if (text === "true") return true;
      if (text === "false") return false;
      break;
    case "int64":
      return BigInt(text.trim());
    case "float64":
      return Number(text);
    case "string":
    case "uuid":
      if (text === "null" && nullable) return null;
      return text;
    case "bytes":
    case "records":
      if (text === "null" && nullable) return null;
      break;
    default: {
      const limits = INT_LIMITS[t.name];
      const n = parseIntLiteral(text);
      if (n < limits[0] || n > limits[1]) break;
      return n;
    }
  }
  throw new Error(`unsupported default ${text} for ${type}`);
}

// deno-lint-ignore no-explicit-any
type Json = any;

const KNOWN_FIELD_KEYS = new Set([
  "name",
  "type",
  "versions",
  "nullableVersions",
  "taggedVersions",
  "tag",
  "default",
  "ignorable",
  "flexibleVersions",
  "fields",
  // Dropped on purpose: documentation and Java-generator hints.
  "about",
  "entityType",
  "mapKey",
  "zeroCopy",
]);

function convertField(f: Json, where: string): FieldSchema {
  for (const k of Object.keys(f)) {
    if (!KNOWN_FIELD_KEYS.has(k)) throw new Error(`${where}: unknown key ${k}`);
  }
  const versions = parseVersionSpec(f.versions);
  if (versions === null) throw new Error(`${where}: field without versions`);
  const out: {
    -readonly [K in keyof FieldSchema]: FieldSchema[K];
  } = { name: f.name, type: f.type, versions };
  if (f.nullableVersions !== undefined) {
    const r = parseVersionSpec(f.nullableVersions);
    if (r !== null) out.nullableVersions = r;
  }
  if (f.taggedVersions !== undefined) {
    const r = parseVersionSpec(f.taggedVersions);
    if (r !== null) out.taggedVersions = r;
  }
  if (f.tag !== undefined) out.tag = Number(f.tag);
  if (f.default !== undefined) {
    out.default = parseDefault(
      f.type,
      f.default,
      out.nullableVersions !== undefined,
    );
  }
  if (f.ignorable !== undefined) out.ignorable = Boolean(f.ignorable);
  if (f.flexibleVersions !== undefined) {
    const r = parseVersionSpec(f.flexibleVersions);
    out.flexibleVersions = r === null ? null : r[0];
  }
  if (f.fields !== undefined) {
    out.fields = (f.fields as Json[]).map((c) => convertField(c, `${where}.${c.name}`));
  }
  return out;
}

export function specToSchema(json: Json): MessageSchema {
  const valid = parseVersionSpec(json.validVersions);
  if (valid === null || valid[1] === null) {
    throw new Error(`${json.name}: validVersions must be bounded`);
  }
  const flex = parseVersionSpec(json.flexibleVersions ?? "none");
  const out: { -readonly [K in keyof MessageSchema]: MessageSchema[K] } = {
    type: json.type,
    name: json.name,
    validVersions: [valid[0], valid[1]],
    flexibleVersions: flex === null ? null : flex[0],
    fields: [],
    commonStructs: [],
  };
  if (json.apiKey !== undefined) out.apiKey = json.apiKey;
  if (json.deprecatedVersions !== undefined) {
    const r = parseVersionSpec(json.deprecatedVersions);
    if (r !== null) out.deprecatedVersions = r;
  }
  if (json.latestVersionUnstable !== undefined) {
    out.latestVersionUnstable = Boolean(json.latestVersionUnstable);
  }
  out.fields = (json.fields as Json[]).map((f) => convertField(f, `${json.name}.${f.name}`));
  out.commonStructs = ((json.commonStructs ?? []) as Json[]).map(
    (s): StructSchema => {
      const v = parseVersionSpec(s.versions);
      if (v === null) throw new Error(`${json.name}.${s.name}: no versions`);
      return {
        name: s.name,
        versions: v,
        fields: (s.fields as Json[]).map((f) => convertField(f, `${json.name}.${s.name}.${f.name}`)),
      };
    },
  );
  return out;
}
