import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadConfig } from "../../src/config/load.ts";

describe("loadConfig: ways of writing keys", () => {
  test("quoted dotted keys", () => {
    const cfg = loadConfig({ text: `"num.network.threads" = 3\n"tsbroker.log.level" = "debug"\n` });
    assert.equal(cfg["num.network.threads"], 3);
    assert.equal(cfg["tsbroker.log.level"], "debug");
  });

  test("bare dotted keys (nested tables in TOML) are flattened", () => {
    const cfg = loadConfig({ text: `num.network.threads = 3\nnum.io.threads = 4\nnum.partitions = 5\n` });
    assert.equal(cfg["num.network.threads"], 3);
    assert.equal(cfg["num.io.threads"], 4);
    assert.equal(cfg["num.partitions"], 5);
  });

  test("table headers and inline tables are flattened", () => {
    const cfg = loadConfig({
      text: `[num.network]\nthreads = 6\n\n[tsbroker]\nlog.level = "warn"\nshutdown = { timeout.ms = 500 }\n`,
    });
    assert.equal(cfg["num.network.threads"], 6);
    assert.equal(cfg["tsbroker.log.level"], "warn");
    assert.equal(cfg["tsbroker.shutdown.timeout.ms"], 500);
  });

  test("mixed forms with comments and blank lines", () => {
    const cfg = loadConfig({
      text:
        `# broker\n\n"max.connections" = 100 # quoted: also a prefix\n"max.connections.per.ip" = 10\nauto.create.topics.enable = false\n`,
    });
    assert.equal(cfg["max.connections"], 100);
    assert.equal(cfg["max.connections.per.ip"], 10);
    assert.equal(cfg["auto.create.topics.enable"], false);
  });

  test("empty text gives defaults", () => {
    assert.deepEqual(loadConfig({ text: "" }), loadConfig());
  });
});

describe("loadConfig: Kafka-style string values are coerced", () => {
  test("int, long, boolean, enum, list and string", () => {
    const cfg = loadConfig({
      text: [
        `"node.id" = " 7 "`,
        `"queued.max.request.bytes" = "-1"`,
        `"auto.create.topics.enable" = "FALSE"`,
        `"tsbroker.log.level" = "Debug"`,
        `"log.dirs" = "/a, /b,,"`,
        `"tsbroker.metrics.listener" = " :9999 "`,
      ].join("\n"),
    });
    assert.equal(cfg["node.id"], 7);
    assert.equal(cfg["queued.max.request.bytes"], -1);
    assert.equal(cfg["auto.create.topics.enable"], false);
    assert.equal(cfg["tsbroker.log.level"], "debug");
    assert.deepEqual(cfg["log.dirs"], ["/a", "/b"]);
    assert.equal(cfg["tsbroker.metrics.listener"], ":9999");
  });

  test("TOML arrays are lists; blank entries are dropped", () => {
    const cfg = loadConfig({ text: `log.dirs = ["/a", " /b ", ""]\n` });
    assert.deepEqual(cfg["log.dirs"], ["/a", "/b"]);
  });

  test("special values outside the range are accepted", () => {
    const cfg = loadConfig({ text: `socket.send.buffer.bytes = -1\nsocket.receive.buffer.bytes = "-1"\n` });
    assert.equal(cfg["socket.send.buffer.bytes"], -1);
    assert.equal(cfg["socket.receive.buffer.bytes"], -1);
  });

  test("TOML floats with a whole value are accepted for ints", () => {
    assert.equal(loadConfig({ text: `num.partitions = 3.0` })["num.partitions"], 3);
  });

  test("multi-line strings do not confuse the line finder or the parser", () => {
    const cfg = loadConfig({
      text: `"max.connections.per.ip.overrides" = """\nhost-a:5,\nhost-b:6"""\nnum.partitions = 2\n`,
    });
    assert.equal(cfg["num.partitions"], 2);
  });
});

describe("loadConfig: overrides and precedence", () => {
  test("overrides win over the file, later overrides over earlier ones", () => {
    const cfg = loadConfig({
      text: `num.partitions = 2\nnum.io.threads = 3\n`,
      overrides: ["num.partitions=4", "num.partitions = 5", "listeners=PLAINTEXT://:0", "log.dirs=/x,/y"],
    });
    assert.equal(cfg["num.partitions"], 5);
    assert.equal(cfg["num.io.threads"], 3);
    assert.deepEqual(cfg["listeners"], ["PLAINTEXT://:0"]);
    assert.deepEqual(cfg["log.dirs"], ["/x", "/y"]);
  });

  test("override values may contain '='", () => {
    const cfg = loadConfig({ overrides: ["log.dirs=/data/a=b"] });
    assert.deepEqual(cfg["log.dirs"], ["/data/a=b"]);
  });

  test("log.dir is used only when log.dirs is not set", () => {
    assert.deepEqual(loadConfig({ text: `log.dir = "/var/one"` })["log.dirs"], ["/var/one"]);
    assert.deepEqual(loadConfig({ overrides: ["log.dir=/var/two"] })["log.dirs"], ["/var/two"]);
    const both = loadConfig({ text: `log.dir = "/var/one"\nlog.dirs = "/var/many"` });
    assert.deepEqual(both["log.dirs"], ["/var/many"]);
  });

  test("the result is frozen and lists are fresh copies", () => {
    const cfg = loadConfig();
    assert.ok(Object.isFrozen(cfg));
    cfg["log.dirs"].push("/mutated");
    assert.deepEqual(loadConfig()["log.dirs"], ["./data"]);
  });
});
