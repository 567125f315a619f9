/** The quota rate table: Kafka's sampled rate and throttle time, and one count across Workers' views. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createRateTableBuffer, RateTable } from "../../../src/cluster/quota/rate_table.ts";

const T0 = 1_000_000; // a window boundary

describe("RateTable", () => {
  test("the rate divides by the time since the oldest window began, plus the full windows short of 10", () => {
    const t = new RateTable(createRateTableBuffer());
    assert.equal(t.record("k", 10_000, T0), 1000, "10 kB over the 10 s minimum span");
    assert.equal(t.windowSizeMs("k", T0 + 500), 10_500);
    t.record("k", 11_000, T0 + 10_999);
    assert.equal(t.rate("k", T0 + 10_999), 21_000 / 10.999, "10 full windows: the span is the time since T0");
    assert.equal(t.rate("other", T0), 0);
  });

  test("windows older than 11 sizes stop counting", () => {
    const t = new RateTable(createRateTableBuffer());
    t.record("k", 5_000, T0);
    t.record("k", 5_000, T0 + 5_000);
    assert.equal(t.rate("k", T0 + 10_999), 10_000 / 10.999);
    // At T0 + 11 s the first window has expired; the oldest left began at T0 + 5 s.
    assert.equal(t.rate("k", T0 + 11_000), 5_000 / 10);
    assert.equal(t.rate("k", T0 + 16_000), 0);
  });

  test("throttle time is Kafka's (rate - limit) / limit x span, 0 within the quota, at most 11 s", () => {
    const t = new RateTable(createRateTableBuffer());
    assert.equal(t.throttleMs("k", 10_000, 1000, T0), 0, "exactly at the quota");
    // 12 kB over a 10 s span: 1.2 kB/s against 1 kB/s: 0.2 x 10 s.
    assert.equal(t.throttleMs("k", 2_000, 1000, T0), 2000);
    assert.equal(t.throttleMs("k", 10_000_000, 1000, T0), 11_000, "capped at the whole window span");
  });

  test("two views of one shared buffer count the same rate; different keys do not mix", () => {
    const buffer = createRateTableBuffer();
    const a = new RateTable(buffer), b = new RateTable(buffer);
    a.record("client-a", 3_000, T0);
    b.record("client-a", 7_000, T0 + 100);
    b.record("client-b", 1_000, T0 + 100);
    assert.equal(a.rate("client-a", T0 + 200), 10_000 / 10.2, "10 s of missing full windows + 200 ms");
    assert.equal(a.rate("client-b", T0 + 200), 1_000 / 10.2);
  });
});
