/**
 * Committed offsets through a whole in-process broker core (LocalBroker,
 * three handlers): OffsetCommit v0–v9 read back by OffsetFetch v0–v9 (the
 * leader epoch from commit v6 / fetch v5, metadata, nothing committed = -1),
 * unknown topics and partitions (UNKNOWN_TOPIC_OR_PARTITION on commit and
 * on a v0 fetch), null topics = all (v2+), several groups in one OffsetFetch
 * (v8+) answered in request order, commits from group members checked
 * against the generation, OffsetDelete v0, and offsets surviving a clean
 * and a crash restart.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { LocalBroker } from "../_local_broker.ts";
import { ErrorCode } from "../../../src/protocol/errors.ts";
import type { OffsetFetchResponseGroup } from "../../../src/protocol/generated/offset_fetch.ts";
import {
  commit,
  deleteOffsets,
  fetchOffsets,
  GROUP_OVERRIDES,
  stableSingleMember,
  versions,
  withGroupBroker,
} from "./_groups.ts";

const TOPIC = "orders";

/** A commit from outside group management (generation -1, no member id) of `offsets` (partition → offset). */
function simpleCommit(groupId: string, offsets: Array<[string, number, bigint]>, metadata: string | null = "meta") {
  const topics = [...new Set(offsets.map(([t]) => t))].map((name) => ({
    name,
    partitions: offsets.filter(([t]) => t === name).map(([, partitionIndex, committedOffset]) => ({
      partitionIndex,
      committedOffset,
      committedLeaderEpoch: 5,
      commitTimestamp: -1n,
      committedMetadata: metadata,
    })),
  }));
  return { groupId, generationIdOrMemberEpoch: -1, memberId: "", groupInstanceId: null, topics };
}

/** OffsetFetch of `topics` at version `v`, answered as one group whatever the version. */
async function fetchGroup(
  b: LocalBroker,
  v: number,
  groupId: string,
  topics: Array<{ name: string; partitionIndexes: number[] }> | null,
): Promise<OffsetFetchResponseGroup> {
  if (v >= 8) {
    const res = await fetchOffsets(b, v, { groups: [{ groupId, memberId: null, memberEpoch: -1, topics }] });
    assert.equal(res.groups.length, 1);
    return res.groups[0];
  }
  const res = await fetchOffsets(b, v, { groupId, topics });
  return { groupId, errorCode: v >= 2 ? res.errorCode : ErrorCode.NONE, topics: res.topics };
}

function flat(g: OffsetFetchResponseGroup): Array<[string, number, bigint, number, string | null, number]> {
  return g.topics.flatMap((t) =>
    t.partitions.map((p): [string, number, bigint, number, string | null, number] => [
      t.name,
      p.partitionIndex,
      p.committedOffset,
      p.committedLeaderEpoch,
      p.metadata,
      p.errorCode,
    ])
  );
}

