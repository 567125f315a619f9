/**
 * Opening a partition: after a clean stop the producer snapshot written at
 * close is loaded and nothing is replayed; after a crash every batch header
 * is replayed from the log start (which also rebuilds what the crash may
 * have lost, such as txn indexes).
 */
import { test } from "node:test";
import * as fs from "node:fs";
import assert from "node:assert/strict";
import { buildBatch } from "../../src/log/record_batch.ts";
import { ProducerStateManager } from "../../src/log/producer_state.ts";
import { LocalPartition } from "../../src/replica/local_partition.ts";
import { loadConfig } from "../../src/config/load.ts";
import { resolveAppendPolicy } from "../../src/cluster/topic_config.ts";
import { ErrorCode } from "../../src/protocol/errors.ts";
import { captureLogger, config, openLog, partitionDir, removeDir, T0, tempDir, TOPIC_ID } from "./log_helpers.ts";

/** Producer state that counts the batches replayed into it. */
class CountingProducers extends ProducerStateManager {
  replayed = 0;
  override onRecoveredBatch(...args: Parameters<ProducerStateManager["onRecoveredBatch"]>) {
    this.replayed++;
    return super.onRecoveredBatch(...args);
  }
}

function idempotentBatch(seq: number) {
  return buildBatch([{ key: null, value: new Uint8Array(10) }], {
    producerId: 7n,
    producerEpoch: 0,
    baseSequence: seq,
    baseTimestamp: T0,
  });
}

test("a clean restart loads the snapshot and replays nothing; a crash replays every batch", async () => {
  const dir = tempDir();
  try {
    // A clean stop checkpoints its recovery point at the log end; a crash leaves an older one (here none).
    const open = (cleanShutdown: boolean, recoveryPoint = 0n) => {
      const producers = new CountingProducers(partitionDir(dir), {
        logger: captureLogger().logger,
        now: () => Number(T0),
      });
      const { log } = openLog(dir, { segmentBytes: 300 }, { producerState: producers, cleanShutdown, recoveryPoint });
      const image = { name: "t", topicId: TOPIC_ID, partitions: 1, internal: false, configs: {} };
      const policy = resolveAppendPolicy(loadConfig({ overrides: [`log.dirs=${dir}`] }), {});
      const part = new LocalPartition(
        image,
        0,
        partitionDir(dir),
        log,
        producers,
        config({ segmentBytes: 300 }),
        policy,
      );
      return { log, producers, part };
    };
    const first = open(true);
    for (let seq = 0; seq < 10; seq++) {
      assert.equal(first.part.append(idempotentBatch(seq), -1, Number(T0)).errorCode, ErrorCode.NONE);
    }
    assert.ok(first.log.segmentBaseOffsets.length >= 3);
    await first.log.close();
    assert.ok(fs.readdirSync(partitionDir(dir)).includes("00000000000000000010.snapshot"), "written at close");

    const clean = open(true, 10n);
    assert.equal(clean.producers.replayed, 0, "the snapshot at the log end was loaded");
    assert.equal(clean.producers.activeProducers()[0]?.lastSequence, 9);
    clean.log.abandon(); // a kill: no snapshot at the end, not a clean close

    const crashed = open(false);
    assert.equal(crashed.producers.replayed, 10, "every batch replayed from the log start");
    assert.equal(crashed.producers.activeProducers()[0]?.lastSequence, 9);
    await crashed.log.close();
  } finally {
    removeDir(dir);
  }
});
