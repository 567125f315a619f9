import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createMemoryPoolBuffer, MemoryPool } from "../../src/network/memory_pool.ts";
import { FrameReader } from "../../src/network/frame_reader.ts";

function prefix(size: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, size);
  return b;
}

function frameOf(size: number, fill = 7): Uint8Array {
  const b = new Uint8Array(4 + size).fill(fill);
  new DataView(b.buffer).setInt32(0, size);
  return b;
}

describe("FrameReader", () => {
  test("a declared size alone takes no memory from the pool", () => {
    const pool = new MemoryPool(createMemoryPoolBuffer(1000));
    const readers = [0, 1, 2].map(() => new FrameReader(pool, 100 * 1024 * 1024));
    for (const r of readers) assert.equal(r.feed(prefix(100 * 1024 * 1024), 0), "ok");
    assert.equal(pool.used, 0, "three 100 MiB promises hold no pool memory");
    // Another connection's whole request still fits.
    const other = new FrameReader(pool, 1000);
    assert.equal(other.feed(frameOf(20), 0), "ok");
    assert.equal(other.ready.length, 1);
    assert.equal(pool.used, 20);
  });

  test("memory follows the bytes that arrived, within twice what was sent", () => {
    const pool = new MemoryPool(createMemoryPoolBuffer(10_000_000));
    const r = new FrameReader(pool, 10_000_000);
    r.feed(prefix(1_000_000), 0);
    r.feed(new Uint8Array(100_000), 1);
    assert.equal(pool.used, 100_000);
    r.feed(new Uint8Array(300_000), 2);
    assert.equal(pool.used, 400_000);
    r.feed(new Uint8Array(100_000), 3); // half is in: the frame's own buffer takes the whole size
    assert.equal(pool.used, 1_000_000);
    assert.equal(r.partialBytes, 500_000);
    r.feed(new Uint8Array(500_000).fill(9), 4);
    assert.equal(r.ready.length, 1);
    assert.equal(r.ready[0].byteLength, 1_000_000);
    assert.equal(r.ready[0][999_999], 9);
    assert.equal(pool.used, 1_000_000, "a complete frame holds exactly its size until handled");
  });

  test("frames split at any point come out whole and in order", () => {
    const pool = new MemoryPool(createMemoryPoolBuffer(-1));
    const r = new FrameReader(pool, 1 << 20);
    const stream = new Uint8Array([...frameOf(10, 1), ...frameOf(300, 2), ...frameOf(8, 3)]);
    for (let at = 0; at < stream.byteLength; at += 7) r.feed(stream.subarray(at, at + 7), 0);
    assert.deepEqual(r.ready.map((f) => [f.byteLength, f[0]]), [[10, 1], [300, 2], [8, 3]]);
  });

  test("a dry pool blocks; retry resumes once memory returns; nothing is lost", () => {
    const pool = new MemoryPool(createMemoryPoolBuffer(100));
    assert.ok(pool.tryReserve(100));
    const r = new FrameReader(pool, 1000);
    assert.equal(r.feed(frameOf(50, 4), 0), "blocked");
    assert.ok(r.blocked);
    assert.equal(r.feed(frameOf(8, 5), 0), "blocked");
    assert.equal(r.retry(1), "blocked");
    pool.release(100);
    assert.equal(r.retry(2), "ok");
    assert.deepEqual(r.ready.map((f) => [f.byteLength, f[0]]), [[50, 4], [8, 5]]);
    assert.equal(pool.used, 58);
  });

  test("bad sizes are errors", () => {
    const pool = new MemoryPool(createMemoryPoolBuffer(-1));
    assert.match(JSON.stringify(new FrameReader(pool, 100).feed(prefix(101), 0)), /exceeds socket.request.max.bytes/);
    assert.match(JSON.stringify(new FrameReader(pool, 100).feed(prefix(3), 0)), /too short/);
    assert.match(JSON.stringify(new FrameReader(pool, 100).feed(prefix(-1), 0)), /exceeds/);
  });

  test("the request clock starts at the first byte and stops when the request is complete", () => {
    const pool = new MemoryPool(createMemoryPoolBuffer(-1));
    const r = new FrameReader(pool, 1000);
    assert.equal(r.startedAt, -1);
    r.feed(prefix(20).subarray(0, 2), 5);
    assert.equal(r.startedAt, 5);
    r.feed(prefix(20).subarray(2), 6);
    r.feed(new Uint8Array(10), 7);
    assert.equal(r.startedAt, 5);
    r.restartClock(9);
    assert.equal(r.startedAt, 9);
    r.feed(new Uint8Array(10), 10);
    assert.equal(r.startedAt, -1);
  });

  test("releaseAll gives back partial and complete frames", () => {
    const pool = new MemoryPool(createMemoryPoolBuffer(10_000));
    const r = new FrameReader(pool, 10_000);
    r.feed(frameOf(100), 0);
    r.feed(prefix(1000), 0);
    r.feed(new Uint8Array(200), 0);
    assert.equal(pool.used, 300);
    r.releaseAll();
    assert.equal(pool.used, 0);
  });
});
