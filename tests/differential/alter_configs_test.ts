/**
 * Differential: AlterConfigs (33) and IncrementalAlterConfigs (44) at every
 * version tsbroker advertises, against the reference Kafka: topic overrides
 * replaced (the legacy API drops keys left out) and changed by SET, DELETE
 * and APPEND/SUBTRACT on cleanup.policy, validateOnly, each followed by a
 * DescribeConfigs of the keys involved (values and DYNAMIC_TOPIC_CONFIG
 * sources compared); and the error paths per resource (unknown topic,
 * invalid value, unknown key, APPEND on a non-list key, a resource given
 * twice, duplicate keys, another broker id, a resource type Kafka does not
 * know). Broker and logger changes are compared in broker_configs_test.ts.
 */
import { after, before, describe, test } from "node:test";
import { Oracle, SUITE_COVERAGE } from "./_oracle.ts";
import { defaultCreatableTopic, defaultCreateTopicsRequest } from "../../src/protocol/generated/create_topics.ts";
import { defaultDescribeConfigsRequest } from "../../src/protocol/generated/describe_configs.ts";

const TOPIC = 2;
const BROKER = 4;
const Op = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 };
const KEYS = ["retention.ms", "segment.bytes", "max.message.bytes", "cleanup.policy"];

type Pair = [string, string | null];
type Change = [string, number, string | null];

const legacy = (resources: Array<[number, string, Pair[]]>, validateOnly = false) => ({
  validateOnly,
  resources: resources.map(([resourceType, resourceName, configs]) => ({
    resourceType,
    resourceName,
    configs: configs.map(([name, value]) => ({ name, value })),
  })),
});

const incremental = (resources: Array<[number, string, Change[]]>, validateOnly = false) => ({
  validateOnly,
  resources: resources.map(([resourceType, resourceName, configs]) => ({
    resourceType,
    resourceName,
    configs: configs.map(([name, configOperation, value]) => ({ name, configOperation, value })),
  })),
});

describe("differential: AlterConfigs and IncrementalAlterConfigs", () => {
  let o: Oracle;
  before(async () => {
    o = await Oracle.start("alter_configs_test.ts");
  });
  after(async () => {
    o?.report();
    await o?.stop();
  });

  const describeTopic = (title: string, topic: string) =>
    o.compare({
      title,
      apiKey: 32,
      version: 4,
      settleMs: 10_000,
      request: {
        ...defaultDescribeConfigsRequest(),
        resources: [{ resourceType: TOPIC, resourceName: topic, configurationKeys: KEYS }],
      },
    });

  test("topic overrides replaced and changed, validateOnly and every error path, at every version", async () => {
    await o.compare({
      title: "create",
      apiKey: 19,
      version: 7,
      request: {
        ...defaultCreateTopicsRequest(),
        timeoutMs: 30_000,
        topics: ["ac-a", "ac-b"].map((name) => ({
          ...defaultCreatableTopic(),
          name,
          numPartitions: 1,
          replicationFactor: 1,
          configs: [{ name: "segment.bytes", value: "1048576" }],
        })),
      },
    });
    await o.settle(["ac-a", "ac-b"]);
    for (const v of o.advertised(33)) {
      const send = (title: string, request: ReturnType<typeof legacy>) =>
        o.compare({ title, apiKey: 33, version: v, request });
      const c = await send("replace", legacy([[TOPIC, "ac-a", [["retention.ms", String(3_600_000 + v)]]]]));
      if (c.kafka === undefined) continue; // a version Kafka 4 removed (the allowed difference was checked)
      await describeTopic("after replace", "ac-a");
      await send("validateOnly", legacy([[TOPIC, "ac-a", [["max.message.bytes", "1000"]]]], true));
      await describeTopic("after validateOnly", "ac-a");
      // No resource named twice: Kafka 4.4 left such a request unanswered (a test timeout); the unit tests
      // check tsbroker's "Each resource must appear at most once." instead.
      await send(
        "errors",
        legacy([
          [TOPIC, "ac-none", [["retention.ms", "1"]]],
          [TOPIC, "ac-b", [["segment.bytes", "1"]]],
          [TOPIC, "ac-a", [["no.such.config", "1"]]],
          [TOPIC, "ac-c", [["retention.ms", "1"], ["retention.ms", "2"]]],
          [BROKER, "2", [["log.retention.ms", "1"]]],
        ]),
      );
      await send("unknown resource type", legacy([[99, "x", []]]));
      await describeTopic("after errors", "ac-b");
    }
    for (const v of o.advertised(44)) {
      const send = (title: string, request: ReturnType<typeof incremental>) =>
        o.compare({ title, apiKey: 44, version: v, request });
      const c = await send(
        "set and delete",
        incremental([[TOPIC, "ac-b", [
          ["retention.ms", Op.SET, String(7_200_000 + v)],
          ["segment.bytes", Op.DELETE, null],
          ["flush.ms", Op.DELETE, null],
        ]]]),
      );
      if (c.kafka === undefined) continue;
      await describeTopic("after set and delete", "ac-b");
      await send("append to the default", incremental([[TOPIC, "ac-b", [["cleanup.policy", Op.APPEND, "delete"]]]]));
      await send("subtract what is absent", incremental([[TOPIC, "ac-b", [["cleanup.policy", Op.SUBTRACT, "x"]]]]));
      await describeTopic("after append and subtract", "ac-b");
      await send(
        "validateOnly",
        incremental([[TOPIC, "ac-b", [["max.message.bytes", Op.SET, "1000"]]]], true),
      );
      await describeTopic("after validateOnly", "ac-b");
      await send(
        "errors",
        incremental([
          [TOPIC, "ac-none", [["retention.ms", Op.SET, "1"]]],
          [TOPIC, "ac-a", [["retention.ms", Op.SET, "x"]]],
          [TOPIC, "ac-a", [["retention.ms", Op.APPEND, "1"]]],
          [TOPIC, "ac-c", [["retention.ms", Op.SET, "1"], ["retention.ms", Op.DELETE, null]]],
          [TOPIC, "ac-d", [["retention.ms", Op.SET, null]]],
          [BROKER, "2", [["log.retention.ms", Op.SET, "1"]]],
        ]),
      );
      await send("unknown resource type", incremental([[99, "x", []]]));
      await describeTopic("after errors", "ac-a");
    }
    o.assertNoDifferences();
  });

  test("covers every advertised version of its APIs", () => {
    o.assertCovered(SUITE_COVERAGE["alter_configs_test.ts"]);
  });
});
