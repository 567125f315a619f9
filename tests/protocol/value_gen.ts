/**
 * Builds test messages from the schema tables: for a given version, every
 * present field gets a non-default value (or null, in the "nulls" pass, when
 * nullable at that version); absent fields get the default a decoder must
 * produce. Written independently of the code generator so the roundtrip test
 * checks the generated codecs against the tables, not against themselves.
 */
import type { FieldSchema, MessageSchema, VersionRange } from "../../src/protocol/schema/types.ts";
import { uuidFromBytes, ZERO_UUID } from "../../src/protocol/io/uuid.ts";

export interface GenState {
  /** Set nullable fields to null where the version allows it. */
  nulls: boolean;
  /** Counter that varies the generated values. */
  seed: number;
}

type Obj = Record<string, unknown>;

const within = (r: VersionRange | undefined, v: number) => r !== undefined && v >= r[0] && (r[1] === null || v <= r[1]);

const prop = (name: string) => name[0].toLowerCase() + name.slice(1);

function structFields(
  schema: MessageSchema,
  f: FieldSchema,
): readonly FieldSchema[] {
  if (f.fields) return f.fields;
  const name = f.type.replace(/^\[\]/, "");
  const common = schema.commonStructs.find((c) => c.name === name);
  if (!common) throw new Error(`no struct ${name} in ${schema.name}`);
  return common.fields;
}

const SCALARS = new Set([
  "bool",
  "int8",
  "int16",
  "uint16",
  "int32",
  "uint32",
  "int64",
  "varint",
  "float64",
  "uuid",
  "string",
  "bytes",
  "records",
]);

/** Value a decoder yields for an absent field. */
export function defaultValue(schema: MessageSchema, f: FieldSchema): unknown {
  if (f.default === null) return null;
  if (f.default !== undefined) return f.default;
  if (f.type.startsWith("[]")) return [];
  switch (f.type) {
    case "bool":
      return false;
    case "int64":
      return 0n;
    case "string":
      return "";
    case "uuid":
      return ZERO_UUID;
    case "bytes":
      return new Uint8Array(0);
    case "records":
      return null;
    default:
      if (SCALARS.has(f.type)) return 0;
      return defaultStruct(schema, structFields(schema, f));
  }
}

function defaultStruct(
  schema: MessageSchema,
  fields: readonly FieldSchema[],
): Obj {
  const out: Obj = {};
  for (const f of fields) out[prop(f.name)] = defaultValue(schema, f);
  return out;
}

function firstOther<T>(candidates: T[], avoid: unknown): T {
  return candidates.find((c) => c !== avoid)!;
}

function scalarSample(
  type: string,
  name: string,
  avoid: unknown,
  st: GenState,
): unknown {
  const s = st.seed++;
  switch (type) {
    case "bool":
      return avoid === true ? false : true;
    case "int8":
      return firstOther([(s % 100) + 3, 2], avoid);
    case "int16":
      return firstOther([1000 + (s % 1000), -2], avoid);
    case "uint16":
      return firstOther([60000 + (s % 1000), 1], avoid);
    case "int32":
      return firstOther([100000 + s, -7], avoid);
    case "uint32":
      return firstOther([4000000000 + s, 1], avoid);
    case "varint":
      return firstOther([-77777 - s, 1], avoid);
    case "float64":
      return 2.5 + s;
    case "int64":
      return firstOther([0x1234_5678_9abcn + BigInt(s), -3n], avoid);
    case "uuid": {
      const b = new Uint8Array(16);
      for (let i = 0; i < 16; i++) b[i] = (s * 31 + i * 7 + 1) & 0xff;
      return uuidFromBytes(b);
    }
    case "string": {
      // Mix in non-ASCII and long (> 127 byte) strings to cover the slow paths.
      let v = `${name}-${s}`;
      if (s % 3 === 0) v += "-ü✓€";
      if (s % 7 === 0) v += "x".repeat(150);
      return v;
    }
    case "bytes":
    case "records": {
      const len = type === "records" ? 40 + (s % 5) : s % 7 === 0 ? 200 : 1 + (s % 4);
      const b = new Uint8Array(len);
      for (let i = 0; i < len; i++) b[i] = (s + i * 13) & 0xff;
      return b;
    }
  }
  throw new Error(`not a scalar: ${type}`);
}

function sample(
  schema: MessageSchema,
  f: FieldSchema,
  version: number,
  st: GenState,
): unknown {
  if (st.nulls && within(f.nullableVersions, version)) return null;
  if (f.type.startsWith("[]")) {
    const el = f.type.slice(2);
    const out: unknown[] = [];
    for (let i = 0; i < 2; i++) {
      out.push(
        SCALARS.has(el)
          ? scalarSample(el, f.name, undefined, st)
          : makeStruct(schema, structFields(schema, f), version, st),
      );
    }
    return out;
  }
  if (SCALARS.has(f.type)) return scalarSample(f.type, f.name, f.default, st);
  return makeStruct(schema, structFields(schema, f), version, st);
}

function makeStruct(
  schema: MessageSchema,
  fields: readonly FieldSchema[],
  version: number,
  st: GenState,
): Obj {
  const out: Obj = {};
  for (const f of fields) {
    out[prop(f.name)] = within(f.versions, version) ? sample(schema, f, version, st) : defaultValue(schema, f);
  }
  return out;
}

/** A message of `schema` at `version` with every present field set. */
export function makeMessage(
  schema: MessageSchema,
  version: number,
  st: GenState,
): Obj {
  return makeStruct(schema, schema.fields, version, st);
}
