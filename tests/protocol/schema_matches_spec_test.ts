/**
 * The schema tables in src/protocol/schema/messages/ must state exactly the
 * structural facts of the upstream Kafka 3.9 spec: field names and order,
 * types, version ranges, nullability, tags, defaults, and message-level
 * versions. Any drift (a hand edit gone wrong, or a spec update) fails here.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { API_SCHEMAS, STANDALONE_SCHEMAS } from "../../src/protocol/schema/messages/index.ts";
import type { FieldSchema, MessageSchema, VersionRange } from "../../src/protocol/schema/types.ts";
import { assertSpecDir, loadSpec, type SpecJson, specMissingReason } from "./spec_loader.ts";

const EXPECTED_API_KEYS = [
  0,
  1,
  2,
  3,
  8,
  9,
  10,
  11,
  12,
  13,
  14,
  15,
  16,
  17,
  18,
  19,
  20,
  21,
  22,
  23,
  24,
  25,
  26,
  27,
  28,
  29,
  30,
  31,
  32,
  33,
  34,
  35,
  36,
  37,
  42,
  43,
  44,
  45,
  46,
  47,
  48,
  49,
  50,
  51,
  60,
  61,
  65,
  66,
  68,
  69,
  75,
];

const MESSAGE_KEYS = new Set([
  "apiKey",
  "type",
  "listeners",
  "name",
  "validVersions",
  "flexibleVersions",
  "fields",
  "commonStructs",
  "deprecatedVersions",
  "latestVersionUnstable",
]);
const FIELD_KEYS = new Set([
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
  "about",
  "entityType",
  "mapKey",
  "zeroCopy",
]);

function versions(spec: string | undefined): VersionRange | undefined {
  if (spec === undefined || spec === "none") return undefined;
  const plus = /^(\d+)\+$/.exec(spec);
  if (plus) return [Number(plus[1]), null];
  const span = /^(\d+)-(\d+)$/.exec(spec);
  if (span) return [Number(span[1]), Number(span[2])];
  assert.match(spec, /^\d+$/, `unexpected version spec ${spec}`);
  return [Number(spec), Number(spec)];
}

/** The value a spec default denotes, in the tables' representation. */
function expectedDefault(type: string, raw: unknown): unknown {
  if (raw === undefined) return undefined;
  const s = String(raw);
  if (s === "null") return null;
  switch (type) {
    case "bool":
      return s === "true";
    case "int64":
      return BigInt(s);
    case "string":
    case "uuid":
      return s;
    case "float64":
      return Number(s);
    default: {
      const neg = s.startsWith("-");
      const body = neg ? s.slice(1) : s;
      const n = body.startsWith("0x") ? parseInt(body.slice(2), 16) : Number(body);
      return neg ? -n : n;
    }
  }
}

function compareFields(
  table: readonly FieldSchema[] | undefined,
  spec: SpecJson[] | undefined,
  where: string,
) {
  const specFields = spec ?? [];
  const tableFields = table ?? [];
  assert.deepEqual(
    tableFields.map((f) => f.name),
    specFields.map((f: SpecJson) => f.name),
    `${where}: field names/order`,
  );
  specFields.forEach((s: SpecJson, i: number) => {
    const t = tableFields[i];
    const at = `${where}.${s.name}`;
    for (const k of Object.keys(s)) {
      assert.ok(FIELD_KEYS.has(k), `${at}: spec key ${k} is not understood`);
    }
    assert.equal(t.type, s.type, `${at}: type`);
    assert.deepEqual(t.versions, versions(s.versions), `${at}: versions`);
    assert.deepEqual(
      t.nullableVersions,
      versions(s.nullableVersions),
      `${at}: nullableVersions`,
    );
    assert.deepEqual(
      t.taggedVersions,
      versions(s.taggedVersions),
      `${at}: taggedVersions`,
    );
    assert.equal(
      t.tag,
      s.tag === undefined ? undefined : Number(s.tag),
      `${at}: tag`,
    );
    assert.deepEqual(
      t.default,
      expectedDefault(s.type, s.default),
      `${at}: default`,
    );
    assert.equal(t.ignorable, s.ignorable, `${at}: ignorable`);
    const flex = s.flexibleVersions === undefined
      ? undefined
      : s.flexibleVersions === "none"
      ? null
      : versions(s.flexibleVersions)![0];
    assert.equal(t.flexibleVersions, flex, `${at}: flexibleVersions`);
    assert.equal(
      t.fields === undefined,
      s.fields === undefined,
      `${at}: nested fields presence`,
    );
    if (s.fields) compareFields(t.fields, s.fields, at);
  });
}

