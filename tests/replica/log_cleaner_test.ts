/**
 * The Worker's log cleaner service: which owned partitions it cleans (compacted, due, not
 * __consumer_offsets), log.cleaner.enable and log.cleaner.threads, and that a cleaning pauses while other
 * work waits.
 */
import { test } from "node:test";
import { setImmediate } from "node:timers";
import assert from "node:assert/strict";
import { loadConfig } from "../../src/config/load.ts";
import { LogCleanerService, SlicePacer, Throttle } from "../../src/replica/log_cleaner.ts";
import { LocalPartition } from "../../src/replica/local_partition.ts";
import { ProducerStateManager } from "../../src/log/producer_state.ts";
import type { LogConfig } from "../../src/log/log_config.ts";
import { resolveAppendPolicy } from "../../src/cluster/topic_config.ts";
import { captureLogger, config, openLog, removeDir, T0, tempDir } from "../log/log_helpers.ts";
import { keyed, readAll } from "../log/cleaner_helpers.ts";

const NOW = Number(T0) + 1000;

function partition(dir: string, topic: string, cfg: LogConfig): LocalPartition {
  const { log } = openLog(dir, cfg);
  for (let i = 0; i < 30; i++) log.append(keyed([{ key: `k${i % 3}`, value: `v${i}` }]), 0, NOW);
  const { logger } = captureLogger();
  const image = { name: topic, topicId: "AAAAAAAAAAAAAAAAAAAAAQ", partitions: 1, internal: false, configs: {} };
  const brokerCfg = loadConfig({ overrides: [] });
  return new LocalPartition(
    image,
    0,
    log.dir,
    log,
    new ProducerStateManager(log.dir, { logger }),
    cfg,
    resolveAppendPolicy(brokerCfg, {}),
  );
}

function service(parts: LocalPartition[], overrides: string[] = []): LogCleanerService {
  return new LogCleanerService({
    config: loadConfig({ overrides }),
    log: captureLogger().logger,
    handlerCount: 1,
    partitions: () => parts,
    now: () => NOW,
  });
}

test("only compacted partitions that are due get cleaned, and never __consumer_offsets", async () => {
  const dirs = [tempDir(), tempDir(), tempDir(), tempDir()];
  try {
    const compact = config({ compact: true, segmentBytes: 100, minCleanableDirtyRatio: 0.5 });
    const parts = [
      partition(dirs[0], "t", compact),
      partition(dirs[1], "plain", config({ segmentBytes: 100 })),
      partition(dirs[2], "__consumer_offsets", compact),
      partition(dirs[3], "lazy", { ...compact, minCleanableDirtyRatio: 1 }),
    ];
    const before = parts.map((p) => readAll(p.log).records.length);
    const cleaner = service(parts, ["log.cleaner.threads=4"]);
    assert.equal(cleaner.check(), 1, "one partition is due");
    await cleaner.settled();
    await cleaner.stop();
    const after = parts.map((p) => readAll(p.log).records.length);
    assert.ok(after[0] < before[0]);
    assert.deepEqual(after.slice(1), before.slice(1));
    for (const p of parts) await p.log.close();
  } finally {
    dirs.forEach(removeDir);
  }
});

test("log.cleaner.enable=false and log.cleaner.threads=0 clean nothing; threads bounds cleanings at once", async () => {
  const dirs = [tempDir(), tempDir()];
  try {
    const compact = config({ compact: true, segmentBytes: 100 });
    const parts = [partition(dirs[0], "a", compact), partition(dirs[1], "b", compact)];
    for (const off of [["log.cleaner.enable=false"], ["log.cleaner.threads=0"]]) {
      const cleaner = service(parts, off);
      assert.equal(cleaner.check(), 0);
      await cleaner.stop();
    }
    const one = service(parts, ["log.cleaner.threads=1"]);
    assert.equal(one.check(), 1, "one thread: one cleaning at a time");
    assert.equal(one.check(), 0, "the thread is busy");
    await one.stop();
    for (const p of parts) await p.log.close();
  } finally {
    dirs.forEach(removeDir);
  }
});

test("a slice followed by waiting work makes the cleaning sleep for most of the time", async () => {
  const pacer = new SlicePacer(new Throttle(Number.MAX_VALUE, Date.now));
  const busy = (ms: number) => {
    const end = performance.now() + ms;
    while (performance.now() < end) { /* a slice of cleaning */ }
  };
  // Other work queued behind the slice: the yield comes back late, so the pacer sleeps ~19× the slice.
  busy(4);
  setImmediate(() => busy(3));
  const start = performance.now();
  await pacer.pace(0);
  assert.ok(performance.now() - start >= 40, `slept ${performance.now() - start} ms`);
});
