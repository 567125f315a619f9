import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createMemoryPoolBuffer, MemoryPool } from "../../src/network/memory_pool.ts";

describe("MemoryPool", () => {
  test("reserves while memory is available, may overdraw once, refuses when empty", () => {
    const pool = new MemoryPool(createMemoryPoolBuffer(1000));
    assert.ok(pool.tryReserve(600));
    assert.ok(pool.tryReserve(600)); // overdraws: 400 were available
    assert.equal(pool.available, -200);
    assert.equal(pool.tryReserve(1), false);
    pool.release(600);
    assert.equal(pool.available, 400);
    assert.ok(pool.tryReserve(1));
    assert.equal(pool.used, 601);
  });

  test("-1 means unbounded", () => {
    const pool = new MemoryPool(createMemoryPoolBuffer(-1));
    assert.ok(pool.tryReserve(2 ** 40));
    assert.ok(pool.available > 0);
  });
});
