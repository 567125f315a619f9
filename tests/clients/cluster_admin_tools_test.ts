/**
 * Kafka 4.4's own tools, as separate `java -cp` processes (the way their
 * bin/ scripts run them), against the reference Kafka and tsbroker: the
 * admin calls a single node answers from its metadata. kafka-topics
 * --describe (Kafka 4 asks DescribeTopicPartitions, then pages with its
 * cursor), kafka-cluster cluster-id (DescribeCluster), kafka-leader-election
 * (ElectLeaders), kafka-reassign-partitions --list and a reassignment to
 * this node (List/AlterPartitionReassignments), kafka-transactions
 * describe-producers after an idempotent producer wrote (DescribeProducers)
 * and kafka-features describe (ApiVersions' features). Each tool must
 * succeed on both, and print the same as on Kafka where nothing random
 * (ids, ports) or version-specific (feature levels) is in its output.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type ReferenceKafka, startReferenceKafka } from "../../scripts/kafka/reference.ts";
import { type BrokerProcess, startBroker } from "../integration/_broker.ts";
import { kafkaTool } from "./_clients.ts";

const TOPIC = "admin-tools";
const tools = "org.apache.kafka.tools";

type Tool = Awaited<ReturnType<typeof kafkaTool>>;

/** Lines of a tool's output, whitespace-normalised, without the tools' deprecation chatter. */
const lines = (s: string) =>
  s.split("\n").map((l) => l.trim().replace(/\s+/g, " ")).filter((l) => l && !/deprecated|WARN/.test(l));

