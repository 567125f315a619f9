/** Kafka's precedence between the log keys that may be unset: retention, roll, jitter and flush time. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadConfig } from "../../src/config/load.ts";
import {
  effectiveFlushMs,
  effectiveRetentionMs,
  effectiveRollJitterMs,
  effectiveRollMs,
} from "../../src/config/log_settings.ts";
import { assertMentions, loadError } from "./helpers.ts";

const HOUR = 3_600_000;

describe("effective log settings", () => {
  test("defaults: 7 days retention and roll, no jitter, no time-based flush", () => {
    const cfg = loadConfig();
    assert.equal(effectiveRetentionMs(cfg), 168 * HOUR);
    assert.equal(effectiveRollMs(cfg), 168 * HOUR);
    assert.equal(effectiveRollJitterMs(cfg), 0);
    assert.equal(effectiveFlushMs(cfg), Number.MAX_SAFE_INTEGER);
  });

  test("retention: ms > minutes > hours", () => {
    assert.equal(effectiveRetentionMs(loadConfig({ overrides: ["log.retention.hours=2"] })), 2 * HOUR);
    const minutes = loadConfig({ overrides: ["log.retention.hours=2", "log.retention.minutes=5"] });
    assert.equal(effectiveRetentionMs(minutes), 5 * 60_000);
    const ms = loadConfig({ overrides: ["log.retention.hours=2", "log.retention.minutes=5", "log.retention.ms=1234"] });
    assert.equal(effectiveRetentionMs(ms), 1234);
  });

  test("retention: -1 at the deciding level means no limit; 0 is a real (immediate) limit", () => {
    assert.equal(effectiveRetentionMs(loadConfig({ overrides: ["log.retention.hours=-1"] })), -1);
    assert.equal(effectiveRetentionMs(loadConfig({ overrides: ["log.retention.minutes=-1"] })), -1);
    assert.equal(effectiveRetentionMs(loadConfig({ overrides: ["log.retention.ms=-1"] })), -1);
    // A set log.retention.ms wins even over an unlimited hours value.
    assert.equal(
      effectiveRetentionMs(loadConfig({ overrides: ["log.retention.hours=-1", "log.retention.ms=10"] })),
      10,
    );
    assert.equal(effectiveRetentionMs(loadConfig({ overrides: ["log.retention.ms=0"] })), 0);
  });

  test("roll and jitter: ms wins over hours", () => {
    const cfg = loadConfig({ text: '"log.roll.hours" = 3\n"log.roll.jitter.hours" = 1\n' });
    assert.equal(effectiveRollMs(cfg), 3 * HOUR);
    assert.equal(effectiveRollJitterMs(cfg), HOUR);
    const ms = loadConfig({ overrides: ["log.roll.hours=3", "log.roll.ms=500", "log.roll.jitter.ms=7"] });
    assert.equal(effectiveRollMs(ms), 500);
    assert.equal(effectiveRollJitterMs(ms), 7);
  });

  test("flush: log.flush.interval.ms, else log.flush.scheduler.interval.ms", () => {
    assert.equal(effectiveFlushMs(loadConfig({ overrides: ["log.flush.scheduler.interval.ms=2000"] })), 2000);
    const both = loadConfig({ overrides: ["log.flush.scheduler.interval.ms=2000", "log.flush.interval.ms=0"] });
    assert.equal(effectiveFlushMs(both), 0);
  });
});

describe("log key ranges", () => {
  test("Kafka's minimums are enforced with the key named", () => {
    assertMentions(loadError(undefined, ["log.segment.bytes=13"]).message, "log.segment.bytes", "≥ 14");
    assertMentions(loadError(undefined, ["log.roll.ms=0"]).message, "log.roll.ms", "≥ 1");
    assertMentions(loadError(undefined, ["fetch.max.bytes=1000"]).message, "fetch.max.bytes", "≥ 1024");
    assertMentions(loadError(undefined, ["log.retention.ms=-2"]).message, "-1 (no time limit)");
    assertMentions(loadError(undefined, ["log.index.size.max.bytes=3"]).message, "log.index.size.max.bytes");
  });

  test("timestamp type is an enum, accepted in any case and stored canonically", () => {
    const cfg = loadConfig({ overrides: ["log.message.timestamp.type=logappendtime"] });
    assert.equal(cfg["log.message.timestamp.type"], "LogAppendTime");
    assertMentions(loadError(undefined, ["log.message.timestamp.type=Now"]).message, "CreateTime, LogAppendTime");
  });

  test("the durable-mode switch is a boolean extension, off by default", () => {
    assert.equal(loadConfig()["tsbroker.fsync.acks.all"], false);
    assert.equal(loadConfig({ text: "[tsbroker.fsync.acks]\nall = true\n" })["tsbroker.fsync.acks.all"], true);
    assertMentions(loadError(undefined, ["fsync.acks.all=true"]).message, 'did you mean "tsbroker.fsync.acks.all"');
  });
});
