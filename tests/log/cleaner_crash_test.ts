/**
 * Crash safety of a cleaning: the cleaning is cut at each of its file steps (the cleaned segment written,
 * synced, renamed .swap, each old segment moved to .deleted, the cleaned one installed), the log is
 * dropped without closing, and reopened as after a crash. The log must read as before the cleaning or
 * as after it: every record at the offset it was written with, the same latest value per key, no
 * .cleaned or .swap file left, and a new cleaning must work.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { config, openLog, partitionDir, removeDir, T0, tempDir } from "./log_helpers.ts";
import { cleanLog, context, keyed, latestByKey, readAll } from "./cleaner_helpers.ts";
import type { PartitionLog } from "../../src/log/partition_log.ts";

const NOW = Number(T0) + 1000;
const CFG = config({ compact: true, segmentBytes: 150, deleteRetentionMs: 0 });
/** The cleaning merges the small segments: groups up to 1 KiB. */
const CLEAN_CFG = { ...CFG, segmentBytes: 1024 };

function value(i: number): string | null {
  return i % 11 === 5 ? null : `v${i}`;
}

function build(dir: string): PartitionLog {
  const { log } = openLog(dir, CFG);
  for (let i = 0; i < 60; i += 2) {
    log.append(keyed([{ key: `k${i % 7}`, value: value(i) }, { key: `k${(i + 1) % 7}`, value: value(i + 1) }]), 0, NOW);
  }
  return log;
}

function check(log: PartitionLog, expected: Map<string, string>, when = ""): void {
  const { records } = readAll(log);
  let prev = -1n;
  for (const r of records) {
    assert.ok(r.offset > prev);
    prev = r.offset;
    assert.equal(r.key, `k${Number(r.offset) % 7}`);
    assert.equal(r.value, value(Number(r.offset)));
  }
  assert.deepEqual(latestByKey(records), expected, when);
  assert.equal(log.logEndOffset, 60n);
  const left = fs.readdirSync(log.dir).filter((n) => n.endsWith(".cleaned") || n.endsWith(".swap"));
  assert.deepEqual(left, []);
}

test("a cleaning cut at any file step recovers to a correct log", async () => {
  const steps: string[] = [];
  let expected: Map<string, string>;
  {
    const dir = tempDir();
    try {
      const log = build(dir);
      expected = latestByKey(readAll(log).records);
      const stats = await cleanLog(context(log, CLEAN_CFG, { step: (s) => void steps.push(s) }));
      assert(stats !== null && stats.segmentsAfter < stats.segmentsBefore, "the cleaning merged segments");
      check(log, expected);
      await log.close();
    } finally {
      removeDir(dir);
    }
  }
  assert.ok(steps.filter((s) => s.startsWith("deleted")).length >= 2, steps.join(", "));
  for (let cut = 0; cut < steps.length; cut++) {
    const dir = tempDir();
    try {
      const log = build(dir);
      let n = 0;
      const crash = () => {
        if (n++ === cut) throw new Error(`crash at ${steps[cut]}`);
      };
      await assert.rejects(cleanLog(context(log, CLEAN_CFG, { step: crash })), /crash at/);
      log.abandon();
      const { log: reopened } = openLog(dir, CFG, { cleanShutdown: false });
      check(reopened, expected, `after a crash at ${steps[cut]} (${steps.join(", ")})`);
      await cleanLog(context(reopened, CLEAN_CFG));
      check(reopened, expected);
      await reopened.close();
    } finally {
      removeDir(dir);
    }
  }
});

test("recovery discards index files of an unfinished rename to .swap and an empty swap", () => {
  const dir = tempDir();
  try {
    const log = build(dir);
    const expected = latestByKey(readAll(log).records);
    log.abandon();
    const p = partitionDir(dir);
    fs.writeFileSync(`${p}/00000000000000000000.index.swap`, new Uint8Array(8));
    fs.writeFileSync(`${p}/00000000000000000000.timeindex.cleaned`, new Uint8Array(12));
    fs.writeFileSync(`${p}/00000000000000000000.log.swap`, new Uint8Array(0));
    const { log: reopened } = openLog(dir, CFG, { cleanShutdown: false });
    check(reopened, expected);
    assert.ok(fs.existsSync(`${p}/00000000000000000000.log`));
  } finally {
    removeDir(dir);
  }
});
