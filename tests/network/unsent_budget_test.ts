import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createMemoryPoolBuffer, MemoryPool } from "../../src/network/memory_pool.ts";
import { fetchMaxBytesOffset, MIN_FETCH_CREDIT, UnsentBudget } from "../../src/network/unsent_budget.ts";
import { Writer } from "../../src/protocol/io/writer.ts";
import { Reader } from "../../src/protocol/io/reader.ts";
import { requestHeaderVersion } from "../../src/protocol/api_headers.ts";
import { decodeRequestHeader, encodeRequestHeader } from "../../src/protocol/generated/headers.ts";
import { decodeFetchRequest, defaultFetchRequest, encodeFetchRequest } from "../../src/protocol/generated/fetch.ts";

const MiB = 1024 * 1024;

/** A Fetch frame (no size prefix) as a client encodes it. */
function fetchFrame(version: number, maxBytes: number, clientId = "consumer-1"): Uint8Array {
  const w = new Writer();
  encodeRequestHeader(w, requestHeaderVersion(1, version), {
    requestApiKey: 1,
    requestApiVersion: version,
    correlationId: 42,
    clientId,
  });
  encodeFetchRequest(w, version, { ...defaultFetchRequest(), maxWaitMs: 500, minBytes: 1, maxBytes });
  return w.finish().slice();
}

function maxBytesOf(frame: Uint8Array, version: number): number {
  const r = new Reader(frame);
  decodeRequestHeader(r, requestHeaderVersion(1, version));
  return decodeFetchRequest(r, version).maxBytes;
}

describe("fetchMaxBytesOffset", () => {
  for (const version of [4, 11, 12, 14, 15, 17]) {
    test(`finds max_bytes in a Fetch v${version}`, () => {
      for (const clientId of ["c", "", "a-longer-client-id"]) {
        const frame = fetchFrame(version, 123456789, clientId);
        const at = fetchMaxBytesOffset(frame, version);
        assert.ok(at > 0);
        assert.equal(new DataView(frame.buffer).getInt32(at), 123456789);
      }
    });
  }

  test("is -1 for other APIs and truncated frames", () => {
    const frame = fetchFrame(12, 5);
    const other = frame.slice();
    other[1] = 3;
    assert.equal(fetchMaxBytesOffset(other, 12), -1);
    assert.equal(fetchMaxBytesOffset(frame.subarray(0, 14), 12), -1);
  });
});

describe("UnsentBudget", () => {
  test("a Fetch takes its max_bytes when the budget is roomy", () => {
    const budget = new UnsentBudget(new MemoryPool(createMemoryPoolBuffer(256 * MiB)), 55 * MiB);
    const frame = fetchFrame(12, 10 * MiB);
    assert.equal(budget.takeFetchCredit(frame, 12), 10 * MiB);
    assert.equal(maxBytesOf(frame, 12), 10 * MiB, "untouched");
  });

  test("credit is capped at a share of what is left and the request is lowered to it", () => {
    const pool = new MemoryPool(createMemoryPoolBuffer(64 * MiB));
    const budget = new UnsentBudget(pool, 55 * MiB);
    const frame = fetchFrame(15, 50 * MiB);
    assert.equal(budget.takeFetchCredit(frame, 15), 8 * MiB);
    assert.equal(maxBytesOf(frame, 15), 8 * MiB, "the handler reads at most the credit");
    // 40 fetchers never get more than the budget plus one floor credit.
    let taken = 8 * MiB;
    for (let i = 0; i < 40; i++) {
      const c = budget.takeFetchCredit(fetchFrame(15, 50 * MiB), 15);
      if (c < 0) break;
      assert.ok(c >= MIN_FETCH_CREDIT);
      taken += c;
    }
    assert.ok(taken <= 64 * MiB + MIN_FETCH_CREDIT, `took ${taken}`);
    assert.equal(budget.takeFetchCredit(fetchFrame(15, 50 * MiB), 15), -1, "spent: the next Fetch waits");
    assert.ok(budget.low);
    budget.release(taken);
    assert.equal(pool.used, 0);
  });

  test("charge may overdraw (bytes already in memory); release returns them", () => {
    const pool = new MemoryPool(createMemoryPoolBuffer(MiB));
    const budget = new UnsentBudget(pool, 55 * MiB);
    budget.charge(3 * MiB);
    assert.equal(pool.available, -2 * MiB);
    budget.release(3 * MiB);
    assert.equal(pool.available, MiB);
  });
});
