/**
 * OffsetStore: commit/fetch/delete as Kafka 3.9's OffsetMetadataManager answers them, offset expiry by each of
 * Kafka's rules (KIP-211), and replay: later records win, tombstones remove, live records rebuild the store.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { type ExpiryGroupInfo, OffsetStore } from "../../src/group/offset_store.ts";
import { decodeGroupRecords, encodeGroupRecordsBatch } from "../../src/group/offset_records.ts";
import type { CommitOffsetsArgs } from "../../src/group/group_ops.ts";
import type { GroupConfig, GroupRecord } from "../../src/group/types.ts";
import { ErrorCode } from "../../src/protocol/errors.ts";

const RETENTION = 7 * 24 * 3600 * 1000; // offsets.retention.minutes default (10080)
const T0 = 1_700_000_000_000;

const config: GroupConfig = {
  minSessionTimeoutMs: 6000,
  maxSessionTimeoutMs: 1800000,
  initialRebalanceDelayMs: 3000,
  maxSize: 1000,
  offsetsRetentionMs: RETENTION,
  offsetMetadataMaxBytes: 16,
  consumerSessionTimeoutMs: 45000,
  consumerHeartbeatIntervalMs: 5000,
  consumerMaxSize: 1000,
  consumerAssignors: ["uniform", "range"],
};

type Partition = CommitOffsetsArgs["topics"][number]["partitions"][number];

const part = (partition: number, offset: bigint, extra: Partial<Partition> = {}): Partition => ({
  partition,
  offset,
  leaderEpoch: 3,
  metadata: "m",
  commitTimestamp: -1n,
  ...extra,
});

function commitArgs(
  groupId: string,
  topics: Record<string, Partition[]>,
  retentionTimeMs = -1,
): CommitOffsetsArgs {
  return {
    groupId,
    generationIdOrMemberEpoch: -1,
    memberId: "",
    groupInstanceId: null,
    retentionTimeMs,
    apiVersion: 8,
    topics: Object.entries(topics).map(([name, partitions]) => ({ name, partitions })),
  };
}

/** Commits as the coordinator does: prepare, "persist", apply. */
function commit(store: OffsetStore, args: CommitOffsetsArgs, nowMs: number) {
  const prepared = store.prepareCommit(args, nowMs);
  for (const r of prepared.records) store.apply(r as Extract<GroupRecord, { kind: "offset" }>);
  return prepared;
}

function applyAll(store: OffsetStore, records: GroupRecord[]): void {
  for (const r of records) {
    assert.equal(r.kind, "offset");
    if (r.kind === "offset") store.apply(r);
  }
}

const offsetOf = (store: OffsetStore, groupId: string, topic: string, partition: number) =>
  store.fetch(groupId, [{ name: topic, partitions: [partition] }])[0].partitions[0].offset;

/** Which (topic, partition) pairs the tombstones name, as "topic-p" strings. */
const names = (records: GroupRecord[]) =>
  records.map((r) => {
    assert.ok(r.kind === "offset" && r.value === null, "expected an offset tombstone");
    return `${r.groupId}/${r.topic}-${r.partition}`;
  }).sort();

