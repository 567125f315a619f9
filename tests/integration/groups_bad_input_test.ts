/**
 * Bad group requests, sent as raw protocol requests (generated codecs over a
 * socket, tests/integration/_wire.ts) while a real group of two
 * confluent-kafka-python members keeps consuming. Each must get the answer
 * a Kafka 3.9 coordinator gives, and none may disturb the real group: no
 * rebalance (no new assigned/revoked events) and new records are still
 * consumed afterwards.
 *  - Heartbeat from an unknown member, or to an unknown group: UNKNOWN_MEMBER_ID (25).
 *  - Heartbeat/SyncGroup with a stale generation: ILLEGAL_GENERATION (22).
 *  - SyncGroup carrying assignments from a member of a Stable group: the
 *    assignments are ignored and the member gets its current assignment.
 *    In a raw two-member group in CompletingRebalance, a non-leader's
 *    assignments are ignored too: it waits for the leader's and gets those.
 *  - JoinGroup with another protocol type or no common protocol (a
 *    non-empty group), or an empty protocol type or protocol list (a new
 *    group): INCONSISTENT_GROUP_PROTOCOL (23), before any MEMBER_ID_REQUIRED.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { type BrokerProcess, startBroker } from "./_broker.ts";
import { wireCaller, WireClient } from "./_wire.ts";
import { adminOps, until } from "./_data_path.ts";
import { coversAll, GROUP_OVERRIDES, produceNumbered, PyConsumer } from "./_groups.ts";
import { ErrorCode } from "../../src/protocol/errors.ts";
import { Writer } from "../../src/protocol/io/writer.ts";
import { Reader } from "../../src/protocol/io/reader.ts";
import {
  decodeDescribeGroupsResponse,
  type DescribedGroup,
  encodeDescribeGroupsRequest,
} from "../../src/protocol/generated/describe_groups.ts";
import { decodeHeartbeatResponse, encodeHeartbeatRequest } from "../../src/protocol/generated/heartbeat.ts";
import {
  decodeJoinGroupResponse,
  encodeJoinGroupRequest,
  type JoinGroupRequest,
  type JoinGroupResponse,
} from "../../src/protocol/generated/join_group.ts";
import {
  decodeSyncGroupResponse,
  encodeSyncGroupRequest,
  type SyncGroupRequest,
  type SyncGroupResponse,
} from "../../src/protocol/generated/sync_group.ts";
import { decodeLeaveGroupResponse, encodeLeaveGroupRequest } from "../../src/protocol/generated/leave_group.ts";
import { encodeConsumerProtocolSubscription } from "../../src/protocol/generated/consumer_protocol_subscription.ts";
import {
  decodeConsumerProtocolAssignment,
  encodeConsumerProtocolAssignment,
} from "../../src/protocol/generated/consumer_protocol_assignment.ts";

const PARTITIONS = 3;
const TOPIC = "bad-group-input";
const GROUP = "real-group";
const call = wireCaller("groups-bad-input");

/** Consumer-protocol subscription bytes (version 0) for `topics`. */
function subscription(topics: string[]): Uint8Array {
  const w = new Writer();
  w.writeInt16(0);
  encodeConsumerProtocolSubscription(w, 0, {
    topics,
    userData: null,
    ownedPartitions: [],
    generationId: -1,
    rackId: null,
  });
  return w.finish().slice();
}

/** Consumer-protocol assignment bytes (version 0) of `partitions` of TOPIC. */
function assignment(partitions: number[]): Uint8Array {
  const w = new Writer();
  w.writeInt16(0);
  encodeConsumerProtocolAssignment(w, 0, { assignedPartitions: [{ topic: TOPIC, partitions }], userData: null });
  return w.finish().slice();
}

/** The partitions of TOPIC in consumer-protocol assignment bytes. */
function partitionsOf(bytes: Uint8Array): number[] {
  if (bytes.length === 0) return [];
  const r = new Reader(bytes);
  r.readInt16();
  const decoded = decodeConsumerProtocolAssignment(r, 0);
  return decoded.assignedPartitions.filter((t) => t.topic === TOPIC).flatMap((t) => t.partitions).sort();
}

async function describeGroup(client: WireClient, groupId: string): Promise<DescribedGroup> {
  const response = await call(
    client,
    15,
    5,
    { groups: [groupId], includeAuthorizedOperations: false },
    encodeDescribeGroupsRequest,
    decodeDescribeGroupsResponse,
  );
  return response.groups[0];
}

