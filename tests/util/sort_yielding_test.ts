/**
 * sortYielding(): the same order as Array.prototype.sort (stable, ties
 * included) over lists shorter and longer than one run, and other tasks get
 * to run while a long list is sorted.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { setImmediate } from "node:timers";
import { sortYielding } from "../../src/util/sort_yielding.ts";
import { YIELD_EVERY } from "../../src/util/yielding.ts";

/** Deterministic pseudo-random keys with many ties; `seq` records the input order to check stability. */
function items(n: number): Array<{ key: number; seq: number }> {
  let x = 12345;
  return Array.from({ length: n }, (_, seq) => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return { key: x % 1000, seq };
  });
}

const byKey = (a: { key: number }, b: { key: number }) => a.key - b.key;

describe("sortYielding", () => {
  test("sorts stably, like Array.prototype.sort, at sizes around the run length", async () => {
    for (const n of [0, 1, 7, YIELD_EVERY - 1, YIELD_EVERY, YIELD_EVERY + 1, 3 * YIELD_EVERY + 17, 50_000]) {
      const input = items(n);
      const expected = [...input].sort(byKey);
      assert.deepEqual(await sortYielding(input, byKey), expected, `n=${n}`);
    }
  });

  test("strings in code-unit order, as Kafka's String.compareTo", async () => {
    const names = ["b", "B", "a-1", "a.1", "a_1", "", "ä", "a"];
    const sorted = await sortYielding(names, (a, b) => a < b ? -1 : a > b ? 1 : 0);
    assert.deepEqual(sorted, ["", "B", "a", "a-1", "a.1", "a_1", "b", "ä"]);
  });

  test("other tasks run while a long list is sorted", async () => {
    let ticks = 0;
    let done = false;
    const tick = () => {
      ticks++;
      if (!done) setImmediate(tick);
    };
    setImmediate(tick);
    await sortYielding(items(20 * YIELD_EVERY), byKey);
    done = true;
    assert.ok(ticks >= 10, `only ${ticks} other tasks ran during the sort`);
  });
});