describe("commit and fetch", () => {
  test("commit prepares one record per partition, changes nothing until applied, then fetch answers it", () => {
    const store = new OffsetStore(config);
    const args = commitArgs("g", { a: [part(0, 10n), part(1, 11n, { metadata: null })], b: [part(5, 50n)] });
    const { records, result } = store.prepareCommit(args, T0);
    assert.deepEqual(result, {
      topics: [
        { name: "a", partitions: [{ partition: 0, errorCode: 0 }, { partition: 1, errorCode: 0 }] },
        { name: "b", partitions: [{ partition: 5, errorCode: 0 }] },
      ],
    });
    assert.equal(records.length, 3);
    assert.equal(store.hasOffsets("g"), false);
    assert.equal(offsetOf(store, "g", "a", 0), -1n);
    applyAll(store, records);
    assert.deepEqual(store.fetch("g", [{ name: "a", partitions: [1, 0, 7] }]), [{
      name: "a",
      partitions: [
        { partition: 1, offset: 11n, leaderEpoch: 3, metadata: "", errorCode: 0 }, // null metadata is stored as ""
        { partition: 0, offset: 10n, leaderEpoch: 3, metadata: "m", errorCode: 0 },
        { partition: 7, offset: -1n, leaderEpoch: -1, metadata: "", errorCode: 0 }, // nothing committed
      ],
    }]);
    assert.deepEqual(store.groupIds(), ["g"]);
    assert.deepEqual(store.topicsOf("g"), ["a", "b"]);
  });

  test("commit timestamps: -1 is now, an explicit one (v1) is kept; a retention time sets now + retention", () => {
    const store = new OffsetStore(config);
    const { records } = store.prepareCommit(
      commitArgs("g", { t: [part(0, 1n), part(1, 2n, { commitTimestamp: 1234n, leaderEpoch: -5 })] }),
      T0,
    );
    const values = records.map((r) => r.kind === "offset" ? r.value : null);
    assert.deepEqual(values, [
      { offset: 1n, leaderEpoch: 3, metadata: "m", commitTimestamp: BigInt(T0), expireTimestamp: -1n },
      { offset: 2n, leaderEpoch: -1, metadata: "m", commitTimestamp: 1234n, expireTimestamp: -1n },
    ]);
    const retained = store.prepareCommit(commitArgs("g", { t: [part(0, 1n)] }, 60_000), T0);
    const [r] = retained.records;
    assert.ok(r.kind === "offset" && r.value);
    assert.equal(r.value.expireTimestamp, BigInt(T0 + 60_000));
  });

  test("metadata longer than offset.metadata.max.bytes is OFFSET_METADATA_TOO_LARGE, others still commit", () => {
    const store = new OffsetStore(config);
    const args = commitArgs("g", {
      t: [part(0, 1n, { metadata: "x".repeat(17) }), part(1, 2n, { metadata: "x".repeat(16) })],
      u: [part(0, 3n, { metadata: "y".repeat(100) })],
    });
    const { records, result } = commit(store, args, T0);
    assert.deepEqual(result.topics, [
      {
        name: "t",
        partitions: [
          { partition: 0, errorCode: ErrorCode.OFFSET_METADATA_TOO_LARGE },
          { partition: 1, errorCode: ErrorCode.NONE },
        ],
      },
      { name: "u", partitions: [{ partition: 0, errorCode: ErrorCode.OFFSET_METADATA_TOO_LARGE }] },
    ]);
    assert.equal(records.length, 1);
    assert.equal(offsetOf(store, "g", "t", 0), -1n);
    assert.equal(offsetOf(store, "g", "t", 1), 2n);
  });

  test("fetch of all offsets (null topics) is sorted by topic and partition; unknown groups have none", () => {
    const store = new OffsetStore(config);
    commit(store, commitArgs("g", { zeta: [part(2, 2n), part(0, 0n)], alpha: [part(10, 10n), part(9, 9n)] }), T0);
    commit(store, commitArgs("other", { alpha: [part(0, 5n)] }), T0);
    const all = store.fetch("g", null);
    assert.deepEqual(all.map((t) => [t.name, t.partitions.map((p) => p.partition)]), [
      ["alpha", [9, 10]],
      ["zeta", [0, 2]],
    ]);
    assert.deepEqual(store.fetch("nobody", null), []);
    assert.deepEqual(store.fetch("nobody", [{ name: "alpha", partitions: [0] }]), [
      { name: "alpha", partitions: [{ partition: 0, offset: -1n, leaderEpoch: -1, metadata: "", errorCode: 0 }] },
    ]);
  });
});

