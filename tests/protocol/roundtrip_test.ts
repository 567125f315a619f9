/**
 * For every implemented API (and the headers and consumer-protocol data
 * schemas), every valid version, request and response: a message with every
 * present field set must survive encode → decode unchanged, and re-encoding
 * the decoded message must give the same bytes. A second pass sets every
 * field that is nullable at that version to null.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { API_SCHEMAS, STANDALONE_SCHEMAS } from "../../src/protocol/schema/messages/index.ts";
import type { MessageSchema } from "../../src/protocol/schema/types.ts";
import { Reader } from "../../src/protocol/io/reader.ts";
import { Writer } from "../../src/protocol/io/writer.ts";
import { makeMessage } from "./value_gen.ts";

type Encode = (w: Writer, version: number, m: unknown) => void;
type Decode = (r: Reader, version: number) => unknown;

async function codecsOf(
  module: string,
  schema: MessageSchema,
): Promise<{ encode: Encode; decode: Decode }> {
  const url = new URL(`../../src/protocol/generated/${module}.ts`, import.meta.url).href;
  const mod = (await import(url)) as Record<string, unknown>;
  const encode = mod[`encode${schema.name}`];
  const decode = mod[`decode${schema.name}`];
  assert.equal(
    typeof encode,
    "function",
    `${module}.ts exports encode${schema.name}`,
  );
  assert.equal(
    typeof decode,
    "function",
    `${module}.ts exports decode${schema.name}`,
  );
  return { encode: encode as Encode, decode: decode as Decode };
}

function roundtrip(
  module: string,
  schema: MessageSchema,
  encode: Encode,
  decode: Decode,
  version: number,
) {
  for (const nulls of [false, true]) {
    const msg = makeMessage(schema, version, {
      nulls,
      seed: version * 1000 + (nulls ? 500 : 0),
    });
    const what = `${module}: ${schema.name} v${version}${nulls ? " (nulls)" : ""}`;
    const w = new Writer(64); // small on purpose: exercises buffer growth
    encode(w, version, msg);
    const bytes = w.finish().slice();
    const r = new Reader(bytes);
    const back = decode(r, version);
    assert.equal(
      r.remaining(),
      0,
      `${what}: decoder left ${r.remaining()} bytes`,
    );
    assert.deepEqual(back, msg, `${what}: decoded message differs`);
    const w2 = new Writer();
    encode(w2, version, back);
    assert.deepEqual(
      w2.finish(),
      bytes,
      `${what}: re-encoding is not byte-stable`,
    );
  }
}

const MODULES = [
  ...API_SCHEMAS.map((a) => ({
    module: a.module,
    schemas: [a.request, a.response],
  })),
  ...STANDALONE_SCHEMAS.map((s) => ({
    module: s.module,
    schemas: [...s.schemas],
  })),
];

for (const { module, schemas } of MODULES) {
  describe(`roundtrip ${module}`, () => {
    for (const schema of schemas) {
      const [lo, hi] = schema.validVersions;
      for (let v = lo; v <= hi; v++) {
        test(`${schema.name} v${v}`, async () => {
          const { encode, decode } = await codecsOf(module, schema);
          roundtrip(module, schema, encode, decode, v);
        });
      }
    }
  });
}
