/**
 * Differential: consumer groups and committed offsets — FindCoordinator
 * (10), JoinGroup (11), SyncGroup (14), Heartbeat (12), LeaveGroup (13),
 * OffsetCommit (8), OffsetFetch (9), DescribeGroups (15), ListGroups (16),
 * DeleteGroups (42), OffsetDelete (47), ConsumerGroupHeartbeat (68) and
 * ConsumerGroupDescribe (69) — at every version tsbroker advertises,
 * against the reference Kafka. Each classic group is driven through the
 * same join / sync / heartbeat / commit / leave sequence on both brokers,
 * member ids aliased. Error paths: empty group id, unknown member, wrong
 * generation, inconsistent protocols, session timeout out of bounds,
 * unknown topics and partitions, unknown groups, non-empty groups, offsets
 * of subscribed topics, fenced member epochs.
 */
import { after, before, describe, test } from "node:test";
import { type Comparison, Oracle, type Side, SUITE_COVERAGE } from "./_oracle.ts";
import { defaultCreatableTopic, defaultCreateTopicsRequest } from "../../src/protocol/generated/create_topics.ts";
import { defaultJoinGroupRequest } from "../../src/protocol/generated/join_group.ts";
import { defaultSyncGroupRequest } from "../../src/protocol/generated/sync_group.ts";
import { defaultOffsetCommitRequest } from "../../src/protocol/generated/offset_commit.ts";
import { defaultOffsetFetchRequest } from "../../src/protocol/generated/offset_fetch.ts";
import { defaultConsumerGroupHeartbeatRequest } from "../../src/protocol/generated/consumer_group_heartbeat.ts";

const TOPIC = "gt";
/** ConsumerProtocolSubscription v0 for topic "gt": version, topics ["gt"], null user data. */
const SUBSCRIPTION = new Uint8Array([0, 0, 0, 0, 0, 1, 0, 2, 0x67, 0x74, 0xff, 0xff, 0xff, 0xff]);
/** ConsumerProtocolAssignment v0: gt partitions 0 and 1, null user data. */
const ASSIGNMENT = new Uint8Array([
  0,
  0,
  0,
  0,
  0,
  1,
  0,
  2,
  0x67,
  0x74,
  0,
  0,
  0,
  2,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  1,
  0xff,
  0xff,
  0xff,
  0xff,
]);

