/**
 * The group admin APIs through a whole in-process broker core (LocalBroker,
 * three handlers): DescribeGroups v0–v5 (state, protocol, members with
 * client id, "/ip" host, metadata and assignment; Dead for an unknown group;
 * authorized operations from v3; instance ids from v4), ListGroups v0–v5
 * (every coordinator's groups; v4 state filter, v5 type filter) and
 * DeleteGroups v0–v2 (NON_EMPTY_GROUP, GROUP_ID_NOT_FOUND, offsets gone
 * with the group, duplicates answered once, request order).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ErrorCode } from "../../../src/protocol/errors.ts";
import {
  commit,
  consumerJoin,
  deleteGroups,
  describeGroups,
  fetchOffsets,
  joinNew,
  leave,
  listGroups,
  readAssignment,
  stableSingleMember,
  subscription,
  versions,
  withGroupBroker,
} from "./_groups.ts";

const TOPIC = "clicks";
const OMITTED = -2147483648;
/** READ, DELETE, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS: what Kafka grants on a group without an authorizer. */
const ALL_GROUP_OPERATIONS = (1 << 3) | (1 << 6) | (1 << 8) | (1 << 10) | (1 << 11);

const simpleCommit = (groupId: string) => ({
  groupId,
  generationIdOrMemberEpoch: -1,
  memberId: "",
  topics: [{
    name: TOPIC,
    partitions: [{
      partitionIndex: 0,
      committedOffset: 3n,
      committedLeaderEpoch: -1,
      commitTimestamp: -1n,
      committedMetadata: "",
    }],
  }],
});

describe("DescribeGroups", () => {
  test("v0–v5: a Stable group with its member; an unknown group is Dead; answers in request order", async () => {
    await withGroupBroker(async (b) => {
      await b.createTopic(TOPIC, 2);
      const a = await stableSingleMember(b, "stable", TOPIC, [0, 1], "static-1");
      await commit(b, 9, simpleCommit("empty"));
      for (const v of versions(0, 5)) {
        for (const include of v >= 3 ? [false, true] : [false]) {
          const res = await describeGroups(b, v, {
            groups: ["unknown", "stable", "empty"],
            includeAuthorizedOperations: include,
          });
          assert.deepEqual(res.groups.map((g) => [g.groupId, g.errorCode, g.groupState]), [
            ["unknown", ErrorCode.NONE, "Dead"],
            ["stable", ErrorCode.NONE, "Stable"],
            ["empty", ErrorCode.NONE, "Empty"],
          ]);
          const stable = res.groups[1];
          assert.deepEqual([stable.protocolType, stable.protocolData], ["consumer", "range"]);
          assert.equal(stable.members.length, 1);
          const m = stable.members[0];
          assert.deepEqual(
            [m.memberId, m.groupInstanceId, m.clientId, m.clientHost],
            [a.memberId, v >= 4 ? "static-1" : null, "local-broker", "/127.0.0.1"],
          );
          assert.deepEqual(m.memberMetadata, subscription([TOPIC]));
          assert.deepEqual(readAssignment(m.memberAssignment).assignedPartitions, [{
            topic: TOPIC,
            partitions: [0, 1],
          }]);
          const ops = res.groups.map((g) => g.authorizedOperations);
          if (v >= 3) assert.deepEqual(ops, Array(3).fill(include ? ALL_GROUP_OPERATIONS : OMITTED));
        }
      }
    });
  });

  test("while rebalancing, members are shown without metadata or assignment", async () => {
    await withGroupBroker(async (b) => {
      await b.createTopic(TOPIC, 1);
      const joined = await joinNew(b, 9, consumerJoin("rebalancing", [TOPIC]));
      const res = await describeGroups(b, 5, { groups: ["rebalancing"], includeAuthorizedOperations: false });
      const g = res.groups[0];
      assert.equal(g.groupState, "CompletingRebalance");
      assert.equal(g.protocolType, "consumer");
      assert.deepEqual(g.members.map((m) => [m.memberId, m.memberMetadata.length, m.memberAssignment.length]), [
        [joined.memberId, 0, 0],
      ]);
    });
  });
});

