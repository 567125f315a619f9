/**
 * DescribeGroups, ListGroups, DeleteGroups and offset administration as
 * real admin clients show them, against a classic group of two
 * confluent-kafka-python members: kafkajs' admin (describeGroups,
 * listGroups, fetchOffsets, setOffsets, resetOffsets, deleteGroups) and
 * librdkafka's list_groups (ListGroups + DescribeGroups v0) and
 * Consumer.committed (OffsetFetch). What Kafka 3.9 answers: a Stable group
 * shows its protocol type and chosen protocol, each member's client id,
 * host ("/127.0.0.1") and assignment; an empty group is Empty with its
 * protocol type and no protocol; an unknown or deleted group is Dead
 * without error; deleting a group with members is NON_EMPTY_GROUP (68), an
 * unknown one GROUP_ID_NOT_FOUND (69).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { type BrokerProcess, startBroker } from "./_broker.ts";
import { adminOps, until } from "./_data_path.ts";
import {
  coversAll,
  GROUP_OVERRIDES,
  type JsGroup,
  jsGroupAdmin,
  produceNumbered,
  PyConsumer,
  type PyGroup,
  pyGroupAdmin,
} from "./_groups.ts";
import { ErrorCode } from "../../src/protocol/errors.ts";

const PARTITIONS = 6;
const COUNT = 60;
const TOPIC = "admin-topic";
const GROUP = "admin-group";

describe("group administration with kafkajs and librdkafka", () => {
  let broker: BrokerProcess;
  const members: PyConsumer[] = [];

  before(async () => {
    broker = await startBroker("deno", { overrides: GROUP_OVERRIDES });
    const [created] = await adminOps(broker, [{ op: "create", topic: TOPIC, partitions: PARTITIONS }]);
    assert.deepEqual(created, { ok: true });
    await produceNumbered(broker, TOPIC, PARTITIONS, 0, COUNT, "adm");
    for (const clientId of ["adm-1", "adm-2"]) {
      members.push(new PyConsumer(broker, { group: GROUP, topics: [TOPIC], clientId }));
    }
    await until("the two members split the partitions", () => coversAll(members, PARTITIONS), 30_000);
    await until("every record is consumed and committed", () => members.flatMap((m) => m.values).length >= COUNT);
  });
  after(async () => {
    await Promise.all(members.map((m) => m.kill()));
    assert.equal(await broker.stop(), 0, `broker did not exit cleanly:\n${broker.output.slice(-20).join("\n")}`);
    fs.rmSync(broker.dataDir, { recursive: true, force: true });
  });

  /** The members' assignments as the python consumers themselves report them, by client id. */
  const ownView = () => new Map(members.map((m) => [m.name, m.assignment]));

  test("kafkajs describeGroups: Stable, consumer/range, both members with client id, host and assignment", async () => {
    const [described] = await jsGroupAdmin(broker, [{ op: "describe", groups: [GROUP, "no-such-group"] }]);
    assert.ok(described.ok, JSON.stringify(described));
    const [group, unknown] = described.groups!;
    assert.equal(group.groupId, GROUP);
    assert.equal(group.errorCode, 0);
    assert.equal(group.state, "Stable");
    assert.equal(group.protocolType, "consumer");
    // librdkafka's default partition.assignment.strategy is "range,roundrobin": the first both support.
    assert.equal(group.protocol, "range");
    checkMembers(group.members.map((m) => ({ ...m, id: m.memberId })));
    assert.deepEqual(unknown, {
      groupId: "no-such-group",
      errorCode: 0,
      state: "Dead",
      protocolType: "",
      protocol: "",
      members: [],
    });
  });

  /** Two members, client ids adm-1/adm-2, host /127.0.0.1, subscribed to TOPIC, assignments as the members see them. */
  function checkMembers(
    described: Array<{ id: string; clientId: string; clientHost: string; topics: string[]; assignment: unknown }>,
  ): void {
    assert.deepEqual(described.map((m) => m.clientId).sort(), ["adm-1", "adm-2"]);
    assert.equal(new Set(described.map((m) => m.id)).size, 2);
    const own = ownView();
    for (const m of described) {
      assert.ok(m.id.startsWith(`${m.clientId}-`), `member id ${m.id} (Kafka: client id, "-", a UUID)`);
      assert.equal(m.clientHost, "/127.0.0.1");
      assert.deepEqual(m.topics, [TOPIC]);
      assert.deepEqual(m.assignment, [[TOPIC, own.get(m.clientId)]], `${m.clientId}'s assignment`);
    }
  }

  test("kafkajs listGroups and librdkafka list_groups show the group", async () => {
    const [listed] = await jsGroupAdmin(broker, [{ op: "list" }]);
    assert.ok(listed.ok, JSON.stringify(listed));
    assert.deepEqual(
      (listed.groups as unknown as Array<{ groupId: string; protocolType: string }>).filter((g) => g.groupId === GROUP),
      [{ groupId: GROUP, protocolType: "consumer" }],
    );

    const [all, one] = await pyGroupAdmin(broker, [{ op: "list" }, { op: "list", group: GROUP }]);
    assert.ok(all.ok && one.ok, JSON.stringify([all, one]));
    assert.ok(all.groups!.some((g) => g.id === GROUP), JSON.stringify(all.groups));
    assert.equal(one.groups!.length, 1);
    const group: PyGroup = one.groups![0];
    assert.equal(group.id, GROUP);
    assert.equal(group.error, null);
    assert.equal(group.state, "Stable");
    assert.equal(group.protocolType, "consumer");
    assert.equal(group.protocol, "range");
    checkMembers(group.members);
  });

  test("committed offsets read back through kafkajs fetchOffsets and librdkafka committed()", async () => {
    const [fetched] = await jsGroupAdmin(broker, [{ op: "fetchOffsets", groupId: GROUP, topic: TOPIC }]);
    assert.deepEqual(fetched, { ok: true, offsets: new Array(PARTITIONS).fill(COUNT / PARTITIONS) });
    const [committed] = await pyGroupAdmin(broker, [
      { op: "committed", group: GROUP, topic: TOPIC, partitions: PARTITIONS },
    ]);
    assert.deepEqual(committed, { ok: true, offsets: new Array(PARTITIONS).fill(COUNT / PARTITIONS) });
  });

  test("a group with members cannot be deleted (NON_EMPTY_GROUP); an unknown one is GROUP_ID_NOT_FOUND", async () => {
    const [nonEmpty, unknown] = await jsGroupAdmin(broker, [
      { op: "deleteGroups", groupIds: [GROUP] },
      { op: "deleteGroups", groupIds: ["never-existed"] },
    ]);
    assert.equal(nonEmpty.ok, false);
    assert.deepEqual((nonEmpty as { groups?: unknown }).groups, [
      { groupId: GROUP, errorCode: ErrorCode.NON_EMPTY_GROUP },
    ]);
    assert.equal(unknown.ok, false);
    assert.deepEqual((unknown as { groups?: unknown }).groups, [
      { groupId: "never-existed", errorCode: ErrorCode.GROUP_ID_NOT_FOUND },
    ]);
  });

  test("after both members leave the group is Empty: protocol type kept, no protocol, no members", async () => {
    await Promise.all(members.map((m) => m.close()));
    const [described, listed] = await jsGroupAdmin(broker, [{ op: "describe", groups: [GROUP] }, { op: "list" }]);
    assert.ok(described.ok, JSON.stringify(described));
    const group: JsGroup = described.groups![0];
    assert.deepEqual(group, {
      groupId: GROUP,
      errorCode: 0,
      state: "Empty",
      protocolType: "consumer",
      protocol: "",
      members: [],
    });
    assert.ok(
      (listed.groups as unknown as Array<{ groupId: string }>).some((g) => g.groupId === GROUP),
      "ListGroups must still show an Empty group",
    );
    const [one] = await pyGroupAdmin(broker, [{ op: "list", group: GROUP }]);
    assert.equal(one.groups![0].state, "Empty");
    assert.deepEqual(one.groups![0].members, []);
  });

  test("setOffsets and resetOffsets (kafkajs) move the committed offsets; committed() sees them", async () => {
    const [set, afterSet] = await jsGroupAdmin(broker, [
      {
        op: "setOffsets",
        groupId: GROUP,
        topic: TOPIC,
        partitions: [{ partition: 0, offset: "3" }, { partition: 1, offset: "5" }],
      },
      { op: "fetchOffsets", groupId: GROUP, topic: TOPIC },
    ]);
    assert.deepEqual(set, { ok: true });
    assert.deepEqual(afterSet.offsets, [3, 5, 10, 10, 10, 10]);
    const [committed] = await pyGroupAdmin(broker, [
      { op: "committed", group: GROUP, topic: TOPIC, partitions: PARTITIONS },
    ]);
    assert.deepEqual(committed.offsets, [3, 5, 10, 10, 10, 10]);

    // kafkajs' resetOffsets commits the sentinel -2 (earliest) itself; Kafka stores any offset as given.
    const [reset, afterReset, resolved, afterResolve] = await jsGroupAdmin(broker, [
      { op: "resetOffsets", groupId: GROUP, topic: TOPIC, earliest: true },
      { op: "fetchOffsets", groupId: GROUP, topic: TOPIC },
      { op: "fetchOffsets", groupId: GROUP, topic: TOPIC, resolveOffsets: true },
      { op: "fetchOffsets", groupId: GROUP, topic: TOPIC },
    ]);
    assert.deepEqual(reset, { ok: true });
    assert.deepEqual(afterReset.offsets, new Array(PARTITIONS).fill(-2));
    // resolveOffsets: ListOffsets earliest, then those offsets committed through setOffsets.
    assert.deepEqual(resolved.offsets, new Array(PARTITIONS).fill(0));
    assert.deepEqual(afterResolve.offsets, new Array(PARTITIONS).fill(0));
    const [final] = await pyGroupAdmin(broker, [
      { op: "committed", group: GROUP, topic: TOPIC, partitions: PARTITIONS },
    ]);
    assert.deepEqual(final.offsets, new Array(PARTITIONS).fill(0));
  });

  test("deleteGroups removes an empty group and its offsets: gone from ListGroups, described as Dead", async () => {
    const [deleted, described, listed, fetched] = await jsGroupAdmin(broker, [
      { op: "deleteGroups", groupIds: [GROUP] },
      { op: "describe", groups: [GROUP] },
      { op: "list" },
      { op: "fetchOffsets", groupId: GROUP, topic: TOPIC },
    ]);
    assert.deepEqual(deleted, { ok: true, results: [{ groupId: GROUP, errorCode: 0 }] });
    assert.deepEqual(described.groups![0].state, "Dead");
    assert.deepEqual(described.groups![0].members, []);
    assert.ok(!(listed.groups as unknown as Array<{ groupId: string }>).some((g) => g.groupId === GROUP));
    assert.deepEqual(fetched.offsets, new Array(PARTITIONS).fill(-1));
    const [committed] = await pyGroupAdmin(broker, [
      { op: "committed", group: GROUP, topic: TOPIC, partitions: PARTITIONS },
    ]);
    // librdkafka's RD_KAFKA_OFFSET_INVALID: nothing committed.
    assert.deepEqual(committed.offsets, new Array(PARTITIONS).fill(-1001));
  });
});
