import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { hostname } from "node:os";
import { maxConnectionsPerIpOverrides } from "../../src/config/connection_limits.ts";
import { ConfigError } from "../../src/config/errors.ts";
import type { BrokerConfig } from "../../src/config/keys.ts";
import { parseListeners } from "../../src/config/listeners.ts";
import { loadConfig } from "../../src/config/load.ts";
import { parseMetricsListener } from "../../src/config/metrics_listener.ts";

describe("parseListeners", () => {
  test("the default listener", () => {
    assert.deepEqual(parseListeners(loadConfig()), [
      {
        name: "PLAINTEXT",
        securityProtocol: "PLAINTEXT",
        host: "127.0.0.1",
        port: 9092,
        advertisedHost: "127.0.0.1",
        advertisedPort: 9092,
        sasl: null,
        tls: null,
      },
    ]);
  });

  test("wildcard hosts advertise the machine's host name; IPv6 loses its brackets", () => {
    const cfg = loadConfig({
      text: [
        `listeners = ["PLAINTEXT://:9092", "inside://0.0.0.0:9093", "V6://[::1]:0"]`,
        `"listener.security.protocol.map" = "PLAINTEXT:PLAINTEXT,INSIDE:PLAINTEXT,V6:PLAINTEXT"`,
      ].join("\n"),
    });
    assert.deepEqual(parseListeners(cfg), [
      {
        name: "PLAINTEXT",
        securityProtocol: "PLAINTEXT",
        host: "",
        port: 9092,
        advertisedHost: hostname(),
        advertisedPort: 9092,
        sasl: null,
        tls: null,
      },
      {
        name: "INSIDE",
        securityProtocol: "PLAINTEXT",
        host: "0.0.0.0",
        port: 9093,
        advertisedHost: hostname(),
        advertisedPort: 9093,
        sasl: null,
        tls: null,
      },
      {
        name: "V6",
        securityProtocol: "PLAINTEXT",
        host: "::1",
        port: 0,
        advertisedHost: "::1",
        advertisedPort: 0,
        sasl: null,
        tls: null,
      },
    ]);
  });

  test("advertised.listeners override by name", () => {
    const cfg = loadConfig({
      text: `listeners = "PLAINTEXT://0.0.0.0:9092"\nadvertised.listeners = "plaintext://broker.example.com:19092"\n`,
    });
    const [l] = parseListeners(cfg);
    assert.equal(l.advertisedHost, "broker.example.com");
    assert.equal(l.advertisedPort, 19092);
    assert.equal(l.host, "0.0.0.0");
  });

  test("a config built by hand is still checked", () => {
    const cfg: BrokerConfig = { ...loadConfig(), listeners: ["SSL://:9093"] };
    assert.throws(
      () => parseListeners(cfg),
      (e: unknown) => e instanceof ConfigError && e.key === "ssl.keystore.location" && /has no key/.test(e.message),
    );
  });
});

describe("maxConnectionsPerIpOverrides", () => {
  test("parses host:count pairs including IPv6", () => {
    const cfg = loadConfig({ text: `"max.connections.per.ip.overrides" = "10.0.0.1:5, broker-a:0 ,[::1]:7,::2:8"` });
    assert.deepEqual(
      maxConnectionsPerIpOverrides(cfg),
      new Map([["10.0.0.1", 5], ["broker-a", 0], ["::1", 7], ["::2", 8]]),
    );
  });

  test("empty by default", () => {
    assert.equal(maxConnectionsPerIpOverrides(loadConfig()).size, 0);
  });

  test("allows max.connections.per.ip = 0 when set", () => {
    const cfg = loadConfig({
      text: `"max.connections.per.ip" = 0\n"max.connections.per.ip.overrides" = "127.0.0.1:10"`,
    });
    assert.equal(cfg["max.connections.per.ip"], 0);
  });

  test("rejects duplicates and bad counts", () => {
    for (const bad of ["a:1,a:2", "a:-1", "a:x", ":3", "a:99999999999"]) {
      assert.throws(() => loadConfig({ overrides: [`max.connections.per.ip.overrides=${bad}`] }), ConfigError, bad);
    }
  });
});

describe("parseMetricsListener", () => {
  test("default, disabled, port 0 and IPv6", () => {
    assert.deepEqual(parseMetricsListener(loadConfig()), { host: "127.0.0.1", port: 9464 });
    assert.equal(parseMetricsListener(loadConfig({ overrides: ["tsbroker.metrics.listener="] })), undefined);
    assert.deepEqual(parseMetricsListener(loadConfig({ overrides: ["tsbroker.metrics.listener=:0"] })), {
      host: "",
      port: 0,
    });
    assert.deepEqual(parseMetricsListener(loadConfig({ overrides: ["tsbroker.metrics.listener=[::1]:9500"] })), {
      host: "::1",
      port: 9500,
    });
  });
});
