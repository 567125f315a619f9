/** Kafka's UUID string form: URL-safe base64 of 16 bytes, no padding. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomUuid, uuidFromBytes, uuidToBytes, ZERO_UUID } from "../../src/protocol/io/uuid.ts";

describe("uuid", () => {
  test("zero uuid", () => {
    assert.equal(ZERO_UUID, "AAAAAAAAAAAAAAAAAAAAAA");
    assert.equal(uuidFromBytes(new Uint8Array(16)), ZERO_UUID);
    assert.deepEqual(uuidToBytes(ZERO_UUID), new Uint8Array(16));
  });

  test("known values", () => {
    const seq = Uint8Array.from({ length: 16 }, (_, i) => i);
    assert.equal(uuidFromBytes(seq), "AAECAwQFBgcICQoLDA0ODw");
    assert.deepEqual(uuidToBytes("AAECAwQFBgcICQoLDA0ODw"), seq);
    const ones = new Uint8Array(16).fill(0xff);
    assert.equal(uuidFromBytes(ones), "_____________________w");
    // Kafka's METADATA_TOPIC_ID (most significant 0, least significant 1).
    const one = new Uint8Array(16);
    one[15] = 1;
    assert.equal(uuidFromBytes(one), "AAAAAAAAAAAAAAAAAAAAAQ");
    assert.deepEqual(uuidToBytes("AAECAwQFBgcICQoLDA0ODw=="), seq);
  });

  test("reads at an offset", () => {
    const buf = new Uint8Array(20);
    uuidToBytes("AAECAwQFBgcICQoLDA0ODw", buf, 3);
    assert.equal(uuidFromBytes(buf, 3), "AAECAwQFBgcICQoLDA0ODw");
  });

  test("rejects malformed strings", () => {
    for (
      const bad of [
        "",
        "AAAA",
        "AAECAwQFBgcICQoLDA0OD!",
        "AAECAwQFBgcICQoLDA0ODx",
        "AAECAwQFBgcICQoLDA0ODw+",
      ]
    ) {
      assert.throws(() => uuidToBytes(bad), RangeError, bad);
    }
  });

  test("random uuids: 22 chars, version 4, never starting with '-'", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const id = randomUuid();
      assert.match(id, /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
      const b = uuidToBytes(id);
      assert.equal(b[6] >> 4, 4);
      assert.equal(b[8] >> 6, 2);
      assert.equal(uuidFromBytes(b), id);
      seen.add(id);
    }
    assert.equal(seen.size, 2000);
  });
});
