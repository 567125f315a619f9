/** Compressed batches: the cleaner decompresses, filters and writes them back with the same codec. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { config, openLog, removeDir, T0, tempDir } from "./log_helpers.ts";
import { cleanLog, context, keyed, readAll } from "./cleaner_helpers.ts";
import { CompressionType } from "../../src/log/record_batch.ts";

const NOW = Number(T0) + 1000;

for (const [name, codec] of Object.entries(CompressionType)) {
  test(`a ${name} batch is cleaned and stays ${name}`, async () => {
    const dir = tempDir();
    try {
      const cfg = config({ compact: true, segmentBytes: 100, deleteRetentionMs: 5 });
      const { log } = openLog(dir, cfg);
      const many = Array.from({ length: 50 }, (_, i) => ({ key: `k${i % 10}`, value: `value-${i}` }));
      log.append(keyed(many, { codec }), 0, NOW);
      log.append(keyed([{ key: "k3", value: null }, { key: "k4", value: "new" }], { codec }), 0, NOW);
      log.append(keyed([{ key: "x", value: "x" }]), 0, NOW); // active
      await cleanLog(context(log, cfg));
      const { records, headers } = readAll(log);
      assert.deepEqual(records.map((r) => [Number(r.offset), r.key, r.value]), [
        ...[40, 41, 42, 45, 46, 47, 48, 49].map((i) => [i, `k${i % 10}`, `value-${i}`]),
        [50, "k3", null],
        [51, "k4", "new"],
        [52, "x", "x"],
      ]);
      assert.equal(headers[0].compression, codec);
      assert.equal(headers[0].lastOffsetDelta, 49);
      assert.equal(headers[1].compression, codec, "the batch stamped with a delete horizon is rewritten too");
      assert.ok(headers[1].hasDeleteHorizonMs);
      await log.close();
    } finally {
      removeDir(dir);
    }
  });
}
