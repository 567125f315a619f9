/**
 * Differential: dynamic broker configs and broker loggers against the
 * reference Kafka. Cluster-wide defaults (BROKER "") and this broker's own
 * (BROKER "1") set, replaced and deleted with IncrementalAlterConfigs and
 * AlterConfigs, each followed by DescribeConfigs of the default resource,
 * the broker and a topic that inherits them (values, sources and synonyms
 * compared); keys set at start, some to their default value (still
 * STATIC_BROKER_CONFIG); a name neither broker knows; validateOnly; Kafka's refusals
 * (read-only keys, per-broker keys on the default, values of the wrong type
 * or out of range, APPEND on a non-list, another or a non-numeric broker id);
 * the root logger set, described and refused (bad level, lower case,
 * unknown logger, DELETE of root, APPEND, null, another node, AlterConfigs).
 *
 * The suite lets error messages differ (allowed difference "error-message");
 * here every refusal's message must also equal Kafka's, word for word.
 *
 * Left out, with reasons: describing BROKER "" unfiltered and legacy
 * replacements of "" without min.insync.replicas (Kafka 4.4 keeps it there
 * as a KIP-966 dynamic default and refuses to drop it while ELR is on;
 * tsbroker has no ELR); loggers other than root (each broker names its own:
 * Kafka's classes, tsbroker's threads); log.segment.bytes out of range (the
 * bounds are each broker's: Kafka's broker key starts at 1 MiB, tsbroker's
 * table at 14 bytes).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { type Comparison, Oracle } from "./_oracle.ts";
import { defaultCreatableTopic, defaultCreateTopicsRequest } from "../../src/protocol/generated/create_topics.ts";
import { defaultDescribeConfigsRequest } from "../../src/protocol/generated/describe_configs.ts";

const TOPIC = 2;
const BROKER = 4;
const BROKER_LOGGER = 8;
const Op = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 };
const KEYS = ["log.retention.ms", "log.retention.bytes", "message.max.bytes", "log.segment.bytes"];
const TOPIC_KEYS = ["retention.ms", "retention.bytes", "max.message.bytes", "segment.bytes"];

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

/** Both brokers' error messages, per resource, must be the same text. */
function sameMessages(c: Comparison): void {
  const messages = (body: Comparison["kafka"]) =>
    (body?.responses as Array<{ errorMessage: string | null }> | undefined)?.map((r) => r.errorMessage);
  assert.deepEqual(messages(c.tsbroker), messages(c.kafka));
}

