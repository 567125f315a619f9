import { test } from "node:test";
import assert from "node:assert/strict";
import { compileTopicRegex, TopicRegexMatcher } from "../../src/group/topic_regex.ts";

const matches = (source: string, name: string) => {
  const c = compileTopicRegex(source);
  assert.ok(c.ok, source);
  return c.regex.test(name);
};

test("patterns match whole topic names, as RE2/J's matches() does", () => {
  assert.ok(matches("orders-.*", "orders-eu"));
  assert.ok(!matches("orders", "orders-eu"));
  assert.ok(!matches("a|b", "ab"), "alternation is inside the anchors");
  assert.ok(matches("(?i)ORDERS", "orders"), "leading flags become RegExp flags");
  assert.ok(matches("(?P<region>eu|us)-orders", "eu-orders"), "RE2's named groups");
});

test("what RE2 refuses is refused, with a reason", () => {
  for (const source of ["(?=x).*", "(?!x).*", "(?<=x)y", "(a)\\1", "(?<n>a)\\k<n>", "orders-(", "[z-a]"]) {
    const c = compileTopicRegex(source);
    assert.ok(!c.ok, source);
    assert.ok(c.reason.length > 0 && !c.reason.includes("/^(?:"), `${source}: ${c.reason}`);
  }
  assert.ok(compileTopicRegex("a\\\\1").ok, "an escaped backslash then a digit is no backreference");
});

test("the matcher caches per pattern until the topic names change", () => {
  const m = new TopicRegexMatcher();
  m.refresh(["a-1", "a-2", "b"]);
  assert.deepEqual(m.match("a-.*"), ["a-1", "a-2"]);
  m.refresh(["a-1", "a-2", "b"]);
  assert.deepEqual(m.match("a-.*"), ["a-1", "a-2"]);
  m.refresh(["a-1", "a-2", "a-3", "b"]);
  assert.deepEqual(m.match("a-.*"), ["a-1", "a-2", "a-3"]);
});
