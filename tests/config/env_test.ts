import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { configFromEnv, envNameToKey } from "../../src/config/env.ts";
import { loadConfig } from "../../src/config/load.ts";
import { ConfigError } from "../../src/config/errors.ts";

describe("config from KAFKA_* and TSBROKER_* environment variables", () => {
  test("names map as in Kafka's container image: _ is a dot, __ an underscore, ___ a dash", () => {
    assert.equal(envNameToKey("ADVERTISED_LISTENERS"), "advertised.listeners");
    assert.equal(envNameToKey("LISTENER_SECURITY_PROTOCOL_MAP"), "listener.security.protocol.map");
    assert.equal(envNameToKey("A__B___C_D"), "a_b-c.d");
  });

  test("KAFKA_ names any key, TSBROKER_ a tsbroker. key; other variables and JVM options are ignored", () => {
    const settings = configFromEnv({
      KAFKA_NUM_PARTITIONS: "3",
      TSBROKER_LOG_LEVEL: "debug",
      KAFKA_HEAP_OPTS: "-Xmx1G",
      KAFKA_OPTS: "-Dx=y",
      PATH: "/bin",
      KAFKA_: "x",
    });
    assert.deepEqual(settings, [
      { variable: "KAFKA_NUM_PARTITIONS", key: "num.partitions", value: "3" },
      { variable: "TSBROKER_LOG_LEVEL", key: "tsbroker.log.level", value: "debug" },
    ]);
  });

  test("precedence: defaults < file < environment < --override", () => {
    const text = `"num.partitions" = 2\n"default.replication.factor" = 1\n`;
    const env = { KAFKA_NUM_PARTITIONS: "5", KAFKA_AUTO_CREATE_TOPICS_ENABLE: "false" };
    const fromEnv = loadConfig({ text, env });
    assert.equal(fromEnv["num.partitions"], 5);
    assert.equal(fromEnv["auto.create.topics.enable"], false);
    const overridden = loadConfig({ text, env, overrides: ["num.partitions=7"] });
    assert.equal(overridden["num.partitions"], 7);
    assert.equal(loadConfig({ text })["num.partitions"], 2);
  });

  test("a list key from the environment is comma-separated, as on the command line", () => {
    const cfg = loadConfig({
      env: {
        KAFKA_LISTENERS: "PLAINTEXT://0.0.0.0:9092,OTHER://0.0.0.0:9093",
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: "PLAINTEXT:PLAINTEXT,OTHER:PLAINTEXT",
      },
    });
    assert.deepEqual(cfg.listeners, ["PLAINTEXT://0.0.0.0:9092", "OTHER://0.0.0.0:9093"]);
  });

  test("a bad value or unknown key from the environment names the variable", () => {
    const bad = (env: Record<string, string>) => {
      try {
        loadConfig({ env });
      } catch (e) {
        assert.ok(e instanceof ConfigError);
        return e.message;
      }
      assert.fail("expected a ConfigError");
    };
    assert.match(
      bad({ KAFKA_NUM_PARTITIONS: "many" }),
      /environment variable KAFKA_NUM_PARTITIONS: num\.partitions = "many": expected an int/,
    );
    assert.match(
      bad({ TSBROKER_LOG_LEVELL: "debug" }),
      /TSBROKER_LOG_LEVELL: unknown key "tsbroker\.log\.levell" \(did you mean "tsbroker\.log\.level"\?\)/,
    );
  });
});