async function heartbeat(
  client: WireClient,
  groupId: string,
  generationId: number,
  memberId: string,
  version = 4,
): Promise<number> {
  const response = await call(
    client,
    12,
    version,
    { groupId, generationId, memberId, groupInstanceId: null },
    encodeHeartbeatRequest,
    decodeHeartbeatResponse,
  );
  return response.errorCode;
}

function join(client: WireClient, request: Partial<JoinGroupRequest> & { groupId: string }, version = 5) {
  return call<JoinGroupRequest, JoinGroupResponse>(
    client,
    11,
    version,
    {
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 10_000,
      memberId: "",
      groupInstanceId: null,
      protocolType: "consumer",
      protocols: [{ name: "range", metadata: subscription([TOPIC]) }],
      reason: null,
      ...request,
    },
    encodeJoinGroupRequest,
    decodeJoinGroupResponse,
  );
}

function sync(
  client: WireClient,
  groupId: string,
  generationId: number,
  memberId: string,
  assignments: Array<{ memberId: string; assignment: Uint8Array }>,
  protocolName: string | null = "range",
) {
  return call<SyncGroupRequest, SyncGroupResponse>(
    client,
    14,
    5,
    { groupId, generationId, memberId, groupInstanceId: null, protocolType: "consumer", protocolName, assignments },
    encodeSyncGroupRequest,
    decodeSyncGroupResponse,
  );
}