describe("differential: dynamic broker configs and loggers", () => {
  let o: Oracle;
  before(async () => {
    o = await Oracle.start("broker_configs_test.ts");
  });
  after(async () => {
    o?.report();
    await o?.stop();
  });

  const describeConfigs = (title: string, type: number, name: string, keys: string[] | null, version = 4) =>
    o.compare({
      title,
      apiKey: 32,
      version,
      settleMs: 10_000,
      request: {
        ...defaultDescribeConfigsRequest(),
        includeSynonyms: version >= 1,
        resources: [{ resourceType: type, resourceName: name, configurationKeys: keys }],
      },
    });
  const inc = async (title: string, request: ReturnType<typeof incremental>, version = 1) => {
    const c = await o.compare({ title, apiKey: 44, version, request });
    if (c.kafka !== undefined) sameMessages(c);
    return c;
  };
  const alter = async (title: string, request: ReturnType<typeof legacy>, version = 2) => {
    const c = await o.compare({ title, apiKey: 33, version, request });
    if (c.kafka !== undefined) sameMessages(c);
    return c;
  };
  /** Every layer of every broker key the scenarios touch, in both brokers. */
  const describeAll = async (what: string) => {
    await describeConfigs(`${what}: cluster default`, BROKER, "", [...KEYS, "no.such.key"]);
    await describeConfigs(`${what}: broker`, BROKER, "1", KEYS);
    await describeConfigs(`${what}: topic`, TOPIC, "bc-t", TOPIC_KEYS);
  };

  test("cluster defaults and per-broker configs set, replaced, deleted, described", async () => {
    await o.compare({
      title: "create",
      apiKey: 19,
      version: 7,
      request: {
        ...defaultCreateTopicsRequest(),
        timeoutMs: 30_000,
        topics: [{ ...defaultCreatableTopic(), name: "bc-t", numPartitions: 1, replicationFactor: 1 }],
      },
    });
    await o.settle(["bc-t"]);
    await describeAll("before");
    // Keys both brokers were started with, some at their default value: STATIC_BROKER_CONFIG all the same.
    await describeConfigs("keys set at start", BROKER, "1", [
      "auto.create.topics.enable",
      "default.replication.factor",
      "group.initial.rebalance.delay.ms",
      "num.partitions",
      "offsets.topic.num.partitions",
    ]);
    await inc(
      "validateOnly",
      incremental([[BROKER, "", [["log.retention.ms", Op.SET, "1"], ["message.max.bytes", Op.SET, "1000"]]]], true),
    );
    await describeAll("after validateOnly");
    for (const v of o.advertised(44)) {
      await inc(
        "set cluster defaults",
        incremental([[BROKER, "", [
          ["log.retention.ms", Op.SET, String(1_234_567 + v)],
          ["message.max.bytes", Op.SET, "2000000"],
          ["no.such.key", Op.SET, "3"],
        ]]]),
        v,
      );
    }
    await describeAll("after cluster defaults");
    for (const v of o.advertised(32)) {
      const c = await describeConfigs("broker at every version", BROKER, "1", KEYS, v);
      if (c.kafka === undefined) continue; // a version Kafka 4 removed (the allowed difference was checked)
      await describeConfigs("cluster default at every version", BROKER, "", KEYS, v);
      await describeConfigs("topic at every version", TOPIC, "bc-t", TOPIC_KEYS, v);
    }
    // A list key: APPEND starts from the key's default when the resource has no value of its own.
    await inc("append to a list", incremental([[BROKER, "", [["log.cleanup.policy", Op.APPEND, "compact"]]]]));
    await describeConfigs("after append", TOPIC, "bc-t", ["cleanup.policy"]);
    await describeConfigs("after append: default", BROKER, "", ["log.cleanup.policy"]);
    await inc("subtract from a list", incremental([[BROKER, "", [["log.cleanup.policy", Op.SUBTRACT, "delete"]]]]));
    await describeConfigs("after subtract", TOPIC, "bc-t", ["cleanup.policy"]);
    await inc("delete the list", incremental([[BROKER, "", [["log.cleanup.policy", Op.DELETE, null]]]]));
    await describeConfigs("after deleting the list", TOPIC, "bc-t", ["cleanup.policy"]);
    await inc("set per broker", incremental([[BROKER, "1", [["log.retention.ms", Op.SET, "7654321"]]]]));
    await describeAll("after per broker");
    for (const v of o.advertised(33)) {
      const c = await alter(
        "replace per broker",
        legacy([[BROKER, "1", [["log.retention.bytes", String(999_999 + v)]]]]),
        v,
      );
      if (c.kafka === undefined) continue;
      await describeAll(`after replace v${v}`);
    }
    await alter(
      "replace cluster defaults, min.insync.replicas kept",
      legacy([[BROKER, "", [["min.insync.replicas", "1"], ["log.segment.bytes", "2097152"]]]]),
    );
    await describeAll("after replacing cluster defaults");
    await describeConfigs("min.insync.replicas", BROKER, "", ["min.insync.replicas"]);
    await inc(
      "delete everything",
      incremental([
        [BROKER, "1", [["log.retention.bytes", Op.DELETE, null], ["log.retention.ms", Op.DELETE, null]]],
        [BROKER, "", [["log.segment.bytes", Op.DELETE, null], ["no.such.key", Op.DELETE, null]]],
      ]),
    );
    await describeAll("after deleting");
    o.assertNoDifferences();
  });

  test("Kafka's refusals of broker config changes", async () => {
    await inc(
      "errors",
      incremental([
        [BROKER, "", [["log.dirs", Op.SET, "/x"]]],
        [BROKER, "1", [["node.id", Op.SET, "2"], ["log.dirs", Op.SET, "/y"]]],
        [BROKER, "2", [["log.retention.ms", Op.SET, "5"]]],
        [BROKER, "x", [["log.retention.ms", Op.SET, "5"]]],
        [TOPIC, "bc-none", [["retention.ms", Op.SET, "5"]]],
      ]),
    );
    const one = (title: string, name: string, change: Change) => inc(title, incremental([[BROKER, name, [change]]]));
    await one("a static key", "", ["num.partitions", Op.SET, "3"]);
    await one("a synonym Kafka keeps static", "", ["log.retention.hours", Op.SET, "5"]);
    await one("not a number", "", ["log.retention.ms", Op.SET, "abc"]);
    await one("below the minimum", "", ["message.max.bytes", Op.SET, "-5"]);
    await one("not one of the values", "", ["log.message.timestamp.type", Op.SET, "Foo"]);
    await one("APPEND to a non-list", "", ["log.retention.ms", Op.APPEND, "5"]);
    await one("a per-broker key on the default", "", ["listeners", Op.SET, "PLAINTEXT://127.0.0.1:1"]);
    await one("DELETE of a static key", "", ["log.dirs", Op.DELETE, null]);
    await one("null", "", ["log.retention.ms", Op.SET, null]);
    await alter(
      "legacy errors",
      legacy([
        [BROKER, "", [["log.retention.ms", "abc"]]],
        [BROKER, "1", [["log.dirs", "/x"]]],
        [BROKER, "2", [["log.retention.ms", "5"]]],
        [BROKER, "x", [["log.retention.ms", "5"]]],
      ]),
    );
    await describeAll("after errors");
    o.assertNoDifferences();
  });

  test("the root logger", async () => {
    const logger = (title: string, changes: Change[], name = "1", validateOnly = false) =>
      inc(title, incremental([[BROKER_LOGGER, name, changes]], validateOnly));
    const root = (title: string) => describeConfigs(title, BROKER_LOGGER, "1", ["root"]);
    await root("root before");
    await logger("set root", [["root", Op.SET, "DEBUG"]]);
    await root("root after set");
    await logger("validateOnly", [["root", Op.SET, "ERROR"]], "1", true);
    await root("root after validateOnly");
    await logger("bad level", [["root", Op.SET, "LOUD"]]);
    await logger("lower case", [["root", Op.SET, "warn"]]);
    await logger("OFF", [["root", Op.SET, "OFF"]]);
    await logger("unknown logger", [["bc.no.such.logger", Op.SET, "DEBUG"]]);
    await logger("delete root", [["root", Op.DELETE, null]]);
    await logger("append", [["root", Op.APPEND, "INFO"]]);
    await logger("subtract", [["root", Op.SUBTRACT, "INFO"]]);
    await logger("null", [["root", Op.SET, null]]);
    await logger("another node", [["root", Op.SET, "INFO"]], "2");
    await logger("empty name", [["root", Op.SET, "INFO"]], "");
    await alter("legacy", legacy([[BROKER_LOGGER, "1", [["root", "INFO"]]]]));
    await logger("restore root", [["root", Op.SET, "INFO"]]);
    await root("root after restore");
    o.assertNoDifferences();
  });
});
