/** Issue 17 case 3 (storage part): segment files open on demand, and a Worker holds a bounded number of them. */
import { afterEach, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { FdCache, segmentCapacity, segmentFds } from "../../src/log/fd_cache.ts";
import { PartitionLog } from "../../src/log/partition_log.ts";
import { batch, captureLogger, config, isRecords, removeDir, tempDir } from "./log_helpers.ts";
import * as path from "node:path";

let dir = "";
let saved = 0;
beforeEach(() => {
  dir = tempDir();
  saved = segmentFds.capacity;
});
afterEach(() => {
  segmentFds.capacity = saved;
  removeDir(dir);
});

/**
 * Descriptors this process holds on files under the test's directory. Counting
 * every descriptor of the process would count other test files' too: under
 * `deno test --parallel` they run in the same process.
 */
const openFds = () =>
  fs.readdirSync("/proc/self/fd").filter((fd) => {
    try {
      return fs.readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir);
    } catch {
      return false; // closed while listing
    }
  }).length;

function open(p: number, cleanShutdown = true): PartitionLog {
  return PartitionLog.open({
    dir: path.join(dir, `t-${p}`),
    topic: "t",
    partition: p,
    topicId: "AAAAAAAAAAAAAAAAAAAAAQ",
    config: config({ segmentBytes: 400, indexIntervalBytes: 50 }),
    recoveryPoint: 0n,
    cleanShutdown,
    logger: captureLogger().logger,
  });
}

describe("segment fd cache", () => {
  test("capacity: 40% of the limit, three fds per segment, split over the Workers", () => {
    assert.equal(segmentCapacity(1, 1024), 136);
    assert.equal(segmentCapacity(4, 1024), 34);
    assert.equal(segmentCapacity(8, 64), 16);
    assert.equal(segmentCapacity(2, null), 10_000);
  });

  test("the LRU closes the least recently used holder, skipping one that cannot release", () => {
    const closed: string[] = [];
    const holder = (name: string, can = true) => ({ releaseFds: () => (can && closed.push(name), can) });
    const cache = new FdCache(2);
    const a = holder("a", false), b = holder("b"), c = holder("c");
    cache.touch(a);
    cache.touch(b);
    cache.touch(c);
    assert.deepEqual(closed, ["b"]);
    assert.equal(cache.size, 2);
  });

  test("300 partitions of several segments each stay within the bound, and still read, write and sync", async () => {
    segmentFds.capacity = 20;
    const before = openFds();
    const logs: PartitionLog[] = [];
    for (let p = 0; p < 300; p++) {
      const log = open(p);
      for (let i = 0; i < 6; i++) log.append(batch(3, { tag: i }), 0, 0);
      logs.push(log);
    }
    assert.ok(logs[0].segmentCount > 2);
    // 20 segments x at most 3 fds, plus slack for the runtime's own.
    assert.ok(openFds() - before <= 60 + 5, `${openFds() - before} fds open`);
    for (const log of logs) {
      const got = isRecords(log.read(0n, 1 << 20, false));
      assert.ok(got.length > 0);
      log.append(batch(1), 0, 0);
    }
    await Promise.all(logs.map((l) => l.flush()));
    assert.ok(openFds() - before <= 65);
    for (const log of logs) assert.equal(log.recoveryPoint, log.logEndOffset);
    await Promise.all(logs.map((l) => l.close()));
    assert.ok(openFds() <= before + 5);
    // A restart with recovery reads every segment back within the same bound.
    for (let p = 0; p < 300; p++) {
      const log = open(p, false);
      assert.equal(log.logEndOffset, 19n);
      logs[p] = log;
    }
    assert.ok(openFds() - before <= 65, `${openFds() - before} fds open after reopening`);
    await Promise.all(logs.map((l) => l.close()));
  });
});
