/**
 * Several log dirs at a partition's owner (ReplicaManager with two dirs):
 * placement by fewest partitions, moves while appending (nothing lost, the
 * epoch cache rebuilt), every state a kill can leave a move in restored to
 * one copy, the leader-epoch answers (and the cache following DeleteRecords),
 * offline dirs, and the supervisor's per-dir bookkeeping (LogDirSet).
 */
import { afterEach, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import type { MetadataImage, TopicImage } from "../../src/cluster/metadata_image.ts";
import { buildBatch } from "../../src/log/record_batch.ts";
import { LEADER_EPOCH_CHECKPOINT } from "../../src/log/leader_epoch_cache.ts";
import { ErrorCode } from "../../src/protocol/errors.ts";
import { ReplicaManager } from "../../src/replica/replica_manager.ts";
import { baseName, LogDirs } from "../../src/replica/log_dirs.ts";
import { LogDirSet } from "../../src/supervisor/log_dir_set.ts";
import { MoveJob } from "../../src/replica/replica_mover.ts";
import { Logger } from "../../src/util/logger.ts";

let root: string;
let dirs: [string, string];
const TOPIC: TopicImage = { name: "t", topicId: "AAAAAAAAAAAAAAAAAAAAAQ", partitions: 4, internal: false, configs: {} };
const image: MetadataImage = { clusterId: "c", nodeId: 1, listeners: [], topics: [TOPIC] };

function quiet(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const log = new Logger("test");
  log.warn = (m) => void lines.push(`WARN ${m}`);
  log.error = (m) => void lines.push(`ERROR ${m}`);
  log.info = (m) => void lines.push(`INFO ${m}`);
  log.debug = () => {};
  return { log, lines };
}

async function start(log = quiet().log, handlerIndex = 0, handlerCount = 1): Promise<ReplicaManager> {
  const rm = new ReplicaManager({
    handlerIndex,
    handlerCount,
    logDir: dirs[0],
    config: loadConfig({ overrides: [`log.dirs=${dirs.join(",")}`] }),
    log,
    cleanShutdown: false,
    recoveryPoints: new Map(),
    logStartOffsets: new Map(),
    healthCheckIntervalMs: 0,
  });
  await rm.applyImage(image);
  return rm;
}

async function produce(rm: ReplicaManager, partition: number, values: string[]): Promise<bigint> {
  const records = buildBatch(values.map((v) => ({ key: null, value: new TextEncoder().encode(v) })));
  const [out] = await rm.execute({
    op: "produce",
    acks: 1,
    items: [{ topicId: TOPIC.topicId, partition, topic: "t", records }],
  });
  assert.equal(out.errorCode, ErrorCode.NONE);
  return out.baseOffset;
}

async function count(rm: ReplicaManager, partition: number): Promise<number> {
  let n = 0;
  let offset = 0n;
  for (;;) {
    const [out] = await rm.execute({
      op: "read",
      items: [{ topicId: TOPIC.topicId, partition, fetchOffset: offset, maxBytes: 1 << 20 }],
    });
    assert.equal(out.errorCode, ErrorCode.NONE);
    if (!out.records || out.records.byteLength === 0) return n;
    const v = new DataView(out.records.buffer, out.records.byteOffset, out.records.byteLength);
    for (let pos = 0; pos < out.records.byteLength;) {
      const base = v.getBigInt64(pos);
      const last = base + BigInt(v.getInt32(pos + 23));
      n += Number(last - base) + 1;
      offset = last + 1n;
      pos += 12 + v.getInt32(pos + 8);
    }
  }
}

async function where(rm: ReplicaManager, partition: number) {
  const [replicas] = await rm.execute({ op: "describeLogDirs", items: [{ topicId: TOPIC.topicId, partition }] });
  return replicas.map((r) => [r.dir, r.isFuture] as [string, boolean]);
}

async function moveTo(rm: ReplicaManager, partition: number, dir: string): Promise<number> {
  const [code] = await rm.execute({ op: "alterLogDir", items: [{ topicId: TOPIC.topicId, partition, dir }] });
  return code;
}

async function until(what: string, cond: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function epochs(rm: ReplicaManager, queries: Array<[number, number, number]>) {
  const out = await rm.execute({
    op: "epochEndOffsets",
    items: queries.map(([partition, currentLeaderEpoch, leaderEpoch]) => ({
      topicId: TOPIC.topicId,
      partition,
      currentLeaderEpoch,
      leaderEpoch,
    })),
  });
  return out.map((a) => [a.errorCode, a.leaderEpoch, Number(a.endOffset)]);
}

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "tsbroker-logdirs-unit-"));
  dirs = [path.join(root, "a"), path.join(root, "b")];
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe("several log dirs at the owner", () => {
  test("new partitions go to the dir with the fewest; every handler computes the same placement", async () => {
    const owners = [await start(quiet().log, 0, 2), await start(quiet().log, 1, 2)];
    for (let p = 0; p < 4; p++) {
      const holders = dirs.filter((d) => fs.existsSync(path.join(d, `t-${p}`)));
      assert.deepEqual(holders, [dirs[p % 2]], `t-${p}`);
    }
    for (const rm of owners) await rm.close();
  });

  test("a partition moves while appends continue; nothing is lost; the old copy is gone", async () => {
    const rm = await start();
    for (let i = 0; i < 50; i++) await produce(rm, 0, [`a${i}`, `b${i}`]);
    assert.deepEqual(await where(rm, 0), [[dirs[0], false]]);
    assert.equal(await moveTo(rm, 0, dirs[1]), ErrorCode.NONE);
    let appended = 100;
    await until("the move ends", async () => {
      await produce(rm, 0, [`during${appended}`]);
      appended++;
      const now = await where(rm, 0);
      return now.length === 1 && now[0][0] === dirs[1];
    });
    await produce(rm, 0, ["after"]);
    assert.equal(await count(rm, 0), appended + 1);
    assert.equal(fs.existsSync(path.join(dirs[0], "t-0")), false);
    assert.deepEqual(fs.readdirSync(dirs[1]).filter((e) => e.startsWith("t-0")), ["t-0"]);
    // The moved log's epoch cache comes from its batches (all epoch 0, from offset 0).
    assert.deepEqual(await epochs(rm, [[0, -1, 0]]), [[ErrorCode.NONE, 0, appended + 1]]);
    await rm.close();
    const again = await start();
    assert.equal(await count(again, 0), appended + 1);
    assert.deepEqual(await where(again, 0), [[dirs[1], false]]);
    await again.close();
  });

  test("every state a kill can leave a move in comes back as one complete copy", async () => {
    const seed = await start();
    await produce(seed, 0, ["x", "y", "z"]);
    await seed.close();
    const current = path.join(dirs[0], "t-0");
    const copy = (to: string) => fs.cpSync(current, to, { recursive: true });

    // 1. Killed while copying: the copy is discarded and the move starts again.
    copy(path.join(dirs[1], "t-0.abc-future"));
    let rm = await start();
    await until("the resumed move ends", async () => (await where(rm, 0))[0][0] === dirs[1]);
    assert.equal(await count(rm, 0), 3);
    await rm.close();
    const moved = path.join(dirs[1], "t-0");

    // 2. Killed between the renames: the complete future becomes the log, the old copy goes.
    fs.renameSync(moved, path.join(dirs[0], "t-0.def-future"));
    fs.cpSync(path.join(dirs[0], "t-0.def-future"), path.join(dirs[1], "t-0.def-moved"), { recursive: true });
    rm = await start();
    assert.deepEqual(await where(rm, 0), [[dirs[0], false]]);
    assert.equal(await count(rm, 0), 3);
    await rm.close();
    assert.deepEqual(fs.readdirSync(dirs[1]).filter((e) => e.startsWith("t-0")), []);

    // 3. Killed after both renames, before the old copy was removed: it is removed now.
    fs.cpSync(current, path.join(dirs[1], "t-0.ghi-moved"), { recursive: true });
    rm = await start();
    assert.equal(await count(rm, 0), 3);
    await rm.close();
    assert.deepEqual(fs.readdirSync(dirs[1]).filter((e) => e.startsWith("t-0")), []);

    // 4. Only the old copy survived (its new copy lost): it is renamed back.
    fs.renameSync(current, path.join(dirs[1], "t-0.jkl-moved"));
    rm = await start();
    assert.deepEqual(await where(rm, 0), [[dirs[1], false]]);
    assert.equal(await count(rm, 0), 3);
    await rm.close();
  });

  test("a move's copy knows its log end from the whole batches copied so far (the future's offset lag)", async () => {
    const rm = await start();
    for (let i = 0; i < 20; i++) await produce(rm, 2, [`a${i}`, `b${i}`]);
    const source = path.join(dirs[0], "t-2");
    const size = fs.statSync(path.join(source, "00000000000000000000.log")).size;
    const job = new MoveJob("k", "t-2", source, dirs[1]);
    assert.equal(job.logEndOffset, null);
    assert.equal(job.step(Math.floor(size / 2)), size - Math.floor(size / 2));
    const half = job.logEndOffset!;
    assert.ok(half > 0n && half < 40n && half % 2n === 0n, `log end ${half} after half the bytes`);
    assert.equal(job.step(size), 0);
    assert.equal(job.logEndOffset, 40n);
    job.discard();
    assert.equal(fs.readdirSync(dirs[1]).some((e) => e.endsWith("-future")), false);
    await rm.close();
  });

  test("a topic deleted while its partition moves leaves nothing behind in either dir", async () => {
    const rm = await start();
    for (let i = 0; i < 200; i++) await produce(rm, 0, [`value-${i}`.padEnd(200, ".")]);
    assert.equal(await moveTo(rm, 0, dirs[1]), ErrorCode.NONE);
    await rm.applyImage({ ...image, topics: [] });
    await new Promise((r) => setTimeout(r, 200));
    for (const d of dirs) assert.deepEqual(fs.readdirSync(d).filter((e) => e.startsWith("t-")), [], d);
    await rm.close();
  });

  test("a partition in two dirs stays offline, both copies kept", async () => {
    const seed = await start();
    await produce(seed, 0, ["x"]);
    await seed.close();
    fs.cpSync(path.join(dirs[0], "t-0"), path.join(dirs[1], "t-0"), { recursive: true });
    const { log, lines } = quiet();
    const rm = await start(log);
    const [out] = await rm.execute({
      op: "read",
      items: [{ topicId: TOPIC.topicId, partition: 0, fetchOffset: 0n, maxBytes: 1024 }],
    });
    assert.equal(out.errorCode, ErrorCode.KAFKA_STORAGE_ERROR);
    assert.ok(lines.some((l) => /found in 2 log dirs/.test(l)), lines.join("\n"));
    assert.ok(fs.existsSync(path.join(dirs[0], "t-0")) && fs.existsSync(path.join(dirs[1], "t-0")));
    await rm.close();
  });

  test("AlterReplicaLogDirs errors: unknown dir, and a move to where it is changes nothing", async () => {
    const rm = await start();
    assert.equal(await moveTo(rm, 0, path.join(root, "elsewhere")), ErrorCode.LOG_DIR_NOT_FOUND);
    assert.equal(await moveTo(rm, 0, dirs[0]), ErrorCode.NONE);
    assert.deepEqual(await where(rm, 0), [[dirs[0], false]]);
    await rm.close();
  });

  test("epoch end offsets: the current epoch ends at the log end; fencing; the cache follows DeleteRecords", async () => {
    const rm = await start();
    assert.deepEqual(await epochs(rm, [[1, -1, 0]]), [[ErrorCode.NONE, 0, 0]], "an empty partition: epoch 0 at 0");
    for (let i = 0; i < 5; i++) await produce(rm, 1, [`v${i}`, `w${i}`]);
    assert.deepEqual(await epochs(rm, [[1, -1, 0], [1, -1, 1], [1, 0, -1]]), [
      [ErrorCode.NONE, 0, 10],
      [ErrorCode.NONE, -1, -1],
      [ErrorCode.NONE, -1, -1],
    ]);
    assert.deepEqual(await epochs(rm, [[1, 3, 0], [1, -2, 0]]), [
      [ErrorCode.UNKNOWN_LEADER_EPOCH, -1, -1],
      [ErrorCode.FENCED_LEADER_EPOCH, -1, -1],
    ]);
    const [deleted] = await rm.execute({
      op: "deleteRecords",
      items: [{ topicId: TOPIC.topicId, partition: 1, offset: 4n }],
    });
    assert.equal(deleted.errorCode, ErrorCode.NONE);
    const file = path.join(dirs[1], "t-1", LEADER_EPOCH_CHECKPOINT);
    assert.equal(fs.readFileSync(file, "utf8"), "0\n1\n0 4\n");
    await rm.close();
  });

  test("a dir that cannot be used is offline: what it may hold stays offline, new partitions go elsewhere", async () => {
    fs.writeFileSync(dirs[1], "not a directory");
    const { log } = quiet();
    const rm = await start(log);
    // At start-up a partition found in no online dir may be in the offline one: not recreated empty.
    const [out] = await rm.execute({
      op: "read",
      items: [{ topicId: TOPIC.topicId, partition: 0, fetchOffset: 0n, maxBytes: 1024 }],
    });
    assert.equal(out.errorCode, ErrorCode.KAFKA_STORAGE_ERROR);
    rm.healthCheck(); // the retry of offline partitions must not recreate it either
    assert.equal(fs.existsSync(path.join(dirs[0], "t-0")), false);
    const NEW: TopicImage = { ...TOPIC, name: "n", topicId: "AAAAAAAAAAAAAAAAAAAAAg", partitions: 2 };
    await rm.applyImage({ ...image, topics: [TOPIC, NEW] });
    for (let p = 0; p < 2; p++) assert.ok(fs.existsSync(path.join(dirs[0], `n-${p}`)), `n-${p}`);
    const [moved] = await rm.execute({
      op: "alterLogDir",
      items: [{ topicId: NEW.topicId, partition: 0, dir: dirs[1] }],
    });
    assert.equal(moved, ErrorCode.KAFKA_STORAGE_ERROR);
    await rm.close();
  });
});

