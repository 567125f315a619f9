import { afterEach, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { LOG_RATE_LIMIT, Logger, setLoggerLevels, setLogLevel } from "../../src/util/logger.ts";

let lines: string[] = [];
const original = { error: console.error, log: console.log };
beforeEach(() => {
  lines = [];
  console.error = (s: string) => lines.push(s);
  console.log = (s: string) => lines.push(s);
});
afterEach(() => {
  console.error = original.error;
  console.log = original.log;
});

test("limited writes at most N lines per key and interval, then one summary", () => {
  let now = 0;
  const log = new Logger("t", () => now);
  for (let i = 0; i < 100_000; i++) log.limited("warn", "bad frame", `Closing connection ${i}: bad frame`);
  assert.equal(lines.length, LOG_RATE_LIMIT.lines);
  log.limited("warn", "other", "a different kind of line is not suppressed");
  assert.equal(lines.length, LOG_RATE_LIMIT.lines + 1);
  now += LOG_RATE_LIMIT.intervalMs;
  log.flushSuppressed();
  assert.match(lines.at(-1)!, /WARN \[t\] Suppressed 99990 similar lines \(bad frame\)/);
  log.limited("warn", "bad frame", "a new interval writes again");
  assert.match(lines.at(-1)!, /a new interval writes again/);
});

test("the summary also comes with the key's next line after the interval", () => {
  let now = 0;
  const log = new Logger("t", () => now);
  for (let i = 0; i < LOG_RATE_LIMIT.lines + 5; i++) log.limited("info", "k", "x");
  now += LOG_RATE_LIMIT.intervalMs + 1;
  log.limited("info", "k", "next");
  assert.deepEqual(lines.slice(-2).map((l) => l.replace(/^\S+ /, "")), [
    "INFO [t] Suppressed 5 similar lines (k) in the last 10 s",
    "INFO [t] next",
  ]);
});

test("the plain methods are unchanged", () => {
  const log = new Logger("t");
  log.warn("w");
  log.info("i");
  assert.equal(lines.length, 2);
  assert.match(lines[0], /WARN \[t\] w$/);
});

test("a logger with a level of its own keeps it; the others follow root (BROKER_LOGGER)", () => {
  const a = new Logger("handler-0");
  const b = new Logger("handler-1");
  try {
    setLoggerLevels({ root: "WARN", "handler-1": "TRACE" });
    a.info("a info");
    a.warn("a warn");
    b.debug("b debug");
    assert.equal(b.debugEnabled, true, "TRACE shows what DEBUG shows");
    assert.equal(a.debugEnabled, false);
    setLoggerLevels({ root: "FATAL" });
    a.error("a error");
    b.error("b error");
    assert.deepEqual(lines.map((l) => l.replace(/^\S+ /, "")), [
      "WARN [handler-0] a warn",
      "DEBUG [handler-1] b debug",
    ], "FATAL shows none of tsbroker's lines, and handler-1 follows root again once its own level is gone");
  } finally {
    setLoggerLevels({ root: "INFO" });
    setLogLevel("info");
  }
});
