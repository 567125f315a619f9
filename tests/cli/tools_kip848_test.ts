/**
 * `tsbroker group` on a KIP-848 consumer group (a member joined by ConsumerGroupHeartbeat v0 on the raw
 * protocol): listed with type consumer, described through ConsumerGroupDescribe (DescribeGroups knows only
 * classic groups) with its member and assignment, and protected from seek and delete while the member is in.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { type BrokerProcess, startBroker } from "../integration/_broker.ts";
import { wireCaller, WireClient } from "../integration/_wire.ts";
import {
  decodeConsumerGroupHeartbeatResponse,
  encodeConsumerGroupHeartbeatRequest,
} from "../../src/protocol/generated/consumer_group_heartbeat.ts";
import { DENO_ONLY, expectCode, tsbroker } from "./_tools.ts";

describe("tsbroker group on a KIP-848 consumer group", DENO_ONLY, () => {
  let broker: BrokerProcess;
  let wire: WireClient;
  const b = () => ["-b", broker.bootstrap];

  before(async () => {
    broker = await startBroker("deno");
    expectCode(await tsbroker(["topic", "create", "k", "-p", "2", ...b()]), 0, "create");
    expectCode(await tsbroker(["produce", "k", "-p", "1", ...b()], { input: "a\nb\n" }), 0, "produce");
    wire = await WireClient.connect(broker.port);
    const joined = await wireCaller("kip848-member")(
      wire,
      68,
      0,
      {
        groupId: "g848",
        memberId: "",
        memberEpoch: 0,
        instanceId: null,
        rackId: null,
        rebalanceTimeoutMs: 30_000,
        subscribedTopicNames: ["k"],
        subscribedTopicRegex: null,
        serverAssignor: null,
        topicPartitions: [],
      },
      encodeConsumerGroupHeartbeatRequest,
      decodeConsumerGroupHeartbeatResponse,
    );
    assert.equal(joined.errorCode, 0);
  });
  after(async () => {
    wire?.socket.destroy();
    await broker?.stop();
  });

  test("list, describe with the member's assignment, seek and delete refused", async () => {
    let run = await tsbroker(["group", "list", ...b()]);
    expectCode(run, 0, "list");
    assert.match(run.stdout, /^g848\s+\S+\s+consumer$/m);

    run = await tsbroker(["group", "describe", "g848", "--format", "json", ...b()]);
    expectCode(run, 0, "describe");
    const g = JSON.parse(run.stdout);
    assert.equal(g.type, "consumer");
    assert.equal(g.members.length, 1);
    assert.equal(g.members[0].clientId, "kip848-member");
    assert.deepEqual(g.offsets.map((o: { partition: number; end: number; lag: null }) => [o.partition, o.end, o.lag]), [
      [0, 0, null],
      [1, 2, null],
    ]);

    run = await tsbroker(["group", "seek", "g848", "--topic", "k", "--to", "latest", ...b()]);
    expectCode(run, 1, "seek");
    assert.match(run.stderr, /group 'g848' has 1 active member/);
    run = await tsbroker(["group", "delete", "g848", ...b()]);
    expectCode(run, 1, "delete");
    assert.match(run.stderr, /NON_EMPTY_GROUP/);
  });
});