describe("delete", () => {
  test("OffsetDelete: subscribed topics answer GROUP_SUBSCRIBED_TO_TOPIC; others NONE, tombstones where committed", () => {
    const store = new OffsetStore(config);
    commit(store, commitArgs("g", { sub: [part(0, 1n)], free: [part(0, 1n), part(1, 2n)] }), T0);
    const { records, result } = store.prepareDelete(
      "g",
      [{ name: "sub", partitions: [0, 1] }, { name: "free", partitions: [1, 4] }, { name: "never", partitions: [0] }],
      (topic) => topic === "sub",
    );
    assert.deepEqual(result, [
      {
        name: "sub",
        partitions: [
          { partition: 0, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC },
          { partition: 1, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC },
        ],
      },
      { name: "free", partitions: [{ partition: 1, errorCode: 0 }, { partition: 4, errorCode: 0 }] },
      { name: "never", partitions: [{ partition: 0, errorCode: 0 }] },
    ]);
    assert.deepEqual(names(records), ["g/free-1"]);
    assert.equal(offsetOf(store, "g", "free", 1), 2n, "prepareDelete changes nothing by itself");
    applyAll(store, records);
    assert.equal(offsetOf(store, "g", "free", 1), -1n);
    assert.equal(offsetOf(store, "g", "free", 0), 1n);
    assert.deepEqual(store.topicsOf("g"), ["free", "sub"]);
  });

  test("DeleteGroups: tombstones for every offset of the group, and only that group", () => {
    const store = new OffsetStore(config);
    commit(store, commitArgs("g", { a: [part(0, 1n), part(1, 1n)], b: [part(0, 1n)] }), T0);
    commit(store, commitArgs("h", { a: [part(0, 1n)] }), T0);
    const records = store.deleteGroupRecords("g");
    assert.deepEqual(names(records), ["g/a-0", "g/a-1", "g/b-0"]);
    applyAll(store, records);
    assert.equal(store.hasOffsets("g"), false);
    assert.deepEqual(store.topicsOf("g"), []);
    assert.deepEqual(store.groupIds(), ["h"]);
    assert.deepEqual(store.deleteGroupRecords("nobody"), []);
  });
});

