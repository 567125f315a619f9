/** The log cleaner over real segment files: what a cleaning keeps, where, and how it is written. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { config, openLog, removeDir, T0, tempDir } from "./log_helpers.ts";
import { cleanLog, context, keyed, latestByKey, readAll } from "./cleaner_helpers.ts";

const NOW = Number(T0) + 1000;

test("cleanLog keeps the latest record per key, at its offset, and drops keyless records", async () => {
  const dir = tempDir();
  try {
    const cfg = config({ compact: true, segmentBytes: 400 });
    const { log } = openLog(dir, cfg);
    const written: Array<{ key: string | null; value: string }> = [];
    for (let i = 0; i < 40; i++) {
      const key = i % 13 === 12 ? null : `k${i % 5}`;
      written.push({ key, value: `v${i}` });
      log.append(keyed([{ key, value: `v${i}` }]), 0, NOW);
    }
    const before = readAll(log).records;
    assert(log.segmentCount > 3);
    const stats = await cleanLog(context(log, cfg));
    assert(stats !== null);
    const after = readAll(log).records;
    assert.deepEqual(latestByKey(after), latestByKey(before));
    // Every record kept is where it was written; keyless ones are gone.
    const activeBase = log.segmentBaseOffsets.at(-1)!;
    for (const r of after) {
      assert.deepEqual(r.value, written[Number(r.offset)].value);
      if (r.offset < activeBase) assert(r.key !== null);
    }
    assert(before.some((r) => r.key === null && r.offset < activeBase));
    // The active segment is never cleaned: its records are all still there.
    assert.deepEqual(log.logEndOffset, 40n);
    assert(after.length < before.length);
    await log.close();
  } finally {
    removeDir(dir);
  }
});
