/**
 * Producer state survives cleaning: the last batch of each producer the partition's state knows is kept,
 * emptied (header only, offsets and sequence intact) when all its records were cleaned away, so an
 * idempotent producer's next sequence is still accepted after a restart without a snapshot. Older
 * batches of the same producer go.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { config, openLog, removeDir, T0, tempDir } from "./log_helpers.ts";
import { cleanLog, context, keyed, readAll } from "./cleaner_helpers.ts";
import { ProducerStateManager } from "../../src/log/producer_state.ts";
import { Logger } from "../../src/util/logger.ts";

const NOW = Number(T0) + 1000;

function producers(dir: string): ProducerStateManager {
  const logger = new Logger("test");
  logger.info = logger.warn = logger.debug = () => {};
  return new ProducerStateManager(dir, { logger, now: () => NOW });
}

test("a producer's last batch stays, emptied; its earlier ones go; the state replays the same", async () => {
  const dir = tempDir();
  try {
    const cfg = config({ compact: true, segmentBytes: 100 });
    const p7 = { producerId: 7n, producerEpoch: 1 };
    let { log } = openLog(dir, cfg);
    log.append(keyed([{ key: "a", value: "a0" }, { key: "b", value: "b1" }], { ...p7, baseSequence: 0 }), 0, NOW);
    log.append(keyed([{ key: "a", value: "a2" }, { key: "b", value: "b3" }], { ...p7, baseSequence: 2 }), 0, NOW);
    log.append(keyed([{ key: "a", value: "a4" }, { key: "b", value: "b5" }]), 0, NOW);
    log.append(keyed([{ key: "z", value: "z6" }]), 0, NOW); // active
    await log.close();
    // Reopened with fresh producer state: it is rebuilt from the batch headers.
    const stateDir = fs.mkdtempSync(path.join(dir, "state-"));
    let psm = producers(stateDir);
    ({ log } = openLog(dir, cfg, { producerState: psm }));
    assert.deepEqual(psm.lastBatchOffsets(), new Map([[7n, 3n]]));
    // Groups of up to 1 KiB: the three rolled segments become one.
    const merge = { ...cfg, segmentBytes: 1024 };
    await cleanLog(context(log, merge, { producerLastOffsets: () => psm.lastBatchOffsets() }));
    const { records, headers } = readAll(log);
    assert.deepEqual(records.map((r) => r.value), ["a4", "b5", "z6"]);
    assert.deepEqual(
      headers.map((h) => [h.baseOffset, h.lastOffsetDelta, h.recordsCount, h.producerId, h.baseSequence]),
      [[2n, 1, 0, 7n, 2], [4n, 1, 2, -1n, -1], [6n, 0, 1, -1n, -1]],
      "the first batch of producer 7 is gone; its last one stays without records",
    );
    assert.equal(headers[0].batchLength, 49, "an empty batch is its header alone");
    await log.close();

    const again = fs.mkdtempSync(path.join(dir, "again-"));
    psm = producers(again);
    ({ log } = openLog(dir, cfg, { producerState: psm }));
    assert.equal(psm.lastSequence(7n), 3, "the producer's last sequence survives the cleaning");
    assert.equal(psm.epochOf(7n), 1);
    await log.close();
  } finally {
    removeDir(dir);
  }
});