describe("OffsetCommit and OffsetFetch", () => {
  test("every commit version is read back by every fetch version", async () => {
    await withGroupBroker(async (b) => {
      await b.createTopic(TOPIC, 3);
      for (const cv of versions(0, 9)) {
        const groupId = `commit-v${cv}`;
        const offset = BigInt(100 + cv);
        const res = await commit(b, cv, simpleCommit(groupId, [[TOPIC, 0, offset], [TOPIC, 2, offset + 1n]], `m${cv}`));
        assert.deepEqual(
          res.topics.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.errorCode])]),
          [[TOPIC, [[0, ErrorCode.NONE], [2, ErrorCode.NONE]]]],
          `commit v${cv}`,
        );
        for (const fv of versions(0, 9)) {
          const g = await fetchGroup(b, fv, groupId, [{ name: TOPIC, partitionIndexes: [0, 1, 2] }]);
          assert.equal(g.errorCode, ErrorCode.NONE);
          const epoch = fv >= 5 && cv >= 6 ? 5 : -1;
          assert.deepEqual(flat(g), [
            [TOPIC, 0, offset, epoch, `m${cv}`, ErrorCode.NONE],
            [TOPIC, 1, -1n, -1, "", ErrorCode.NONE],
            [TOPIC, 2, offset + 1n, epoch, `m${cv}`, ErrorCode.NONE],
          ], `commit v${cv} fetch v${fv}`);
        }
      }
    });
  });

  test("unknown topics and partitions are UNKNOWN_TOPIC_OR_PARTITION per partition, in request order", async () => {
    await withGroupBroker(async (b) => {
      await b.createTopic(TOPIC, 2);
      for (const v of [0, 2, 9]) {
        const groupId = `unknown-v${v}`;
        const res = await commit(
          b,
          v,
          simpleCommit(groupId, [["missing", 0, 1n], [TOPIC, 5, 1n], [TOPIC, 1, 7n], [TOPIC, -1, 1n]]),
        );
        assert.deepEqual(
          res.topics.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.errorCode])]),
          [
            ["missing", [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]],
            [TOPIC, [[5, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION], [1, ErrorCode.NONE], [
              -1,
              ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            ]]],
          ],
        );
        const g = await fetchGroup(b, 2, groupId, null);
        assert.deepEqual(flat(g).map(([t, p, o]) => [t, p, o]), [[TOPIC, 1, 7n]]);
      }
      // Only unknown partitions: nothing reaches the coordinator, no group is created.
      const only = await commit(b, 9, simpleCommit("ghost", [["missing", 0, 1n]]));
      assert.equal(only.topics[0].partitions[0].errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    });
  });

  test("fetch: v0 answers unknown topics UNKNOWN_TOPIC_OR_PARTITION, v1+ -1; v2+ null topics = all", async () => {
    await withGroupBroker(async (b) => {
      await b.createTopic(TOPIC, 2);
      await b.createTopic("other", 1);
      await commit(b, 9, simpleCommit("g", [[TOPIC, 1, 11n], ["other", 0, 3n]]));
      const v0 = await fetchGroup(b, 0, "g", [{ name: "missing", partitionIndexes: [0] }, {
        name: TOPIC,
        partitionIndexes: [1, 9],
      }]);
      assert.deepEqual(flat(v0).map(([t, p, o, , , e]) => [t, p, o, e]), [
        ["missing", 0, -1n, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
        [TOPIC, 1, 11n, ErrorCode.NONE],
        [TOPIC, 9, -1n, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      ]);
      for (const v of versions(1, 9)) {
        const g = await fetchGroup(b, v, "g", [{ name: "missing", partitionIndexes: [0] }]);
        assert.deepEqual(flat(g).map(([t, p, o, , , e]) => [t, p, o, e]), [["missing", 0, -1n, ErrorCode.NONE]]);
      }
      for (const v of versions(2, 9)) {
        const all = await fetchGroup(b, v, "g", null);
        assert.equal(all.errorCode, ErrorCode.NONE);
        assert.deepEqual(flat(all).map(([t, p, o]) => [t, p, o]).sort(), [["other", 0, 3n], [TOPIC, 1, 11n]].sort());
        const none = await fetchGroup(b, v, "never-committed", null);
        assert.deepEqual([none.errorCode, none.topics], [ErrorCode.NONE, []]);
      }
    });
  });

  test("v8–v9: several groups in one request, each answered in request order", async () => {
    await withGroupBroker(async (b) => {
      await b.createTopic(TOPIC, 1);
      const ids = ["a", "b", "c", "d", "e", "f"];
      for (const [i, id] of ids.entries()) await commit(b, 8, simpleCommit(id, [[TOPIC, 0, BigInt(i)]]));
      for (const v of [8, 9]) {
        const asked = [...ids.slice().reverse(), "unknown"];
        const res = await fetchOffsets(b, v, {
          groups: asked.map((groupId, i) => ({
            groupId,
            memberId: null,
            memberEpoch: -1,
            topics: i % 2 === 0 ? null : [{ name: TOPIC, partitionIndexes: [0] }],
          })),
        });
        assert.deepEqual(res.groups.map((g) => g.groupId), asked);
        for (const g of res.groups) {
          assert.equal(g.errorCode, ErrorCode.NONE);
          const i = ids.indexOf(g.groupId);
          const got = flat(g).map(([, , o]) => o);
          if (i >= 0) assert.deepEqual(got, [BigInt(i)]);
          else assert.ok(got.every((o) => o === -1n));
        }
      }
    });
  });

  test('metadata: null is stored as "", longer than offset.metadata.max.bytes is OFFSET_METADATA_TOO_LARGE', async () => {
    await withGroupBroker(async (b) => {
      await b.createTopic(TOPIC, 2);
      const res = await commit(b, 9, {
        ...simpleCommit("g", [[TOPIC, 0, 1n]], null),
        topics: [{
          name: TOPIC,
          partitions: [
            {
              partitionIndex: 0,
              committedOffset: 1n,
              committedLeaderEpoch: -1,
              commitTimestamp: -1n,
              committedMetadata: null,
            },
            {
              partitionIndex: 1,
              committedOffset: 2n,
              committedLeaderEpoch: -1,
              commitTimestamp: -1n,
              committedMetadata: "x".repeat(17),
            },
          ],
        }],
      });
      assert.deepEqual(res.topics[0].partitions.map((p) => p.errorCode), [
        ErrorCode.NONE,
        ErrorCode.OFFSET_METADATA_TOO_LARGE,
      ]);
      const g = await fetchGroup(b, 9, "g", [{ name: TOPIC, partitionIndexes: [0, 1] }]);
      assert.deepEqual(flat(g).map(([, p, o, , m]) => [p, o, m]), [[0, 1n, ""], [1, -1n, ""]]);
    }, { overrides: ["offset.metadata.max.bytes=16"] });
  });

  test("v1–v9 commits from a member are checked against its generation; v2–v4 retention is accepted", async () => {
    await withGroupBroker(async (b) => {
      await b.createTopic(TOPIC, 1);
      const a = await stableSingleMember(b, "g", TOPIC, [0]);
      const part = (o: bigint) => [{
        name: TOPIC,
        partitions: [{
          partitionIndex: 0,
          committedOffset: o,
          committedLeaderEpoch: -1,
          commitTimestamp: -1n,
          committedMetadata: "",
        }],
      }];
      const errorOf = async (v: number, fields: object, o: bigint) =>
        (await commit(b, v, { groupId: "g", topics: part(o), ...fields })).topics[0].partitions[0].errorCode;
      for (const v of versions(1, 9)) {
        const member = { generationIdOrMemberEpoch: a.generationId, memberId: a.memberId, retentionTimeMs: 60_000n };
        assert.equal(await errorOf(v, member, BigInt(v)), ErrorCode.NONE, `v${v}`);
        assert.equal(
          await errorOf(v, { ...member, generationIdOrMemberEpoch: a.generationId + 1 }, 0n),
          ErrorCode.ILLEGAL_GENERATION,
        );
        assert.equal(await errorOf(v, { ...member, memberId: "nobody" }, 0n), ErrorCode.UNKNOWN_MEMBER_ID);
        // From outside group management while the group has members.
        assert.equal(
          await errorOf(v, { generationIdOrMemberEpoch: -1, memberId: "" }, 0n),
          ErrorCode.UNKNOWN_MEMBER_ID,
        );
        const g = await fetchGroup(b, 9, "g", [{ name: TOPIC, partitionIndexes: [0] }]);
        assert.equal(g.topics[0].partitions[0].committedOffset, BigInt(v));
      }
    });
  });
});