describe("ListGroups", () => {
  test("v0–v5 list every coordinator's groups; v4 filters by state, v5 by type", async () => {
    await withGroupBroker(async (b) => {
      await b.createTopic(TOPIC, 1);
      const ids = ["g-a", "g-b", "g-c", "g-d", "g-e"];
      for (const id of ids) await commit(b, 9, simpleCommit(id));
      await stableSingleMember(b, "g-stable", TOPIC, [0]);
      const all = [...ids, "g-stable"].sort();
      for (const v of versions(0, 5)) {
        const res = await listGroups(b, v, { statesFilter: [], typesFilter: [] });
        assert.equal(res.errorCode, ErrorCode.NONE);
        assert.deepEqual(res.groups.map((g) => g.groupId).sort(), all, `v${v}`);
        const stable = res.groups.find((g) => g.groupId === "g-stable")!;
        assert.equal(stable.protocolType, "consumer");
        assert.equal(res.groups.find((g) => g.groupId === "g-a")!.protocolType, "");
        if (v >= 4) assert.equal(stable.groupState, "Stable");
        if (v >= 5) assert.ok(res.groups.every((g) => g.groupType === "classic"));
      }
      for (const v of [4, 5]) {
        const stableOnly = await listGroups(b, v, { statesFilter: ["stable"], typesFilter: [] });
        assert.deepEqual(stableOnly.groups.map((g) => [g.groupId, g.groupState]), [["g-stable", "Stable"]]);
        const both = await listGroups(b, v, { statesFilter: ["Empty", "STABLE"], typesFilter: [] });
        assert.equal(both.groups.length, all.length);
        const none = await listGroups(b, v, { statesFilter: ["Dead"], typesFilter: [] });
        assert.deepEqual(none.groups, []);
      }
      const classic = await listGroups(b, 5, { statesFilter: [], typesFilter: ["Classic"] });
      assert.equal(classic.groups.length, all.length);
      const consumer = await listGroups(b, 5, { statesFilter: [], typesFilter: ["consumer"] });
      assert.deepEqual(consumer.groups, []);
    });
  });

  test("before any group exists the list is empty", async () => {
    await withGroupBroker(async (b) => {
      for (const v of versions(0, 5)) {
        const res = await listGroups(b, v, { statesFilter: [], typesFilter: [] });
        assert.deepEqual([res.errorCode, res.groups], [ErrorCode.NONE, []]);
      }
    });
  });
});

describe("DeleteGroups", () => {
  test("v0–v2: empty groups go with their offsets; NON_EMPTY_GROUP, GROUP_ID_NOT_FOUND; request order", async () => {
    await withGroupBroker(async (b) => {
      await b.createTopic(TOPIC, 1);
      await stableSingleMember(b, "busy", TOPIC, [0]);
      for (const v of versions(0, 2)) {
        const names = [`d${v}-1`, `d${v}-2`, `d${v}-3`];
        for (const id of names) await commit(b, 9, simpleCommit(id));
        const res = await deleteGroups(b, v, [names[2], "busy", "missing", names[0], names[2], names[1]]);
        assert.deepEqual(res.results.map((r) => [r.groupId, r.errorCode]), [
          [names[2], ErrorCode.NONE],
          ["busy", ErrorCode.NON_EMPTY_GROUP],
          ["missing", ErrorCode.GROUP_ID_NOT_FOUND],
          [names[0], ErrorCode.NONE],
          [names[1], ErrorCode.NONE],
        ]);
        const fetched = await fetchOffsets(b, 9, {
          groups: names.map((groupId) => ({ groupId, memberId: null, memberEpoch: -1, topics: null })),
        });
        assert.deepEqual(fetched.groups.map((g) => g.topics), [[], [], []]);
        const listed = await listGroups(b, 5, { statesFilter: [], typesFilter: [] });
        assert.ok(listed.groups.every((g) => !names.includes(g.groupId)));
        const again = await deleteGroups(b, v, [names[0]]);
        assert.deepEqual(again.results.map((r) => r.errorCode), [ErrorCode.GROUP_ID_NOT_FOUND]);
      }
      const busy = await describeGroups(b, 5, { groups: ["busy"], includeAuthorizedOperations: false });
      assert.equal(busy.groups[0].groupState, "Stable");
    });
  });

  test("a group emptied by its last member leaving can be deleted, and a new one starts at generation 1", async () => {
    await withGroupBroker(async (b) => {
      await b.createTopic(TOPIC, 1);
      const a = await stableSingleMember(b, "g", TOPIC, [0]);
      const left = await leave(b, 1, { groupId: "g", memberId: a.memberId, members: [] });
      assert.equal(left.errorCode, ErrorCode.NONE);
      const res = await deleteGroups(b, 2, ["g"]);
      assert.deepEqual(res.results.map((r) => r.errorCode), [ErrorCode.NONE]);
      const fresh = await joinNew(b, 9, consumerJoin("g", [TOPIC]));
      assert.equal(fresh.generationId, 1);
      const described = await describeGroups(b, 5, { groups: ["g"], includeAuthorizedOperations: false });
      assert.equal(described.groups[0].groupState, "CompletingRebalance");
    });
  });
});
