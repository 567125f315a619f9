import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ConfigError } from "../../src/config/errors.ts";
import { loadConfig } from "../../src/config/load.ts";
import { assertMentions, loadError } from "./helpers.ts";

describe("loadConfig errors name the key, the value, the expectation and the line", () => {
  test("unknown key with a close match gets a suggestion", () => {
    const e = loadError(`# comment\nnum.partitions = 2\nnum.netwrk.threads = 3\n`);
    assert.equal(e.key, "num.netwrk.threads");
    assert.equal(e.line, 3);
    assertMentions(
      e.message,
      "broker.toml:3",
      `unknown key "num.netwrk.threads"`,
      `did you mean "num.network.threads"`,
    );
  });

  test("unknown key missing the tsbroker. prefix is pointed at the extension", () => {
    const e = loadError(`log.level = "debug"`);
    assertMentions(e.message, `did you mean "tsbroker.log.level"`);
  });

  test("unknown key with nothing close gets no suggestion", () => {
    const e = loadError(`\n[zookeeper]\nconnect = "localhost:2181"\n`);
    assert.equal(e.key, "zookeeper.connect");
    assert.equal(e.line, 3);
    assert.ok(!e.message.includes("did you mean"), e.message);
  });

  test("keys named like Object.prototype members are just unknown", () => {
    for (const key of ["constructor", "toString", "__proto__"]) {
      const e = loadError(`"${key}" = 1`);
      assert.equal(e.key, key);
      assertMentions(e.message, `unknown key "${key}"`);
    }
  });

  test("broker.id is rejected with a pointer to node.id", () => {
    const e = loadError(`\nbroker.id = 0\n`);
    assert.equal(e.key, "broker.id");
    assert.equal(e.line, 2);
    assertMentions(e.message, "broker.toml:2", "broker.id", "use node.id");
  });

  test("wrong type", () => {
    const e = loadError(`[num]\nnetwork.threads = "three"\n`);
    assert.equal(e.key, "num.network.threads");
    assert.equal(e.line, 2);
    assertMentions(e.message, "broker.toml:2", "num.network.threads", `"three"`, "expected an int");
  });

  test("wrong type: fraction for an int, string for a boolean, number for a list, bad enum", () => {
    assertMentions(loadError(`num.partitions = 1.5`).message, "num.partitions = 1.5", "whole number");
    assertMentions(
      loadError(`auto.create.topics.enable = "yes"`).message,
      "auto.create.topics.enable",
      `"yes"`,
      "expected a boolean",
    );
    assertMentions(loadError(`log.dirs = 3`).message, "log.dirs = 3", "expected a list");
    assertMentions(loadError(`log.dirs = [1, 2]`).message, "log.dirs = [1,2]", "expected a list");
    assertMentions(loadError(`"tsbroker.log.level" = "trace"`).message, `"trace"`, "error, warn, info, debug");
    assertMentions(
      loadError(`"tsbroker.metrics.listener" = 9464`).message,
      "tsbroker.metrics.listener = 9464",
      "expected a string",
    );
  });

  test("out of range", () => {
    const e = loadError(`\n\n"num.network.threads" = 65\n`);
    assert.equal(e.key, "num.network.threads");
    assert.equal(e.line, 3);
    assertMentions(e.message, "broker.toml:3", "num.network.threads = 65", "out of range", "from 1 to 64");
  });

  test("out of range: special values are listed", () => {
    const e = loadError(`queued.max.request.bytes = 0`);
    assertMentions(e.message, "queued.max.request.bytes = 0", "-1 (unbounded)", "≥ 1");
  });

  test("out of range: int overflow and long beyond exact JS numbers", () => {
    assertMentions(loadError(`node.id = "2147483648"`).message, "node.id", "out of range");
    assertMentions(
      loadError(`connections.max.idle.ms = "9007199254740993"`).message,
      "connections.max.idle.ms",
      "out of range",
    );
  });

  test("default.replication.factor other than 1 explains why", () => {
    const e = loadError(`default.replication.factor = 3`);
    assert.equal(e.key, "default.replication.factor");
    assertMentions(e.message, "default.replication.factor = 3", "exactly 1", "single-node");
  });

  test("empty required list", () => {
    const e = loadError(`listeners = []`);
    assertMentions(e.message, "listeners = []", "at least 1 entry");
  });

  test("bad listener", () => {
    const e = loadError(`node.id = 1\nlisteners = "PLAINTEXT://localhost"\n`);
    assert.equal(e.key, "listeners");
    assert.equal(e.line, 2);
    assertMentions(e.message, "broker.toml:2", "listeners", "PLAINTEXT://localhost", "host:port");
  });

  test("bad listener: not NAME://, port too large", () => {
    assertMentions(loadError(`listeners = "localhost:9092"`).message, `"localhost:9092"`, "NAME://host:port");
    assertMentions(loadError(`listeners = "PLAINTEXT://:65536"`).message, "port 65536", "0 to 65535");
  });

  test("duplicate listener names (case-insensitive, as Kafka normalises them)", () => {
    const e = loadError(`listeners = ["PLAINTEXT://:9092", "plaintext://:9093"]`);
    assert.equal(e.key, "listeners");
    assert.equal(e.line, 1);
    assertMentions(e.message, "listener name PLAINTEXT", "more than once");
  });

  test("two listeners on one port", () => {
    const e = loadError(
      `listeners = "A://:9092,B://127.0.0.1:9092"\n"listener.security.protocol.map" = "A:PLAINTEXT,B:PLAINTEXT"`,
    );
    assertMentions(e.message, "listeners", "port 9092");
  });

  test("an SSL listener without a key store", () => {
    const e = loadError(`\nlisteners = "PLAINTEXT://:9092,SSL://:9093"\n`);
    assert.equal(e.key, "ssl.keystore.location");
    assertMentions(e.message, "listener SSL uses TLS but has no key", "ssl.keystore.location");
  });

  test("listener missing from the security protocol map", () => {
    const e = loadError(`listeners = "INTERNAL://:9092"`);
    assertMentions(e.message, "listener INTERNAL", "listener.security.protocol.map");
  });

  test("bad security protocol map entries", () => {
    assertMentions(
      loadError(`"listener.security.protocol.map" = "PLAINTEXT"`).message,
      "listener.security.protocol.map",
      "NAME:PROTOCOL",
    );
    assertMentions(
      loadError(`"listener.security.protocol.map" = "PLAINTEXT:TLS"`).message,
      "unknown security protocol TLS",
    );
  });

  test("advertised listener not in listeners, or not routable", () => {
    const e = loadError(`advertised.listeners = "EXTERNAL://example.com:9092"`);
    assert.equal(e.key, "advertised.listeners");
    assertMentions(e.message, "broker.toml:1", "EXTERNAL", "not in listeners");
    assertMentions(loadError(`advertised.listeners = "PLAINTEXT://0.0.0.0:9092"`).message, "0.0.0.0");
    assertMentions(loadError(`advertised.listeners = "PLAINTEXT://h:0"`).message, "port 0");
  });

  test("bad max.connections.per.ip.overrides and the per-ip 0 rule", () => {
    const e = loadError(`\n"max.connections.per.ip.overrides" = "10.0.0.1:5,host"`);
    assert.equal(e.key, "max.connections.per.ip.overrides");
    assert.equal(e.line, 2);
    assertMentions(e.message, `"host"`, "host:count");
    assertMentions(loadError(`"max.connections.per.ip" = 0`).message, "max.connections.per.ip", "overrides");
  });

  test("bad tsbroker.metrics.listener", () => {
    const e = loadError(`[tsbroker]\nmetrics.listener = "localhost"\n`);
    assert.equal(e.key, "tsbroker.metrics.listener");
    assert.equal(e.line, 2);
    assertMentions(e.message, `"localhost"`, "host:port");
  });

  test("queued.max.request.bytes below socket.request.max.bytes blames the key that was set", () => {
    const a = loadError(`"queued.max.request.bytes" = 1000`);
    assert.equal(a.key, "queued.max.request.bytes");
    const b = loadError(`socket.request.max.bytes = 300000000`);
    assert.equal(b.key, "socket.request.max.bytes");
    assertMentions(b.message, "queued.max.request.bytes (268435456)", "socket.request.max.bytes (300000000)");
  });

  test("the same key written twice in different forms", () => {
    const e = loadError(`"num.partitions" = 1\n[num]\npartitions = 2\n`);
    assert.equal(e.key, "num.partitions");
    assert.equal(e.line, 3);
    assertMentions(e.message, "num.partitions", "more than once", "lines 1 and 3");
  });

  test("TOML syntax error passes on smol-toml's line and column", () => {
    const e = loadError(`num.partitions = 1\nnum.io.threads = = 2\n`);
    assert.equal(e.key, undefined);
    assert.equal(e.line, 2);
    assert.equal(e.column, 18);
    assertMentions(e.message, "broker.toml:2:18", "invalid TOML");
  });

  test("TOML redefinition error hints at quoting prefix keys", () => {
    const e = loadError(`max.connections = 10\nmax.connections.per.ip = 5\n`);
    assert.equal(e.line, 2);
    assertMentions(e.message, "invalid TOML", `"max.connections"`, "quoted");
  });

  test("bad --override syntax", () => {
    for (const bad of ["num.partitions", "=3", " =3"]) {
      const e = loadError(undefined, [bad]);
      assertMentions(e.message, "--override", JSON.stringify(bad), "key=value");
    }
  });

  test("override errors say --override and name key and value", () => {
    const e = loadError(`num.partitions = 2`, ["num.io.threads=0"]);
    assert.equal(e.key, "num.io.threads");
    assert.equal(e.line, undefined);
    assertMentions(e.message, `--override "num.io.threads=0"`, "num.io.threads", "out of range");
    assertMentions(loadError(undefined, ["num.partiton=3"]).message, "--override", `did you mean "num.partitions"`);
    assertMentions(loadError(undefined, ["broker.id=1"]).message, "--override", "use node.id");
    assertMentions(loadError(undefined, ["listeners=SSL://:9093"]).message, "listener SSL", "ssl.keystore.location");
  });

  test("messages without a file name still give the line", () => {
    assert.throws(
      () => loadConfig({ text: `\nnum.partitions = 0\n` }),
      (e: unknown) => e instanceof ConfigError && e.line === 2 && e.message.startsWith("line 2: num.partitions = 0"),
    );
  });
});
