import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { findKeyLine, findKeyLines } from "../../src/config/source_lines.ts";
import { closestKey } from "../../src/config/suggest.ts";

describe("findKeyLines", () => {
  const text = [
    `# comment`, // 1
    `"num.partitions" = 1`, // 2
    `num . io.threads = 2`, // 3
    `[num.network]`, // 4
    `threads = 3`, // 5
    `[ "tsbroker" ]`, // 6
    `'log'.level = "info"`, // 7
    `shutdown = { timeout.ms = 5 }`, // 8
    `"max.connections.per.ip.overrides" = """`, // 9
    `num.partitions = 9`, // 10: inside a multi-line string
    `"""`, // 11
    `metrics.listener = "x"`, // 12
  ].join("\n");

  test("quoted, spaced and table-relative keys", () => {
    assert.deepEqual(findKeyLines(text, "num.partitions"), [2]);
    assert.equal(findKeyLine(text, "num.io.threads"), 3);
    assert.equal(findKeyLine(text, "num.network.threads"), 5);
    assert.equal(findKeyLine(text, "tsbroker.log.level"), 7);
    assert.equal(findKeyLine(text, "tsbroker.metrics.listener"), 12);
  });

  test("inline tables fall back to the enclosing line", () => {
    assert.equal(findKeyLine(text, "tsbroker.shutdown.timeout.ms"), 8);
  });

  test("missing keys have no line", () => {
    assert.equal(findKeyLine(text, "node.id"), undefined);
  });
});

describe("closestKey", () => {
  const known = ["num.partitions", "num.network.threads", "tsbroker.log.level"];
  test("typos, case and missing prefixes", () => {
    assert.equal(closestKey("num.partiton", known), "num.partitions");
    assert.equal(closestKey("NUM.PARTITIONS", known), "num.partitions");
    assert.equal(closestKey("log.level", known), "tsbroker.log.level");
    assert.equal(closestKey("zookeeper.connect", known), undefined);
  });
});
