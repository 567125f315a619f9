/**
 * Dynamic broker configs against a broker process, with real clients:
 * a raw IncrementalAlterConfigs lowers the cluster-wide log.segment.bytes and
 * log.retention.bytes defaults and an open topic without overrides rolls and
 * drops old segments (its earliest offset moves, read with kafkajs); kafkajs'
 * admin (legacy AlterConfigs) lowers this broker's message.max.bytes and a
 * larger record is refused at once; confluent-kafka-python's admin alters this
 * broker's configs and is refused a static key; Kafka's kafka-configs describes and
 * alters the defaults and a broker logger and shows the dynamic sources; after
 * a restart the dynamic configs still hold (values, sources, effect) and the
 * logger is back at root's level, as in Kafka.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { type Admin, Kafka, logLevel, type Producer } from "kafkajs";
import { type BrokerProcess, startBroker } from "./_broker.ts";
import { until } from "./_data_path.ts";
import { wireCaller, WireClient } from "./_wire.ts";
import * as path from "node:path";
import { kafkaTool, pythonWithClients } from "../clients/_clients.ts";
import { ROOT, runCommand } from "./_broker.ts";
import {
  decodeIncrementalAlterConfigsResponse,
  encodeIncrementalAlterConfigsRequest,
} from "../../src/protocol/generated/incremental_alter_configs.ts";
import {
  decodeDescribeConfigsResponse,
  type DescribeConfigsResourceResult,
  encodeDescribeConfigsRequest,
} from "../../src/protocol/generated/describe_configs.ts";

const BROKER = 4;
const BROKER_LOGGER = 8;
const SET = 0;
const Source = { DYNAMIC_BROKER: 2, DYNAMIC_DEFAULT: 3 };
const TOPIC = "dyn-retention";
const CONFIGS = "org.apache.kafka.tools.ConfigCommand";
const OVERRIDES = { "log.retention.check.interval.ms": 300, "log.segment.delete.delay.ms": 0 };

const call = wireCaller("dynamic-configs-test");

async function withWire<T>(broker: BrokerProcess, fn: (c: WireClient) => Promise<T>): Promise<T> {
  const client = await WireClient.connect(broker.port);
  try {
    return await fn(client);
  } finally {
    client.destroy();
  }
}

function setDefaults(broker: BrokerProcess, configs: Array<[string, string]>) {
  return withWire(broker, (c) =>
    call(
      c,
      44,
      1,
      {
        validateOnly: false,
        resources: [{
          resourceType: BROKER,
          resourceName: "",
          configs: configs.map(([name, value]) => ({ name, configOperation: SET, value })),
        }],
      },
      encodeIncrementalAlterConfigsRequest,
      decodeIncrementalAlterConfigsResponse,
    ));
}

async function describeBroker(
  broker: BrokerProcess,
  type: number,
  name: string,
  keys: string[],
): Promise<Map<string, DescribeConfigsResourceResult>> {
  const res = await withWire(broker, (c) =>
    call(
      c,
      32,
      4,
      {
        resources: [{ resourceType: type, resourceName: name, configurationKeys: keys }],
        includeSynonyms: true,
        includeDocumentation: false,
      },
      encodeDescribeConfigsRequest,
      decodeDescribeConfigsResponse,
    ));
  assert.equal(res.results[0].errorCode, 0, res.results[0].errorMessage ?? "");
  return new Map(res.results[0].configs.map((c) => [c.name, c]));
}

describe("dynamic broker configs (broker process, raw client, kafkajs, kafka-configs)", () => {
  let broker: BrokerProcess;
  let admin: Admin;
  let producer: Producer;
  const connect = async () => {
    const kafka = new Kafka({ clientId: "dynamic-configs", brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    producer = kafka.producer({ retry: { retries: 0 } });
    await admin.connect();
    await producer.connect();
  };
  const disconnect = async () => {
    await producer?.disconnect();
    await admin?.disconnect();
  };
  const low = async () => Number((await admin.fetchTopicOffsets(TOPIC))[0].low);
  const produce = (bytes: number) =>
    producer.send({ topic: TOPIC, acks: -1, messages: [{ value: Buffer.alloc(bytes, 120) }] });

  before(async () => {
    broker = await startBroker("deno", { overrides: OVERRIDES });
    await connect();
    assert.ok(await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1 }] }));
  });
  after(async () => {
    await disconnect();
    await broker?.stop();
  });

  test("cluster defaults roll and trim an open topic without overrides", async () => {
    const [r] = (await setDefaults(broker, [["log.segment.bytes", "4096"], ["log.retention.bytes", "8192"]])).responses;
    assert.deepEqual([r.errorCode, r.errorMessage], [0, null]);
    for (let i = 0; i < 40; i++) await produce(500);
    await until("retention by the new log.retention.bytes default", async () => (await low()) > 0, 15_000);
    const high = Number((await admin.fetchTopicOffsets(TOPIC))[0].high);
    assert.equal(high, 40, "offsets as written");
    const c = await describeBroker(broker, BROKER, "1", ["log.retention.bytes", "log.segment.bytes"]);
    assert.equal(c.get("log.retention.bytes")?.value, "8192");
    assert.equal(c.get("log.retention.bytes")?.configSource, Source.DYNAMIC_DEFAULT);
  });

  test("kafkajs' AlterConfigs lowers this broker's message.max.bytes at once", async () => {
    await produce(3000);
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: BROKER, name: "1", configEntries: [{ name: "message.max.bytes", value: "2000" }] }],
    });
    await assert.rejects(produce(3000), /larger than the max message size/);
    const c = await describeBroker(broker, BROKER, "1", ["message.max.bytes"]);
    assert.equal(c.get("message.max.bytes")?.value, "2000");
    assert.equal(c.get("message.max.bytes")?.configSource, Source.DYNAMIC_BROKER);
  });

  test("kafka-configs describes and alters broker defaults and loggers", async () => {
    const tool = (args: string[]) => kafkaTool(CONFIGS, ["--bootstrap-server", broker.bootstrap, ...args]);
    const altered = await tool([
      "--alter",
      "--entity-type",
      "brokers",
      "--entity-default",
      "--add-config",
      "log.retention.ms=86400000",
    ]);
    assert.equal(altered.code, 0, altered.stderr);
    assert.match(altered.stdout, /Completed updating default config for brokers in the cluster/);
    const described = await tool(["--describe", "--entity-type", "brokers", "--entity-default"]);
    assert.equal(described.code, 0, described.stderr);
    assert.match(
      described.stdout,
      /log\.retention\.ms=86400000 sensitive=false synonyms=\{DYNAMIC_DEFAULT_BROKER_CONFIG:/,
    );
    assert.match(described.stdout, /log\.retention\.bytes=8192/);
    const refused = await tool([
      "--alter",
      "--entity-type",
      "brokers",
      "--entity-default",
      "--add-config",
      "log.dirs=/x",
    ]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stdout + refused.stderr, /Cannot update these configs dynamically: \[log\.dirs\]/);
    const logger = await tool([
      "--alter",
      "--entity-type",
      "broker-loggers",
      "--entity-name",
      "1",
      "--add-config",
      "handler-0=WARN",
    ]);
    assert.equal(logger.code, 0, logger.stderr);
    const loggers = await tool(["--describe", "--entity-type", "broker-loggers", "--entity-name", "1"]);
    assert.equal(loggers.code, 0, loggers.stderr);
    assert.match(loggers.stdout, /handler-0=WARN sensitive=false synonyms=\{\}/);
    assert.match(loggers.stdout, /root=INFO/);
  });

  test("confluent-kafka-python alters this broker's configs, is refused a static key, and describes them", async () => {
    const python = await pythonWithClients();
    const script = path.join(ROOT, "tests/integration/clients/broker_configs.py");
    const { code, stdout, stderr } = await runCommand(python, [script, broker.bootstrap, "1"], { timeoutMs: 60_000 });
    assert.equal(code, 0, stderr);
    const r = JSON.parse(stdout);
    assert.deepEqual(r.alterBroker, { ok: true });
    assert.equal(r.alterStatic.ok, false);
    assert.equal(r.alterStatic.name, "INVALID_REQUEST");
    assert.match(r.alterStatic.message, /Cannot update these configs dynamically: \[num\.partitions\]/);
    assert.deepEqual(r.describeBroker.configs["log.roll.ms"], {
      value: "3600000",
      source: String(Source.DYNAMIC_BROKER),
      readOnly: false,
    });
  });

  test("after a restart the dynamic configs still hold; logger levels do not (as in Kafka)", async () => {
    await disconnect();
    assert.equal(await broker.stop(), 0);
    broker = await startBroker("deno", { dataDir: broker.dataDir, overrides: OVERRIDES });
    await connect();
    const defaults = await describeBroker(broker, BROKER, "", []);
    assert.deepEqual(
      [...defaults.values()].map((c) => [c.name, c.value, c.configSource]),
      [
        ["log.retention.bytes", "8192", Source.DYNAMIC_DEFAULT],
        ["log.retention.ms", "86400000", Source.DYNAMIC_DEFAULT],
        ["log.segment.bytes", "4096", Source.DYNAMIC_DEFAULT],
      ],
    );
    const mine = await describeBroker(broker, BROKER, "1", ["message.max.bytes", "log.roll.ms"]);
    assert.equal(mine.get("message.max.bytes")?.configSource, Source.DYNAMIC_BROKER);
    assert.equal(mine.get("log.roll.ms")?.value, "3600000");
    await assert.rejects(produce(3000), /larger than the max message size/);
    await produce(500);
    const loggers = await describeBroker(broker, BROKER_LOGGER, "1", ["root", "handler-0"]);
    assert.equal(loggers.get("handler-0")?.value, "INFO");
  });
});

describe("broker loggers reach the processor Workers", () => {
  let broker: BrokerProcess;
  before(async () => {
    broker = await startBroker("deno", { overrides: { "connections.max.idle.ms": 500 } });
  });
  after(async () => {
    await broker?.stop();
  });

  test("root=DEBUG makes processors write their DEBUG lines (an idle connection's close)", async () => {
    const debugLines = () => broker.output.filter((l) => /DEBUG \[processor-/.test(l));
    const idle = await WireClient.connect(broker.port);
    assert.ok(await idle.closedWithin(5_000), "closed as idle");
    assert.deepEqual(debugLines(), [], "root starts at INFO");
    const res = await withWire(broker, (c) =>
      call(
        c,
        44,
        1,
        {
          validateOnly: false,
          resources: [{
            resourceType: BROKER_LOGGER,
            resourceName: "1",
            configs: [{ name: "root", configOperation: SET, value: "DEBUG" }],
          }],
        },
        encodeIncrementalAlterConfigsRequest,
        decodeIncrementalAlterConfigsResponse,
      ));
    assert.equal(res.responses[0].errorCode, 0, res.responses[0].errorMessage ?? "");
    const again = await WireClient.connect(broker.port);
    assert.ok(await again.closedWithin(5_000), "closed as idle");
    await until("a processor's DEBUG line", () => debugLines().some((l) => /Closing idle connection/.test(l)), 5_000);
  });
});