/** Joins as a new member: the first JoinGroup (v4+) answers MEMBER_ID_REQUIRED with the id to join with. */
async function memberIdFor(client: WireClient, groupId: string): Promise<string> {
  const first = await join(client, { groupId });
  assert.equal(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
  assert.notEqual(first.memberId, "");
  return first.memberId;
}

describe("bad group requests while a real librdkafka group consumes", () => {
  let broker: BrokerProcess;
  let client: WireClient;
  const members: PyConsumer[] = [];
  let batch = 0;
  let produced = 0;
  /** Member id, by client id, and the generation of the real group. */
  const real = { ids: new Map<string, string>(), generation: 0, protocol: "" };

  before(async () => {
    broker = await startBroker("deno", { overrides: GROUP_OVERRIDES });
    const [created] = await adminOps(broker, [{ op: "create", topic: TOPIC, partitions: PARTITIONS }]);
    assert.deepEqual(created, { ok: true });
    for (const clientId of ["real-1", "real-2"]) {
      members.push(new PyConsumer(broker, { group: GROUP, topics: [TOPIC], clientId }));
    }
    await until("the two members split the partitions", () => coversAll(members, PARTITIONS), 30_000);
    client = await WireClient.connect(broker.port);
  });
  after(async () => {
    client?.destroy();
    await Promise.all(members.map((m) => m.close()));
    assert.equal(await broker.stop(), 0, `broker did not exit cleanly:\n${broker.output.slice(-20).join("\n")}`);
    fs.rmSync(broker.dataDir, { recursive: true, force: true });
  });

  /** Rebalance events of the real members so far. */
  const rebalanceEvents = () =>
    members.map((m) => m.events.filter((e) => e.ev === "assigned" || e.ev === "revoked" || e.ev === "lost").length);

  /** New records (one per partition) must all be consumed by the real group, without a rebalance. */
  async function stillConsumes(eventsBefore: number[]): Promise<void> {
    batch++;
    const values = await produceNumbered(broker, TOPIC, PARTITIONS, produced, PARTITIONS, `after${batch}`);
    produced += PARTITIONS;
    await until(
      `the real group consumes the records sent after bad request #${batch}`,
      () => values.every((v) => members.some((m) => m.values.includes(v))),
      30_000,
    );
    assert.deepEqual(rebalanceEvents(), eventsBefore, "the real group rebalanced");
    assert.ok(coversAll(members, PARTITIONS));
    for (const m of members) assert.deepEqual(m.events.filter((e) => e.ev === "error"), [], m.name);
  }

  test("the real group is Stable; its generation is the one its members heartbeat with", async () => {
    await stillConsumes(rebalanceEvents());
    const group = await describeGroup(client, GROUP);
    assert.equal(group.groupState, "Stable");
    real.protocol = group.protocolData;
    for (const m of group.members) real.ids.set(m.clientId, m.memberId);
    assert.deepEqual([...real.ids.keys()].sort(), ["real-1", "real-2"]);
    // Any generation but the current one is ILLEGAL_GENERATION: find the current one.
    const id = real.ids.get("real-1")!;
    for (let g = 1; g <= 50 && real.generation === 0; g++) {
      const code = await heartbeat(client, GROUP, g, id);
      if (code !== ErrorCode.ILLEGAL_GENERATION) {
        assert.equal(code, ErrorCode.NONE, `heartbeat at generation ${g}`);
        real.generation = g;
      }
    }
    assert.ok(real.generation > 0, "no generation between 1 and 50 was accepted");
  });

  test("Heartbeat from an unknown member, or to an unknown group: UNKNOWN_MEMBER_ID", async () => {
    const before = rebalanceEvents();
    for (const version of [0, 1, 2, 3, 4]) {
      assert.equal(
        await heartbeat(client, GROUP, real.generation, "not-a-member", version),
        ErrorCode.UNKNOWN_MEMBER_ID,
        `v${version}`,
      );
    }
    assert.equal(await heartbeat(client, GROUP, real.generation, "", 4), ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(await heartbeat(client, "no-such-group", 1, "not-a-member", 4), ErrorCode.UNKNOWN_MEMBER_ID);
    await stillConsumes(before);
  });

  test("Heartbeat and SyncGroup of a real member with a stale generation: ILLEGAL_GENERATION", async () => {
    const before = rebalanceEvents();
    const id = real.ids.get("real-2")!;
    for (const version of [0, 3, 4]) {
      assert.equal(await heartbeat(client, GROUP, real.generation - 1, id, version), ErrorCode.ILLEGAL_GENERATION);
    }
    assert.equal(await heartbeat(client, GROUP, real.generation + 1, id), ErrorCode.ILLEGAL_GENERATION);
    const stale = await sync(client, GROUP, real.generation - 1, id, [], real.protocol);
    assert.equal(stale.errorCode, ErrorCode.ILLEGAL_GENERATION);
    await stillConsumes(before);
  });

  test("SyncGroup with assignments to a Stable group: ignored, the member gets its own assignment", async () => {
    const before = rebalanceEvents();
    const described = await describeGroup(client, GROUP);
    const current = new Map(described.members.map((m) => [m.memberId, partitionsOf(m.memberAssignment)]));
    const [one, other] = [real.ids.get("real-1")!, real.ids.get("real-2")!];
    const greedy = await sync(client, GROUP, real.generation, other, [
      { memberId: other, assignment: assignment([0, 1, 2]) },
      { memberId: one, assignment: assignment([]) },
    ], real.protocol);
    assert.equal(greedy.errorCode, ErrorCode.NONE);
    assert.equal(greedy.protocolType, "consumer");
    assert.equal(greedy.protocolName, real.protocol);
    assert.deepEqual(partitionsOf(greedy.assignment), current.get(other));
    assert.deepEqual(partitionsOf(greedy.assignment), members[1].assignment);
    const after = await describeGroup(client, GROUP);
    assert.deepEqual(new Map(after.members.map((m) => [m.memberId, partitionsOf(m.memberAssignment)])), current);
    await stillConsumes(before);
  });

  test("a non-leader's assignments are ignored in CompletingRebalance: it gets what the leader sends", async () => {
    const before = rebalanceEvents();
    const group = "raw-two-members";
    const [a, b] = [await WireClient.connect(broker.port), await WireClient.connect(broker.port)];
    try {
      const idA = await memberIdFor(a, group);
      const first = await join(a, { groupId: group, memberId: idA });
      assert.equal(first.errorCode, ErrorCode.NONE);
      assert.equal(first.leader, idA);
      const gen1 = first.generationId;
      assert.equal(
        (await sync(a, group, gen1, idA, [{ memberId: idA, assignment: assignment([0, 1, 2]) }])).errorCode,
        0,
      );

      // B joins; A hears of the rebalance through its heartbeat and rejoins; both get the next generation.
      const idB = await memberIdFor(b, group);
      const joinB = join(b, { groupId: group, memberId: idB });
      await until(
        "A's heartbeat reports the rebalance",
        async () => (await heartbeat(a, group, gen1, idA)) === ErrorCode.REBALANCE_IN_PROGRESS,
      );
      const [joinedA, joinedB] = await Promise.all([join(a, { groupId: group, memberId: idA }), joinB]);
      assert.equal(joinedA.errorCode, ErrorCode.NONE);
      assert.equal(joinedB.errorCode, ErrorCode.NONE);
      const gen2 = joinedA.generationId;
      assert.ok(gen2 > gen1);
      assert.equal(joinedB.generationId, gen2);
      assert.equal(joinedA.leader, idA, "the rejoining leader stays leader");
      assert.equal(joinedB.leader, idA);
      assert.deepEqual(joinedA.members.map((m) => m.memberId).sort(), [idA, idB].sort());
      assert.deepEqual(joinedB.members, [], "only the leader gets the member list");

      // Stale generation from the old member now that there is a new one.
      assert.equal(await heartbeat(a, group, gen1, idA), ErrorCode.ILLEGAL_GENERATION);

      // The non-leader B sends a greedy assignment first; it waits for the leader's SyncGroup.
      const syncB = sync(b, group, gen2, idB, [
        { memberId: idB, assignment: assignment([0, 1, 2]) },
        { memberId: idA, assignment: assignment([]) },
      ]);
      const pending = await Promise.race([
        syncB.then(() => "answered"),
        new Promise((r) => setTimeout(() => r("waiting"), 300)),
      ]);
      assert.equal(pending, "waiting", "a non-leader's SyncGroup must wait for the leader's assignment");
      const syncA = await sync(a, group, gen2, idA, [
        { memberId: idA, assignment: assignment([0, 1]) },
        { memberId: idB, assignment: assignment([2]) },
      ]);
      assert.equal(syncA.errorCode, ErrorCode.NONE);
      assert.deepEqual(partitionsOf(syncA.assignment), [0, 1]);
      const answeredB = await syncB;
      assert.equal(answeredB.errorCode, ErrorCode.NONE);
      assert.deepEqual(partitionsOf(answeredB.assignment), [2], "B must get the leader's assignment, not its own");
      const described = await describeGroup(client, group);
      assert.equal(described.groupState, "Stable");
      assert.deepEqual(
        new Map(described.members.map((m) => [m.memberId, partitionsOf(m.memberAssignment)])),
        new Map([[idA, [0, 1]], [idB, [2]]]),
      );

      const left = await call(
        a,
        13,
        3,
        {
          groupId: group,
          memberId: "",
          members: [{ memberId: idA, groupInstanceId: null, reason: null }, {
            memberId: idB,
            groupInstanceId: null,
            reason: null,
          }],
        },
        encodeLeaveGroupRequest,
        decodeLeaveGroupResponse,
      );
      assert.equal(left.errorCode, ErrorCode.NONE);
      assert.deepEqual(left.members.map((m) => m.errorCode), [0, 0]);
      assert.equal((await describeGroup(client, group)).groupState, "Empty");
    } finally {
      a.destroy();
      b.destroy();
    }
    await stillConsumes(before);
  });

  test("JoinGroup with another protocol type or no common protocol: INCONSISTENT_GROUP_PROTOCOL", async () => {
    const before = rebalanceEvents();
    const otherType = await join(client, { groupId: GROUP, protocolType: "connect" });
    assert.equal(otherType.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const noCommon = await join(client, {
      groupId: GROUP,
      protocols: [{ name: "no-such-assignor", metadata: subscription([TOPIC]) }],
    });
    assert.equal(noCommon.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    // The same from a client that sends JoinGroup v1 (no member id round trip).
    const old = await join(client, { groupId: GROUP, protocolType: "connect" }, 1);
    assert.equal(old.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    await stillConsumes(before);
  });

  test("JoinGroup with an empty protocol type or no protocols: INCONSISTENT_GROUP_PROTOCOL", async () => {
    const before = rebalanceEvents();
    for (const version of [1, 5, 9]) {
      const emptyType = await join(client, { groupId: `empty-type-${version}`, protocolType: "" }, version);
      assert.equal(emptyType.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL, `v${version}`);
      const noProtocols = await join(client, { groupId: `no-protocols-${version}`, protocols: [] }, version);
      assert.equal(noProtocols.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL, `v${version}`);
    }
    const emptyTypeReal = await join(client, { groupId: GROUP, protocolType: "" });
    assert.equal(emptyTypeReal.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    await stillConsumes(before);
  });
});
