/**
 * KIP-848 with a real client: two node-rdkafka consumers (clients/
 * group_consumer_rdkafka.mjs) with group.protocol=consumer join through
 * ConsumerGroupHeartbeat, ask for the server-side "uniform" assignor, and
 * get their partitions from the broker: the second member's arrival splits
 * the partitions (the first gives its share up before the second gets it),
 * ConsumerGroupDescribe shows the group as the members see it, and when the
 * first leaves half-way the other takes everything over. Each record is
 * committed synchronously, so every record must be consumed, and none twice
 * unless its commit was refused as STALE_MEMBER_EPOCH (Kafka 3.9's rule).
 *
 * The client must speak Kafka 3.9's ConsumerGroupHeartbeat v0: node-rdkafka
 * 3.3.1 (librdkafka 2.8.0, KIP-848 "early access"). librdkafka ≥2.10
 * (node-rdkafka ≥3.4) sends only v1 (Kafka 4.0, client-generated member
 * ids) and gives up on a broker without it. node-rdkafka compiles librdkafka
 * on install (about two minutes), so it is not a project dependency: the
 * test is skipped unless it is installed under $NODE_RDKAFKA_PREFIX (default
 * ROOT/.cache/node-rdkafka):
 *   npm i --no-save --prefix .cache/node-rdkafka node-rdkafka@3.3.1
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { type BrokerProcess, startBroker } from "./_broker.ts";
import { wireCaller, WireClient } from "./_wire.ts";
import { adminOps, until } from "./_data_path.ts";
import {
  coversAll,
  GROUP_OVERRIDES,
  nodeRdkafkaPrefix,
  produceNumbered,
  pyGroupAdmin,
  RdkafkaConsumer,
} from "./_groups.ts";
import { ErrorCode } from "../../src/protocol/errors.ts";
import {
  type ConsumerGroupDescribeResponse,
  decodeConsumerGroupDescribeResponse,
  encodeConsumerGroupDescribeRequest,
} from "../../src/protocol/generated/consumer_group_describe.ts";

const PARTITIONS = 6;
const RECORDS = 600;
const SESSION_TIMEOUT_MS = 6000;
const TOPIC = "kip848";
const GROUP = "kip848-group";
const prefix = nodeRdkafkaPrefix();
/** The bundled librdkafka's version, from node-rdkafka's package.json ("librdkafka": "2.8.0"). */
const librdkafka: string = prefix
  ? JSON.parse(fs.readFileSync(path.join(prefix, "node_modules/node-rdkafka/package.json"), "utf8")).librdkafka
  : "";
const [major, minor] = librdkafka.split(".").map(Number);
const skip = !prefix
  ? "node-rdkafka is not installed (set NODE_RDKAFKA_PREFIX; see the file header)"
  : major > 2 || major === 2 && minor >= 10
  ? `node-rdkafka bundles librdkafka ${librdkafka}, which needs ConsumerGroupHeartbeat v1 (Kafka 4.0); use 3.3.1`
  : false;
const call = wireCaller("groups-kip848");
// Deno's node:test shows a skipped suite as "ignored" without its reason.
if (skip) console.log(`groups_kip848_test.ts skipped: ${skip}`);
// CI installs node-rdkafka (scripts/install-test-deps.sh), so there a missing client is a failure, not a skip.
if (skip && process.env.CI === "true") throw new Error(`KIP-848 client missing in CI: ${skip}`);

