/** The topic registry: create, look up by name and id, add partitions, delete, and survive a restart. */
import { afterEach, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { TopicRegistry } from "../../src/cluster/topic_registry.ts";

let dir: string;

describe("TopicRegistry", () => {
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsbroker-registry-"));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("create, get, byId, list", () => {
    const registry = new TopicRegistry(dir);
    const a = registry.create("a", 3, { "retention.ms": "1000" });
    const b = registry.create("__consumer_offsets", 1);
    assert.equal(a.topicId.length, 22);
    assert.notEqual(a.topicId, b.topicId);
    assert.equal(registry.get("a"), a);
    assert.equal(registry.byId(a.topicId), a);
    assert.equal(registry.byId("AAAAAAAAAAAAAAAAAAAAAA"), undefined);
    assert.equal(b.internal, true);
    assert.equal(a.internal, false);
    assert.deepEqual(registry.list().map((t) => t.name), ["a", "__consumer_offsets"]);
    assert.throws(() => registry.create("a", 1), /already exists/);
    assert.throws(() => registry.create("z", 0), /invalid partition count/);
  });

  test("addPartitions only grows, returns a new image and leaves the old one untouched", () => {
    const registry = new TopicRegistry(dir);
    const before = registry.create("t", 2);
    const after = registry.addPartitions("t", 5);
    assert.equal(after.partitions, 5);
    assert.equal(after.topicId, before.topicId);
    assert.equal(before.partitions, 2, "published images are not mutated");
    assert.equal(registry.get("t"), after);
    assert.equal(registry.byId(before.topicId), after);
    assert.throws(() => registry.addPartitions("t", 5), /must be higher/);
    assert.throws(() => registry.addPartitions("t", 4), /must be higher/);
    assert.throws(() => registry.addPartitions("missing", 4), /does not exist/);
  });

  test("delete removes the name and the id, and returns the image", () => {
    const registry = new TopicRegistry(dir);
    const t = registry.create("t", 1);
    assert.deepEqual(registry.delete("t"), t);
    assert.equal(registry.get("t"), undefined);
    assert.equal(registry.byId(t.topicId), undefined);
    assert.throws(() => registry.delete("t"), /does not exist/);
    // A topic re-created under the same name gets a new id, as in Kafka.
    assert.notEqual(registry.create("t", 1).topicId, t.topicId);
  });

  test("every change is persisted", () => {
    const first = new TopicRegistry(dir);
    const kept = first.create("kept", 1, { "segment.bytes": "1024" });
    first.create("gone", 1);
    first.addPartitions("kept", 4);
    first.delete("gone");
    const second = new TopicRegistry(dir);
    assert.deepEqual(second.list(), [{ ...kept, partitions: 4 }]);
    assert.equal(second.byId(kept.topicId)?.name, "kept");
  });

  test("a failed write leaves the registry unchanged", () => {
    const registry = new TopicRegistry(dir);
    registry.create("t", 1);
    fs.rmSync(dir, { recursive: true, force: true }); // the directory vanishes: the atomic write must fail
    assert.throws(() => registry.create("u", 1));
    assert.throws(() => registry.addPartitions("t", 2));
    assert.throws(() => registry.delete("t"));
    assert.deepEqual(registry.list().map((t) => [t.name, t.partitions]), [["t", 1]]);
  });
});