/** A field list without the fields that start after `max` (those a later Kafka added). */
function fieldsUpTo(fields: readonly FieldSchema[], max: number): FieldSchema[] {
  return fields.filter((f) => f.versions[0] <= max)
    .map((f) => (f.fields === undefined ? f : { ...f, fields: fieldsUpTo(f.fields, max) }));
}

/** The table as the 3.9 specification must describe it: versions from a later Kafka cut away. */
function asOfSpec(table: MessageSchema): MessageSchema {
  const beyond = table.beyondSpec;
  if (beyond === undefined) return table;
  assert.ok(table.validVersions[1] > beyond.specMaxVersion, `${table.name}: beyondSpec adds no version`);
  assert.ok(beyond.why.length > 0 && /^\d+\.\d+$/.test(beyond.kafka), `${table.name}: beyondSpec names why and when`);
  return {
    ...table,
    validVersions: [table.validVersions[0], beyond.specMaxVersion],
    fields: fieldsUpTo(table.fields, beyond.specMaxVersion),
    commonStructs: table.commonStructs.map((c) => ({ ...c, fields: fieldsUpTo(c.fields, beyond.specMaxVersion) })),
  };
}

function compareMessage(extended: MessageSchema) {
  const table = asOfSpec(extended);
  const spec = loadSpec(table.name);
  for (const k of Object.keys(spec)) {
    assert.ok(
      MESSAGE_KEYS.has(k),
      `${table.name}: spec key ${k} is not understood`,
    );
  }
  assert.equal(table.name, spec.name);
  assert.equal(table.type, spec.type, "type");
  assert.equal(table.apiKey, spec.apiKey, "apiKey");
  const valid = versions(spec.validVersions)!;
  assert.deepEqual(table.validVersions, valid, "validVersions");
  const flex = versions(spec.flexibleVersions);
  assert.equal(
    table.flexibleVersions,
    flex === undefined ? null : flex[0],
    "flexibleVersions",
  );
  assert.deepEqual(
    table.deprecatedVersions,
    versions(spec.deprecatedVersions),
    "deprecatedVersions",
  );
  assert.equal(
    table.latestVersionUnstable,
    spec.latestVersionUnstable,
    "latestVersionUnstable",
  );
  compareFields(table.fields, spec.fields, table.name);
  const specCommon: SpecJson[] = spec.commonStructs ?? [];
  assert.deepEqual(
    table.commonStructs.map((c) => c.name),
    specCommon.map((c) => c.name),
    "commonStructs",
  );
  specCommon.forEach((c, i) => {
    assert.deepEqual(
      table.commonStructs[i].versions,
      versions(c.versions),
      `${c.name}: versions`,
    );
    compareFields(
      table.commonStructs[i].fields,
      c.fields,
      `${table.name}.${c.name}`,
    );
  });
}

// Skipped, with the reason, in a clone that has no spec beside it; CI runs it beside one.
const skip = specMissingReason() ?? false;
if (skip) console.log(`schema drift check skipped: ${skip}`);

describe("schema tables match the Kafka spec", { skip }, () => {
  test("spec folder is present", () => assertSpecDir());

  test("tables cover exactly the implemented APIs, consistently named", () => {
    assert.deepEqual(API_SCHEMAS.map((a) => a.apiKey), EXPECTED_API_KEYS);
    for (const a of API_SCHEMAS) {
      assert.equal(a.request.apiKey, a.apiKey);
      assert.equal(a.response.apiKey, a.apiKey);
      assert.equal(a.request.name, `${a.name}Request`);
      assert.equal(a.response.name, `${a.name}Response`);
      assert.equal(a.request.type, "request");
      assert.equal(a.response.type, "response");
    }
    assert.deepEqual(
      STANDALONE_SCHEMAS.flatMap((s) => s.schemas.map((m) => m.name)),
      [
        "RequestHeader",
        "ResponseHeader",
        "ConsumerProtocolSubscription",
        "ConsumerProtocolAssignment",
      ],
    );
  });

  const all = [
    ...API_SCHEMAS.flatMap((a) => [a.request, a.response]),
    ...STANDALONE_SCHEMAS.flatMap((s) => s.schemas),
  ];
  for (const schema of all) {
    test(schema.name, () => compareMessage(schema));
  }
});