describe("log dir names and bookkeeping", () => {
  test("baseName() finds the partition of -future and -moved names; topic names may hold dots", () => {
    assert.equal(baseName("my.topic-3.0a1b2c-future", "-future"), "my.topic-3");
    assert.equal(baseName("t-0.x-moved", "-moved"), "t-0");
    assert.equal(baseName("t-0", "-future"), null);
    assert.equal(LogDirs.space(root).totalBytes > 0n, true);
  });

  test("LogDirSet: one cluster id in every dir's meta.properties, checkpoints split by dir", () => {
    const set = LogDirSet.open(dirs, 1, quiet().log);
    const ids = dirs.map((d) => /cluster\.id=(.*)/.exec(fs.readFileSync(path.join(d, "meta.properties"), "utf8"))![1]);
    assert.equal(ids[0], ids[1]);
    assert.equal(ids[0], set.meta.clusterId);
    set.record(0, {
      recoveryPoints: [
        { topic: "t", partition: 0, offset: 5n, dir: dirs[0] },
        { topic: "t", partition: 1, offset: 7n, dir: dirs[1] },
      ],
      logStartOffsets: [],
    });
    set.close(true);
    assert.match(fs.readFileSync(path.join(dirs[0], "recovery-point-offset-checkpoint"), "utf8"), /^0\n1\nt 0 5\n$/);
    assert.match(fs.readFileSync(path.join(dirs[1], "recovery-point-offset-checkpoint"), "utf8"), /^0\n1\nt 1 7\n$/);
    for (const d of dirs) assert.ok(fs.existsSync(path.join(d, ".kafka_cleanshutdown")));
    const again = LogDirSet.open(dirs, 1, quiet().log);
    assert.equal(again.cleanShutdown, true);
    assert.deepEqual(again.recoveryPointEntries(), [["t\u00000", 5n], [`${dirs[1]}\u0000t\u00001`, 7n]]);
    assert.throws(() => LogDirSet.open(dirs, 2, quiet().log), /node\.id/);
    assert.throws(() => LogDirSet.open([dirs[0], `${dirs[0]}/`], 1, quiet().log), /names .* twice/);
  });
});