describe(
  "two librdkafka consumers with group.protocol=consumer (KIP-848)",
  { skip },
  () => {
    let broker: BrokerProcess;
    let client: WireClient;
    let produced: string[];
    const members: RdkafkaConsumer[] = [];

    before(async () => {
      broker = await startBroker("deno", {
        overrides: {
          ...GROUP_OVERRIDES,
          "group.consumer.heartbeat.interval.ms": 500,
          "group.consumer.session.timeout.ms": SESSION_TIMEOUT_MS,
        },
      });
      const [created] = await adminOps(broker, [{ op: "create", topic: TOPIC, partitions: PARTITIONS }]);
      assert.deepEqual(created, { ok: true });
      produced = await produceNumbered(broker, TOPIC, PARTITIONS, 0, RECORDS, "k");
      client = await WireClient.connect(broker.port);
    });
    after(async () => {
      client?.destroy();
      await Promise.all(members.map((m) => m.kill()));
      assert.equal(await broker.stop(), 0, `broker did not exit cleanly:\n${broker.output.slice(-20).join("\n")}`);
      fs.rmSync(broker.dataDir, { recursive: true, force: true });
    });

    const start = (clientId: string) => {
      const m = new RdkafkaConsumer(broker, {
        group: GROUP,
        topics: [TOPIC],
        clientId,
        delayMs: 10,
        config: { "group.protocol": "consumer", "group.remote.assignor": "uniform" },
      }, prefix!);
      members.push(m);
      return m;
    };
    const consumed = () => members.flatMap((m) => m.values);
    const describeGroup = async (): Promise<ConsumerGroupDescribeResponse["groups"][number]> => {
      const response = await call(
        client,
        69,
        0,
        { groupIds: [GROUP], includeAuthorizedOperations: false },
        encodeConsumerGroupDescribeRequest,
        decodeConsumerGroupDescribeResponse,
      );
      return response.groups[0];
    };

    test("the first member gets every partition; the second joining splits them", async () => {
      const k1 = start("k1");
      await k1.waitFor("it owns every partition", () => k1.assignment.length === PARTITIONS);
      const k2 = start("k2");
      await until("the two members split the partitions", () => coversAll([k1, k2], PARTITIONS), 30_000);
      assert.ok(Math.abs(k1.assignment.length - k2.assignment.length) <= 1, "the uniform assignor balances");
    });

    test("ConsumerGroupDescribe shows the group as its members see it", async () => {
      const group = await describeGroup();
      assert.equal(group.errorCode, 0);
      assert.equal(group.groupId, GROUP);
      assert.equal(group.groupState, "Stable");
      assert.equal(group.assignorName, "uniform");
      assert.equal(group.assignmentEpoch, group.groupEpoch);
      assert.deepEqual(group.members.map((m) => m.clientId).sort(), ["k1", "k2"]);
      for (const m of group.members) {
        const own = members.find((x) => x.name === m.clientId)!;
        assert.equal(m.memberEpoch, group.groupEpoch, `${m.clientId} is at the group's epoch`);
        assert.equal(m.clientHost, "/127.0.0.1");
        assert.deepEqual(m.subscribedTopicNames, [TOPIC]);
        assert.deepEqual(m.assignment.topicPartitions.map((t) => [t.topicName, [...t.partitions].sort()]), [
          [TOPIC, own.assignment],
        ]);
        assert.deepEqual(m.targetAssignment, m.assignment);
      }
    });

    test("k1 leaves half-way; k2 takes over every partition within the session timeout", async () => {
      const [k1, k2] = members;
      await until("half the records are consumed", () => consumed().length >= RECORDS / 2, 60_000);
      assert.ok(consumed().length < RECORDS, "everything was consumed before k1 could leave: nothing tested");
      await k1.close();
      const leftAt = k1.events.find((e) => e.ev === "closing")!.t;
      await k2.waitFor("it owns every partition", () => k2.assignment.length === PARTITIONS);
      const took = k2.events.filter((e) => e.ev === "assigned").at(-1)!.t - leftAt;
      assert.ok(took < SESSION_TIMEOUT_MS, `k2 got k1's partitions ${took} ms after k1 left`);
    });

    test("every record is consumed; none twice unless its commit was refused", async () => {
      await until("every record is consumed", () => new Set(consumed()).size === RECORDS, 60_000);
      await members[1].close();
      // Kafka 3.9 refuses a commit whose member epoch is not the member's current one (STALE_MEMBER_EPOCH):
      // a commit sent while a heartbeat moves the member to a new epoch can fail. Only such a record may be
      // consumed again, by the partition's next owner.
      const refused = new Set<string>();
      for (const m of members) {
        for (const e of m.events) {
          if (e.ev !== "msg" || e.err === null) continue;
          assert.equal(e.err, ErrorCode.STALE_MEMBER_EPOCH, `${m.name}: commit of ${e.v} refused (${e.err})`);
          refused.add(e.v!);
        }
      }
      assert.ok(refused.size <= 10, `${refused.size} commits refused`);
      const seen = new Map<string, string>();
      for (const m of members) {
        for (const e of m.events) {
          if (e.ev !== "msg") continue;
          assert.ok(
            !seen.has(e.v!) || refused.has(e.v!),
            `${e.v} consumed by ${seen.get(e.v!)} and again by ${m.name} (${e.p}/${e.o})`,
          );
          seen.set(e.v!, m.name);
        }
        assert.deepEqual(m.events.filter((e) => e.ev === "error"), [], `${m.name} reported errors`);
      }
      assert.deepEqual([...seen.keys()].sort(), produced);
      const [committed] = await pyGroupAdmin(broker, [
        { op: "committed", group: GROUP, topic: TOPIC, partitions: PARTITIONS },
      ]);
      assert.deepEqual(committed, { ok: true, offsets: new Array(PARTITIONS).fill(RECORDS / PARTITIONS) });
      const group = await describeGroup();
      assert.equal(group.groupState, "Empty");
      assert.deepEqual(group.members, []);
    });
  },
);
