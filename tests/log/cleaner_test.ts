/** The log cleaner over real segment files: what a cleaning keeps, where, and how batches are rewritten. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { config, openLog, removeDir, T0, tempDir } from "./log_helpers.ts";
import { cleanLog, context, keyed, latestByKey, readAll } from "./cleaner_helpers.ts";
import { computeBatchCrc } from "../../src/log/record_batch.ts";
import { batchesOf, isRecords } from "./log_helpers.ts";
import { KeyOffsetMap } from "../../src/log/cleaner/offset_map.ts";
import { readCleanerCheckpoint } from "../../src/log/cleaner/clean_checkpoint.ts";

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
    assert.equal(log.logEndOffset, 40n);
    assert(after.length < before.length);
    await log.close();
  } finally {
    removeDir(dir);
  }
});

test("a batch losing some records is rebuilt: same offsets, producer fields and timestamps, a valid CRC", async () => {
  const dir = tempDir();
  try {
    const cfg = config({ compact: true, segmentBytes: 100 });
    const { log } = openLog(dir, cfg);
    const producer = { producerId: 7n, producerEpoch: 2, baseSequence: 0, partitionLeaderEpoch: 0 };
    log.append(
      keyed([
        { key: "a", value: "a0", timestampDelta: 0 },
        { key: "b", value: "b1", timestampDelta: 5 },
        { key: "c", value: "c2", timestampDelta: 9 },
      ], producer),
      0,
      NOW,
    );
    log.append(keyed([{ key: "a", value: "a3" }, { key: "c", value: "c4" }], { ...producer, baseSequence: 3 }), 0, NOW);
    log.append(keyed([{ key: "z", value: "z5" }]), 0, NOW); // active segment
    assert.equal(log.segmentCount, 3);
    await cleanLog(context(log, cfg));
    const bytes = isRecords(log.read(0n, 1 << 20, true));
    const first = batchesOf(bytes)[0];
    const { records, headers } = readAll(log);
    assert.deepEqual(records.slice(0, 3).map((r) => [r.offset, r.key, r.value, r.timestamp]), [
      [1n, "b", "b1", T0 + 5n],
      [3n, "a", "a3", T0],
      [4n, "c", "c4", T0],
    ]);
    const h = headers[0];
    assert.equal(h.baseOffset, 0n);
    assert.equal(h.lastOffsetDelta, 2, "the last offset (and so the last sequence) stays");
    assert.equal(h.recordsCount, 1);
    assert.equal(h.producerId, 7n);
    assert.equal(h.producerEpoch, 2);
    assert.equal(h.baseSequence, 0);
    assert.equal(h.baseTimestamp, T0 + 5n, "the base timestamp is the first kept record's");
    assert.equal(h.maxTimestamp, T0 + 5n);
    assert.equal(h.crc, computeBatchCrc(first.bytes, 0, first.bytes.length));
    await log.close();
  } finally {
    removeDir(dir);
  }
});

test("the key map bounds a cleaning: it covers what fits, and the next one goes on from the checkpoint", async () => {
  assert.equal(KeyOffsetMap.forMemory(24 * 1000, 0.9).capacity, 900, "24 bytes per key, as Kafka counts");
  const dir = tempDir();
  try {
    const cfg = config({ compact: true, segmentBytes: 500 });
    const { log } = openLog(dir, cfg);
    for (let i = 0; i < 60; i++) log.append(keyed([{ key: `k${i % 20}`, value: `v${i}` }]), 0, NOW);
    const before = latestByKey(readAll(log).records);
    const ctx = context(log, cfg, { mapCapacity: 10 });
    const first = await cleanLog(ctx);
    assert(first !== null);
    assert.equal(first.endOffset, 10n, "ten single-record batches fill a map of ten keys");
    assert.equal(readCleanerCheckpoint(log.dir, "t", 0), 10n);
    let rounds = 1;
    while ((await cleanLog(ctx)) !== null) rounds++;
    assert(rounds >= 5);
    assert.deepEqual(latestByKey(readAll(log).records), before);
    const activeBase = log.segmentBaseOffsets.at(-1)!;
    assert(readAll(log).records.filter((r) => r.offset < activeBase).length <= 20);
    await log.close();
  } finally {
    removeDir(dir);
  }
});

test("records newer than min.compaction.lag.ms are not cleaned", async () => {
  const dir = tempDir();
  try {
    const cfg = config({ compact: true, segmentBytes: 300, minCompactionLagMs: 60_000 });
    const { log } = openLog(dir, cfg);
    for (let i = 0; i < 20; i++) log.append(keyed([{ key: "k", value: `v${i}` }]), 0, NOW);
    const count = readAll(log).records.length;
    assert.equal(await cleanLog(context(log, cfg)), null, "every record is younger than the lag");
    assert.equal(readAll(log).records.length, count);
    const later = context(log, cfg, { now: () => NOW + 61_000 });
    assert(await cleanLog(later) !== null);
    assert(readAll(log).records.length < count);
    await log.close();
  } finally {
    removeDir(dir);
  }
});

test("cleanup.policy compact alone: retention.ms and retention.bytes delete nothing", () => {
  const dir = tempDir();
  try {
    const cfg = config({
      compact: true,
      deleteByRetention: false,
      segmentBytes: 300,
      retentionMs: 1,
      retentionBytes: 1,
    });
    const { log } = openLog(dir, cfg);
    for (let i = 0; i < 20; i++) log.append(keyed([{ key: "k", value: `v${i}` }]), 0, NOW);
    assert.equal(log.enforceRetention(NOW + 1_000_000), 0);
    assert.equal(log.logStartOffset, 0n);
    log.reconfigure({ ...cfg, deleteByRetention: true });
    assert(log.enforceRetention(NOW + 1_000_000) > 0, "with delete in the policy, retention applies again");
  } finally {
    removeDir(dir);
  }
});

test("a group with nothing live is removed, leaving a gap instead of an empty segment", async () => {
  const dir = tempDir();
  try {
    const cfg = config({ compact: true, segmentBytes: 100 });
    let { log } = openLog(dir, cfg);
    log.append(keyed([{ key: "a", value: "a0" }]), 0, NOW);
    log.append(keyed([{ key: "b", value: "b1" }]), 0, NOW);
    log.append(keyed([{ key: "a", value: "a2" }]), 0, NOW);
    log.append(keyed([{ key: "b", value: "b3" }]), 0, NOW); // active
    assert.deepEqual(log.segmentBaseOffsets, [0n, 1n, 2n, 3n]);
    await cleanLog(context(log, cfg));
    assert.deepEqual(log.segmentBaseOffsets, [1n, 2n, 3n], "the segment of offset 0 held nothing live");
    const { records, headers } = readAll(log);
    assert.deepEqual(records.map((r) => [r.offset, r.value]), [[1n, "b1"], [2n, "a2"], [3n, "b3"]]);
    assert.ok(headers.every((h) => h.recordsCount > 0), "no empty batch stands in for it");
    await log.close();
    ({ log } = openLog(dir, cfg));
    assert.equal(log.logStartOffset, 1n);
    await log.close();
  } finally {
    removeDir(dir);
  }
});
