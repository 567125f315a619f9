/**
 * The tools against the reference Apache Kafka (scripts/kafka/reference.ts), the same way as against
 * tsbroker: they are built on the client library only, so a user can point them at any Kafka. A round trip
 * through every tool, and Kafka's refusals named as tsbroker's are.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { type ReferenceKafka, startReferenceKafka } from "../../scripts/kafka/reference.ts";
import { DENO_ONLY, expectCode, tsbroker } from "./_tools.ts";

describe("the tools against Apache Kafka", DENO_ONLY, () => {
  let kafka: ReferenceKafka;
  const b = () => ["-b", kafka.bootstrap];

  before(async () => {
    kafka = await startReferenceKafka({
      config: { "group.initial.rebalance.delay.ms": "0", "auto.create.topics.enable": "false" },
    });
  });
  after(async () => {
    await kafka?.stop();
  });

  test("topic, produce, consume, group, cluster: a round trip", async () => {
    let run = await tsbroker(["topic", "create", "rt", "-p", "3", "-c", "retention.ms=3600000", ...b()]);
    expectCode(run, 0, "create");
    run = await tsbroker(["topic", "describe", "rt", ...b()]);
    expectCode(run, 0, "describe");
    assert.match(run.stdout, /^partitions:\s+3$/m);
    assert.match(run.stdout, /^retention\.ms\s+3600000\s+topic$/m);

    run = await tsbroker(["produce", "rt", "-k", ":", "-H", "h=1", ...b()], { input: "a:1\nb:2\nc:3\na:4\n" });
    expectCode(run, 0, "produce");
    run = await tsbroker(["consume", "rt", "-e", "-f", "%k=%s;%h\\n", ...b()]);
    expectCode(run, 0, "consume");
    assert.deepEqual(run.stdout.split("\n").filter(Boolean).sort(), ["a=1;h=1", "a=4;h=1", "b=2;h=1", "c=3;h=1"]);

    run = await tsbroker(["consume", "rt", "-g", "readers", "-e", ...b()]);
    expectCode(run, 0, "consume -g");
    run = await tsbroker(["group", "describe", "readers", "--format", "json", ...b()]);
    expectCode(run, 0, "group describe");
    const group = JSON.parse(run.stdout);
    assert.equal(group.totalLag, 0);
    assert.equal(group.offsets.length, 3);
    run = await tsbroker(["group", "seek", "readers", "--topic", "rt", "--to", "earliest", ...b()]);
    expectCode(run, 0, "group seek");
    run = await tsbroker(["group", "describe", "readers", "--format", "json", ...b()]);
    assert.equal(JSON.parse(run.stdout).totalLag, 4);
    run = await tsbroker(["group", "list", ...b()]);
    assert.match(run.stdout, /^readers\s+Empty\s+classic$/m);
    expectCode(await tsbroker(["group", "delete", "readers", ...b()]), 0, "group delete");

    run = await tsbroker(["cluster", "info", "--format", "json", ...b()]);
    expectCode(run, 0, "cluster info");
    const cluster = JSON.parse(run.stdout);
    assert.equal(cluster.brokers.length, 1);
    assert.equal(cluster.brokers[0].port, kafka.port);
    assert.ok(cluster.apiVersions.some((a: { name: string }) => a.name === "ConsumerGroupHeartbeat"));

    expectCode(await tsbroker(["topic", "delete", "rt", ...b()]), 0, "topic delete");
  });

  test("Kafka's refusals, named as tsbroker's", async () => {
    expectCode(await tsbroker(["topic", "create", "dup", ...b()]), 0, "create");
    let run = await tsbroker(["topic", "create", "dup", ...b()]);
    expectCode(run, 1, "create again");
    assert.match(run.stderr, /topic 'dup' already exists \(TOPIC_ALREADY_EXISTS\)/);
    run = await tsbroker(["topic", "describe", "missing", ...b()]);
    expectCode(run, 1, "describe missing");
    assert.match(run.stderr, /\(UNKNOWN_TOPIC_OR_PARTITION\)/);
    run = await tsbroker(["produce", "missing", ...b()], { input: "x\n" });
    expectCode(run, 1, "produce to missing");
    assert.match(run.stderr, /topic 'missing' does not exist/);
    run = await tsbroker(["group", "describe", "nobody", ...b()]);
    expectCode(run, 1, "missing group");
    assert.match(run.stderr, /group 'nobody' does not exist \(GROUP_ID_NOT_FOUND\)/);
    run = await tsbroker(["topic", "alter-config", "dup", "--set", "retention.ms=soon", ...b()]);
    expectCode(run, 1, "bad config");
    assert.match(run.stderr, /\(INVALID_CONFIG\)/);
  });
});