describe("OffsetDelete", () => {
  test("v0 deletes offsets of a group without members; errors per partition and per group", async () => {
    await withGroupBroker(async (b) => {
      await b.createTopic(TOPIC, 2);
      await commit(b, 9, simpleCommit("g", [[TOPIC, 0, 5n], [TOPIC, 1, 6n]]));
      const res = await deleteOffsets(b, {
        groupId: "g",
        topics: [
          { name: TOPIC, partitions: [{ partitionIndex: 0 }, { partitionIndex: 7 }] },
          { name: "missing", partitions: [{ partitionIndex: 0 }] },
        ],
      });
      assert.equal(res.errorCode, ErrorCode.NONE);
      assert.deepEqual(res.topics.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.errorCode])]), [
        [TOPIC, [[0, ErrorCode.NONE], [7, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]],
        ["missing", [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]],
      ]);
      const g = await fetchGroup(b, 9, "g", [{ name: TOPIC, partitionIndexes: [0, 1] }]);
      assert.deepEqual(flat(g).map(([, p, o]) => [p, o]), [[0, -1n], [1, 6n]]);

      const unknown = await deleteOffsets(b, {
        groupId: "nope",
        topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0 }] }],
      });
      assert.deepEqual([unknown.errorCode, unknown.topics], [ErrorCode.GROUP_ID_NOT_FOUND, []]);
      const empty = await deleteOffsets(b, { groupId: "", topics: [] });
      assert.equal(empty.errorCode, ErrorCode.INVALID_GROUP_ID);
    });
  });

  test("a group subscribed to the topic keeps its offsets: GROUP_SUBSCRIBED_TO_TOPIC", async () => {
    await withGroupBroker(async (b) => {
      await b.createTopic(TOPIC, 1);
      await b.createTopic("unsubscribed", 1);
      await commit(b, 9, simpleCommit("g", [[TOPIC, 0, 5n], ["unsubscribed", 0, 9n]]));
      await stableSingleMember(b, "g", TOPIC, [0]);
      const res = await deleteOffsets(b, {
        groupId: "g",
        topics: [
          { name: TOPIC, partitions: [{ partitionIndex: 0 }] },
          { name: "unsubscribed", partitions: [{ partitionIndex: 0 }] },
        ],
      });
      assert.equal(res.errorCode, ErrorCode.NONE);
      assert.deepEqual(res.topics.map((t) => [t.name, t.partitions.map((p) => p.errorCode)]), [
        [TOPIC, [ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC]],
        ["unsubscribed", [ErrorCode.NONE]],
      ]);
      const g = await fetchGroup(b, 9, "g", null);
      assert.deepEqual(flat(g).map(([t, , o]) => [t, o]), [[TOPIC, 5n]]);
    });
  });
});

describe("committed offsets across restarts", () => {
  for (const crash of [false, true]) {
    test(`survive a ${crash ? "crash" : "clean"} restart`, async () => {
      const opts = { handlers: 3, overrides: GROUP_OVERRIDES };
      let b = await LocalBroker.start(opts);
      try {
        await b.createTopic(TOPIC, 2);
        await commit(b, 9, simpleCommit("durable", [[TOPIC, 0, 42n], [TOPIC, 1, 43n]]));
        await commit(b, 9, simpleCommit("durable", [[TOPIC, 1, 44n]]));
        await b.stop({ crash });
        b = await LocalBroker.start({ ...opts, dir: b.dir });
        const g = await fetchGroup(b, 9, "durable", [{ name: TOPIC, partitionIndexes: [0, 1] }]);
        assert.deepEqual(flat(g).map(([, p, o, e, m]) => [p, o, e, m]), [[0, 42n, 5, "meta"], [1, 44n, 5, "meta"]]);
      } finally {
        await b.stop();
        b.remove();
      }
    });
  }
});
