/**
 * The layers of the broker's configuration (config/dynamic_config.ts), which
 * keys may change while running and how their values are checked
 * (config/dynamic_keys.ts), and how DescribeConfigs reports each layer
 * (config/describe.ts): STATIC_BROKER_CONFIG only for keys the operator set,
 * even to the default value; the dynamic sources and Kafka's synonym order.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadConfig } from "../../src/config/load.ts";
import { keySpec } from "../../src/config/keys.ts";
import {
  type BrokerConfigImage,
  DynamicConfigView,
  effectiveBrokerConfig,
  layersOf,
} from "../../src/config/dynamic_config.ts";
import * as fs from "node:fs";
import {
  dynamicChangeProblem,
  dynamicKeys,
  isDynamicKey,
  keysRefusedWhileRunning,
  valueProblem,
} from "../../src/config/dynamic_keys.ts";
import {
  brokerKeyIsSet,
  brokerSynonyms,
  ConfigSource,
  describeBrokerConfigs,
  describeClusterDefaults,
} from "../../src/config/describe.ts";

const image = (clusterDefaults: Record<string, string>, perBroker: Record<string, string> = {}): BrokerConfigImage => ({
  staticKeys: null,
  clusterDefaults,
  perBroker,
  loggerLevels: { root: "INFO" },
  loggerNames: [],
});

test("a key the operator set to its default value is still STATIC_BROKER_CONFIG; an unset one is DEFAULT", () => {
  const cfg = loadConfig({ overrides: ["num.partitions=1", "log.retention.ms=3600000"] });
  assert.equal(brokerKeyIsSet(cfg, "num.partitions"), true, "set, although 1 is the default");
  assert.equal(brokerKeyIsSet(cfg, "message.max.bytes"), false);
  const described = new Map(describeBrokerConfigs(cfg).map((c) => [c.name, c]));
  assert.equal(described.get("num.partitions")?.source, ConfigSource.STATIC_BROKER_CONFIG);
  assert.equal(described.get("message.max.bytes")?.source, ConfigSource.DEFAULT_CONFIG);
  // The environment counts as the operator's too.
  const fromEnv = loadConfig({ env: { KAFKA_NUM_PARTITIONS: "1" } });
  assert.equal(brokerKeyIsSet(fromEnv, "num.partitions"), true);
});

test("the layers apply in Kafka's precedence, and synonyms list them in Kafka's order", () => {
  const base = loadConfig({ overrides: ["log.retention.ms=3600000"] });
  const cfg = effectiveBrokerConfig(base, {
    ...image({ "log.retention.ms": "1234567", "message.max.bytes": "2000000", "custom.plugin.key": "x" }, {
      "log.retention.ms": "7654321",
    }),
    staticKeys: ["log.retention.ms"],
  });
  assert.equal(cfg["log.retention.ms"], 7_654_321);
  assert.equal(cfg["message.max.bytes"], 2_000_000);
  assert.equal(base["log.retention.ms"], 3_600_000, "the static config is untouched");
  assert.deepEqual(
    brokerSynonyms(cfg, "log.retention.ms", ["log.retention.ms", "log.retention.minutes", "log.retention.hours"]),
    [
      { name: "log.retention.ms", value: "7654321", source: ConfigSource.DYNAMIC_BROKER_CONFIG },
      { name: "log.retention.ms", value: "1234567", source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG },
      { name: "log.retention.ms", value: "3600000", source: ConfigSource.STATIC_BROKER_CONFIG },
      { name: "log.retention.hours", value: "168", source: ConfigSource.DEFAULT_CONFIG },
    ],
  );
  assert.equal(brokerKeyIsSet(cfg, "message.max.bytes"), true, "set dynamically");
  const defaults = describeClusterDefaults(cfg);
  assert.deepEqual(defaults.map((c) => [c.name, c.value, c.source, c.isSensitive, c.readOnly]), [
    ["custom.plugin.key", null, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, true, true],
    ["log.retention.ms", "1234567", ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, false, false],
    ["message.max.bytes", "2000000", ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, false, false],
  ]);
  assert.deepEqual(defaults[1].synonyms, [
    { name: "log.retention.ms", value: "1234567", source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG },
  ], "the default resource shows its own layer only");
  assert.equal(layersOf(cfg).clusterDefaults["custom.plugin.key"], "x", "unknown names stay in the layer");
});

test("Long.MAX_VALUE as a dynamic value means never, as tsbroker's 2^53−1", () => {
  const cfg = effectiveBrokerConfig(loadConfig(), image({ "log.flush.interval.messages": "9223372036854775807" }));
  assert.equal(cfg["log.flush.interval.messages"], Number.MAX_SAFE_INTEGER);
});

test("a view rebuilds the config only when the published dynamic state changes", () => {
  const view = new DynamicConfigView(loadConfig(), image({}));
  assert.equal(view.update(image({})), null);
  const next = view.update(image({ "log.segment.bytes": "4096" }));
  assert.equal(next?.["log.segment.bytes"], 4096);
  assert.equal(view.current, next);
});

test("which keys change while running: the topic defaults yes, sizes and identities no", () => {
  for (const key of ["log.retention.ms", "log.segment.bytes", "message.max.bytes", "log.roll.ms"]) {
    assert.ok(isDynamicKey(key), key);
  }
  for (const key of ["log.retention.hours", "log.roll.hours", "node.id", "log.dirs", "num.io.threads"]) {
    assert.ok(!isDynamicKey(key), key);
  }
  assert.equal(
    dynamicChangeProblem([["num.partitions", "3"], ["log.retention.ms", "x"]], true),
    "Cannot update these configs dynamically: [num.partitions]",
    "read-only keys are reported before values",
  );
  assert.equal(
    dynamicChangeProblem([["listeners", "PLAINTEXT://:1"]], true),
    "Cannot update these configs at default cluster level, broker id must be specified: [listeners]",
  );
  assert.match(
    dynamicChangeProblem([["listeners", "PLAINTEXT://:1"]], false)!,
    /^Cannot update these configs dynamically: \[listeners\] \(tsbroker binds its listeners once/,
  );
  assert.equal(dynamicChangeProblem([["some.plugin.key", "anything"]], true), null);
});

test("values are checked as Kafka's ConfigDef parses them, with Kafka's wording", () => {
  assert.equal(valueProblem(keySpec("log.retention.ms"), "abc"), "Not a number of type LONG");
  assert.equal(valueProblem(keySpec("message.max.bytes"), "3000000000"), "Not a number of type INT");
  assert.equal(valueProblem(keySpec("message.max.bytes"), "-5"), "Value must be at least 0");
  assert.equal(valueProblem(keySpec("log.retention.ms"), "-1"), null, "a special value outside the range");
  assert.equal(valueProblem(keySpec("log.retention.ms"), " 60000 "), null, "trimmed, as Kafka");
  assert.equal(
    valueProblem(keySpec("log.message.timestamp.type"), "createtime"),
    "String must be one of: CreateTime, LogAppendTime",
    "case matters, as in Kafka",
  );
  assert.equal(valueProblem(keySpec("auto.create.topics.enable"), "yes"), "Expected value to be either true or false");
});

test("docs/configuration.md names every key applied or refused while running", () => {
  const doc = fs.readFileSync(new URL("../../docs/configuration.md", import.meta.url), "utf8");
  const section = doc.slice(doc.indexOf("## Dynamic broker configs"), doc.indexOf("## Keys"));
  const applied = section.slice(section.indexOf("Applied at once"), section.indexOf("Values are checked"));
  assert.deepEqual(
    [...applied.matchAll(/`([a-z0-9.]+)`/g)].map((m) => m[1]).sort(),
    dynamicKeys(),
  );
  for (const [key] of keysRefusedWhileRunning()) assert.ok(section.includes(`\`${key}\``), key);
});

test("passwords and private keys are described as Kafka's PASSWORD type: sensitive, with no value anywhere", () => {
  const jaas = 'org.apache.kafka.common.security.plain.PlainLoginModule required user_zed="zed-Pw-417";';
  const cfg = loadConfig({ overrides: [`sasl.jaas.config=${jaas}`, "ssl.key.password=key-Pw-902"] });
  const described = new Map(describeBrokerConfigs(cfg).map((c) => [c.name, c]));
  for (const name of ["sasl.jaas.config", "ssl.key.password", "ssl.keystore.key", "ssl.truststore.password"]) {
    const entry = described.get(name)!;
    assert.equal(entry.isSensitive, true, name);
    assert.equal(entry.value, null, name);
    assert.equal(entry.type, 9, `${name} is a PASSWORD`);
    assert.ok(entry.synonyms.every((s) => s.value === null), `${name}'s synonyms carry no value`);
  }
  assert.equal(described.get("sasl.jaas.config")!.source, ConfigSource.STATIC_BROKER_CONFIG);
  const answer = JSON.stringify([...described.values()]);
  assert.ok(!answer.includes("zed-Pw-417") && !answer.includes("key-Pw-902"), "no secret anywhere in the answer");
  assert.equal(described.get("num.partitions")!.isSensitive, false);
});
