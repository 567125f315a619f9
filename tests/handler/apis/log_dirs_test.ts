/**
 * OffsetForLeaderEpoch (23), DescribeLogDirs (35) and AlterReplicaLogDirs
 * (34) through a whole in-process broker core (LocalBroker, two handlers,
 * two log dirs) at every version tsbroker advertises: epoch end offsets of
 * partitions on both handlers (v0 has no epoch in its answer), fencing from
 * v2, every partition in its dir with its size, a filtered describe, and a
 * move to the other dir seen by the next describe.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { withBroker } from "./_helpers.ts";
import { produceRecords } from "./_helpers.ts";
import type { LocalBroker } from "../_local_broker.ts";
import { ErrorCode } from "../../../src/protocol/errors.ts";
import { buildBatch } from "../../../src/log/record_batch.ts";
import {
  decodeOffsetForLeaderEpochResponse,
  encodeOffsetForLeaderEpochRequest,
} from "../../../src/protocol/generated/offset_for_leader_epoch.ts";
import {
  decodeDescribeLogDirsResponse,
  type DescribeLogDirsResponse,
  encodeDescribeLogDirsRequest,
} from "../../../src/protocol/generated/describe_log_dirs.ts";
import {
  decodeAlterReplicaLogDirsResponse,
  encodeAlterReplicaLogDirsRequest,
} from "../../../src/protocol/generated/alter_replica_log_dirs.ts";
import { describeLogDirsHandler } from "../../../src/handler/apis/035_describe_log_dirs.ts";
import { alterReplicaLogDirsHandler } from "../../../src/handler/apis/034_alter_replica_log_dirs.ts";
import { offsetForLeaderEpochHandler } from "../../../src/handler/apis/023_offset_for_leader_epoch.ts";

const enc = new TextEncoder();
const versions = (h: { minVersion: number; maxVersion: number }) =>
  Array.from({ length: h.maxVersion - h.minVersion + 1 }, (_, i) => h.minVersion + i);

/** Runs `fn` on a broker whose log.dirs are `<dir>/x` and `<dir>/y` (the broker's own dir keeps the metadata). */
function withTwoDirs(fn: (b: LocalBroker, dirs: string[]) => Promise<void>): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "tsbroker-apis-dirs-"));
  const dirs = [path.join(root, "x"), path.join(root, "y")];
  return withBroker({ overrides: [`log.dirs=${dirs.join(",")}`] }, (b) => fn(b, dirs))
    .finally(() => fs.rmSync(root, { recursive: true, force: true }));
}

async function fill(b: LocalBroker, topic: string, partition: number, n: number): Promise<void> {
  await produceRecords(
    b,
    topic,
    partition,
    buildBatch(Array.from({ length: n }, (_, i) => ({ key: null, value: enc.encode(`r${i}`) }))),
  );
}

function describeDirs(b: LocalBroker, v: number, topics: DescribeLogDirsRequestTopics = null) {
  return b.call(35, v, { topics }, encodeDescribeLogDirsRequest, decodeDescribeLogDirsResponse);
}
type DescribeLogDirsRequestTopics = Array<{ topic: string; partitions: number[] }> | null;

/** "topic-p@dir-index:size" per partition, sorted. */
function layout(res: DescribeLogDirsResponse, dirs: string[]): string[] {
  return res.results.flatMap((r) =>
    r.topics.flatMap((t) =>
      t.partitions.map((p) =>
        `${t.name}-${p.partitionIndex}@${dirs.indexOf(r.logDir)}:${p.partitionSize}${p.isFutureKey ? "F" : ""}`
      )
    )
  ).sort();
}

