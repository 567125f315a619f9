/**
 * DescribeConfigs of `listener.name.<l>.<key>` names (config/describe.ts) as
 * Kafka 4.4 answers them (tests/differential/tls_reload_test.ts compares the
 * same against the reference): typed and sensitive as the key they
 * override, read-only (as Kafka 4.4 answers), listed when set at start as well as dynamically, with Kafka's
 * synonyms; and the keys Kafka has no default for described unset as null.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadConfig } from "../../src/config/load.ts";
import {
  type BrokerConfigImage,
  effectiveBrokerConfig,
  listenerBaseKey,
  staticListenerKeysOf,
} from "../../src/config/dynamic_config.ts";
import {
  ConfigSource,
  ConfigType,
  describeBrokerConfigs,
  describeClusterDefaults,
  type DescribedBrokerConfig,
} from "../../src/config/describe.ts";

const image = (perBroker: Record<string, string>, clusterDefaults: Record<string, string> = {}): BrokerConfigImage => ({
  staticKeys: ["listeners"],
  // As the supervisor publishes them: the password's value stays behind.
  staticListenerKeys: {
    "listener.name.ssl.ssl.keystore.location": "/etc/tls/start.pem",
    "listener.name.ssl.ssl.key.password": null,
  },
  clusterDefaults,
  perBroker,
  loggerLevels: { root: "INFO" },
  loggerNames: [],
});

const byName = (configs: DescribedBrokerConfig[]) => new Map(configs.map((c) => [c.name, c]));

test("Kafka's base key of a listener-prefixed name, with or without a SASL mechanism", () => {
  assert.equal(listenerBaseKey("listener.name.ssl.ssl.keystore.location"), "ssl.keystore.location");
  assert.equal(listenerBaseKey("listener.name.sasl_ssl.plain.sasl.jaas.config"), "sasl.jaas.config");
  assert.equal(listenerBaseKey("listener.name.ssl.max.connections"), "max.connections");
  assert.equal(listenerBaseKey("listener.name.ssl.no.such.key"), null);
  assert.equal(listenerBaseKey("ssl.keystore.location"), null);
});

test("the loader's per-listener keys go to the image, passwords without their value", () => {
  const jaas = 'org.apache.kafka.common.security.plain.PlainLoginModule required user_zed="zed-Pw-417";';
  const cfg = loadConfig({
    overrides: [
      "listeners=PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0",
      "listener.name.plaintext.max.connections=10",
      `listener.name.sasl_plaintext.plain.sasl.jaas.config=${jaas}`,
    ],
  });
  assert.deepEqual(staticListenerKeysOf(cfg), {
    "listener.name.plaintext.max.connections": "10",
    "listener.name.sasl_plaintext.plain.sasl.jaas.config": null,
  });
  const described = byName(describeBrokerConfigs(cfg));
  const limit = described.get("listener.name.plaintext.max.connections")!;
  assert.deepEqual([limit.value, limit.source, limit.type, limit.isSensitive, limit.readOnly], [
    "10",
    ConfigSource.STATIC_BROKER_CONFIG,
    ConfigType.INT,
    false,
    true,
  ]);
  const login = described.get("listener.name.sasl_plaintext.plain.sasl.jaas.config")!;
  assert.deepEqual([login.value, login.isSensitive, login.type, login.synonyms], [
    null,
    true,
    ConfigType.PASSWORD,
    [{ name: "listener.name.sasl_plaintext.plain.sasl.jaas.config", value: null, source: 4 }],
  ]);
  assert.ok(!JSON.stringify([...described.values()]).includes("zed-Pw-417"), "no secret anywhere");
});

test("a prefixed key set at start and dynamically: typed as its key, its synonyms in Kafka's order", () => {
  const cfg = effectiveBrokerConfig(
    loadConfig(),
    image({
      "listener.name.ssl.ssl.keystore.location": "/etc/tls/new.pem",
      "listener.name.ssl.ssl.key.password": "key-Pw-311",
      "listener.name.ssl.no.such.key": "x",
    }),
  );
  const described = byName(describeBrokerConfigs(cfg));
  assert.deepEqual(described.get("listener.name.ssl.ssl.keystore.location"), {
    name: "listener.name.ssl.ssl.keystore.location",
    value: "/etc/tls/new.pem",
    readOnly: true, // as Kafka 4.4 answers prefixed names, though both reload the key store

    source: ConfigSource.DYNAMIC_BROKER_CONFIG,
    isSensitive: false,
    synonyms: [
      { name: "listener.name.ssl.ssl.keystore.location", value: "/etc/tls/new.pem", source: 2 },
      { name: "listener.name.ssl.ssl.keystore.location", value: "/etc/tls/start.pem", source: 4 },
    ],
    type: ConfigType.STRING,
    documentation: null,
  });
  const password = described.get("listener.name.ssl.ssl.key.password")!;
  assert.deepEqual([password.value, password.isSensitive, password.type, password.readOnly], [
    null,
    true,
    ConfigType.PASSWORD,
    true,
  ]);
  assert.ok(password.synonyms.length === 2 && password.synonyms.every((s) => s.value === null));
  assert.ok(!JSON.stringify([...described.values()]).includes("key-Pw-311"), "no secret anywhere");
  // A name with no key of tsbroker's behind it is still what Kafka makes of names it cannot type.
  const unknown = described.get("listener.name.ssl.no.such.key")!;
  assert.deepEqual([unknown.value, unknown.isSensitive, unknown.type], [null, true, ConfigType.UNKNOWN]);
});

test("the cluster-wide default resource shows a prefixed key with its own layer only", () => {
  const cfg = effectiveBrokerConfig(loadConfig(), image({}, { "listener.name.ssl.ssl.truststore.location": "/ca" }));
  const [entry] = describeClusterDefaults(cfg);
  assert.deepEqual([entry.name, entry.value, entry.type, entry.synonyms], [
    "listener.name.ssl.ssl.truststore.location",
    "/ca",
    ConfigType.STRING,
    [{ name: "listener.name.ssl.ssl.truststore.location", value: "/ca", source: 3 }],
  ]);
});

test("keys Kafka has no default for are described unset as Kafka does: null, no synonyms", () => {
  const described = byName(describeBrokerConfigs(loadConfig()));
  for (const name of ["ssl.keystore.location", "ssl.truststore.location", "ssl.cipher.suites", "sasl.jaas.config"]) {
    const entry = described.get(name)!;
    assert.deepEqual([entry.value, entry.source, entry.synonyms], [null, ConfigSource.DEFAULT_CONFIG, []], name);
  }
  assert.equal(described.get("ssl.keystore.location")!.readOnly, false, "reloaded per listener");
  assert.equal(described.get("ssl.client.auth")!.value, "none", "a key with a default keeps it");
  assert.equal(described.get("ssl.client.auth")!.readOnly, true, "not reloaded by tsbroker");
});