describe("expiry (KIP-211, Kafka 3.9 cleanupExpiredOffsets)", () => {
  const noGroup: ExpiryGroupInfo = {
    exists: false,
    empty: true,
    stateTimestampMs: -1,
    usesConsumerProtocol: false,
    isSubscribed: () => false,
  };
  const group = (info: Partial<ExpiryGroupInfo>): ExpiryGroupInfo => ({
    exists: true,
    empty: false,
    stateTimestampMs: -1,
    usesConsumerProtocol: true,
    isSubscribed: () => false,
    ...info,
  });
  const expired = (store: OffsetStore, now: number, info: ExpiryGroupInfo) =>
    names(store.expiredRecords(now, () => info));

  test("offsets without a group age from their commit time", () => {
    const store = new OffsetStore(config);
    commit(store, commitArgs("g", { t: [part(0, 1n)] }), T0);
    commit(store, commitArgs("g", { t: [part(1, 1n)] }), T0 + 1000);
    assert.deepEqual(expired(store, T0 + RETENTION - 1, noGroup), []);
    assert.deepEqual(expired(store, T0 + RETENTION, noGroup), ["g/t-0"]);
    assert.deepEqual(expired(store, T0 + RETENTION + 1000, noGroup), ["g/t-0", "g/t-1"]);
  });

  test("an explicit expire timestamp (retention time in the commit) decides alone", () => {
    const store = new OffsetStore(config);
    commit(store, commitArgs("g", { short: [part(0, 1n)] }, 1000), T0);
    commit(store, commitArgs("g", { long: [part(0, 1n)] }, RETENTION * 2), T0);
    assert.deepEqual(expired(store, T0 + 999, noGroup), []);
    assert.deepEqual(expired(store, T0 + 1000, noGroup), ["g/short-0"]);
    // Past the broker's retention but before its own expiry: kept.
    assert.deepEqual(expired(store, T0 + RETENTION + 1, noGroup), ["g/short-0"]);
    assert.deepEqual(expired(store, T0 + RETENTION * 2, noGroup), ["g/long-0", "g/short-0"]);
  });

  test("an empty classic group with a protocol type: every offset, from when the group became Empty", () => {
    const store = new OffsetStore(config);
    commit(store, commitArgs("g", { a: [part(0, 1n)], b: [part(0, 1n)] }), T0);
    const becameEmpty = T0 + 5 * 24 * 3600 * 1000;
    // Subscriptions are irrelevant for an empty group: nobody subscribes.
    const empty = group({ empty: true, stateTimestampMs: becameEmpty, isSubscribed: () => true });
    assert.deepEqual(expired(store, T0 + RETENTION, empty), [], "the commit time does not count");
    assert.deepEqual(expired(store, becameEmpty + RETENTION - 1, empty), []);
    assert.deepEqual(expired(store, becameEmpty + RETENTION, empty), ["g/a-0", "g/b-0"]);
    // A non-consumer protocol type (e.g. connect) follows the same rule once empty.
    const connect = group({ empty: true, stateTimestampMs: becameEmpty, usesConsumerProtocol: false });
    assert.deepEqual(expired(store, becameEmpty + RETENTION, connect), ["g/a-0", "g/b-0"]);
  });

  test("an empty group without a state timestamp (KIP-848, no protocol type, old record) uses commit times", () => {
    const store = new OffsetStore(config);
    commit(store, commitArgs("g", { a: [part(0, 1n)] }), T0);
    commit(store, commitArgs("g", { b: [part(0, 1n)] }), T0 + 10);
    const empty = group({ empty: true, stateTimestampMs: -1 });
    assert.deepEqual(expired(store, T0 + RETENTION + 9, empty), ["g/a-0"]);
    assert.deepEqual(expired(store, T0 + RETENTION + 10, empty), ["g/a-0", "g/b-0"]);
  });

  test("a non-empty consumer-protocol group: only topics it does not subscribe to, from their commit time", () => {
    const store = new OffsetStore(config);
    commit(store, commitArgs("g", { subscribed: [part(0, 1n)], dropped: [part(0, 1n), part(1, 1n)] }), T0);
    commit(store, commitArgs("g", { unknown: [part(0, 1n)] }), T0);
    commit(store, commitArgs("g", { explicit: [part(0, 1n)] }, 1), T0);
    const stable = group({
      stateTimestampMs: T0 + RETENTION, // ignored while members exist
      isSubscribed: (t) => t === "unknown" ? undefined : t === "subscribed" || t === "explicit",
    });
    assert.deepEqual(expired(store, T0 + RETENTION - 1, stable), []);
    // "explicit" has passed its own expiry but stays: subscribed topics are never expired.
    assert.deepEqual(expired(store, T0 + RETENTION, stable), ["g/dropped-0", "g/dropped-1"]);
  });

  test("a non-empty group not using the consumer protocol, or with unknown subscriptions, keeps everything", () => {
    const store = new OffsetStore(config);
    commit(store, commitArgs("g", { t: [part(0, 1n)] }), T0);
    commit(store, commitArgs("g", { u: [part(0, 1n)] }, 1), T0);
    const later = T0 + RETENTION * 10;
    assert.deepEqual(expired(store, later, group({ usesConsumerProtocol: false })), []);
    assert.deepEqual(expired(store, later, group({ isSubscribed: () => undefined })), []);
  });

  test("each group gets its own rule; groupInfo is asked once per group", () => {
    const store = new OffsetStore(config);
    commit(store, commitArgs("simple", { t: [part(0, 1n)] }), T0);
    commit(store, commitArgs("busy", { t: [part(0, 1n)] }), T0);
    commit(store, commitArgs("idle", { t: [part(0, 1n)] }), T0);
    const asked: string[] = [];
    const records = store.expiredRecords(T0 + RETENTION, (id) => {
      asked.push(id);
      if (id === "simple") return noGroup;
      if (id === "busy") return group({ isSubscribed: () => true });
      return group({ empty: true, stateTimestampMs: T0 - 1 });
    });
    assert.deepEqual(asked.sort(), ["busy", "idle", "simple"]);
    assert.deepEqual(names(records), ["idle/t-0", "simple/t-0"]);
    applyAll(store, records);
    assert.deepEqual(store.groupIds(), ["busy"]);
  });
});

