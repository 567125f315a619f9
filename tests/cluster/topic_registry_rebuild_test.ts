/** Issue 17 case 7: a damaged, empty or missing topic registry is rebuilt from the partition directories, never emptied. */
import { afterEach, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { TopicRegistry } from "../../src/cluster/topic_registry.ts";
import { writePartitionMetadata } from "../../src/log/partition_metadata.ts";
import { Logger } from "../../src/util/logger.ts";

let dir: string;
const FILE = "__tsbroker_topics.msgpack";

function capture(): { log: Logger; warnings: string[] } {
  const warnings: string[] = [];
  const log = new Logger("test");
  log.warn = (m) => void warnings.push(m);
  log.info = () => {};
  return { log, warnings };
}

/** A registry with topics "orders" (3 partitions) and __consumer_offsets (2), their directories on disk. */
function populated(): { orders: string; offsets: string } {
  const registry = new TopicRegistry(dir, capture().log);
  const orders = registry.create("orders", 3, { "retention.ms": "1000" });
  const offsets = registry.create("__consumer_offsets", 2, { "cleanup.policy": "compact" });
  for (const t of [orders, offsets]) {
    for (let p = 0; p < t.partitions; p++) {
      const pdir = path.join(dir, `${t.name}-${p}`);
      fs.mkdirSync(pdir);
      writePartitionMetadata(pdir, t.topicId);
      fs.writeFileSync(path.join(pdir, "00000000000000000000.log"), new Uint8Array(100));
    }
  }
  return { orders: orders.topicId, offsets: offsets.topicId };
}

describe("TopicRegistry rebuild", () => {
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsbroker-registry-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (
    const [what, damage] of [
      ["deleted", (f: string) => fs.rmSync(f)],
      ["empty", (f: string) => fs.writeFileSync(f, "")],
      ["garbage", (f: string) => fs.writeFileSync(f, "not msgpack at all \u00ff\u00fe")],
      ["truncated", (f: string) => fs.writeFileSync(f, fs.readFileSync(f).subarray(0, 9))],
    ] as const
  ) {
    test(`a ${what} registry is rebuilt from the partition directories with the same ids (WARN)`, () => {
      const ids = populated();
      const file = path.join(dir, FILE);
      damage(file);
      const { log, warnings } = capture();
      const registry = new TopicRegistry(dir, log);
      assert.equal(registry.get("orders")?.topicId, ids.orders);
      assert.equal(registry.get("orders")?.partitions, 3);
      assert.equal(registry.get("__consumer_offsets")?.topicId, ids.offsets);
      assert.equal(registry.get("__consumer_offsets")?.configs["cleanup.policy"], "compact");
      assert.equal(registry.get("__consumer_offsets")?.internal, true);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0], new RegExp(`Topic registry ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} `));
      assert.match(warnings[0], /orders \(id .{22}, 3 partitions\)/);
      // Nothing was deleted: every partition directory is still there, a damaged file is kept aside.
      for (const p of [0, 1, 2]) assert.ok(fs.existsSync(path.join(dir, `orders-${p}`, "00000000000000000000.log")));
      if (what !== "deleted") {
        assert.equal(fs.readdirSync(dir).filter((n) => n.startsWith(`${FILE}.corrupt-`)).length, 1);
      }
      // The rebuilt registry was persisted: the next start reads it without warnings.
      const again = capture();
      assert.equal(new TopicRegistry(dir, again.log).get("orders")?.topicId, ids.orders);
      assert.deepEqual(again.warnings, []);
    });
  }

  test("a new log dir starts empty without a warning", () => {
    const { log, warnings } = capture();
    assert.deepEqual(new TopicRegistry(dir, log).list(), []);
    assert.deepEqual(warnings, []);
    assert.ok(!fs.existsSync(path.join(dir, FILE)));
  });

  test("a directory with damaged partition.metadata still counts for its topic", () => {
    const ids = populated();
    fs.writeFileSync(path.join(dir, "orders-2", "partition.metadata"), "version: 0\ntopic_id: ###\n");
    fs.rmSync(path.join(dir, FILE));
    const registry = new TopicRegistry(dir, capture().log);
    assert.equal(registry.get("orders")?.topicId, ids.orders);
    assert.equal(registry.get("orders")?.partitions, 3);
  });

  test("a registry from a newer tsbroker still stops start-up, naming the file", () => {
    populated();
    const file = path.join(dir, FILE);
    const bytes = fs.readFileSync(file);
    // msgpack map {version: 1, ...}: rewrite through the public format instead of patching bytes.
    fs.writeFileSync(file, bytes.map((b, i) => (i < 20 && b === 1 ? 9 : b)));
    assert.throws(() => new TopicRegistry(dir, capture().log), (e: Error) => e.message.includes(file));
  });
});
