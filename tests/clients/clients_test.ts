/**
 * Real clients against tsbroker and against the reference Apache Kafka
 * (issue 11): Kafka's own Java producer, consumer (classic and KIP-848
 * groups, seek, offsets for times, pause/resume, static membership),
 * AdminClient, a Kafka Streams word count and Kafka's command-line tools;
 * franz-go; aiokafka; confluent-kafka (librdkafka). Each client's scenario
 * program (_clients.ts) runs the same scenario against one reference Kafka
 * and one tsbroker under Deno at the same time, and the test asserts the
 * behaviour on both and that the two answers agree; against tsbroker under
 * Bun and as the single executable run the Java producer, both kinds of
 * group, the AdminClient, Kafka Streams and Kafka's tools, franz-go, aiokafka
 * and confluent-kafka.
 *
 * Topic configs are altered on both (AlterConfigs, IncrementalAlterConfigs).
 * What tsbroker does not serve yet (ACLs, quotas, the quorum) must fail
 * promptly with the client's "unsupported" error, never hang. Every scenario runs against both
 * brokers: Kafka Streams needs compacted changelog topics, and librdkafka's
 * and franz-go's KIP-848 consumers need ConsumerGroupHeartbeat v1.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { type BrokerProcess, EXECUTABLE, type Flavour, startBroker, tempDir } from "../integration/_broker.ts";
import { type ReferenceKafka, startReferenceKafka } from "../../scripts/kafka/reference.ts";
import {
  apiVersions,
  goScenarios,
  javaScenarios,
  kafkaTool,
  pythonScenarios,
  pythonWithClients,
  type Result,
  type Scenarios,
  withoutTimings,
} from "./_clients.ts";

const CONSUMER_GROUP_HEARTBEAT = 68;

const tmp = tempDir("tsbroker-clients-");
const brokers: { kafka?: ReferenceKafka; deno?: BrokerProcess } = {};
const once = <T>(make: () => Promise<T>) => {
  let made: Promise<T> | undefined;
  return () => (made ??= make());
};
const java = once(() => javaScenarios(tmp));
const go = once(() => goScenarios());
const python = once(() => pythonWithClients());
const aiokafka = async () => pythonScenarios(await python(), "aiokafka_scenarios.py");
const confluent = async () => pythonScenarios(await python(), "confluent_scenarios.py");

/** The scenario against the reference Kafka and tsbroker (Deno) at once. */
async function onBoth(run: Scenarios, scenario: string, prefix: string): Promise<{ kafka: Result; tsbroker: Result }> {
  const [kafka, tsbroker] = await Promise.all([
    run(brokers.kafka!.bootstrap, scenario, prefix),
    run(brokers.deno!.bootstrap, scenario, prefix),
  ]);
  return { kafka, tsbroker };
}

const VARIANTS = ["acks0", "acks1", "acksAll", "idempotent", "gzip", "snappy", "lz4", "zstd"];

function checkProduce(r: Result, who: string, skip: { variant: string; reason: string }[] = []) {
  assert.equal(r.error, undefined, `${who}: ${r.error}\n${r.stderrTail ?? ""}`);
  assert.deepEqual(Object.keys(r.variants).sort(), [...VARIANTS].sort());
  for (const [name, v] of Object.entries(r.variants as Record<string, Result>)) {
    const skipped = skip.find((s) => s.variant === name);
    if (skipped) {
      if (v.received !== 60) console.log(`${who} ${name}: ${v.received} of 60 read back (known: ${skipped.reason})`);
      continue;
    }
    const at = `${who} ${name}`;
    assert.deepEqual(v.failed, [], at);
    assert.equal(v.acknowledged, 60, at);
    assert.equal(v.received, 60, `${at}: records read back`);
    assert.ok(v.complete, `${at}: every record read back`);
    assert.ok(v.inOrderPerPartition, `${at}: in order, consecutive offsets`);
    assert.ok(v.keysValuesHeadersIntact, `${at}: keys, values and headers intact`);
    assert.ok(v.sameKeySamePartition, `${at}: one partition per key`);
  }
}

