/**
 * num.network.threads / num.io.threads: set values win; unset ones follow
 * the CPUs the process may use, within Kafka's defaults (3 and 8).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadConfig } from "../../src/config/load.ts";
import { availableCpus, threadCounts } from "../../src/config/thread_counts.ts";

describe("thread counts", () => {
  test("unset: one processor per 4 CPUs (1 to 3) and one handler per CPU (1 to 8)", () => {
    const cfg = loadConfig();
    assert.equal(cfg["num.network.threads"], null);
    assert.equal(cfg["num.io.threads"], null);
    const at = (cpus: number) => threadCounts(cfg, cpus);
    assert.deepEqual(at(1), { network: 1, io: 1 });
    assert.deepEqual(at(2), { network: 1, io: 2 });
    assert.deepEqual(at(4), { network: 1, io: 4 });
    assert.deepEqual(at(5), { network: 2, io: 5 });
    assert.deepEqual(at(8), { network: 2, io: 8 });
    assert.deepEqual(at(12), { network: 3, io: 8 });
    assert.deepEqual(at(64), { network: 3, io: 8 });
  });

  test("configured counts are used as given, whatever the CPUs", () => {
    const cfg = loadConfig({ overrides: ["num.network.threads=5", "num.io.threads=16"] });
    assert.deepEqual(threadCounts(cfg, 1), { network: 5, io: 16 });
    const one = loadConfig({ overrides: ["num.io.threads=1"] });
    assert.deepEqual(threadCounts(one, 8), { network: 2, io: 1 });
  });

  test("the CPU count comes from the runtime and is a positive integer", () => {
    const cpus = availableCpus();
    assert.ok(Number.isInteger(cpus) && cpus >= 1, `availableCpus() = ${cpus}`);
    assert.deepEqual(threadCounts(loadConfig()), threadCounts(loadConfig(), cpus));
  });
});
