/**
 * KIP-848 regex subscriptions (ConsumerGroupHeartbeat v1's
 * SubscribedTopicRegex) and v1's client-made member ids.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ConsumerGroup } from "../../src/group/consumer_group.ts";
import { ErrorCode } from "../../src/protocol/errors.ts";
import { beatArgs, Client, count, FakeEnv, joinArgs, ok, setup } from "./_consumer_group.ts";

describe("ConsumerGroup: regex subscriptions (v1)", () => {
  const regexJoin = (memberId: string, regex: string, names: string[] | null = null) => ({
    memberId,
    apiVersion: 1,
    subscribedTopicNames: names,
    subscribedTopicRegex: regex,
  });

  test("a member follows every topic whose whole name matches, and new matching topics", async () => {
    const env = new FakeEnv();
    const a1 = env.topic("orders-a", 2);
    env.topic("orders", 1); // "orders-.*" must match the whole name
    env.topic("other", 1);
    const group = new ConsumerGroup("g", env);
    const a = new Client(group, regexJoin("client-made-id", "orders-.*"));
    const r = await a.join();
    assert.equal(r.memberId, "client-made-id", "a v1 member keeps the id it made");
    assert.deepEqual(r.assignment, [{ topicId: a1.topicId, partitions: [0, 1] }]);
    assert.ok(group.isSubscribedTo("orders-a") && !group.isSubscribedTo("orders"));
    assert.equal(group.describe().members[0].subscribedTopicRegex, "orders-.*");

    const b1 = env.topic("orders-b", 1);
    group.onTopicsChanged();
    await group.settled();
    const r2 = await a.beat();
    assert.equal(r2.memberEpoch, 2);
    const expected = [{ topicId: a1.topicId, partitions: [0, 1] }, { topicId: b1.topicId, partitions: [0] }]
      .sort((x, y) => x.topicId.localeCompare(y.topicId));
    assert.deepEqual(a.owned.sort((x, y) => x.topicId.localeCompare(y.topicId)), expected);
  });

  test("names and a regex together subscribe to both; an empty regex drops the regex", async () => {
    const env = new FakeEnv();
    const x = env.topic("x", 1);
    const y = env.topic("y-1", 1);
    const group = new ConsumerGroup("g", env);
    const a = new Client(group, regexJoin("m1", "y-\\d+", ["x"]));
    const r = await a.join();
    assert.equal(count(r.assignment), 2);
    const dropped = ok(await group.heartbeat(beatArgs("m1", 1, a.owned, { apiVersion: 1, subscribedTopicRegex: "" })));
    assert.equal(dropped.memberEpoch, 1, "y-1 must be revoked first");
    assert.deepEqual(dropped.assignment, [{ topicId: x.topicId, partitions: [0] }]);
    assert.ok(!group.isSubscribedTo(y.name));
  });

  test("a pattern that does not compile gets INVALID_REGULAR_EXPRESSION; no names and no regex is refused", async () => {
    const { group } = setup(1);
    const bad = await group.heartbeat(joinArgs(regexJoin("m1", "orders-(")));
    assert.equal(bad.errorCode, ErrorCode.INVALID_REGULAR_EXPRESSION);
    assert.match(bad.errorMessage!, /^SubscribedTopicRegex `orders-\(` is not a valid regular expression: .+\.$/);
    const lookahead = await group.heartbeat(joinArgs(regexJoin("m1", "(?=orders).*")));
    assert.equal(
      lookahead.errorMessage,
      "SubscribedTopicRegex `(?=orders).*` is not a valid regular expression: " +
        "invalid or unsupported Perl syntax.",
    );
    const none = await group.heartbeat(joinArgs({ memberId: "m1", apiVersion: 1, subscribedTopicNames: null }));
    assert.equal(none.errorCode, ErrorCode.INVALID_REQUEST);
    assert.equal(group.describe().members.length, 0);
  });
});
