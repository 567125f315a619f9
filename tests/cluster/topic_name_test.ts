/** Kafka's topic-name rules and the '.'/'_' collision rule. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { collidingTopic, topicNameProblem } from "../../src/cluster/topic_name.ts";

describe("topic names", () => {
  test("valid names", () => {
    for (const name of ["a", "my-topic", "my_topic.v2", "A".repeat(249), "...", "__consumer_offsets"]) {
      assert.equal(topicNameProblem(name), null, name);
    }
  });

  test("invalid names, with Kafka 3.9's messages", () => {
    assert.equal(topicNameProblem(""), "Topic name is invalid: the empty string is not allowed");
    assert.equal(topicNameProblem("."), "Topic name is invalid: '.' is not allowed");
    assert.equal(topicNameProblem(".."), "Topic name is invalid: '..' is not allowed");
    assert.match(topicNameProblem("x".repeat(250)) ?? "", /is longer than the max allowed length 249$/);
    for (const name of ["a b", "a/b", "tópico", "a:b", "a\nb"]) {
      assert.match(
        topicNameProblem(name) ?? "",
        /contains one or more characters other than ASCII alphanumerics/,
        name,
      );
    }
  });

  test("names that differ only by '.' and '_' collide", () => {
    assert.equal(collidingTopic("a.b", ["x", "a_b"]), "a_b");
    assert.equal(collidingTopic("a_b", ["a.b"]), "a.b");
    assert.equal(collidingTopic("a._b", ["a_.b"]), "a_.b");
    assert.equal(collidingTopic("a.b", ["a.b"]), null, "the same name is 'already exists', not a collision");
    assert.equal(collidingTopic("a-b", ["a_b", "a.b"]), null);
    assert.equal(collidingTopic("ab", ["a_b"]), null);
  });
});