describe("Kafka's admin tools against the reference Kafka and tsbroker", () => {
  const brokers: { kafka?: ReferenceKafka; tsbroker?: BrokerProcess } = {};
  const both = async (run: (bootstrap: string) => Promise<Tool>): Promise<{ kafka: Tool; tsbroker: Tool }> => {
    const [kafka, tsbroker] = await Promise.all([run(brokers.kafka!.bootstrap), run(brokers.tsbroker!.bootstrap)]);
    for (const [who, r] of Object.entries({ kafka, tsbroker })) {
      assert.equal(r.code, 0, `${who}: exit ${r.code}\n${r.stdout}\n${r.stderr}`);
    }
    return { kafka, tsbroker };
  };

  before(async () => {
    const [kafka, tsbroker] = await Promise.all([
      startReferenceKafka({ config: { "num.partitions": "1" }, heap: "384m" }),
      startBroker("deno", {}),
    ]);
    brokers.kafka = kafka;
    brokers.tsbroker = tsbroker;
    await both((b) =>
      kafkaTool(`${tools}.TopicCommand`, [
        "--bootstrap-server",
        b,
        "--create",
        "--topic",
        TOPIC,
        "--partitions",
        "3",
        "--replication-factor",
        "1",
      ])
    );
  });
  after(async () => {
    await brokers.kafka?.stop();
    if (brokers.tsbroker) {
      await brokers.tsbroker.stop();
      fs.rmSync(brokers.tsbroker.dataDir, { recursive: true, force: true });
    }
  });

  test("kafka-topics --describe (DescribeTopicPartitions, paged by its cursor) prints Kafka's partition lines", async () => {
    const r = await both((b) =>
      kafkaTool(`${tools}.TopicCommand`, [
        "--bootstrap-server",
        b,
        "--describe",
        "--topic",
        TOPIC,
        // One partition per DescribeTopicPartitions answer: the tool follows the cursor to the end.
        "--partition-size-limit-per-response",
        "1",
      ])
    );
    const partitions = (s: string) => lines(s).filter((l) => /Partition: \d/.test(l));
    assert.deepEqual(partitions(r.tsbroker.stdout), partitions(r.kafka.stdout));
    assert.equal(partitions(r.tsbroker.stdout).length, 3, r.tsbroker.stdout);
    assert.match(r.tsbroker.stdout, /Elr: (N\/A)?\s*LastKnownElr:/);
    const header = (s: string) => lines(s).find((l) => l.startsWith("Topic:") && !/Partition:/.test(l))!;
    // Ids are random; Kafka 4.4 lists min.insync.replicas as a dynamic default (a known difference of configs).
    const plain = (l: string) => l.replace(/TopicId: \S+/, "").replace(/Configs:.*$/, "");
    assert.equal(plain(header(r.tsbroker.stdout)), plain(header(r.kafka.stdout)));
  });

  test("kafka-cluster cluster-id (DescribeCluster)", async () => {
    const r = await both((b) => kafkaTool(`${tools}.ClusterTool`, ["cluster-id", "--bootstrap-server", b]));
    for (const x of [r.kafka, r.tsbroker]) assert.match(x.stdout, /^Cluster ID: \S+$/m);
  });

  test("kafka-leader-election: a preferred election on one node is never needed", async () => {
    const r = await both((b) =>
      kafkaTool(`${tools}.LeaderElectionCommand`, [
        "--bootstrap-server",
        b,
        "--election-type",
        "preferred",
        "--topic",
        TOPIC,
        "--partition",
        "1",
      ])
    );
    assert.deepEqual(lines(r.tsbroker.stdout), lines(r.kafka.stdout));
    assert.match(r.tsbroker.stdout, /Valid replica already elected for partitions admin-tools-1/);
  });

  test("kafka-reassign-partitions: nothing in progress; a reassignment to this node is a no-op", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "reassign-")), "plan.json");
    fs.writeFileSync(
      file,
      JSON.stringify({ version: 1, partitions: [{ topic: TOPIC, partition: 0, replicas: [1], log_dirs: ["any"] }] }),
    );
    const list = await both((b) =>
      kafkaTool(`${tools}.reassign.ReassignPartitionsCommand`, ["--bootstrap-server", b, "--list"])
    );
    assert.deepEqual(lines(list.tsbroker.stdout), lines(list.kafka.stdout));
    assert.match(list.tsbroker.stdout, /No partition reassignments found/);
    const run = await both((b) =>
      kafkaTool(`${tools}.reassign.ReassignPartitionsCommand`, [
        "--bootstrap-server",
        b,
        "--execute",
        "--reassignment-json-file",
        file,
      ])
    );
    // The current assignment names each broker's own data directory.
    const dirless = (s: string) => lines(s).map((l) => l.replace(/"log_dirs":\[[^\]]*\]/g, '"log_dirs":[…]'));
    assert.deepEqual(dirless(run.tsbroker.stdout), dirless(run.kafka.stdout));
    const verify = await both((b) =>
      kafkaTool(`${tools}.reassign.ReassignPartitionsCommand`, [
        "--bootstrap-server",
        b,
        "--verify",
        "--reassignment-json-file",
        file,
        // Clearing throttles alters broker configs (another subject); --verify itself is about reassignments.
        "--preserve-throttles",
      ])
    );
    assert.deepEqual(lines(verify.tsbroker.stdout), lines(verify.kafka.stdout));
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });

  test("kafka-transactions describe-producers lists the idempotent producer that wrote", async () => {
    const topic = `${TOPIC}-producers`;
    await both((b) =>
      kafkaTool(`${tools}.TopicCommand`, ["--bootstrap-server", b, "--create", "--topic", topic, "--partitions", "1"])
    );
    await both((b) =>
      kafkaTool(`${tools}.ProducerPerformance`, [
        "--topic",
        topic,
        "--num-records",
        "50",
        "--record-size",
        "10",
        "--throughput",
        "-1",
        "--producer-props",
        `bootstrap.servers=${b}`,
        "enable.idempotence=true",
      ])
    );
    const r = await both((b) =>
      kafkaTool(`${tools}.TransactionsCommand`, [
        "--bootstrap-server",
        b,
        "describe-producers",
        "--topic",
        topic,
        "--partition",
        "0",
      ])
    );
    // ProducerId ProducerEpoch LatestCoordinatorEpoch LastSequence LastTimestamp CurrentTransactionStartOffset:
    // the id and the time differ per broker, the rest must not (epoch 0, no coordinator, sequence 49, no txn).
    const rows = (s: string) =>
      lines(s).slice(1).map((l) => l.split(" ").filter((_, i) => i !== 0 && i !== 4).join(" "));
    assert.equal(lines(r.tsbroker.stdout)[0], lines(r.kafka.stdout)[0], "the header");
    assert.deepEqual(rows(r.tsbroker.stdout), rows(r.kafka.stdout));
    assert.deepEqual(rows(r.tsbroker.stdout), ["0 -1 49 None"], r.tsbroker.stdout);
  });

  test("kafka-features describe shows the features tsbroker implements, group.version as Kafka's", async () => {
    const r = await both((b) => kafkaTool(`${tools}.FeatureCommand`, ["--bootstrap-server", b, "describe"]));
    const feature = (s: string, name: string) => lines(s).find((l) => l.startsWith(`Feature: ${name} `));
    assert.equal(
      feature(r.tsbroker.stdout, "group.version")?.replace(/Epoch: \d+/, ""),
      feature(r.kafka.stdout, "group.version")?.replace(/Epoch: \d+/, ""),
    );
    assert.match(feature(r.tsbroker.stdout, "metadata.version") ?? "", /FinalizedVersionLevel: 3\.9-IV0/);
    assert.equal(feature(r.tsbroker.stdout, "transaction.version"), undefined, r.tsbroker.stdout);
  });
});