function checkGroup(r: Result, who: string) {
  assert.equal(r.error, undefined, `${who}: ${r.error}\n${r.stderrTail ?? ""}`);
  assert.equal(r.firstAssignment, 4, `${who}: the first member gets all 4 partitions`);
  const [a, b] = r.splitAfterJoin;
  assert.ok(a > 0 && b > 0 && a + b === 4, `${who}: a rebalance split the partitions: ${r.splitAfterJoin}`);
  assert.equal(r.consumedDistinct, 400, `${who}: every record consumed`);
  assert.equal(r.duplicates, 0, `${who}: none twice (commits before revocation)`);
  assert.ok(r.bothConsumed, `${who}: both members consumed`);
  assert.equal(r.committedTotal, 400, `${who}: the committed offsets are the log ends`);
  assert.equal(r.resumedConsumed, 20, `${who}: a new member resumes at the committed offsets`);
  assert.ok(r.resumedOnlyLate, `${who}: and reads only what came after`);
}

/** Both answers pass `check` and agree once timings are left out. */
function checkBoth(r: { kafka: Result; tsbroker: Result }, check: (r: Result, who: string) => void) {
  check(r.kafka, "reference Kafka");
  check(r.tsbroker, "tsbroker");
  assert.deepEqual(withoutTimings(r.tsbroker), withoutTimings(r.kafka));
}

/**
 * Admin results: the calls tsbroker serves answer as Kafka's do; the others
 * fail with `unsupported` within 5 s against tsbroker and do not against Kafka.
 */
function checkAdmin(
  r: { kafka: Result; tsbroker: Result },
  unsupported: string[],
  isUnsupported: (v: unknown) => boolean,
) {
  assert.equal(r.kafka.error, undefined, `reference Kafka: ${r.kafka.error}`);
  assert.equal(r.tsbroker.error, undefined, `tsbroker: ${r.tsbroker.error}`);
  const served = Object.keys(r.kafka.results).filter((k) => !unsupported.includes(k));
  const pick = (x: Result, keys: string[]) => Object.fromEntries(keys.map((k) => [k, x.results[k]]));
  assert.deepEqual(pick(r.tsbroker, served), pick(r.kafka, served));
  for (const call of unsupported) {
    assert.ok(isUnsupported(r.tsbroker.results[call]), `tsbroker ${call}: ${r.tsbroker.results[call]}`);
    assert.ok(r.tsbroker.ms[call] < 5000, `tsbroker ${call} took ${r.tsbroker.ms[call]} ms`);
    assert.ok(!isUnsupported(r.kafka.results[call]), `reference Kafka ${call}: ${r.kafka.results[call]}`);
  }
}

