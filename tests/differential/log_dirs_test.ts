/**
 * Differential: log dirs and leader epochs — DescribeLogDirs (35),
 * AlterReplicaLogDirs (34) and OffsetForLeaderEpoch (23) — at every version
 * tsbroker advertises, against the reference Kafka, both started with two
 * log.dirs of their own. Both get the same topics and the same record
 * batches, so placement (the dir with the fewest partitions), partition
 * sizes and epoch end offsets must be equal; only the dirs' paths and their
 * file systems' sizes differ. Error paths: a dir that is not a log dir,
 * unknown topics and partitions, epochs above, at and below the current one,
 * stale and future currentLeaderEpoch, replica ids of a consumer, a debug
 * client and a follower.
 */
import { after, before, describe, test } from "node:test";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Oracle, type Side, SUITE_COVERAGE } from "./_oracle.ts";
import { buildBatch } from "../../src/log/record_batch.ts";
import { defaultCreatableTopic, defaultCreateTopicsRequest } from "../../src/protocol/generated/create_topics.ts";

const BASE_TIMESTAMP = BigInt(Date.now() - 60_000);
const utf8 = new TextEncoder();
const root = fs.mkdtempSync(path.join(os.tmpdir(), "differential-logdirs-"));
const DIRS = {
  kafka: [path.join(root, "k1"), path.join(root, "k2")],
  tsbroker: [path.join(root, "t1"), path.join(root, "t2")],
};

const batch = (n: number, tag: string) =>
  buildBatch(
    Array.from(
      { length: n },
      (_, i) => ({ key: null, value: utf8.encode(`${tag}-${i}`), headers: [], timestampDelta: i }),
    ),
    { baseTimestamp: BASE_TIMESTAMP },
  );

const produce = (topic: string, partition: number, records: Uint8Array) => ({
  transactionalId: null,
  acks: -1,
  timeoutMs: 10_000,
  topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
});

/** One partition per entry: [topic, partition, currentLeaderEpoch, leaderEpoch]. */
const epochQuery = (partitions: Array<[string, number, number, number]>, replicaId = -1) => ({
  replicaId,
  topics: partitions.map(([topic, partition, currentLeaderEpoch, leaderEpoch]) => ({
    topic,
    partitions: [{ partition, currentLeaderEpoch, leaderEpoch }],
  })),
});

/** The side's i-th log dir (or any other path) as the client names it. */
const dirOf = (side: Side, i: number) => DIRS[side.name][i];