describe("log dirs and leader epochs through the API handlers", () => {
  test("OffsetForLeaderEpoch at every version: end offsets, unknown epochs and partitions, fencing (v2+)", async () => {
    await withTwoDirs(async (b) => {
      await b.createTopic("e", 2);
      await fill(b, "e", 0, 3);
      await fill(b, "e", 1, 5);
      for (const v of versions(offsetForLeaderEpochHandler)) {
        const res = await b.call(
          23,
          v,
          {
            replicaId: -1,
            topics: [
              {
                topic: "e",
                partitions: [[0, 0], [1, 0], [1, 4], [7, 0]].map(([partition, leaderEpoch]) => ({
                  partition,
                  currentLeaderEpoch: v >= 2 && partition === 1 && leaderEpoch === 4 ? 3 : -1,
                  leaderEpoch,
                })),
              },
              { topic: "none", partitions: [{ partition: 0, currentLeaderEpoch: -1, leaderEpoch: 0 }] },
            ],
          },
          encodeOffsetForLeaderEpochRequest,
          decodeOffsetForLeaderEpochResponse,
        );
        const got = res.topics.map((t) => t.partitions.map((p) => [p.errorCode, p.leaderEpoch, Number(p.endOffset)]));
        const epoch = (e: number) => v >= 1 ? e : -1; // v0 answers no epoch (decoded as its default)
        assert.deepEqual(got, [
          [
            [ErrorCode.NONE, epoch(0), 3],
            [ErrorCode.NONE, epoch(0), 5],
            v >= 2 ? [ErrorCode.UNKNOWN_LEADER_EPOCH, -1, -1] : [ErrorCode.NONE, -1, -1],
            [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1, -1],
          ],
          [[ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1, -1]],
        ], `v${v}`);
      }
    });
  });

  test("DescribeLogDirs at every version: both dirs, every partition in one of them with its size", async () => {
    await withTwoDirs(async (b, dirs) => {
      await b.createTopic("d", 3);
      await fill(b, "d", 0, 1);
      await fill(b, "d", 2, 4);
      for (const v of versions(describeLogDirsHandler)) {
        const all = await describeDirs(b, v);
        assert.deepEqual(all.results.map((r) => r.logDir), dirs, `v${v}`);
        assert.ok(all.results.every((r) => r.errorCode === ErrorCode.NONE));
        const found = layout(all, dirs);
        assert.equal(found.length, 3, found.join(" "));
        for (const [p, dir] of found.map((f) => [Number(f.slice(2, 3)), Number(f.split("@")[1][0])])) {
          const onDisk = fs.readdirSync(path.join(dirs[dir], `d-${p}`)).filter((f) => f.endsWith(".log"))
            .reduce((n, f) => n + fs.statSync(path.join(dirs[dir], `d-${p}`, f)).size, 0);
          assert.ok(found.includes(`d-${p}@${dir}:${onDisk}`), `${found.join(" ")}: d-${p} holds ${onDisk} bytes`);
        }
        if (v >= 4) assert.ok(all.results.every((r) => r.totalBytes > 0n && r.usableBytes > 0n));
        else assert.ok(all.results.every((r) => r.totalBytes === -1n), "v0–3 carry no sizes");
        const some = await describeDirs(b, v, [{ topic: "d", partitions: [2, 9] }, { topic: "none", partitions: [0] }]);
        assert.deepEqual(layout(some, dirs).map((f) => f.split("@")[0]), ["d-2"]);
      }
    });
  });

  test("AlterReplicaLogDirs at every version: errors, then a move the next describe shows", async () => {
    await withTwoDirs(async (b, dirs) => {
      await b.createTopic("m", 1);
      await fill(b, "m", 0, 2);
      for (const v of versions(alterReplicaLogDirsHandler)) {
        const from = Number(layout(await describeDirs(b, 4), dirs)[0].split("@")[1][0]);
        const to = 1 - from;
        const res = await b.call(
          34,
          v,
          {
            dirs: [
              { path: dirs[to], topics: [{ name: "m", partitions: [0, 5] }, { name: "none", partitions: [0] }] },
              { path: path.join(dirs[0], "..", "z"), topics: [{ name: "m", partitions: [1] }] },
            ],
          },
          encodeAlterReplicaLogDirsRequest,
          decodeAlterReplicaLogDirsResponse,
        );
        const codes = res.results.map((t) => [t.topicName, t.partitions.map((p) => [p.partitionIndex, p.errorCode])]);
        assert.deepEqual(codes, [
          ["m", [[0, ErrorCode.NONE], [5, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION], [1, ErrorCode.LOG_DIR_NOT_FOUND]]],
          ["none", [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]],
        ], `v${v}`);
        const deadline = Date.now() + 10_000;
        while (
          !/^m-0@(\d):\d+$/.test(layout(await describeDirs(b, 4), dirs).join(" ")) ||
          layout(await describeDirs(b, 4), dirs)[0].split("@")[1][0] !== String(to)
        ) {
          assert.ok(Date.now() < deadline, `v${v}: m-0 did not reach dir ${to}`);
          await new Promise((r) => setTimeout(r, 20));
        }
        assert.ok(fs.existsSync(path.join(dirs[to], "m-0")) && !fs.existsSync(path.join(dirs[from], "m-0")));
      }
    });
  });
});
