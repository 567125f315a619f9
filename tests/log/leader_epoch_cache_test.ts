import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  formatEpochCheckpoint,
  LEADER_EPOCH_CHECKPOINT,
  LeaderEpochCache,
  parseEpochCheckpoint,
} from "../../src/log/leader_epoch_cache.ts";
import { removeDir, tempDir } from "./log_helpers.ts";

function withDir(fn: (dir: string) => void): void {
  const dir = tempDir();
  try {
    fn(dir);
  } finally {
    removeDir(dir);
  }
}

const entries = (c: LeaderEpochCache) => c.entries.map((e) => [e.epoch, Number(e.startOffset)]);

describe("LeaderEpochCache", () => {
  test("assign() records new epochs only, writes Kafka's file format, and survives a reload", () => {
    withDir((dir) => {
      const cache = LeaderEpochCache.load(dir);
      assert.equal(cache.latestEpoch, -1);
      assert.equal(cache.assign(0, 0n), true);
      assert.equal(cache.assign(0, 10n), false, "the same epoch from a later offset changes nothing");
      assert.equal(cache.assign(2, 100n), true);
      assert.equal(fs.readFileSync(path.join(dir, LEADER_EPOCH_CHECKPOINT), "utf8"), "0\n2\n0 0\n2 100\n");
      assert.deepEqual(entries(LeaderEpochCache.load(dir)), [[0, 0], [2, 100]]);
    });
  });

  test("assign() removes entries that would break the order (a truncated and re-appended log)", () => {
    withDir((dir) => {
      const cache = LeaderEpochCache.load(dir);
      cache.assign(1, 0n);
      cache.assign(3, 50n);
      cache.assign(4, 80n);
      cache.assign(5, 60n); // start offset below epoch 4's: epoch 4 goes
      assert.deepEqual(entries(cache), [[1, 0], [3, 50], [5, 60]]);
      cache.assign(5, 55n); // the same epoch from an earlier offset replaces it
      assert.deepEqual(entries(cache), [[1, 0], [3, 50], [5, 55]]);
      assert.equal(cache.assign(-1, 70n), false, "batches without an epoch are not recorded");
    });
  });

  test("endOffsetFor() answers as Kafka's LeaderEpochFileCache", () => {
    withDir((dir) => {
      const cache = LeaderEpochCache.load(dir);
      assert.deepEqual(cache.endOffsetFor(0, 0n), { epoch: -1, endOffset: -1n }, "empty cache");
      cache.assign(2, 10n);
      cache.assign(4, 30n);
      cache.assign(7, 90n);
      const leo = 120n;
      assert.deepEqual(cache.endOffsetFor(7, leo), { epoch: 7, endOffset: 120n }, "current epoch: the log end");
      assert.deepEqual(cache.endOffsetFor(4, leo), { epoch: 4, endOffset: 90n }, "next epoch's start");
      assert.deepEqual(cache.endOffsetFor(5, leo), { epoch: 4, endOffset: 90n }, "between epochs: the floor");
      assert.deepEqual(cache.endOffsetFor(1, leo), { epoch: 1, endOffset: 10n }, "below every epoch");
      assert.deepEqual(cache.endOffsetFor(8, leo), { epoch: -1, endOffset: -1n }, "above every epoch");
      assert.deepEqual(cache.endOffsetFor(-1, leo), { epoch: -1, endOffset: -1n }, "undefined epoch");
    });
  });

  test("truncateFromStart() keeps the epoch the new log start falls in, starting there", () => {
    withDir((dir) => {
      const cache = LeaderEpochCache.load(dir);
      cache.assign(0, 0n);
      cache.assign(1, 40n);
      cache.assign(2, 90n);
      cache.truncateFromStart(20n);
      assert.deepEqual(entries(cache), [[0, 20], [1, 40], [2, 90]]);
      cache.truncateFromStart(95n);
      assert.deepEqual(entries(cache), [[2, 95]]);
      cache.truncateFromStart(10n);
      assert.deepEqual(entries(cache), [[2, 95]], "a start below the first entry changes nothing");
      assert.deepEqual(entries(LeaderEpochCache.load(dir)), [[2, 95]], "and the change is on disk");
    });
  });

  test("truncateFromEnd() drops epochs that start at or past the new log end", () => {
    withDir((dir) => {
      const cache = LeaderEpochCache.load(dir);
      cache.assign(0, 0n);
      cache.assign(1, 40n);
      cache.assign(2, 90n);
      cache.truncateFromEnd(90n);
      assert.deepEqual(entries(cache), [[0, 0], [1, 40]]);
    });
  });

  test("a failed write never throws: the cache in memory stays right and says why", () => {
    withDir((dir) => {
      const cache = LeaderEpochCache.load(dir);
      removeDir(dir);
      assert.equal(cache.assign(1, 5n), true);
      assert.match(cache.writeError!, /ENOENT|no such file/i);
      assert.deepEqual(cache.endOffsetFor(1, 9n), { epoch: 1, endOffset: 9n });
      fs.mkdirSync(dir, { recursive: true });
      cache.assign(2, 7n);
      assert.equal(cache.writeError, null);
      assert.deepEqual(entries(LeaderEpochCache.load(dir)), [[1, 5], [2, 7]]);
    });
  });

  test("a file that does not parse is reported and read as empty; the format round-trips", () => {
    withDir((dir) => {
      fs.writeFileSync(path.join(dir, LEADER_EPOCH_CHECKPOINT), "0\n2\n0 0\n");
      const why: string[] = [];
      const cache = LeaderEpochCache.load(dir, (w) => why.push(w));
      assert.deepEqual(cache.entries, []);
      assert.match(why[0], /declares 2 entries but has 1/);
    });
    assert.throws(() => parseEpochCheckpoint("1\n0\n"), /version/);
    assert.throws(() => parseEpochCheckpoint("0\n2\n3 10\n1 20\n"), /out of order/);
    assert.deepEqual(parseEpochCheckpoint(""), []);
    const list = [{ epoch: 0, startOffset: 0n }, { epoch: 3, startOffset: 77n }];
    assert.deepEqual(parseEpochCheckpoint(formatEpochCheckpoint(list)), list);
  });
});