describe("differential: log dirs and leader epochs", () => {
  let o: Oracle;
  before(async () => {
    for (const d of [...DIRS.kafka, ...DIRS.tsbroker]) fs.mkdirSync(d, { recursive: true });
    o = await Oracle.start(
      "log_dirs_test.ts",
      {},
      { "log.dirs": DIRS.kafka.join(",") },
      { "log.dirs": DIRS.tsbroker.join(",") },
    );
    // One single-partition topic per CreateTopics: Kafka creates the partitions of one metadata change in
    // hash-map order, so only one at a time lands where the fewest-partitions rule says on both brokers.
    const topics: Array<[string, number]> = [["ld-a", 1], ["ld-b", 2], ["ld-c", 3], ["ld-d", 4], ["ld-empty", 0]];
    for (const [name, records] of topics) {
      await o.compare({
        title: "create",
        apiKey: 19,
        version: 7,
        request: {
          ...defaultCreateTopicsRequest(),
          topics: [{ ...defaultCreatableTopic(), name, numPartitions: 1, replicationFactor: 1 }],
        },
      });
      await o.settle([name]);
      if (records > 0) {
        await o.compare({ title: "fill", apiKey: 0, version: 9, request: produce(name, 0, batch(records, name)) });
      }
    }
  });
  after(async () => {
    o?.report();
    await o?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test("DescribeLogDirs: every dir with its partitions and sizes, filtered by topic", async () => {
    for (const v of o.advertised(35)) {
      const send = (title: string, topics: Array<{ topic: string; partitions: number[] }> | null) =>
        o.compare({ title, apiKey: 35, version: v, request: { topics } });
      const c = await send("all partitions", null);
      if (c.kafka === undefined) continue;
      await send("some topics and partitions", [{ topic: "ld-b", partitions: [0, 9] }, {
        topic: "ld-c",
        partitions: [0],
      }]);
      await send("unknown topic", [{ topic: "ld-none", partitions: [0] }]);
      await send("no topics", []);
    }
    o.assertNoDifferences();
  });

  test("OffsetForLeaderEpoch: the current epoch, older and newer epochs, fencing, unknown partitions", async () => {
    for (const v of o.advertised(23)) {
      const send = (title: string, request: unknown) => o.compare({ title, apiKey: 23, version: v, request });
      const c = await send("current epoch", epochQuery([["ld-a", 0, -1, 0], ["ld-d", 0, 0, 0]]));
      if (c.kafka === undefined) continue;
      await send("epochs above and below", epochQuery([["ld-b", 0, -1, 5], ["ld-c", 0, -1, -1], ["ld-b", 0, -1, 1]]));
      await send("empty partition", epochQuery([["ld-empty", 0, -1, 0], ["ld-empty", 0, -1, 3]]));
      await send("stale and future currentLeaderEpoch", epochQuery([["ld-a", 0, 7, 0], ["ld-b", 0, -5, 0]]));
      await send("unknown topic and partition", epochQuery([["ld-a", 9, -1, 0], ["ld-none", 0, -1, 0]]));
      await send("debug replica", epochQuery([["ld-c", 0, -1, 0]], -2));
      await send("follower replica", epochQuery([["ld-c", 0, -1, 0]], 1));
    }
    o.assertNoDifferences();
  });

  test("AlterReplicaLogDirs: unknown dirs, unknown partitions, a move and a move back", async () => {
    for (const v of o.advertised(34)) {
      const send = (title: string, request: unknown | ((s: Side) => unknown)) =>
        o.compare({ title, apiKey: 34, version: v, request });
      const move = (dir: (s: Side) => string, topic: string, partitions: number[]) => (s: Side) => ({
        dirs: [{ path: dir(s), topics: [{ name: topic, partitions }] }],
      });
      const c = await send("not a log dir", move(() => path.join(root, "elsewhere"), "ld-a", [0]));
      if (c.kafka === undefined) continue;
      await send("unknown topic", move((s) => dirOf(s, 1), "ld-none", [0]));
      await send("unknown partition", move((s) => dirOf(s, 1), "ld-a", [7]));
      await send("to the dir it is in", move((s) => dirOf(s, 0), "ld-a", [0]));
      await send("several topics and dirs", (s: Side) => ({
        dirs: [
          { path: dirOf(s, 1), topics: [{ name: "ld-none", partitions: [0] }, { name: "ld-b", partitions: [0, 3] }] },
          { path: path.join(root, "elsewhere"), topics: [{ name: "ld-c", partitions: [0] }] },
        ],
      }));
      await send("move", move((s) => dirOf(s, 1), "ld-empty", [0]));
      await settleMoves(o, "ld-empty");
      await o.compare({ title: "after the move", apiKey: 35, version: 4, request: { topics: null } });
      await o.compare({
        title: "epochs after the move",
        apiKey: 23,
        version: 4,
        request: epochQuery([["ld-empty", 0, -1, 0], ["ld-b", 0, 0, 0]]),
      });
      await send("move back", move((s) => dirOf(s, 0), "ld-empty", [0]));
      await settleMoves(o, "ld-empty");
    }
    o.assertNoDifferences();
  });

  test("covers every advertised version of its APIs", () => {
    o.assertCovered(SUITE_COVERAGE["log_dirs_test.ts"]);
  });
});

/** Waits (without comparing) until neither broker shows a future replica of `topic`. */
async function settleMoves(o: Oracle, topic: string): Promise<void> {
  for (const side of o.sides()) {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const out = await side.send(35, 4, { topics: null });
      const moving = out.kind === "answer" &&
        out.body.results.some((r: { topics: Array<{ name: string; partitions: Array<{ isFutureKey: boolean }> }> }) =>
          r.topics.some((t) => t.name === topic && t.partitions.some((p) => p.isFutureKey))
        );
      if (out.kind === "answer" && !moving) break;
      if (Date.now() > deadline) throw new Error(`${side.name}: ${topic} still moving`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
