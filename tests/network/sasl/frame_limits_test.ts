import { test } from "node:test";
import assert from "node:assert/strict";
import { createMemoryPoolBuffer, MemoryPool } from "../../../src/network/memory_pool.ts";
import { FrameReader } from "../../../src/network/frame_reader.ts";

const sized = (bytes: number[]) => new Uint8Array([0, 0, 0, bytes.length, ...bytes]);

test("before authentication a SASL connection takes short unframed tokens and refuses large frames", () => {
  const pool = new MemoryPool(createMemoryPoolBuffer(1 << 20));
  const reader = new FrameReader(pool, 1 << 20);
  reader.setLimit(100, "sasl.server.max.receive.size", 1);
  // A v0 PLAIN token for user "a", password "b": four bytes, shorter than any request header.
  assert.equal(reader.feed(sized([0, 97, 0, 98]), 0), "ok");
  assert.deepEqual([...reader.ready[0]], [0, 97, 0, 98]);
  const big = reader.feed(new Uint8Array([0, 0, 0, 101]), 0);
  assert.deepEqual(big, { error: "request size 101 exceeds sasl.server.max.receive.size (100)" });
});

test("once authenticated the usual limits apply again", () => {
  const pool = new MemoryPool(createMemoryPoolBuffer(1 << 20));
  const reader = new FrameReader(pool, 1 << 20);
  reader.setLimit(100, "sasl.server.max.receive.size", 1);
  reader.setLimit(1 << 20, "socket.request.max.bytes");
  assert.deepEqual(reader.feed(sized([0, 97, 0, 98]), 0), {
    error: "request of 4 bytes is too short to hold a request header",
  });
});
