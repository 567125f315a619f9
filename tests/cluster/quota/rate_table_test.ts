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

  test("10,000 client ids, 50 new ones a second, are all counted: idle ones give their slots back", () => {
    const t = new RateTable(createRateTableBuffer());
    for (let i = 0; i < 10_000; i++) {
      const now = T0 + i * 20;
      assert.notEqual(t.record(`client-${i}`, 1_000, now), null, `client ${i} unmeasured`);
      // Its own 1 kB, no more (no shared slot) and no less, over the 10 s minimum span and the window begun.
      assert.equal(t.rate(`client-${i}`, now), 1_000 / ((10_000 + (i * 20) % 1000) / 1000), `client ${i}`);
    }
    // Only the last 11 s worth (550 ids) can still be live; the sweep has freed most of the older ones.
    assert.ok(t.usedSlots() <= 1024 && t.usedSlots() >= 550, `${t.usedSlots()} slots used`);
  });

  test("a slot freed and taken by another key is left by a Worker that still remembers it", () => {
    const options = { windows: 11, windowMs: 1000, slots: 1 };
    const buffer = createRateTableBuffer(options);
    const a = new RateTable(buffer, options), b = new RateTable(buffer, options);
    a.record("x", 1_000, T0);
    assert.equal(b.rate("x", T0), 1_000 / 10);
    // 11 s on, x is idle: z, new and finding no room, sweeps the table and takes x's slot.
    assert.notEqual(b.record("z", 3_000, T0 + 11_000), null);
    assert.equal(b.rate("x", T0 + 11_000), 0, "x's count went with its slot");
    // a remembers x's old slot: its record must not land in z's count (and with no room, x goes unmeasured).
    assert.equal(a.record("x", 500, T0 + 11_100), null);
    assert.equal(a.rate("z", T0 + 11_100), 3_000 / 10.1);
  });

  test("a key still within its span keeps its slot while a full table refuses a new one", () => {
    const options = { windows: 11, windowMs: 1000, slots: 1 };
    const t = new RateTable(createRateTableBuffer(options), options);
    t.record("steady", 1_000, T0);
    assert.equal(t.record("newcomer", 1_000, T0 + 10_999), null, "no room: unmeasured, not sharing");
    assert.equal(t.rate("steady", T0 + 10_999), 1_000 / 10.999);
  });

  test("token buckets start full at rate x span, go below 0 once, then refuse strict takes until refilled", () => {
    const t = new RateTable(createRateTableBuffer());
    // Rate 2/s: a burst of 22. A take of 30 passes (the bucket was not below 0) and leaves -8: 4 s to wait.
    assert.deepEqual(t.take("m", 30, 2, true, T0), { taken: true, throttleMs: 4_000 });
    assert.deepEqual(t.take("m", 1, 2, true, T0 + 1_000), { taken: false, throttleMs: 3_000 });
    assert.deepEqual(t.take("m", 1, 2, false, T0 + 1_000), { taken: true, throttleMs: 3_500 }, "permissive");
    assert.deepEqual(t.take("m", 1, 2, true, T0 + 5_000), { taken: true, throttleMs: 0 }, "back at 1, then 0");
    assert.deepEqual(t.take("other", 1, 2, true, T0), { taken: true, throttleMs: 0 });
  });
});