describe("real clients against the reference Kafka and tsbroker under Deno", () => {
  before(async () => {
    // The JVM, the Go build and the virtualenv get ready while the brokers start.
    const [kafka, deno] = await Promise.all([
      startReferenceKafka({ config: { "num.partitions": "1" } }),
      startBroker("deno", { overrides: { "group.initial.rebalance.delay.ms": 0 } }),
      java(),
      go(),
      python(),
    ]);
    brokers.kafka = kafka;
    brokers.deno = deno;
  });
  after(async () => {
    await brokers.kafka?.stop();
    if (brokers.deno) {
      const code = await brokers.deno.stop();
      fs.rmSync(brokers.deno.dataDir, { recursive: true, force: true });
      assert.equal(code, 0, `tsbroker did not exit cleanly:\n${brokers.deno.output.slice(-20).join("\n")}`);
    }
  });

  describe("Java (kafka-clients, kafka-streams, kafka-tools)", () => {
    test("producer: acks 0/1/all, idempotent, gzip/snappy/lz4/zstd, headers", async () => {
      checkBoth(await onBoth(await java(), "produce", "java-produce"), checkProduce);
    });

    test("consumer, classic group: rebalance on join, commits, resume at the committed offsets", async () => {
      const r = await onBoth(await java(), "group-classic", "java-classic");
      checkBoth(r, checkGroup);
      assert.equal(r.tsbroker.describedType, "Classic");
    });

    test("consumer, group.protocol=consumer (KIP-848): the same", async () => {
      const r = await onBoth(await java(), "group-consumer", "java-consumer");
      checkBoth(r, checkGroup);
      assert.equal(r.tsbroker.describedType, "Consumer");
    });

    test("consumer: seek, offsetsForTimes, pause/resume, static membership", async () => {
      const r = await onBoth(await java(), "consumer-features", "java-features");
      for (const [who, x] of Object.entries(r)) {
        assert.equal(x.error, undefined, `${who}: ${x.error}\n${x.stderrTail ?? ""}`);
        assert.deepEqual(x.seek40, [40, "p0-40"], who);
        assert.equal(x.positionAfterSeekToEnd, 100, who);
        assert.equal(x.positionAfterSeekToBeginning, 0, who);
        assert.equal(x.offsetForTime25500, 26, `${who}: first record at or after the time`);
        assert.equal(x.offsetForTimeAfterEnd, null, who);
        assert.deepEqual(x.pause, { fromP0: 100, fromP1WhilePaused: 0, fromP1AfterResume: 100 }, who);
        assert.deepEqual(x.staticInstanceIds, ["instance-1"], who);
        assert.equal(x.membersAfterStaticClose, 1, `${who}: a static member that closes stays in the group`);
        assert.ok(x.staticRejoinKeptGeneration, `${who}: and rejoins without a rebalance`);
      }
      assert.deepEqual(withoutTimings(r.tsbroker), withoutTimings(r.kafka));
    });

    test("AdminClient: every call tsbroker serves agrees with Kafka; the rest fail with UnsupportedVersionException", async () => {
      const r = await onBoth(await java(), "admin", "java-admin");
      // ACLs and client quotas are served (without an authorizer both brokers answer SECURITY_DISABLED).
      checkAdmin(r, ["describeMetadataQuorum"], (v) => v === "!UnsupportedVersionException");
      assert.equal(r.kafka.results.createTopics, "ok");
      assert.equal(r.kafka.results.createTopicsDuplicate, "!TopicExistsException");
      assert.equal(r.kafka.results.describeConfigsTopic, "delete", "cleanup.policy, as tsbroker describes it too");
      assert.equal(r.kafka.results.describeConfigsBroker, "ok");
      assert.equal(r.kafka.results.deleteRecords, 4);
      assert.equal(
        r.kafka.results.listOffsetsMaxTimestamp,
        5,
        "the first of the two records with the largest timestamp",
      );
      assert.deepEqual(r.kafka.results.listConsumerGroupOffsets, ["java-admin-a1-0=7/meta", "java-admin-a1-1=0/"]);
      assert.deepEqual(r.kafka.results.describeCluster, [1, true, true]);
      assert.deepEqual(r.kafka.results.describeProducers, [9], "one idempotent producer, at its last sequence");
      assert.equal(r.kafka.results.listTransactions, 0, "no transactional producer has run here");
      assert.equal(r.kafka.results.describeUserScramCredentials, 0, "no SCRAM user was created here");
      assert.equal(r.kafka.results.listPartitionReassignments, 0);
      assert.equal(r.kafka.results.electLeaders, "!ElectionNotNeededException");
    });

    test("Kafka Streams word count (repartition + changelog topics, at least once) runs against the reference Kafka", async () => {
      const r = await (await java())(brokers.kafka!.bootstrap, "streams", "java-streams");
      assert.equal(r.error, undefined, `${r.error}\n${r.stderrTail ?? ""}`);
      assert.deepEqual(r.errors, []);
      assert.ok(r.reachedRunning);
      assert.ok(r.countsCorrect, `${r.wordsCounted} words counted`);
      assert.deepEqual(r.internalTopics, ["by-word-repartition", "counts-changelog"]);
    });

    test("Kafka Streams word count against tsbroker (its changelog topic is compacted)", async () => {
      const r = await (await java())(brokers.deno!.bootstrap, "streams", "java-streams");
      assert.equal(r.error, undefined, `${r.error}\n${r.stderrTail ?? ""}`);
      assert.ok(r.countsCorrect, JSON.stringify({ ...r, stderrTail: r.stderrTail?.slice(-1500) }));
      assert.deepEqual(r.internalTopics, ["by-word-repartition", "counts-changelog"]);
      assert.equal(r.changelogCleanupPolicy, "compact");
    });

    test("Kafka's tools (topics, console producer/consumer, consumer-groups, configs, perf tests)", async () => {
      const r = await onBoth(await java(), "tools", "java-tools");
      const lines = (s: string) =>
        s.split("\n").map((l) => l.trim().replace(/\s+/g, " ")).filter((l) =>
          l && !/deprecated|Use --|KIP-848|Processed a total/.test(l)
        ).sort();
      const mine = (s: string) => lines(s).filter((l) => l.includes("java-tools"));
      for (const [who, x] of Object.entries(r)) {
        assert.equal(x.error, undefined, `${who}: ${x.error}\n${x.stderrTail ?? ""}`);
        const t = x.tools;
        for (const name of Object.keys(t)) {
          assert.equal(t[name].code, 0, `${who} ${name}: ${t[name].stdout}\n${t[name].stderr}`);
        }
        assert.equal(lines(t.consoleConsumer.stdout).length, 30, `${who}: the console consumer read all 30`);
        assert.equal(lines(t.consoleConsumerAfterReset.stdout).length, 20, `${who}: and 20 after the reset to 5`);
        assert.match(t.producerPerf.stdout, /20000 records sent/, who);
        assert.match(t.consumerPerf.stdout, /, 20000, /, who);
      }
      const k = r.kafka.tools, ts = r.tsbroker.tools;
      for (
        const name of [
          "topicsCreate",
          "topicsAlter",
          "consoleConsumer",
          "groupsResetDryRun",
          "groupsReset",
          "configsDescribe",
          "configsAlter",
        ]
      ) {
        assert.deepEqual(lines(ts[name].stdout), lines(k[name].stdout), name);
      }
      for (const name of ["topicsList", "groupsList", "groupsDescribe", "groupsDescribeAfterReset"]) {
        assert.deepEqual(mine(ts[name].stdout), mine(k[name].stdout), name);
      }
      assert.deepEqual(lines(ts.consoleConsumerAfterReset.stdout), lines(k.consoleConsumerAfterReset.stdout));
      // kafka-topics --describe asks DescribeTopicPartitions (KIP-966) and DescribeConfigs: the same partition
      // lines as Kafka's, ELR columns included (topic ids differ).
      const partitionLines = (s: string) => lines(s).filter((l) => /Partition: \d/.test(l));
      assert.deepEqual(partitionLines(ts.topicsDescribe.stdout), partitionLines(k.topicsDescribe.stdout));
      assert.equal(partitionLines(ts.topicsDescribe.stdout).length, 3, ts.topicsDescribe.stdout);
      assert.match(ts.topicsDescribe.stdout, /PartitionCount: 3\s+ReplicationFactor: 1/);
      assert.match(ts.configsDescribe.stdout, /Dynamic configs for topic java-tools-tools are:/);
      // kafka-configs --alter (IncrementalAlterConfigs) changes the topic on both.
      assert.match(ts.configsAlter.stdout, /Completed updating config for topic java-tools-tools/);
    });

    test("kafka-topics and kafka-configs as separate `java -cp` processes", async () => {
      const topics = (b: string) =>
        kafkaTool("org.apache.kafka.tools.TopicCommand", ["--bootstrap-server", b, "--list"]);
      const configs = (b: string) =>
        kafkaTool("org.apache.kafka.tools.ConfigCommand", [
          "--bootstrap-server",
          b,
          "--describe",
          "--entity-type",
          "topics",
          "--entity-name",
          "java-produce-acks0",
        ]);
      const [kt, tt, kc, tc] = await Promise.all([
        topics(brokers.kafka!.bootstrap),
        topics(brokers.deno!.bootstrap),
        configs(brokers.kafka!.bootstrap),
        configs(brokers.deno!.bootstrap),
      ]);
      assert.equal(kt.code, 0, kt.stderr);
      assert.equal(tt.code, 0, tt.stderr);
      assert.ok(tt.stdout.split("\n").includes("java-produce-acks0"), tt.stdout);
      assert.equal(kc.code, 0, kc.stderr);
      assert.match(kc.stdout, /Dynamic configs for topic java-produce-acks0/);
      assert.equal(tc.code, 0, `kafka-configs --describe on tsbroker: ${tc.stdout}\n${tc.stderr}`);
      assert.match(tc.stdout, /Dynamic configs for topic java-produce-acks0/);
    });
  });

  describe("franz-go (kgo, kadm)", () => {
    test("producer: acks 0/1/all, idempotent, gzip/snappy/lz4/zstd, headers", async () => {
      checkBoth(await onBoth(await go(), "produce", "go-produce"), checkProduce);
    });

    test("classic group: rebalance on join, commits, resume at the committed offsets", async () => {
      const r = await onBoth(await go(), "group-classic", "go-classic");
      checkBoth(r, checkGroup);
      assert.equal(r.tsbroker.listedGroupType, "classic");
    });

    test("KIP-848 group (ServerSideBalancer) against the reference Kafka", async () => {
      const r = await (await go())(brokers.kafka!.bootstrap, "group-consumer", "go-consumer");
      checkGroup(r, "reference Kafka");
      assert.equal(r.listedGroupType, "consumer");
    });

    test("KIP-848 group (ServerSideBalancer, ConsumerGroupHeartbeat v1) against tsbroker", async () => {
      const r = await (await go())(brokers.deno!.bootstrap, "group-consumer", "go-consumer");
      checkGroup(r, "tsbroker");
      assert.equal(r.listedGroupType, "consumer");
    });

    test("kadm: served calls agree with Kafka; the rest fail at once with 'broker is too old'", async () => {
      const r = await onBoth(await go(), "admin", "go-admin");
      // Every call kadm makes here is served now (ACLs and client quotas since issue 14).
      checkAdmin(r, [], (v) => typeof v === "string" && v.includes("broker is too old"));
      assert.deepEqual(r.kafka.results.fetchOffsets, ["go-admin-a1-0=7/meta", "go-admin-a1-1=0/"]);
      assert.equal(r.kafka.results.listTransactions, "ok", "ListTransactions is served (transactions, issue 13)");
      assert.equal(r.kafka.results.describeTopicConfigs, "delete");
      assert.equal(r.kafka.results.listMaxTimestampOffsets, 5);
    });
  });

  describe("aiokafka", () => {
    test("producer: acks 0/1/all, idempotent, gzip/snappy/lz4/zstd, headers", async () => {
      checkBoth(await onBoth(await aiokafka(), "produce", "aio-produce"), checkProduce);
    });

    test("group: rebalance on join, commits, resume at the committed offsets", async () => {
      checkBoth(await onBoth(await aiokafka(), "group", "aio-group"), checkGroup);
    });

    test("admin: every call agrees with Kafka, alterConfigs included", async () => {
      const r = await onBoth(await aiokafka(), "admin", "aio-admin");
      checkAdmin(r, [], (v) => v === "!IncompatibleBrokerVersion");
      assert.equal(r.kafka.results.alterConfigs, "ok");
      assert.equal(r.kafka.results.describeConfigs, "ok");
      assert.equal(r.kafka.results.deleteRecords, 4);
    });
  });

  describe("confluent-kafka (librdkafka)", () => {
    test("producer: acks 0/1/all, idempotent, gzip/snappy/lz4/zstd, headers", async () => {
      checkBoth(await onBoth(await confluent(), "produce", "ck-produce"), checkProduce);
    });

    test("classic group: rebalance on join, commits, resume at the committed offsets", async () => {
      checkBoth(await onBoth(await confluent(), "group-classic", "ck-classic"), checkGroup);
    });

    test("group.protocol=consumer (KIP-848) against the reference Kafka", async () => {
      const r = await (await confluent())(brokers.kafka!.bootstrap, "group-consumer", "ck-consumer");
      checkGroup(r, "reference Kafka");
      assert.equal(r.describedType, "CONSUMER");
    });

    test("group.protocol=consumer (KIP-848, ConsumerGroupHeartbeat v1) against tsbroker", async () => {
      const r = await (await confluent())(brokers.deno!.bootstrap, "group-consumer", "ck-consumer");
      checkGroup(r, "tsbroker");
      assert.equal(r.describedType, "CONSUMER");
    });

    test("admin: every call agrees with Kafka, ACLs included (SECURITY_DISABLED without an authorizer)", async () => {
      const r = await onBoth(await confluent(), "admin", "ck-admin");
      checkAdmin(r, [], (v) => v === "!_UNSUPPORTED_FEATURE");
      assert.equal(r.kafka.results.describeConfigs, "delete");
      assert.equal(r.kafka.results.deleteRecords, 4);
      assert.equal(r.kafka.results.listOffsetsMaxTimestamp, 5);
    });
  });

  test("tsbroker serves ConsumerGroupHeartbeat up to the version Kafka does (the clients above need v1)", async () => {
    const [kafka, tsbroker] = await Promise.all([
      apiVersions(brokers.kafka!.host, brokers.kafka!.port),
      apiVersions(brokers.deno!.host, brokers.deno!.port),
    ]);
    assert.deepEqual(tsbroker.get(CONSUMER_GROUP_HEARTBEAT), kafka.get(CONSUMER_GROUP_HEARTBEAT));
  });
});

