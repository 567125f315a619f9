/** Kafka's offset checkpoint files and the clean-shutdown marker in a log dir. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  checkpointKey,
  parseCheckpointKey,
  readCheckpoint,
  RECOVERY_POINT_CHECKPOINT,
  writeCheckpoint,
} from "../../src/log/checkpoint_file.ts";
import {
  CLEAN_SHUTDOWN_FILE,
  consumeCleanShutdownMarker,
  writeCleanShutdownMarker,
} from "../../src/log/clean_shutdown.ts";

function withDir(fn: (dir: string) => void): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsbroker-ckpt-"));
  try {
    fn(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("offset checkpoint files", () => {
  test("round trip in Kafka's text layout, sorted by topic and partition", () =>
    withDir((dir) => {
      const file = path.join(dir, RECOVERY_POINT_CHECKPOINT);
      const entries = new Map([
        [checkpointKey("orders.v2-eu_west", 10), 9_007_199_254_740_993n],
        [checkpointKey("orders.v2-eu_west", 2), 0n],
        [checkpointKey("a", 0), 1200n],
      ]);
      writeCheckpoint(file, entries);
      assert.equal(
        fs.readFileSync(file, "utf8"),
        "0\n3\na 0 1200\norders.v2-eu_west 2 0\norders.v2-eu_west 10 9007199254740993\n",
      );
      assert.deepEqual(readCheckpoint(file), entries);
      assert.deepEqual(parseCheckpointKey(checkpointKey("x-1", 3)), { topic: "x-1", partition: 3 });
      assert.equal(fs.existsSync(`${file}.tmp`), false);
      // The same file from a list of entries.
      writeCheckpoint(file, [
        { topic: "orders.v2-eu_west", partition: 10, offset: 9_007_199_254_740_993n },
        { topic: "a", partition: 0, offset: 1200n },
        { topic: "orders.v2-eu_west", partition: 2, offset: 0n },
      ]);
      assert.deepEqual(readCheckpoint(file), entries);
      writeCheckpoint(file, new Map());
      assert.equal(fs.readFileSync(file, "utf8"), "0\n0\n");
      assert.equal(readCheckpoint(file).size, 0);
    }));

  test("a missing file, an empty file or a lone version line read as no entries (as in Kafka)", () =>
    withDir((dir) => {
      const file = path.join(dir, "log-start-offset-checkpoint");
      assert.equal(readCheckpoint(file).size, 0);
      fs.writeFileSync(file, "");
      assert.equal(readCheckpoint(file).size, 0);
      fs.writeFileSync(file, "0\n");
      assert.equal(readCheckpoint(file).size, 0);
    }));

  test("a file written by Kafka (no trailing newline, CRLF) reads", () =>
    withDir((dir) => {
      const file = path.join(dir, "c");
      fs.writeFileSync(file, "0\r\n2\r\nt 0 5\r\nt 1 -1");
      assert.deepEqual(readCheckpoint(file), new Map([[checkpointKey("t", 0), 5n], [checkpointKey("t", 1), -1n]]));
    }));

  const malformed: Array<[string, string, RegExp]> = [
    ["1\n0\n", "unknown version", /line 1 .*unsupported version 1/],
    ["x\n", "version not a number", /line 1 .*expected the version number/],
    ["0\nmany\n", "bad count", /line 2 .*expected the entry count/],
    ["0\n2\nt 0 5\n", "fewer entries than declared", /declares 2 entries but has 1/],
    ["0\n1\nt 0 5\nt 1 6\n", "more entries than declared", /declares 1 entries but has 2/],
    ["0\n1\nt 0\n", "missing field", /line 3 .*expected 'topic partition offset'/],
    ["0\n1\nt 0 5 7\n", "extra field", /line 3 .*expected 'topic partition offset'/],
    ["0\n1\nt -1 5\n", "negative partition", /line 3 .*invalid partition -1/],
    ["0\n1\nt 0 5x\n", "bad offset", /line 3 .*invalid offset 5x/],
    ["0\n1\nt 0 99999999999999999999\n", "offset beyond int64", /line 3 .*out of range/],
    ["0\n1\nt/x 0 5\n", "bad topic", /line 3 .*invalid topic name/],
    ["0\n2\nt 0 5\n\n", "blank line", /line 4 .*expected 'topic partition offset'/],
  ];
  for (const [content, what, message] of malformed) {
    test(`malformed content throws naming the file and line: ${what}`, () =>
      withDir((dir) => {
        const file = path.join(dir, RECOVERY_POINT_CHECKPOINT);
        fs.writeFileSync(file, content);
        assert.throws(() => readCheckpoint(file), (e: Error) => {
          assert.ok(e.message.includes(file), e.message);
          assert.match(e.message, message);
          return true;
        });
      }));
  }

  test("writing refuses keys that the format cannot hold", () =>
    withDir((dir) => {
      const file = path.join(dir, "c");
      assert.throws(() => writeCheckpoint(file, new Map([[checkpointKey("has space", 0), 1n]])), /cannot checkpoint/);
      assert.throws(() => writeCheckpoint(file, new Map([["no-separator", 1n]])), /not a checkpoint key/);
      assert.equal(fs.existsSync(file), false);
    }));
});

describe("clean shutdown marker", () => {
  test("written with Kafka's JSON content, consumed once", () =>
    withDir((dir) => {
      assert.equal(consumeCleanShutdownMarker(dir), false);
      writeCleanShutdownMarker(dir);
      const file = path.join(dir, CLEAN_SHUTDOWN_FILE);
      assert.equal(CLEAN_SHUTDOWN_FILE, ".kafka_cleanshutdown");
      assert.deepEqual(JSON.parse(fs.readFileSync(file, "utf8")), { version: "0", broker_epoch: "-1" });
      assert.equal(consumeCleanShutdownMarker(dir), true);
      assert.equal(fs.existsSync(file), false);
      // A crash after start-up finds no marker: unclean.
      assert.equal(consumeCleanShutdownMarker(dir), false);
      writeCleanShutdownMarker(dir, 42n);
      assert.deepEqual(JSON.parse(fs.readFileSync(file, "utf8")), { version: "0", broker_epoch: "42" });
    }));

  test("a marker Kafka wrote (any content) counts as clean", () =>
    withDir((dir) => {
      fs.writeFileSync(path.join(dir, CLEAN_SHUTDOWN_FILE), "");
      assert.equal(consumeCleanShutdownMarker(dir), true);
    }));
});