describe("replay", () => {
  const rec = (groupId: string, topic: string, partition: number, offset: bigint | null): GroupRecord => ({
    kind: "offset",
    groupId,
    topic,
    partition,
    value: offset === null ? null : {
      offset,
      leaderEpoch: -1,
      metadata: `at ${offset}`,
      commitTimestamp: BigInt(T0) + offset,
      expireTimestamp: -1n,
    },
  });

  test("later records win and tombstones remove; a tombstone for nothing is harmless", () => {
    const store = new OffsetStore(config);
    applyAll(store, [
      rec("g", "t", 0, 1n),
      rec("g", "t", 0, 5n),
      rec("g", "t", 1, 2n),
      rec("g", "t", 1, null),
      rec("g", "u", 0, null),
      rec("h", "t", 0, null),
      rec("g", "t", 2, 3n),
      rec("g", "t", 2, null),
      rec("g", "t", 2, 4n),
    ]);
    assert.deepEqual(store.fetch("g", [{ name: "t", partitions: [0, 1, 2] }])[0].partitions.map((p) => p.offset), [
      5n,
      -1n,
      4n,
    ]);
    assert.equal(store.fetch("g", null)[0].partitions[0].metadata, "at 5");
    assert.deepEqual(store.groupIds(), ["g"]);
    assert.deepEqual(store.topicsOf("g"), ["t"]);
  });

  test("live records, through a batch, rebuild an equal store", () => {
    const store = new OffsetStore(config);
    commit(store, commitArgs("g1", { b: [part(1, 11n), part(0, 10n)], a: [part(3, 3n, { metadata: null })] }), T0);
    // With a retention time the record is v1, which has no leader epoch (Kafka too forgets it on reload).
    commit(store, commitArgs("g2", { a: [part(0, 7n, { leaderEpoch: -1 })] }, 60_000), T0 + 1);
    commit(store, commitArgs("g1", { b: [part(1, 12n)] }), T0 + 2);
    applyAll(store, store.prepareDelete("g1", [{ name: "b", partitions: [0] }], () => false).records);
    commit(store, commitArgs("gone", { a: [part(0, 1n)] }), T0);
    applyAll(store, store.deleteGroupRecords("gone"));

    const live = store.liveRecords();
    assert.deepEqual(live.map((r) => `${r.groupId}/${r.topic}-${r.partition}`), ["g1/a-3", "g1/b-1", "g2/a-0"]);
    assert.deepEqual(store.liveRecords("g2"), live.slice(2));
    assert.deepEqual(store.liveRecords("nobody"), []);

    const decoded = decodeGroupRecords(encodeGroupRecordsBatch(live, T0 + 3));
    assert.equal(decoded.skipped, 0);
    const rebuilt = new OffsetStore(config);
    applyAll(rebuilt, decoded.records);
    assert.deepEqual(rebuilt.liveRecords(), live);
    assert.deepEqual(rebuilt.groupIds(), store.groupIds());
    for (const id of store.groupIds()) assert.deepEqual(rebuilt.fetch(id, null), store.fetch(id, null));
  });

  test("live records are copies: changing them does not change the store", () => {
    const store = new OffsetStore(config);
    commit(store, commitArgs("g", { t: [part(0, 1n)] }), T0);
    const [r] = store.liveRecords();
    assert.ok(r.value);
    r.value.offset = 99n;
    assert.equal(offsetOf(store, "g", "t", 0), 1n);
  });
});