/** A representative subset against tsbroker under Bun and as the single executable. */
for (const flavour of ["bun", "exe"] as Flavour[]) {
  describe(`real clients against tsbroker ${flavour === "exe" ? "as the executable" : "under Bun"}`, () => {
    let broker: BrokerProcess;
    before(async () => {
      if (flavour === "exe" && !fs.existsSync(EXECUTABLE)) {
        throw new Error(`${EXECUTABLE} is missing: build it with \`deno task compile:bun\` (deno task test does)`);
      }
      [broker] = await Promise.all([
        startBroker(flavour, { overrides: { "group.initial.rebalance.delay.ms": 0 } }),
        java(),
        go(),
        python(),
      ]);
    });
    after(async () => {
      if (!broker) return;
      const code = await broker.stop();
      fs.rmSync(broker.dataDir, { recursive: true, force: true });
      assert.equal(code, 0, `tsbroker (${flavour}) did not exit cleanly:\n${broker.output.slice(-20).join("\n")}`);
    });

    test("Java producer (every acks, idempotence and codec) and classic group", async () => {
      assert.ok(broker.running, `tsbroker (${flavour}) is not running:\n${broker.output.slice(-20).join("\n")}`);
      const run = await java();
      const [produce, group] = await Promise.all([
        run(broker.bootstrap, "produce", "java-produce"),
        run(broker.bootstrap, "group-classic", "java-classic"),
      ]);
      checkProduce(produce, flavour);
      checkGroup(group, flavour);
    });

    test("Java AdminClient: DescribeConfigs, IncrementalAlterConfigs and DescribeAcls are served", async () => {
      const r = await (await java())(broker.bootstrap, "admin", "java-admin");
      assert.equal(r.error, undefined);
      assert.equal(r.results.createTopics, "ok");
      assert.deepEqual(r.results.listConsumerGroupOffsets, ["java-admin-a1-0=7/meta", "java-admin-a1-1=0/"]);
      assert.equal(r.results.describeConfigsTopic, "delete");
      assert.equal(r.results.incrementalAlterConfigs, "ok");
      assert.equal(r.results.describeAcls, "!SecurityDisabledException", "no authorizer configured, as on Kafka");
      assert.ok(r.ms.describeAcls < 5000);
    });

    test("Kafka Streams word count, the Java KIP-848 consumer, and Kafka's tools", async () => {
      const run = await java();
      const [streams, kip848, tools] = await Promise.all([
        run(broker.bootstrap, "streams", "java-streams"),
        run(broker.bootstrap, "group-consumer", "java-consumer"),
        run(broker.bootstrap, "tools", "java-tools"),
      ]);
      assert.equal(streams.error, undefined, `${streams.error}\n${streams.stderrTail ?? ""}`);
      assert.ok(streams.countsCorrect, `${flavour}: ${JSON.stringify({ ...streams, stderrTail: undefined })}`);
      assert.equal(streams.changelogCleanupPolicy, "compact");
      checkGroup(kip848, `${flavour} KIP-848`);
      assert.equal(tools.error, undefined, `${tools.error}\n${tools.stderrTail ?? ""}`);
      for (const [name, t] of Object.entries(tools.tools as Record<string, { code: number; stderr: string }>)) {
        assert.equal(t.code, 0, `${flavour} ${name}: ${t.stderr}`);
      }
    });

    test("franz-go, aiokafka and confluent-kafka: producers, classic and KIP-848 groups", async () => {
      const [goProduce, goGroup, go848, aioProduce, aioGroup, ckProduce, ck848] = await Promise.all([
        go().then((run) => run(broker.bootstrap, "produce", "go-produce")),
        go().then((run) => run(broker.bootstrap, "group-classic", "go-classic")),
        go().then((run) => run(broker.bootstrap, "group-consumer", "go-consumer")),
        aiokafka().then((run) => run(broker.bootstrap, "produce", "aio-produce")),
        aiokafka().then((run) => run(broker.bootstrap, "group", "aio-group")),
        confluent().then((run) => run(broker.bootstrap, "produce", "ck-produce")),
        confluent().then((run) => run(broker.bootstrap, "group-consumer", "ck-consumer")),
      ]);
      checkProduce(goProduce, `${flavour} franz-go`);
      checkGroup(goGroup, `${flavour} franz-go`);
      checkGroup(go848, `${flavour} franz-go KIP-848`);
      assert.equal(go848.listedGroupType, "consumer");
      checkProduce(aioProduce, `${flavour} aiokafka`);
      checkGroup(aioGroup, `${flavour} aiokafka`);
      checkProduce(ckProduce, `${flavour} confluent-kafka`);
      checkGroup(ck848, `${flavour} confluent-kafka KIP-848`);
      assert.equal(ck848.describedType, "CONSUMER");
    });
  });
}

globalThis.addEventListener("unload", () => fs.rmSync(tmp, { recursive: true, force: true }));