describe("differential: groups", () => {
  let o: Oracle;
  before(async () => {
    o = await Oracle.start("groups_test.ts", {}, { "transaction.state.log.num.partitions": "1" });
    await o.compare({
      title: "create",
      apiKey: 19,
      version: 7,
      request: {
        ...defaultCreateTopicsRequest(),
        topics: [{ ...defaultCreatableTopic(), name: TOPIC, numPartitions: 2, replicationFactor: 1 }],
      },
    });
    await o.settle([TOPIC]);
    // Kafka creates __consumer_offsets (and __transaction_state) on first use.
    for (const keyType of [0, 1]) {
      for (const side of o.sides()) {
        await o.warmUp(
          side,
          10,
          4,
          { key: "", keyType, coordinatorKeys: ["warm-up"] },
          (b) => b.coordinators[0].errorCode === 0,
        );
      }
    }
  });
  after(async () => {
    o?.report();
    await o?.stop();
  });

  const join = (group: string, version: number, member: (s: Side) => string, extra: Record<string, unknown> = {}) =>
  (
    s: Side,
  ) => ({
    ...defaultJoinGroupRequest(),
    groupId: group,
    // The largest session timeout the brokers allow here: groups made by one test are listed by later ones
    // (ListGroups), and a member expiring on one broker a moment before the other changed their states.
    sessionTimeoutMs: 300_000,
    rebalanceTimeoutMs: 10_000,
    memberId: member(s),
    protocolType: "consumer",
    protocols: [{ name: "range", metadata: SUBSCRIPTION }],
    reason: version >= 8 ? "differential" : null,
    ...extra,
  });

  /** Joins `group` with one member (MEMBER_ID_REQUIRED first from v4) and syncs it; remembers member and generation. */
  async function stableGroup(group: string, joinVersion = 7, syncVersion = 5): Promise<void> {
    if (joinVersion >= 4) {
      const first = await o.compare({
        title: "join without member id",
        apiKey: 11,
        version: joinVersion,
        request: join(group, joinVersion, () => ""),
      });
      o.remember(`${group}:member`, first, (b) => b.memberId);
    } else {
      o.kafka.vars[`${group}:member`] = "";
      o.tsbroker.vars[`${group}:member`] = "";
    }
    const joined = await o.compare({
      title: "join",
      apiKey: 11,
      version: joinVersion,
      request: join(group, joinVersion, (s) => s.vars[`${group}:member`]),
    });
    o.remember(`${group}:member`, joined, (b) => b.memberId);
    o.remember(`${group}:gen`, joined, (b) => b.generationId);
    await o.compare({
      title: "sync as leader",
      apiKey: 14,
      version: syncVersion,
      request: (s: Side) => ({
        ...defaultSyncGroupRequest(),
        groupId: group,
        generationId: s.vars[`${group}:gen`],
        memberId: s.vars[`${group}:member`],
        protocolType: "consumer",
        protocolName: "range",
        assignments: [{ memberId: s.vars[`${group}:member`], assignment: ASSIGNMENT }],
      }),
    });
  }

  const member = (group: string) => (s: Side) => s.vars[`${group}:member`] as string;
  const gen = (group: string) => (s: Side) => s.vars[`${group}:gen`] as number;

  test("FindCoordinator: groups, transactions, batches, empty keys", async () => {
    for (const v of o.advertised(10)) {
      const find = (key: string, keyType = 0) =>
        v >= 4 ? { key: "", keyType, coordinatorKeys: [key] } : { key, keyType, coordinatorKeys: [] };
      await o.compare({ title: "group", apiKey: 10, version: v, request: find("g-find") });
      if (v >= 1) await o.compare({ title: "transaction", apiKey: 10, version: v, request: find("tx-find", 1) });
      if (v >= 1) await o.compare({ title: "unknown key type", apiKey: 10, version: v, request: find("x", 5) });
      if (v >= 4) {
        await o.compare({
          title: "batch",
          apiKey: 10,
          version: v,
          request: { key: "", keyType: 0, coordinatorKeys: ["a", "b", ""] },
        });
      }
    }
    o.assertNoDifferences();
  });

  test("JoinGroup and SyncGroup: success, member id required, and error paths", async () => {
    for (const v of o.advertised(11)) {
      const g = `gj${v}`;
      await stableGroup(g, v, Math.min(v, 5));
      await o.compare({ title: "empty group id", apiKey: 11, version: v, request: join("", v, () => "") });
      await o.compare({ title: "unknown member id", apiKey: 11, version: v, request: join(g, v, () => "nobody") });
      await o.compare({
        title: "session timeout below the minimum",
        apiKey: 11,
        version: v,
        request: join(`${g}-st`, v, () => "", { sessionTimeoutMs: 1000 }),
      });
      await o.compare({
        title: "inconsistent protocol type",
        apiKey: 11,
        version: v,
        request: join(g, v, member(g), { protocolType: "connect" }),
      });
    }
    for (const v of o.advertised(14)) {
      const g = `gs${v}`;
      await stableGroup(g, 5, v);
      const sync = (generationId: (s: Side) => number, memberId: (s: Side) => string, extra = {}) => (s: Side) => ({
        ...defaultSyncGroupRequest(),
        groupId: g,
        generationId: generationId(s),
        memberId: memberId(s),
        protocolType: "consumer",
        protocolName: "range",
        assignments: [],
        ...extra,
      });
      await o.compare({ title: "follower sync", apiKey: 14, version: v, request: sync(gen(g), member(g)) });
      await o.compare({
        title: "wrong generation",
        apiKey: 14,
        version: v,
        request: sync((s) => gen(g)(s) + 5, member(g)),
      });
      await o.compare({ title: "unknown member", apiKey: 14, version: v, request: sync(gen(g), () => "nobody") });
      if (v >= 5) {
        await o.compare({
          title: "inconsistent protocol name",
          apiKey: 14,
          version: v,
          request: sync(gen(g), member(g), { protocolName: "roundrobin" }),
        });
      }
      await o.compare({
        title: "unknown group",
        apiKey: 14,
        version: v,
        request: { ...defaultSyncGroupRequest(), groupId: "gs-none", memberId: "m" },
      });
    }
    o.assertNoDifferences();
  });

  test("Heartbeat and LeaveGroup: success, wrong generation, unknown members and groups", async () => {
    for (const v of o.advertised(12)) {
      const g = `gh${v}`;
      await stableGroup(g);
      const hb = (generationId: (s: Side) => number, memberId: (s: Side) => string, groupId = g) => (s: Side) => ({
        groupId,
        generationId: generationId(s),
        memberId: memberId(s),
        groupInstanceId: null,
      });
      await o.compare({ title: "alive", apiKey: 12, version: v, request: hb(gen(g), member(g)) });
      await o.compare({
        title: "wrong generation",
        apiKey: 12,
        version: v,
        request: hb((s) => gen(g)(s) + 1, member(g)),
      });
      await o.compare({ title: "unknown member", apiKey: 12, version: v, request: hb(gen(g), () => "nobody") });
      await o.compare({ title: "unknown group", apiKey: 12, version: v, request: hb(() => 1, () => "m", "gh-none") });
      await o.compare({ title: "empty group id", apiKey: 12, version: v, request: hb(() => 1, () => "m", "") });
    }
    for (const v of o.advertised(13)) {
      const g = `gl${v}`;
      await stableGroup(g);
      const leave = (memberId: (s: Side) => string, groupId = g) => (s: Side) => ({
        groupId,
        memberId: v <= 2 ? memberId(s) : "",
        members: v >= 3 ? [{ memberId: memberId(s), groupInstanceId: null, reason: v >= 5 ? "done" : null }] : [],
      });
      await o.compare({ title: "unknown member", apiKey: 13, version: v, request: leave(() => "nobody") });
      await o.compare({ title: "unknown group", apiKey: 13, version: v, request: leave(() => "m", "gl-none") });
      await o.compare({ title: "leave", apiKey: 13, version: v, request: leave(member(g)) });
      await o.compare({ title: "leave again", apiKey: 13, version: v, request: leave(member(g)) });
    }
    o.assertNoDifferences();
  });

  test("OffsetCommit and OffsetFetch: standalone and member commits, unknown topics, wrong generations", async () => {
    const partitions = (offsets: Array<[number, bigint]>) =>
      offsets.map(([partitionIndex, committedOffset]) => ({
        partitionIndex,
        committedOffset,
        committedLeaderEpoch: -1,
        commitTimestamp: -1n,
        committedMetadata: "m",
      }));
    for (const v of o.advertised(8)) {
      const g = `go${v}`;
      const commit = (topics: Array<[string, Array<[number, bigint]>]>, groupId = g, extra = {}) => ({
        ...defaultOffsetCommitRequest(),
        groupId,
        topics: topics.map(([name, offs]) => ({ name, partitions: partitions(offs) })),
        ...extra,
      });
      const c = await o.compare({
        title: "standalone commit",
        apiKey: 8,
        version: v,
        request: commit([[TOPIC, [[0, 5n], [1, 7n]]]]),
      });
      if (c.kafka === undefined) {
        // A version Kafka 4 removed: only tsbroker made the group; drop it so that group listings stay comparable.
        await o.tsbroker.send(42, 2, { groupsNames: [g] });
        continue;
      }
      await o.compare({ title: "unknown topic", apiKey: 8, version: v, request: commit([["gt-none", [[0, 1n]]]]) });
      await o.compare({ title: "bad partition", apiKey: 8, version: v, request: commit([[TOPIC, [[9, 1n]]]]) });
      await o.compare({ title: "empty group id", apiKey: 8, version: v, request: commit([[TOPIC, [[0, 1n]]]], "") });
      const sg = `gom${v}`;
      await stableGroup(sg);
      await o.compare({
        title: "member commit",
        apiKey: 8,
        version: v,
        request: (s: Side) =>
          commit([[TOPIC, [[0, 3n]]]], sg, { generationIdOrMemberEpoch: gen(sg)(s), memberId: member(sg)(s) }),
      });
      await o.compare({
        title: "wrong generation",
        apiKey: 8,
        version: v,
        request: (s: Side) =>
          commit([[TOPIC, [[0, 4n]]]], sg, { generationIdOrMemberEpoch: gen(sg)(s) + 3, memberId: member(sg)(s) }),
      });
      await o.compare({
        title: "unknown member",
        apiKey: 8,
        version: v,
        request: (s: Side) =>
          commit([[TOPIC, [[0, 4n]]]], sg, { generationIdOrMemberEpoch: gen(sg)(s), memberId: "x" }),
      });
    }
    for (const v of o.advertised(9)) {
      const fetch = (groupId: string, topics: Array<[string, number[]]> | null) =>
        v >= 8
          ? {
            ...defaultOffsetFetchRequest(),
            groups: [{
              groupId,
              memberId: null,
              memberEpoch: -1,
              topics: topics && topics.map(([name, partitionIndexes]) => ({ name, partitionIndexes })),
            }],
          }
          : {
            ...defaultOffsetFetchRequest(),
            groupId,
            topics: topics && topics.map(([name, partitionIndexes]) => ({ name, partitionIndexes })),
          };
      await o.compare({ title: "committed offsets", apiKey: 9, version: v, request: fetch("go9", [[TOPIC, [0, 1]]]) });
      if (v >= 2) await o.compare({ title: "all topics", apiKey: 9, version: v, request: fetch("go9", null) });
      await o.compare({ title: "unknown topic", apiKey: 9, version: v, request: fetch("go9", [["gt-none", [0]]]) });
      await o.compare({ title: "unknown group", apiKey: 9, version: v, request: fetch("go-none", [[TOPIC, [0]]]) });
      await o.compare({ title: "empty group id", apiKey: 9, version: v, request: fetch("", [[TOPIC, [0]]]) });
    }
    o.assertNoDifferences();
  });

  test("DescribeGroups, ListGroups, OffsetDelete and DeleteGroups", async () => {
    await stableGroup("gd");
    for (const v of o.advertised(15)) {
      await o.compare({
        title: "stable, empty, unknown and blank groups",
        apiKey: 15,
        version: v,
        request: { groups: ["gd", "go9", "gd-none", ""], includeAuthorizedOperations: false },
      });
      if (v >= 3) {
        await o.compare({
          title: "authorized operations",
          apiKey: 15,
          version: v,
          request: { groups: ["gd"], includeAuthorizedOperations: true },
        });
      }
    }
    for (const v of o.advertised(16)) {
      await o.compare({ title: "all groups", apiKey: 16, version: v, request: { statesFilter: [], typesFilter: [] } });
      if (v >= 4) {
        await o.compare({
          title: "stable groups",
          apiKey: 16,
          version: v,
          request: { statesFilter: ["Stable"], typesFilter: [] },
        });
      }
      if (v >= 5) {
        await o.compare({
          title: "classic groups",
          apiKey: 16,
          version: v,
          request: { statesFilter: [], typesFilter: ["classic"] },
        });
      }
    }
    for (const v of o.advertised(47)) {
      const del = (groupId: string, topic = TOPIC) => ({
        groupId,
        topics: [{ name: topic, partitions: [{ partitionIndex: 0 }] }],
      });
      await o.compare({ title: "subscribed topic", apiKey: 47, version: v, request: del("gd") });
      await o.compare({ title: "empty group", apiKey: 47, version: v, request: del("go9") });
      await o.compare({ title: "unknown topic", apiKey: 47, version: v, request: del("go9", "gt-none") });
      await o.compare({ title: "unknown group", apiKey: 47, version: v, request: del("gd-none") });
      await o.compare({ title: "empty group id", apiKey: 47, version: v, request: del("") });
    }
    for (const v of o.advertised(42)) {
      await o.compare({
        title: "empty, non-empty, unknown",
        apiKey: 42,
        version: v,
        request: { groupsNames: [`go${v + 2}`, "gd", "gd-none"] },
      });
    }
    o.assertNoDifferences();
  });

  test("ConsumerGroupHeartbeat and ConsumerGroupDescribe (KIP-848)", async () => {
    const hb = (extra: Record<string, unknown>) => (s: Side) => ({
      ...defaultConsumerGroupHeartbeatRequest(),
      groupId: "gc",
      rebalanceTimeoutMs: 10_000,
      ...Object.fromEntries(Object.entries(extra).map(([k, x]) => [k, typeof x === "function" ? x(s) : x])),
    });
    for (const v of o.advertised(68)) {
      // Each version's member in its own group, so that the describe below sees v0's group as before.
      const groupId = v === 0 ? "gc" : `gc-v${v}`;
      const first: Comparison = await o.compare({
        title: "join",
        apiKey: 68,
        version: v,
        // From v1 the client makes the member id (KIP-1082).
        request: hb({
          groupId,
          memberId: v >= 1 ? `client-made-${v}` : "",
          memberEpoch: 0,
          subscribedTopicNames: [TOPIC],
          topicPartitions: [],
        }),
      });
      o.remember(`cg:member:${v}`, first, (b) => b.memberId);
      o.remember(`cg:epoch:${v}`, first, (b) => b.memberEpoch);
      const member = (s: Side) => s.vars[`cg:member:${v}`];
      await o.compare({
        title: "heartbeat",
        apiKey: 68,
        version: v,
        request: hb({ groupId, memberId: member, memberEpoch: (s: Side) => s.vars[`cg:epoch:${v}`] }),
      });
      await o.compare({
        title: "fenced epoch",
        apiKey: 68,
        version: v,
        request: hb({ groupId, memberId: member, memberEpoch: 99 }),
      });
      await o.compare({
        title: "unknown member",
        apiKey: 68,
        version: v,
        request: hb({ memberId: "nobody", memberEpoch: 3 }),
      });
      await o.compare({
        title: "empty group id",
        apiKey: 68,
        version: v,
        request: hb({ groupId: "", memberEpoch: 0, subscribedTopicNames: [TOPIC] }),
      });
      await o.compare({
        title: "join without subscription",
        apiKey: 68,
        version: v,
        request: hb({ groupId: "gc2", memberId: "m", memberEpoch: 0, topicPartitions: [] }),
      });
      if (v === 0) continue;
      await o.compare({
        title: "v1 join without a member id",
        apiKey: 68,
        version: v,
        request: hb({ groupId: "gc3", memberEpoch: 0, subscribedTopicNames: [TOPIC], topicPartitions: [] }),
      });
      await o.compare({
        title: "v1 regex that does not compile",
        apiKey: 68,
        version: v,
        request: hb({
          groupId: "gc3",
          memberId: "m",
          memberEpoch: 0,
          subscribedTopicRegex: "dp-(",
          topicPartitions: [],
        }),
      });
      await o.compare({
        title: "v1 regex with lookahead (RE2 has none)",
        apiKey: 68,
        version: v,
        request: hb({
          groupId: "gc3",
          memberId: "m",
          memberEpoch: 0,
          subscribedTopicRegex: "(?=x).*",
          topicPartitions: [],
        }),
      });
      await o.compare({
        title: "v1 regex join",
        apiKey: 68,
        version: v,
        request: hb({
          groupId: "gr",
          memberId: "rx-1",
          memberEpoch: 0,
          subscribedTopicRegex: `${TOPIC}.*`,
          topicPartitions: [],
        }),
      });
    }
    for (const v of o.advertised(69)) {
      await o.compare({
        title: "consumer, classic and unknown groups",
        apiKey: 69,
        version: v,
        request: { groupIds: ["gc", "gd", "gc-none"], includeAuthorizedOperations: false },
      });
    }
    for (const v of o.advertised(68)) {
      await o.compare({
        title: "leave",
        apiKey: 68,
        version: v,
        request: hb({
          groupId: v === 0 ? "gc" : `gc-v${v}`,
          memberId: (s: Side) => s.vars[`cg:member:${v}`],
          memberEpoch: -1,
        }),
      });
    }
    o.assertNoDifferences();
  });

  test("covers every advertised version of its APIs", () => {
    o.assertCovered(SUITE_COVERAGE["groups_test.ts"]);
  });
});
