import { test } from "node:test";
import assert from "node:assert/strict";
import { compress, decompress, UnknownCodecError } from "../../src/log/codecs/codec.ts";
import { zstdCompress } from "../../src/log/codecs/zstd.ts";
import { CompressionType } from "../../src/log/record_batch.ts";

const text = new TextEncoder().encode(
  Array.from({ length: 5000 }, (_, i) => `k${(i * 7919) % 1000}-v${(i * 104729) % 5000}`).join(" "),
);

test("every codec round-trips and compresses repetitive records", () => {
  for (const codec of Object.values(CompressionType)) {
    const packed = compress(codec, text);
    if (codec !== CompressionType.None) assert.ok(packed.length < text.length, `codec ${codec}`);
    assert.deepEqual(decompress(codec, packed), text, `codec ${codec}`);
  }
});

test("zstd: the level changes the output, and two frames in a row decode as one stream", () => {
  assert.notDeepEqual(zstdCompress(text, 1), zstdCompress(text, 19));
  const half = text.subarray(0, 100);
  const a = zstdCompress(half);
  const both = new Uint8Array([...a, ...a]);
  assert.deepEqual(decompress(CompressionType.Zstd, both), new Uint8Array([...half, ...half]));
});

test("an unknown codec id or damaged data throws", () => {
  assert.throws(() => decompress(5, text), UnknownCodecError);
  assert.throws(() => compress(7, text), UnknownCodecError);
  for (const codec of [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd]) {
    const packed = compress(codec, text);
    for (const cut of [10, packed.length >> 1, packed.length - 3]) {
      assert.throws(() => decompress(codec, packed.subarray(0, cut)), `codec ${codec} cut at ${cut}`);
    }
  }
});
