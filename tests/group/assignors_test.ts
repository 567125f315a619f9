/** KIP-848 server assignors: uniform (balance, stickiness, heterogeneous subscriptions) and range (Kafka's ranges). */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  type AssignorMember,
  pairsOf,
  type PartitionAssignor,
  partitionCount,
  type PartitionMap,
  partitionMapOf,
} from "../../src/group/assignors/assignor.ts";
import { uniformAssignor } from "../../src/group/assignors/uniform.ts";
import { rangeAssignor } from "../../src/group/assignors/range.ts";

function member(
  memberId: string,
  topics: string[],
  assignment: Record<string, number[]> = {},
  instanceId: string | null = null,
): AssignorMember {
  const pairs: Array<[string, number]> = [];
  for (const [t, ps] of Object.entries(assignment)) for (const p of ps) pairs.push([t, p]);
  return { memberId, instanceId, rackId: null, subscribedTopicIds: topics, assignment: partitionMapOf(pairs) };
}

function plain(map: PartitionMap | undefined): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [t, ps] of map ?? new Map()) out[t] = [...ps];
  return out;
}

/** Every partition of a subscribed topic is assigned exactly once, only to subscribers. */
function assertValid(members: AssignorMember[], topics: Map<string, number>, result: Map<string, PartitionMap>) {
  const owners = new Map<string, string>();
  for (const m of members) {
    const got = result.get(m.memberId);
    assert.ok(got, `a target for ${m.memberId}`);
    for (const [t, p] of pairsOf(got)) {
      assert.ok(m.subscribedTopicIds.includes(t), `${m.memberId} got ${t} it does not subscribe to`);
      assert.ok(p < (topics.get(t) ?? 0), `${t}-${p} exists`);
      const key = `${t}-${p}`;
      assert.equal(owners.get(key), undefined, `${key} assigned twice`);
      owners.set(key, m.memberId);
    }
  }
  const subscribed = new Set(members.flatMap((m) => m.subscribedTopicIds));
  for (const [t, n] of topics) {
    if (!subscribed.has(t)) continue;
    for (let p = 0; p < n; p++) assert.ok(owners.has(`${t}-${p}`), `${t}-${p} unassigned`);
  }
}

/** Kafka's balance criterion: no partition can move to another subscriber of its topic holding 2+ fewer. */
function assertBalanced(members: AssignorMember[], result: Map<string, PartitionMap>) {
  const load = (id: string) => partitionCount(result.get(id)!);
  for (const m of members) {
    for (const [t] of pairsOf(result.get(m.memberId)!)) {
      for (const other of members) {
        if (other.subscribedTopicIds.includes(t)) {
          assert.ok(
            load(m.memberId) <= load(other.memberId) + 1,
            `${t} could move from ${m.memberId} to ${other.memberId}`,
          );
        }
      }
    }
  }
}

function sizes(result: Map<string, PartitionMap>): number[] {
  return [...result.values()].map(partitionCount);
}

