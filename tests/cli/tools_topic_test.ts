/**
 * `tsbroker topic ...` against a broker process, run as a user runs it: output, exit statuses, and the
 * mistakes a user makes (a missing topic, a bad partition count, an unknown flag, an unreachable broker).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Producer } from "../../src/client/producer.ts";
import { type BrokerProcess, startBroker } from "../integration/_broker.ts";
import { DENO_ONLY, expectCode, tsbroker } from "./_tools.ts";

describe("tsbroker topic", DENO_ONLY, () => {
  let broker: BrokerProcess;
  const b = () => ["-b", broker.bootstrap];

  before(async () => {
    broker = await startBroker("deno", { overrides: { "auto.create.topics.enable": false } });
  });
  after(async () => {
    await broker?.stop();
  });

  test("create, list, describe (offsets and configs), alter-config, delete", async () => {
    let run = await tsbroker(["topic", "create", "orders", "-p", "3", "-c", "cleanup.policy=compact", ...b()]);
    expectCode(run, 0, "create");
    assert.match(run.stdout, /Created topic 'orders'/);

    run = await tsbroker(["topic", "list", ...b()]);
    expectCode(run, 0, "list");
    assert.match(run.stdout, /^NAME\s+PARTITIONS\s+REPLICAS\s+SIZE\n/);
    assert.match(run.stdout, /^orders\s+3\s+1\s+0 B$/m);
    assert.doesNotMatch(run.stdout, /__consumer_offsets/);

    run = await tsbroker(["topic", "describe", "orders", ...b()]);
    expectCode(run, 0, "describe");
    assert.match(run.stdout, /^partitions:\s+3$/m);
    assert.match(run.stdout, /^PARTITION\s+LEADER\s+EPOCH\s+REPLICAS\s+ISR\s+LOW\s+HIGH\s+SIZE$/m);
    assert.match(run.stdout, /^2\s+1\s+\d+\s+1\s+1\s+0\s+0\s+0 B$/m);
    assert.match(run.stdout, /^size:\s+0 B$/m);

    // Sizes per partition and per topic: human in tables, bytes in JSON.
    const producer = new Producer({ bootstrapServers: [broker.bootstrap] });
    for (let i = 0; i < 20; i++) {
      await producer.send({ topic: "orders", partition: 1, key: `k${i}`, value: "x".repeat(100) });
    }
    await producer.close();
    run = await tsbroker(["topic", "describe", "orders", "--format", "json", ...b()]);
    const [sized] = JSON.parse(run.stdout);
    const partitionSizes = sized.partitions.map((p: { sizeBytes: number }) => p.sizeBytes);
    assert.equal(partitionSizes[0], 0);
    assert.ok(partitionSizes[1] > 2000, `20 records of 100 bytes take more than 2000 bytes: ${partitionSizes}`);
    assert.equal(sized.sizeBytes, partitionSizes[0] + partitionSizes[1] + partitionSizes[2]);
    run = await tsbroker(["topic", "list", "--format", "json", ...b()]);
    assert.equal(JSON.parse(run.stdout)[0].sizeBytes, sized.sizeBytes);
    run = await tsbroker(["topic", "describe", "orders", ...b()]);
    assert.match(run.stdout, /^1\s+1\s+\d+\s+1\s+1\s+0\s+20\s+\d\.\d KiB$/m);
    assert.match(run.stdout, /^cleanup\.policy\s+compact\s+topic$/m);

    run = await tsbroker([
      "topic",
      "alter-config",
      "orders",
      "--set",
      "retention.ms=3600000",
      "--delete",
      "cleanup.policy",
      ...b(),
    ]);
    expectCode(run, 0, "alter-config");
    run = await tsbroker(["topic", "describe", "orders", "--format", "json", ...b()]);
    expectCode(run, 0, "describe json");
    const [topic] = JSON.parse(run.stdout);
    assert.equal(topic.partitions.length, 3);
    assert.deepEqual(topic.configs, [{ name: "retention.ms", value: "3600000", source: "topic" }]);
    assert.equal(topic.partitions[0].highOffset, 0);

    run = await tsbroker(["topic", "delete", "orders", ...b()]);
    expectCode(run, 0, "delete");
    assert.match(run.stdout, /Deleted topic 'orders'/);
    run = await tsbroker(["topic", "list", "--format", "json", ...b()]);
    assert.deepEqual(JSON.parse(run.stdout), []);
  });

  test("refusals by the broker exit 1 and name the Kafka error", async () => {
    expectCode(await tsbroker(["topic", "create", "dup", ...b()]), 0, "first create");
    let run = await tsbroker(["topic", "create", "dup", ...b()]);
    expectCode(run, 1, "second create");
    assert.match(run.stderr, /topic 'dup' already exists \(TOPIC_ALREADY_EXISTS\)/);

    for (const args of [["describe", "missing"], ["delete", "missing"], ["alter-config", "missing", "--set", "a=b"]]) {
      run = await tsbroker(["topic", ...args, ...b()]);
      expectCode(run, 1, args.join(" "));
      assert.match(run.stderr, /topic 'missing' does not exist \(UNKNOWN_TOPIC_OR_PARTITION\)/);
    }

    run = await tsbroker(["topic", "alter-config", "dup", "--set", "retention.ms=soon", ...b()]);
    expectCode(run, 1, "bad config value");
    assert.match(run.stderr, /\(INVALID_CONFIG\)/);
  });

  test("bad usage exits 2 naming the problem", async () => {
    const cases: [string[], RegExp][] = [
      [["topic", "create", "t", "-p", "0"], /-p\/--partitions must be between 1 and \d+ \(got 0\)/],
      [["topic", "create", "t", "-p", "three"], /-p\/--partitions must be a whole number \(got "three"\)/],
      [["topic", "create", "t", "-c", "retention.ms"], /-c takes key=value \(got "retention.ms"\)/],
      [["topic", "create"], /missing topic name/],
      [["topic", "list", "--bogus"], /unknown flag --bogus/],
      [["topic", "frobnicate"], /unknown command "frobnicate"/],
      [["topic", "list", "--format", "xml"], /--format takes table or json/],
      [["topic", "alter-config", "t"], /nothing to change/],
    ];
    for (const [args, message] of cases) {
      const run = await tsbroker([...args, ...b()]);
      expectCode(run, 2, args.join(" "));
      assert.match(run.stderr, message);
      assert.match(run.stderr, /--help/);
    }
  });

  test("an unreachable broker exits 3, names the address and suggests -b", async () => {
    const run = await tsbroker(["topic", "list", "-b", "127.0.0.1:1"]);
    expectCode(run, 3, "unreachable");
    assert.match(run.stderr, /127\.0\.0\.1:1/);
    assert.match(run.stderr, /-b host:port/);
  });

  test("a broker advertising an address not reachable from here: exit 3 naming advertised.listeners", async () => {
    const hidden = await startBroker("deno", { overrides: { "advertised.listeners": "PLAINTEXT://127.0.0.1:1" } });
    try {
      // The first requests go to the bootstrap address; describing partitions needs the leader's own address.
      expectCode(await tsbroker(["topic", "create", "t", "-b", hidden.bootstrap]), 0, "create through bootstrap");
      const run = await tsbroker(["topic", "describe", "t", "--timeout", "2000", "-b", hidden.bootstrap]);
      expectCode(run, 3, "advertised address unreachable");
      assert.match(run.stderr, /lost the connection to the broker .*advertised\.listeners/);
    } finally {
      await hidden.stop();
    }
  });

  test("--help of the tool and of a command", async () => {
    let run = await tsbroker(["topic", "--help"]);
    expectCode(run, 0, "topic --help");
    for (const c of ["create", "list", "describe", "delete", "alter-config"]) assert.match(run.stdout, new RegExp(c));
    run = await tsbroker(["topic", "create", "--help"]);
    expectCode(run, 0, "topic create --help");
    assert.match(run.stdout, /--partitions N/);
    assert.match(run.stdout, /--brokers/);
    run = await tsbroker(["topic"]);
    expectCode(run, 2, "topic without a command");
    assert.match(run.stderr, /tsbroker topic: missing command/);
    run = await tsbroker(["--help"]);
    expectCode(run, 0, "--help");
    assert.match(run.stdout, /tsbroker topic\|produce\|consume\|group\|cluster\|perf/);
  });
});
