/**
 * Tombstones and the delete horizon (KIP-534): the cleaning that first keeps a tombstone stamps its batch
 * with now + delete.retention.ms (attribute bit 6, the horizon as base timestamp, record timestamps
 * unchanged); cleanings before the horizon keep it, the first one after removes it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { config, openLog, removeDir, T0, tempDir } from "./log_helpers.ts";
import { cleanLog, context, keyed, latestByKey, readAll } from "./cleaner_helpers.ts";

const NOW = Number(T0) + 1000;
const RETENTION = 10_000;

test("a tombstone is kept until its batch's delete horizon, then removed", async () => {
  const dir = tempDir();
  try {
    const cfg = config({ compact: true, segmentBytes: 100, deleteRetentionMs: RETENTION });
    const { log } = openLog(dir, cfg);
    log.append(keyed([{ key: "a", value: "a0" }]), 0, NOW);
    log.append(keyed([{ key: "b", value: "b1" }]), 0, NOW);
    log.append(keyed([{ key: "a", value: null, timestampDelta: 7 }, { key: "c", value: "c3" }]), 0, NOW);
    log.append(keyed([{ key: "d", value: "d4" }]), 0, NOW); // active
    const cleaningAt = NOW + 500;
    await cleanLog(context(log, cfg, { now: () => cleaningAt }));
    let { records, headers } = readAll(log);
    assert.deepEqual(records.map((r) => [r.offset, r.key, r.value]), [
      [1n, "b", "b1"],
      [2n, "a", null],
      [3n, "c", "c3"],
      [4n, "d", "d4"],
    ]);
    const stamped = headers.find((h) => h.baseOffset === 2n)!;
    assert.ok(stamped.hasDeleteHorizonMs, "the batch holding the tombstone carries a delete horizon");
    assert.equal(stamped.baseTimestamp, BigInt(cleaningAt + RETENTION));
    assert.equal(records[1].timestamp, T0 + 7n, "the tombstone keeps its own timestamp");
    assert.equal(records[2].timestamp, T0);
    assert.equal(headers.find((h) => h.baseOffset === 1n)!.hasDeleteHorizonMs, false);

    // More writes make the log dirty again; a cleaning before the horizon keeps the tombstone.
    log.append(keyed([{ key: "e", value: "e5" }]), 0, NOW);
    await cleanLog(context(log, cfg, { now: () => cleaningAt + RETENTION - 1 }));
    ({ records } = readAll(log));
    assert.ok(records.some((r) => r.key === "a" && r.value === null));

    log.append(keyed([{ key: "f", value: "f6" }]), 0, NOW);
    await cleanLog(context(log, cfg, { now: () => cleaningAt + RETENTION }));
    ({ records, headers } = readAll(log));
    assert.ok(!records.some((r) => r.key === "a"), "past the horizon the tombstone is gone");
    assert.deepEqual(latestByKey(records), new Map([["b", "b1"], ["c", "c3"], ["d", "d4"], ["e", "e5"], ["f", "f6"]]));
    const c = records.find((r) => r.key === "c")!;
    assert.equal(c.offset, 3n);
    assert.equal(c.timestamp, T0, "a record rebuilt under a horizon keeps its timestamp");
    await log.close();
  } finally {
    removeDir(dir);
  }
});

test("the delete horizon survives a restart: it is in the batch header", async () => {
  const dir = tempDir();
  try {
    const cfg = config({ compact: true, segmentBytes: 100, deleteRetentionMs: RETENTION });
    let { log } = openLog(dir, cfg);
    log.append(keyed([{ key: "a", value: "a0" }]), 0, NOW);
    log.append(keyed([{ key: "a", value: null }]), 0, NOW);
    log.append(keyed([{ key: "b", value: "b2" }]), 0, NOW);
    await cleanLog(context(log, cfg, { now: () => NOW }));
    await log.close();
    ({ log } = openLog(dir, cfg));
    const h = readAll(log).headers.find((x) => x.baseOffset === 1n)!;
    assert.ok(h.hasDeleteHorizonMs);
    assert.equal(h.baseTimestamp, BigInt(NOW + RETENTION));
    log.append(keyed([{ key: "c", value: "c3" }]), 0, NOW);
    await cleanLog(context(log, cfg, { now: () => NOW + RETENTION + 1 }));
    assert.deepEqual(readAll(log).records.map((r) => r.key), ["b", "c"]);
    await log.close();
  } finally {
    removeDir(dir);
  }
});
