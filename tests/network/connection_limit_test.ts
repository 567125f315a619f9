import { test } from "node:test";
import assert from "node:assert/strict";
import { defaultMaxConnections, effectiveMaxConnections } from "../../src/network/connection_limit.ts";

test("max.connections unset follows the open-files limit, leaving room for storage and the runtime", () => {
  assert.equal(defaultMaxConnections(1024), 384);
  assert.equal(defaultMaxConnections(20_000), 9_872);
  assert.equal(defaultMaxConnections(512), 128);
  assert.equal(defaultMaxConnections(100), 16, "never below a usable minimum");
  assert.equal(defaultMaxConnections(null), 384, "unknown limit: assume 1024");
  assert.ok(defaultMaxConnections(20_000) < 20_000 / 2, "20,000 connections can no longer exhaust 20,000 descriptors");
});

test("a configured max.connections wins", () => {
  assert.deepEqual(effectiveMaxConnections(5, 1024), { maxConnections: 5, source: "configured" });
  assert.match(effectiveMaxConnections(null, 4096).source, /open-files limit 4096/);
});