/** Partitions of `before` that a member no longer has in `after`. */
function moved(before: AssignorMember[], after: Map<string, PartitionMap>): number {
  let n = 0;
  for (const m of before) {
    for (const [t, p] of pairsOf(m.assignment)) if (!after.get(m.memberId)?.get(t)?.includes(p)) n++;
  }
  return n;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe("uniform assignor", () => {
  const A: PartitionAssignor = uniformAssignor;

  test("homogeneous: everything assigned, sizes differ by at most one", () => {
    const topics = new Map([["t1", 6], ["t2", 4]]);
    const members = ["a", "b", "c"].map((id) => member(id, ["t1", "t2"]));
    const r = A.assign(members, topics);
    assertValid(members, topics, r);
    assert.ok(Math.max(...sizes(r)) - Math.min(...sizes(r)) <= 1);
  });

  test("no members, no topics", () => {
    assert.equal(A.assign([], new Map([["t", 3]])).size, 0);
    const r = A.assign([member("a", [])], new Map([["t", 3]]));
    assert.equal(partitionCount(r.get("a")!), 0);
  });

  test("a member joins: the others keep what they had and give up only the surplus", () => {
    const topics = new Map([["t", 6]]);
    const before = [member("a", ["t"], { t: [0, 1, 2] }), member("b", ["t"], { t: [3, 4, 5] })];
    const r = A.assign([...before, member("c", ["t"])], topics);
    assertValid([...before, member("c", ["t"])], topics, r);
    assert.deepEqual(sizes(r), [2, 2, 2]);
    assert.equal(moved(before, r), 2); // the minimum: c needs 2
    for (const m of before) {
      for (const p of r.get(m.memberId)!.get("t")!) assert.ok(m.assignment.get("t")!.includes(p));
    }
  });

  test("a member leaves: the rest keep theirs and share its partitions", () => {
    const topics = new Map([["t", 7]]);
    const before = [member("a", ["t"], { t: [0, 1] }), member("b", ["t"], { t: [2, 3] })];
    const r = A.assign(before, topics); // c (4,5,6) left
    assertValid(before, topics, r);
    assert.equal(moved(before, r), 0);
    assert.deepEqual(sizes(r).sort(), [3, 4]);
  });

  test("the member already holding the most keeps the extra slot", () => {
    const topics = new Map([["t", 5]]);
    const before = [member("a", ["t"], { t: [0, 1] }), member("b", ["t"], { t: [2, 3, 4] })];
    const r = A.assign(before, topics);
    assert.equal(moved(before, r), 0);
  });

  test("same answer whatever the input order, and across calls", () => {
    const topics = new Map([["t1", 5], ["t2", 3]]);
    const ms = [
      member("c", ["t1", "t2"], { t1: [4] }),
      member("a", ["t1", "t2"]),
      member("b", ["t1", "t2"], { t2: [0] }),
    ];
    const r1 = A.assign(ms, topics);
    const r2 = A.assign([...ms].reverse(), topics);
    for (const m of ms) assert.deepEqual(plain(r1.get(m.memberId)), plain(r2.get(m.memberId)));
  });

  test("heterogeneous subscriptions: only subscribed topics, balanced by Kafka's criterion", () => {
    const topics = new Map([["t1", 3], ["t2", 3], ["t3", 2]]);
    const ms = [member("a", ["t1", "t2"]), member("b", ["t2"]), member("c", ["t2", "t3"])];
    const r = A.assign(ms, topics);
    assertValid(ms, topics, r);
    assertBalanced(ms, r);
    assert.ok([...r.get("b")!.keys()].every((t) => t === "t2"));
  });

  test("heterogeneous: sticky when nothing changed", () => {
    const topics = new Map([["t1", 4], ["t2", 2]]);
    const first = A.assign([member("a", ["t1", "t2"]), member("b", ["t1"])], topics);
    const again = [member("a", ["t1", "t2"], plain(first.get("a"))), member("b", ["t1"], plain(first.get("b")))];
    const r = A.assign(again, topics);
    assert.equal(moved(again, r), 0);
  });

  test("topics missing from the metadata are ignored, and their old partitions dropped", () => {
    const topics = new Map([["t1", 2]]);
    const ms = [member("a", ["t1", "gone"], { gone: [0], t1: [0] }), member("b", ["t1", "ghost"])];
    const r = A.assign(ms, topics);
    assertValid(ms, topics, r);
    assert.equal(r.get("a")!.has("gone"), false);
    assert.deepEqual(sizes(r), [1, 1]);
    assert.deepEqual(plain(r.get("a")), { t1: [0] });
  });

  test("a partition claimed twice in the previous targets is kept by one member only", () => {
    const topics = new Map([["t", 2]]);
    const ms = [member("a", ["t"], { t: [0] }), member("b", ["t"], { t: [0] })];
    const r = A.assign(ms, topics);
    assertValid(ms, topics, r);
  });

  test("random groups: always valid, balanced, and sticky when re-run on its own output", () => {
    for (let seed = 1; seed <= 60; seed++) {
      const rand = rng(seed);
      const topics = new Map<string, number>();
      const nTopics = 1 + Math.floor(rand() * 4);
      for (let i = 0; i < nTopics; i++) topics.set(`t${i}`, 1 + Math.floor(rand() * 8));
      const nMembers = 1 + Math.floor(rand() * 6);
      const homogeneous = rand() < 0.5;
      const all = [...topics.keys()];
      const ms: AssignorMember[] = [];
      for (let i = 0; i < nMembers; i++) {
        const subs = homogeneous ? all : all.filter(() => rand() < 0.6);
        const prev: Record<string, number[]> = {};
        for (const t of subs) if (rand() < 0.3) prev[t] = [Math.floor(rand() * topics.get(t)!)];
        ms.push(member(`m${i}`, subs.length > 0 ? subs : [all[0]], prev));
      }
      const r = A.assign(ms, topics);
      assertValid(ms, topics, r);
      assertBalanced(ms, r);
      if (ms.every((m) => m.subscribedTopicIds.length === all.length)) {
        assert.ok(Math.max(...sizes(r)) - Math.min(...sizes(r)) <= 1, `seed ${seed}`);
      }
      const again = ms.map((m) => ({ ...m, assignment: r.get(m.memberId)! }));
      assert.equal(moved(again, A.assign(again, topics)), 0, `seed ${seed}: stable input moves nothing`);
    }
  });
});

describe("range assignor", () => {
  const R: PartitionAssignor = rangeAssignor;

  test("Kafka's example: co-partitioned contiguous ranges", () => {
    const topics = new Map([["t1", 3], ["t2", 3]]);
    const r = R.assign([member("m1", ["t1", "t2"]), member("m0", ["t1", "t2"])], topics);
    assert.deepEqual(plain(r.get("m0")), { t1: [0, 1], t2: [0, 1] });
    assert.deepEqual(plain(r.get("m1")), { t1: [2], t2: [2] });
  });

  test("static members first, in instance id order", () => {
    const topics = new Map([["t", 4]]);
    const r = R.assign([member("a", ["t"]), member("z", ["t"], {}, "i1"), member("y", ["t"], {}, "i2")], topics);
    assert.deepEqual(plain(r.get("z")), { t: [0, 1] });
    assert.deepEqual(plain(r.get("y")), { t: [2] });
    assert.deepEqual(plain(r.get("a")), { t: [3] });
  });

  test("heterogeneous: each topic split among its own subscribers", () => {
    const topics = new Map([["t1", 4], ["t2", 2]]);
    const ms = [member("a", ["t1", "t2"]), member("b", ["t1"]), member("c", ["t2"])];
    const r = R.assign(ms, topics);
    assertValid(ms, topics, r);
    assert.deepEqual(plain(r.get("a")), { t1: [0, 1], t2: [0] });
    assert.deepEqual(plain(r.get("b")), { t1: [2, 3] });
    assert.deepEqual(plain(r.get("c")), { t2: [1] });
  });

  test("more members than partitions: the last get nothing", () => {
    const topics = new Map([["t", 2]]);
    const ms = ["a", "b", "c"].map((id) => member(id, ["t"]));
    const r = R.assign(ms, topics);
    assertValid(ms, topics, r);
    assert.equal(partitionCount(r.get("c")!), 0);
  });

  test("topics missing from the metadata are ignored", () => {
    const topics = new Map([["t", 2]]);
    const ms = [member("a", ["t", "gone"]), member("b", ["gone"])];
    const r = R.assign(ms, topics);
    assertValid(ms, topics, r);
    assert.deepEqual(plain(r.get("a")), { t: [0, 1] });
    assert.deepEqual(plain(r.get("b")), {});
  });
});
