/**
 * The classic rebalance protocol's state machine (src/group/classic_group.ts)
 * against Kafka 3.9's behaviour: join/sync rounds, rebalances on leave and
 * session expiry, the initial delay, static membership, bad input and the
 * persisted record. Time is a manual clock and timers are a table the test
 * fires, so nothing depends on real time.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ClassicGroup, NEW_MEMBER_JOIN_TIMEOUT_MS } from "../../src/group/classic_group.ts";
import type { JoinGroupArgs, JoinGroupResult, SyncGroupArgs } from "../../src/group/group_ops.ts";
import type { GroupConfig, GroupEnv, GroupRecord, GroupTimers } from "../../src/group/types.ts";
import { ErrorCode } from "../../src/protocol/errors.ts";
import { Writer } from "../../src/protocol/io/writer.ts";
import {
  defaultConsumerProtocolSubscription,
  encodeConsumerProtocolSubscription,
} from "../../src/protocol/generated/consumer_protocol_subscription.ts";
import { Logger } from "../../src/util/logger.ts";

const GROUP = "g1";
const SESSION_MS = 10_000;
const REBALANCE_MS = 60_000;
const DELAY_MS = 3_000;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

class QuietLogger extends Logger {
  override info(): void {}
  override warn(): void {}
  override error(): void {}
  override debug(): void {}
}

/** GroupEnv with a manual clock, a timer table fired by advance(), and a recording persist. */
class FakeEnv implements GroupEnv {
  clock = 1_700_000_000_000;
  readonly table = new Map<string, { due: number; fn: () => void }>();
  readonly written: GroupRecord[][] = [];
  /** What persist resolves with. */
  persistCode: number = ErrorCode.NONE;
  /** When true, persist waits until release() is called. */
  hold = false;
  private held: Array<() => void> = [];
  readonly config: GroupConfig;
  readonly log = new QuietLogger("classic-test");
  readonly topics = { byName: () => undefined, byId: () => undefined, names: () => [] };
  readonly timers: GroupTimers = {
    set: (key, delayMs, fn) => void this.table.set(key, { due: this.clock + delayMs, fn }),
    clear: (key) => void this.table.delete(key),
  };

  constructor(overrides: Partial<GroupConfig> = {}) {
    this.config = {
      minSessionTimeoutMs: 6_000,
      maxSessionTimeoutMs: 1_800_000,
      initialRebalanceDelayMs: DELAY_MS,
      maxSize: 1000,
      offsetsRetentionMs: 7 * 24 * 3600_000,
      offsetMetadataMaxBytes: 4096,
      consumerSessionTimeoutMs: 45_000,
      consumerHeartbeatIntervalMs: 5_000,
      consumerMaxSize: 1000,
      consumerAssignors: ["uniform", "range"],
      ...overrides,
    };
  }

  now(): number {
    return this.clock;
  }

  persist(records: GroupRecord[]): Promise<number> {
    this.written.push(records);
    const code = this.persistCode;
    if (!this.hold) return Promise.resolve(code);
    return new Promise((resolve) => this.held.push(() => resolve(code)));
  }

  release(): void {
    const held = this.held;
    this.held = [];
    for (const r of held) r();
  }

  /** Moves the clock forward, firing due timers in due order (including ones they set). */
  advance(ms: number): void {
    const target = this.clock + ms;
    for (;;) {
      let next: [string, { due: number; fn: () => void }] | undefined;
      for (const entry of this.table) if (entry[1].due <= target && (!next || entry[1].due < next[1].due)) next = entry;
      if (!next) break;
      this.table.delete(next[0]);
      this.clock = Math.max(this.clock, next[1].due);
      next[1].fn();
    }
    this.clock = target;
  }

  fire(key: string): void {
    const t = this.table.get(key);
    assert.ok(t, `no timer ${JSON.stringify(key)}; have ${[...this.table.keys()].map((k) => JSON.stringify(k))}`);
    this.table.delete(key);
    t.fn();
  }

  lastClassicValue() {
    const last = this.written.at(-1);
    assert.ok(last && last.length === 1 && last[0].kind === "classic");
    return last[0].value;
  }
}

const sessionKey = (memberId: string) => `${GROUP}\u0000session\u0000${memberId}`;
const te = new TextEncoder();
const bytes = (s: string) => te.encode(s);

/** ConsumerProtocolSubscription bytes (version prefix + v1 body), as the Java consumer sends. */
function subscription(topics: string[]): Uint8Array {
  const w = new Writer();
  w.writeInt16(1);
  encodeConsumerProtocolSubscription(w, 1, { ...defaultConsumerProtocolSubscription(), topics });
  return w.finish().slice();
}

function joinArgs(over: Partial<JoinGroupArgs> = {}): JoinGroupArgs {
  return {
    groupId: GROUP,
    memberId: "",
    groupInstanceId: null,
    protocolType: "consumer",
    protocols: [{ name: "range", metadata: subscription(["t1"]) }],
    sessionTimeoutMs: SESSION_MS,
    rebalanceTimeoutMs: REBALANCE_MS,
    clientId: "client",
    clientHost: "/127.0.0.1",
    requireKnownMemberId: true,
    reason: null,
    ...over,
  };
}

function syncArgs(memberId: string, generationId: number, over: Partial<SyncGroupArgs> = {}): SyncGroupArgs {
  return {
    groupId: GROUP,
    generationId,
    memberId,
    groupInstanceId: null,
    protocolType: null,
    protocolName: null,
    assignments: [],
    ...over,
  };
}

/** Lets resolved promises run their continuations. */
async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

interface Tracked<T> {
  done: boolean;
  value: T | undefined;
  promise: Promise<T>;
}

function track<T>(promise: Promise<T>): Tracked<T> {
  const t: Tracked<T> = { done: false, value: undefined, promise };
  promise.then((v) => {
    t.done = true;
    t.value = v;
  });
  return t;
}

async function value<T>(t: Tracked<T>): Promise<T> {
  await flush();
  assert.ok(t.done, "expected the request to be answered");
  return t.value as T;
}

/**
 * Advances time in half-session steps while the given members heartbeat
 * (whatever the answer), as live clients do; returns the last codes seen.
 */
function advanceBeating(
  env: FakeEnv,
  group: ClassicGroup,
  ms: number,
  members: Array<{ id: string; instance?: string }>,
): number[] {
  let codes: number[] = [];
  for (let done = 0; done < ms;) {
    const step = Math.min(SESSION_MS / 2, ms - done);
    codes = members.map((m) =>
      group.heartbeat({
        groupId: GROUP,
        generationId: group.generation(),
        memberId: m.id,
        groupInstanceId: m.instance ?? null,
      })
    );
    env.advance(step);
    done += step;
  }
  return codes;
}

/** JoinGroup v4+ as a client does it: MEMBER_ID_REQUIRED, then join again with the given id (parked). */
async function joinNew(
  group: ClassicGroup,
  over: Partial<JoinGroupArgs> = {},
): Promise<{ id: string; join: Tracked<JoinGroupResult> }> {
  const first = await group.join(joinArgs(over));
  assert.equal(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
  const join = track(group.join(joinArgs({ ...over, memberId: first.memberId })));
  return { id: first.memberId, join };
}

/** A Stable group of `n` dynamic members (generation 1), leader first. */
async function stableGroup(env: FakeEnv, n: number, over: Partial<JoinGroupArgs> = {}) {
  const group = new ClassicGroup(GROUP, env);
  const joins: Array<{ id: string; join: Tracked<JoinGroupResult> }> = [];
  for (let i = 0; i < n; i++) joins.push(await joinNew(group, { clientId: `c${i}`, ...over }));
  env.advance(DELAY_MS * 2);
  const results = await Promise.all(joins.map((j) => value(j.join)));
  const leader = results[0].leader;
  const ids = [leader, ...results.map((r) => r.memberId).filter((id) => id !== leader)];
  const syncs = ids.map((id, i) =>
    track(group.sync(syncArgs(id, 1, {
      assignments: i === 0 ? ids.map((m) => ({ memberId: m, assignment: bytes(`assign-${m}`) })) : [],
    })))
  );
  for (const s of syncs) assert.equal((await value(s)).errorCode, ErrorCode.NONE);
  assert.equal(group.stateName(), "Stable");
  return { group, ids, leader };
}

describe("classic group: a join/sync round", () => {
  test("three members: MEMBER_ID_REQUIRED, one generation, leader gets the members, assignment persisted before anyone gets it", async () => {
    const env = new FakeEnv();
    const group = new ClassicGroup(GROUP, env);
    assert.equal(group.stateName(), "Empty");

    const first = await group.join(joinArgs({ clientId: "alpha" }));
    assert.equal(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
    assert.ok(first.memberId.startsWith("alpha-"));
    assert.match(first.memberId.slice("alpha-".length), UUID_RE);
    assert.equal(group.stateName(), "Empty", "a pending member does not start a rebalance");

    const a = track(group.join(joinArgs({ clientId: "alpha", memberId: first.memberId })));
    assert.equal(group.stateName(), "PreparingRebalance");
    const b = await joinNew(group, { clientId: "beta" });
    const c = await joinNew(group, { clientId: "gamma" });
    await flush();
    assert.ok(!a.done && !b.join.done && !c.join.done, "all parked during the initial delay");

    env.advance(DELAY_MS); // new members arrived: the delay is extended once
    await flush();
    assert.ok(!a.done);
    env.advance(DELAY_MS);
    const results = [await value(a), await value(b.join), await value(c.join)];
    assert.equal(group.stateName(), "CompletingRebalance");
    for (const r of results) {
      assert.equal(r.errorCode, ErrorCode.NONE);
      assert.equal(r.generationId, 1);
      assert.equal(r.protocolType, "consumer");
      assert.equal(r.protocolName, "range");
      assert.equal(r.leader, first.memberId);
    }
    assert.deepEqual(results.map((r) => r.members.length), [3, 0, 0]);
    assert.deepEqual(new Set(results[0].members.map((m) => m.memberId)), new Set([first.memberId, b.id, c.id]));
    assert.deepEqual(results[0].members[0].metadata, subscription(["t1"]));

    // Heartbeats are fine while waiting for the assignment.
    assert.equal(group.heartbeat({ groupId: GROUP, generationId: 1, memberId: b.id, groupInstanceId: null }), 0);

    env.hold = true;
    const sb = track(group.sync(syncArgs(b.id, 1)));
    const sc = track(group.sync(syncArgs(c.id, 1)));
    const assignments = [first.memberId, b.id, c.id].map((id) => ({ memberId: id, assignment: bytes(`for-${id}`) }));
    const sa = track(group.sync(syncArgs(first.memberId, 1, { assignments })));
    await flush();
    assert.ok(!sa.done && !sb.done && !sc.done, "nobody gets an assignment before it is written");
    const value1 = env.lastClassicValue()!;
    assert.equal(value1.generation, 1);
    assert.equal(value1.protocol, "range");
    assert.equal(value1.leader, first.memberId);
    assert.deepEqual(
      new Map(value1.members.map((m) => [m.memberId, new TextDecoder().decode(m.assignment)])),
      new Map([first.memberId, b.id, c.id].map((id) => [id, `for-${id}`])),
    );
    assert.equal(group.stateName(), "CompletingRebalance");

    env.release();
    for (const [t, id] of [[sa, first.memberId], [sb, b.id], [sc, c.id]] as const) {
      const r = await value(t);
      assert.equal(r.errorCode, ErrorCode.NONE);
      assert.equal(r.protocolType, "consumer");
      assert.equal(r.protocolName, "range");
      assert.deepEqual(r.assignment, bytes(`for-${id}`));
    }
    assert.equal(group.stateName(), "Stable");
    assert.equal(group.heartbeat({ groupId: GROUP, generationId: 1, memberId: c.id, groupInstanceId: null }), 0);

    const d = group.describe();
    assert.equal(d.groupState, "Stable");
    assert.equal(d.protocolType, "consumer");
    assert.equal(d.protocolData, "range");
    assert.equal(d.members.length, 3);
    const described = d.members.find((m) => m.memberId === b.id)!;
    assert.equal(described.clientId, "beta");
    assert.equal(described.clientHost, "/127.0.0.1");
    assert.deepEqual(described.memberMetadata, subscription(["t1"]));
    assert.deepEqual(described.memberAssignment, bytes(`for-${b.id}`));

    assert.equal(group.isSubscribedTo("t1"), true);
    assert.equal(group.isSubscribedTo("t2"), false);
    for (const key of env.table.keys()) assert.ok(key.startsWith(`${GROUP}\u0000`), `timer key ${key} is per group`);
  });

  test("the protocol is chosen by vote among those every member offers", async () => {
    const env = new FakeEnv();
    const group = new ClassicGroup(GROUP, env);
    const p = (...names: string[]) => names.map((name) => ({ name, metadata: subscription(["t1"]) }));
    const a = await joinNew(group, { protocols: p("range", "roundrobin", "sticky") });
    const b = await joinNew(group, { protocols: p("roundrobin", "range") });
    const c = await joinNew(group, { protocols: p("sticky", "roundrobin", "range") });
    env.advance(DELAY_MS * 2);
    for (const t of [a.join, b.join, c.join]) assert.equal((await value(t)).protocolName, "roundrobin");
  });

  test("JoinGroup v0–v3 (no requireKnownMemberId) adds the member at once", async () => {
    const env = new FakeEnv({ initialRebalanceDelayMs: 0 });
    const group = new ClassicGroup(GROUP, env);
    const j = track(group.join(joinArgs({ requireKnownMemberId: false })));
    env.advance(0);
    const r = await value(j);
    assert.equal(r.errorCode, ErrorCode.NONE);
    assert.equal(r.leader, r.memberId);
    assert.equal(r.generationId, 1);
  });

  test("a follower rejoining a Stable group unchanged gets the current generation; the leader rejoining rebalances", async () => {
    const env = new FakeEnv();
    const { group, ids, leader } = await stableGroup(env, 2);
    const follower = ids[1];
    const r = await group.join(joinArgs({ memberId: follower }));
    assert.equal(r.errorCode, ErrorCode.NONE);
    assert.equal(r.generationId, 1);
    assert.equal(r.leader, leader);
    assert.deepEqual(r.members, []);
    assert.equal(group.stateName(), "Stable");

    const lj = track(group.join(joinArgs({ memberId: leader })));
    assert.equal(group.stateName(), "PreparingRebalance");
    const fj = track(group.join(joinArgs({ memberId: follower })));
    const [lr, fr] = [await value(lj), await value(fj)];
    assert.equal(lr.generationId, 2);
    assert.equal(fr.generationId, 2);
    assert.equal(lr.members.length, 2);
    assert.equal(group.stateName(), "CompletingRebalance");
  });

  test("a member changing its metadata in a Stable group starts a rebalance", async () => {
    const env = new FakeEnv();
    const { group, ids } = await stableGroup(env, 2);
    const j = track(
      group.join(joinArgs({ memberId: ids[1], protocols: [{ name: "range", metadata: subscription(["t1", "t2"]) }] })),
    );
    assert.equal(group.stateName(), "PreparingRebalance");
    await flush();
    assert.ok(!j.done);
    assert.equal(
      group.heartbeat({ groupId: GROUP, generationId: 1, memberId: ids[0], groupInstanceId: null }),
      ErrorCode.REBALANCE_IN_PROGRESS,
    );
    const lj = track(group.join(joinArgs({ memberId: ids[0] })));
    assert.equal((await value(j)).generationId, 2);
    assert.equal((await value(lj)).generationId, 2);
  });
});

describe("classic group: leaving, session expiry, timeouts", () => {
  test("a member leaving rebalances the others; the last one leaving empties the group and persists it", async () => {
    const env = new FakeEnv();
    const { group, ids, leader } = await stableGroup(env, 3);
    const [, b, c] = ids;

    const left = await group.leave({
      groupId: GROUP,
      members: [{ memberId: c, groupInstanceId: null, reason: "bye" }, {
        memberId: "nobody",
        groupInstanceId: null,
        reason: null,
      }],
    });
    assert.equal(left.errorCode, ErrorCode.NONE);
    assert.deepEqual(left.members.map((m) => m.errorCode), [ErrorCode.NONE, ErrorCode.UNKNOWN_MEMBER_ID]);
    assert.equal(group.stateName(), "PreparingRebalance");
    assert.equal(
      group.heartbeat({ groupId: GROUP, generationId: 1, memberId: c, groupInstanceId: null }),
      ErrorCode.UNKNOWN_MEMBER_ID,
    );
    assert.equal(
      group.heartbeat({ groupId: GROUP, generationId: 1, memberId: b, groupInstanceId: null }),
      ErrorCode.REBALANCE_IN_PROGRESS,
    );
    assert.equal((await group.sync(syncArgs(b, 1))).errorCode, ErrorCode.REBALANCE_IN_PROGRESS);

    const ja = track(group.join(joinArgs({ memberId: leader })));
    const jb = track(group.join(joinArgs({ memberId: b })));
    const [ra, rb] = [await value(ja), await value(jb)];
    assert.equal(ra.generationId, 2, "all remaining members rejoined: no need to wait for the timeout");
    assert.equal(ra.members.length, 2);
    assert.equal(rb.leader, leader);

    const before = env.written.length;
    const stamp = group.stateTimestampMs();
    env.clock += 1234;
    const l2 = await group.leave({
      groupId: GROUP,
      members: [{ memberId: leader, groupInstanceId: null, reason: null }, {
        memberId: b,
        groupInstanceId: null,
        reason: null,
      }],
    });
    assert.deepEqual(l2.members.map((m) => m.errorCode), [0, 0]);
    assert.equal(group.stateName(), "Empty");
    assert.ok(group.isEmpty());
    assert.equal(group.stateTimestampMs(), stamp + 1234);
    assert.equal(env.written.length, before + 1);
    const empty = env.lastClassicValue()!;
    assert.equal(empty.generation, 3, "becoming Empty is a generation of its own");
    assert.deepEqual(empty.members, []);
    assert.equal(empty.leader, null);
    assert.equal(empty.protocol, null);
    assert.equal(empty.protocolType, "consumer");
    assert.equal(group.protocolType(), "consumer");
    assert.equal(group.isSubscribedTo("t1"), false);
    assert.equal(group.validateOffsetCommit("", null, -1, 8), ErrorCode.NONE);
  });

  test("a LeaveGroup that empties the group answers with the write's error when it fails", async () => {
    const env = new FakeEnv();
    const { group, ids } = await stableGroup(env, 1);
    env.persistCode = ErrorCode.NOT_COORDINATOR;
    const r = await group.leave({
      groupId: GROUP,
      members: [{ memberId: ids[0], groupInstanceId: null, reason: null }],
    });
    assert.equal(r.errorCode, ErrorCode.NOT_COORDINATOR);
  });

  test("session expiry removes the member and rebalances; heartbeats keep members alive", async () => {
    const env = new FakeEnv();
    const { group, ids } = await stableGroup(env, 3);
    const [a, b, c] = ids;
    advanceBeating(env, group, SESSION_MS - 1, [{ id: a }, { id: b }]);
    assert.equal(group.stateName(), "Stable");
    env.advance(1);
    assert.equal(group.stateName(), "PreparingRebalance", "c stopped heartbeating");
    assert.deepEqual(new Set(group.memberIds()), new Set([a, b]));
    assert.equal(
      group.heartbeat({ groupId: GROUP, generationId: 1, memberId: c, groupInstanceId: null }),
      ErrorCode.UNKNOWN_MEMBER_ID,
    );
    assert.equal(
      group.heartbeat({ groupId: GROUP, generationId: 1, memberId: a, groupInstanceId: null }),
      ErrorCode.REBALANCE_IN_PROGRESS,
    );
    const ja = track(group.join(joinArgs({ memberId: a })));
    const jb = track(group.join(joinArgs({ memberId: b })));
    assert.equal((await value(ja)).generationId, 2);
    assert.equal((await value(jb)).generationId, 2);
  });

  test("members that do not rejoin within the rebalance timeout are removed; the others complete", async () => {
    const env = new FakeEnv();
    const { group, ids } = await stableGroup(env, 3);
    const [a, b, c] = ids;
    const ja = track(group.join(joinArgs({ memberId: a })));
    // b and c stay alive (heartbeats say REBALANCE_IN_PROGRESS); only b rejoins, late.
    const codes = advanceBeating(env, group, REBALANCE_MS - 1, [{ id: b }, { id: c }]);
    assert.deepEqual(codes, [ErrorCode.REBALANCE_IN_PROGRESS, ErrorCode.REBALANCE_IN_PROGRESS]);
    const jb = track(group.join(joinArgs({ memberId: b })));
    await flush();
    assert.ok(!ja.done && !jb.done, "c has not rejoined");
    env.advance(1);
    const ra = await value(ja);
    assert.equal(ra.generationId, 2);
    assert.deepEqual(new Set(ra.members.map((m) => m.memberId)), new Set([a, b]));
    assert.equal((await value(jb)).errorCode, ErrorCode.NONE);
    assert.ok(!group.memberIds().includes(c));
    assert.equal(
      group.heartbeat({ groupId: GROUP, generationId: 1, memberId: c, groupInstanceId: null }),
      ErrorCode.UNKNOWN_MEMBER_ID,
    );
  });

  test("members that never send SyncGroup within the rebalance timeout are removed and the group rebalances", async () => {
    const env = new FakeEnv();
    const group = new ClassicGroup(GROUP, env);
    const a = await joinNew(group);
    const b = await joinNew(group);
    env.advance(DELAY_MS * 2);
    const ra = await value(a.join);
    await value(b.join);
    const leader = ra.leader;
    const follower = leader === a.id ? b.id : a.id;
    const s = track(group.sync(syncArgs(leader, 1, { assignments: [{ memberId: leader, assignment: bytes("x") }] })));
    assert.equal((await value(s)).errorCode, ErrorCode.NONE);
    assert.equal(group.stateName(), "Stable");
    // The follower heartbeats (so its session holds) but never syncs.
    advanceBeating(env, group, REBALANCE_MS - 1, [{ id: leader }, { id: follower }]);
    assert.equal(group.stateName(), "Stable");
    env.advance(1);
    assert.equal(group.stateName(), "PreparingRebalance");
    assert.deepEqual(group.memberIds(), [leader]);
    assert.equal(
      group.heartbeat({ groupId: GROUP, generationId: 1, memberId: follower, groupInstanceId: null }),
      ErrorCode.UNKNOWN_MEMBER_ID,
    );
    assert.equal(
      group.heartbeat({ groupId: GROUP, generationId: 1, memberId: leader, groupInstanceId: null }),
      ErrorCode.REBALANCE_IN_PROGRESS,
    );
  });

  test("a pending member (MEMBER_ID_REQUIRED) that never joins is forgotten after its session timeout", async () => {
    const env = new FakeEnv();
    const { group, ids } = await stableGroup(env, 1);
    const pending = await group.join(joinArgs());
    assert.equal(pending.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
    // The leader rejoins: the pending id blocks completion until it expires.
    const j = track(group.join(joinArgs({ memberId: ids[0] })));
    await flush();
    assert.ok(!j.done);
    env.fire(sessionKey(pending.memberId));
    const r = await value(j);
    assert.equal(r.generationId, 2);
    assert.equal(r.members.length, 1);
    const late = await group.join(joinArgs({ memberId: pending.memberId }));
    assert.equal(late.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  });

  test("a new member whose JoinGroup stays parked past the new-member timeout is dropped with UNKNOWN_MEMBER_ID", async () => {
    const env = new FakeEnv();
    const long = NEW_MEMBER_JOIN_TIMEOUT_MS * 2; // a rebalance timeout longer than the new-member timeout
    const { group, ids } = await stableGroup(env, 1, { rebalanceTimeoutMs: long });
    const n = await joinNew(group, { rebalanceTimeoutMs: long });
    assert.equal(group.stateName(), "PreparingRebalance");
    // The leader stays alive but does not rejoin yet.
    advanceBeating(env, group, NEW_MEMBER_JOIN_TIMEOUT_MS, [{ id: ids[0] }]);
    const r = await value(n.join);
    assert.equal(r.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(r.memberId, "");
    assert.deepEqual(group.memberIds(), [ids[0]]);
    const lj = track(group.join(joinArgs({ memberId: ids[0], rebalanceTimeoutMs: long })));
    const lr = await value(lj);
    assert.equal(lr.generationId, 2);
    assert.deepEqual(lr.members.map((m) => m.memberId), [ids[0]]);
  });

  test("group.initial.rebalance.delay.ms: extended by new joins, never beyond the rebalance timeout", async () => {
    const env = new FakeEnv({ initialRebalanceDelayMs: 3000 });
    const group = new ClassicGroup(GROUP, env);
    const a = await joinNew(group, { rebalanceTimeoutMs: 5000 });
    env.advance(1000);
    const b = await joinNew(group, { rebalanceTimeoutMs: 5000 });
    env.advance(3000); // t=4000: the delay was extended at t=3000 by what remains (2000)
    const c = await joinNew(group, { rebalanceTimeoutMs: 5000 });
    env.advance(999);
    await flush();
    assert.ok(!a.join.done && !b.join.done && !c.join.done, "still in the initial delay at t=4999");
    env.advance(1);
    const r = await value(a.join);
    assert.equal(r.generationId, 1);
    assert.equal((await value(c.join)).errorCode, ErrorCode.NONE);
    assert.equal(group.memberIds().length, 3);
  });

  test("group.initial.rebalance.delay.ms: a lone member completes after exactly the delay", async () => {
    const env = new FakeEnv({ initialRebalanceDelayMs: 3000 });
    const group = new ClassicGroup(GROUP, env);
    const a = await joinNew(group);
    env.advance(2999);
    await flush();
    assert.ok(!a.join.done);
    env.advance(1);
    assert.equal((await value(a.join)).generationId, 1);
  });

  test("group.max.size turns away members beyond the limit", async () => {
    const env = new FakeEnv({ maxSize: 2 });
    const { group } = await stableGroup(env, 2);
    const r = await group.join(joinArgs());
    assert.equal(r.errorCode, ErrorCode.GROUP_MAX_SIZE_REACHED);
    assert.equal(r.memberId, "");
    assert.equal(group.stateName(), "Stable");
  });
});

describe("classic group: static membership (KIP-345)", () => {
  async function staticGroup(env: FakeEnv) {
    const group = new ClassicGroup(GROUP, env);
    const j1 = track(group.join(joinArgs({ groupInstanceId: "i1", clientId: "s1" })));
    const j2 = track(group.join(joinArgs({ groupInstanceId: "i2", clientId: "s2" })));
    env.advance(DELAY_MS * 2);
    const [r1, r2] = [await value(j1), await value(j2)];
    assert.equal(r1.errorCode, ErrorCode.NONE, "static members skip MEMBER_ID_REQUIRED");
    assert.ok(r1.memberId.startsWith("i1-"), "static member ids start with the instance id");
    const leader = r1.leader;
    const assignments = [r1, r2].map((r) => ({ memberId: r.memberId, assignment: bytes(`for-${r.memberId}`) }));
    const s1 = track(
      group.sync(syncArgs(leader, 1, { groupInstanceId: leader === r1.memberId ? "i1" : "i2", assignments })),
    );
    const other = leader === r1.memberId ? r2 : r1;
    const s2 = track(group.sync(syncArgs(other.memberId, 1, { groupInstanceId: other === r1 ? "i1" : "i2" })));
    assert.equal((await value(s1)).errorCode, 0);
    assert.equal((await value(s2)).errorCode, 0);
    return { group, m1: r1.memberId, m2: r2.memberId, leader };
  }

  test("a rejoin with a new member id replaces the old one without a rebalance; the old id is fenced", async () => {
    const env = new FakeEnv();
    const { group, m1, leader } = await staticGroup(env);
    const before = env.written.length;
    const r = await group.join(joinArgs({ groupInstanceId: "i1", clientId: "s1" }));
    assert.equal(r.errorCode, ErrorCode.NONE);
    assert.notEqual(r.memberId, m1);
    assert.equal(r.generationId, 1, "no rebalance");
    assert.equal(r.leader, leader, "the leader as it was");
    assert.deepEqual(r.members, []);
    assert.equal(group.stateName(), "Stable");
    assert.equal(env.written.length, before + 1, "the new member id is persisted");
    assert.ok(env.lastClassicValue()!.members.some((m) => m.memberId === r.memberId && m.groupInstanceId === "i1"));

    assert.equal(
      group.heartbeat({ groupId: GROUP, generationId: 1, memberId: m1, groupInstanceId: "i1" }),
      ErrorCode.FENCED_INSTANCE_ID,
    );
    assert.equal(
      (await group.sync(syncArgs(m1, 1, { groupInstanceId: "i1" }))).errorCode,
      ErrorCode.FENCED_INSTANCE_ID,
    );
    assert.equal(group.validateOffsetCommit(m1, "i1", 1, 8), ErrorCode.FENCED_INSTANCE_ID);
    const s = await group.sync(syncArgs(r.memberId, 1, { groupInstanceId: "i1" }));
    assert.equal(s.errorCode, ErrorCode.NONE);
    assert.deepEqual(s.assignment, bytes(`for-${m1}`), "the new id keeps the old one's assignment");
    assert.equal(group.heartbeat({ groupId: GROUP, generationId: 1, memberId: r.memberId, groupInstanceId: "i1" }), 0);
    assert.equal(group.validateOffsetCommit(r.memberId, "i1", 1, 8), ErrorCode.NONE);
    if (leader === m1) assert.equal(group.leader(), r.memberId, "the replaced leader's role moves to the new id");
  });

  test("when persisting the replacement fails, the old member id stays", async () => {
    const env = new FakeEnv();
    const { group, m1 } = await staticGroup(env);
    env.persistCode = ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const r = await group.join(joinArgs({ groupInstanceId: "i1", clientId: "s1" }));
    assert.equal(r.errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE);
    assert.equal(r.memberId, "");
    assert.ok(group.memberIds().includes(m1));
    assert.equal(group.heartbeat({ groupId: GROUP, generationId: 1, memberId: m1, groupInstanceId: "i1" }), 0);
  });

  test("a parked old member id is fenced when its instance rejoins during a rebalance", async () => {
    const env = new FakeEnv();
    const { group, m1, m2 } = await staticGroup(env);
    const old = track(
      group.join(
        joinArgs({
          memberId: m1,
          groupInstanceId: "i1",
          protocols: [{ name: "range", metadata: subscription(["t2"]) }],
        }),
      ),
    );
    assert.equal(group.stateName(), "PreparingRebalance");
    const fresh = track(group.join(joinArgs({ groupInstanceId: "i1", clientId: "s1" })));
    const ro = await value(old);
    assert.equal(ro.errorCode, ErrorCode.FENCED_INSTANCE_ID);
    const j2 = track(group.join(joinArgs({ memberId: m2, groupInstanceId: "i2" })));
    const [rf, r2] = [await value(fresh), await value(j2)];
    assert.equal(rf.generationId, 2);
    assert.equal(r2.generationId, 2);
    assert.ok(rf.memberId.startsWith("i1-") && rf.memberId !== m1);
  });

  test("a static member that does not rejoin keeps its place at the end of the join phase", async () => {
    const env = new FakeEnv();
    const { group, m1, m2 } = await staticGroup(env);
    const j1 = track(
      group.join(
        joinArgs({
          memberId: m1,
          groupInstanceId: "i1",
          protocols: [{ name: "range", metadata: subscription(["t2"]) }],
        }),
      ),
    );
    // m2 stays alive but does not rejoin: a dynamic member would be dropped here.
    advanceBeating(env, group, REBALANCE_MS, [{ id: m2, instance: "i2" }]);
    const r1 = await value(j1);
    assert.equal(r1.generationId, 2);
    assert.deepEqual(new Set(group.memberIds()), new Set([m1, m2]));
    assert.equal(
      group.heartbeat({ groupId: GROUP, generationId: 2, memberId: m2, groupInstanceId: "i2" }),
      ErrorCode.NONE,
    );
  });

  test("LeaveGroup by instance id removes the static member; a wrong member id for an instance is fenced", async () => {
    const env = new FakeEnv();
    const { group, m1, m2 } = await staticGroup(env);
    const r = await group.leave({
      groupId: GROUP,
      members: [
        { memberId: "", groupInstanceId: "i2", reason: "admin" },
        { memberId: "someone-else", groupInstanceId: "i1", reason: null },
        { memberId: "", groupInstanceId: "i9", reason: null },
      ],
    });
    assert.equal(r.errorCode, ErrorCode.NONE);
    assert.deepEqual(r.members.map((m) => m.errorCode), [
      ErrorCode.NONE,
      ErrorCode.FENCED_INSTANCE_ID,
      ErrorCode.UNKNOWN_MEMBER_ID,
    ]);
    assert.deepEqual(r.members.map((m) => m.groupInstanceId), ["i2", "i1", "i9"]);
    assert.deepEqual(group.memberIds(), [m1]);
    assert.ok(!group.memberIds().includes(m2));
    assert.equal(group.stateName(), "PreparingRebalance");
  });
});

describe("classic group: bad input gets Kafka's errors and the group carries on", () => {
  test("heartbeat from an unknown member, stale generation, wrong instance id", async () => {
    const env = new FakeEnv();
    const { group, ids } = await stableGroup(env, 2);
    const hb = (memberId: string, generationId: number, groupInstanceId: string | null = null) =>
      group.heartbeat({ groupId: GROUP, generationId, memberId, groupInstanceId });
    assert.equal(hb("ghost", 1), ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(hb(ids[1], 0), ErrorCode.ILLEGAL_GENERATION);
    assert.equal(hb(ids[1], 2), ErrorCode.ILLEGAL_GENERATION);
    assert.equal(hb(ids[1], 1, "not-static"), ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(hb(ids[1], 1), ErrorCode.NONE);
    assert.equal(group.stateName(), "Stable");
  });

  test("SyncGroup: stale generation, unknown member, v5 protocol type or name mismatch", async () => {
    const env = new FakeEnv();
    const { group, ids } = await stableGroup(env, 2);
    assert.equal((await group.sync(syncArgs(ids[1], 0))).errorCode, ErrorCode.ILLEGAL_GENERATION);
    assert.equal((await group.sync(syncArgs("ghost", 1))).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(
      (await group.sync(syncArgs(ids[1], 1, { protocolType: "connect" }))).errorCode,
      ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
    );
    assert.equal(
      (await group.sync(syncArgs(ids[1], 1, { protocolName: "roundrobin" }))).errorCode,
      ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
    );
    const ok = await group.sync(syncArgs(ids[1], 1, { protocolType: "consumer", protocolName: "range" }));
    assert.equal(ok.errorCode, ErrorCode.NONE);
    assert.deepEqual(ok.assignment, bytes(`assign-${ids[1]}`));
    assert.equal(group.stateName(), "Stable");
  });

  test("a SyncGroup from a non-leader carrying assignments is ignored; the leader's assignment wins", async () => {
    const env = new FakeEnv();
    const group = new ClassicGroup(GROUP, env);
    const a = await joinNew(group);
    const b = await joinNew(group);
    env.advance(DELAY_MS * 2);
    const leader = (await value(a.join)).leader;
    await value(b.join);
    const follower = leader === a.id ? b.id : a.id;
    const bogus = [{ memberId: follower, assignment: bytes("mine-all-mine") }, {
      memberId: leader,
      assignment: bytes("nothing"),
    }];
    const fs = track(group.sync(syncArgs(follower, 1, { assignments: bogus })));
    await flush();
    assert.ok(!fs.done, "the follower waits for the leader");
    assert.equal(env.written.length, 0, "nothing persisted from a follower");
    assert.equal(group.stateName(), "CompletingRebalance");
    const real = [{ memberId: follower, assignment: bytes("f") }, { memberId: leader, assignment: bytes("l") }];
    const ls = await group.sync(syncArgs(leader, 1, { assignments: real }));
    assert.deepEqual(ls.assignment, bytes("l"));
    assert.deepEqual((await value(fs)).assignment, bytes("f"));
    assert.equal(group.stateName(), "Stable");
    // In Stable, a follower's assignments are ignored too.
    const again = await group.sync(syncArgs(follower, 1, { assignments: bogus }));
    assert.deepEqual(again.assignment, bytes("f"));
    assert.equal(group.heartbeat({ groupId: GROUP, generationId: 1, memberId: follower, groupInstanceId: null }), 0);
  });

  test("a member the leader leaves out gets an empty assignment", async () => {
    const env = new FakeEnv();
    const group = new ClassicGroup(GROUP, env);
    const a = await joinNew(group);
    const b = await joinNew(group);
    env.advance(DELAY_MS * 2);
    const leader = (await value(a.join)).leader;
    await value(b.join);
    const follower = leader === a.id ? b.id : a.id;
    const fs = track(group.sync(syncArgs(follower, 1)));
    await group.sync(syncArgs(leader, 1, { assignments: [{ memberId: leader, assignment: bytes("l") }] }));
    const r = await value(fs);
    assert.equal(r.errorCode, ErrorCode.NONE);
    assert.equal(r.assignment.length, 0);
  });

  test("JoinGroup: unsupported protocol type, no common protocol, empty type or protocols, bad session timeout, unknown member", async () => {
    const env = new FakeEnv();
    const { group, ids } = await stableGroup(env, 2);
    const expectJoin = async (over: Partial<JoinGroupArgs>, code: number) => {
      const r = await group.join(joinArgs(over));
      assert.equal(r.errorCode, code, JSON.stringify(over, (_k, v) => v instanceof Uint8Array ? "bytes" : v));
      return r;
    };
    await expectJoin({ protocolType: "connect" }, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    await expectJoin(
      { protocols: [{ name: "roundrobin", metadata: bytes("") }] },
      ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
    );
    await expectJoin({ memberId: ids[1], protocolType: "connect" }, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    await expectJoin({ sessionTimeoutMs: 5_999 }, ErrorCode.INVALID_SESSION_TIMEOUT);
    await expectJoin({ sessionTimeoutMs: 1_800_001 }, ErrorCode.INVALID_SESSION_TIMEOUT);
    await expectJoin({ memberId: "ghost" }, ErrorCode.UNKNOWN_MEMBER_ID);
    await expectJoin({ memberId: ids[1], groupInstanceId: "nope" }, ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(group.stateName(), "Stable");
    assert.equal(group.heartbeat({ groupId: GROUP, generationId: 1, memberId: ids[0], groupInstanceId: null }), 0);

    const empty = new ClassicGroup("g2", env);
    for (const over of [{ protocolType: "" }, { protocols: [] }]) {
      const r = await empty.join(joinArgs({ ...over, groupId: "g2" }));
      assert.equal(r.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }
    assert.equal(empty.stateName(), "Empty");
  });

  test("a failed assignment write answers every SyncGroup with the error and rebalances", async () => {
    const env = new FakeEnv();
    const group = new ClassicGroup(GROUP, env);
    const a = await joinNew(group);
    const b = await joinNew(group);
    env.advance(DELAY_MS * 2);
    const leader = (await value(a.join)).leader;
    await value(b.join);
    const follower = leader === a.id ? b.id : a.id;
    env.persistCode = ErrorCode.NOT_COORDINATOR;
    const fs = track(group.sync(syncArgs(follower, 1)));
    const ls = await group.sync(syncArgs(leader, 1, { assignments: [{ memberId: leader, assignment: bytes("l") }] }));
    assert.equal(ls.errorCode, ErrorCode.NOT_COORDINATOR);
    assert.equal((await value(fs)).errorCode, ErrorCode.NOT_COORDINATOR);
    assert.equal(group.stateName(), "PreparingRebalance");
    env.persistCode = ErrorCode.NONE;
    const ja = track(group.join(joinArgs({ memberId: a.id })));
    const jb = track(group.join(joinArgs({ memberId: b.id })));
    assert.equal((await value(ja)).generationId, 2);
    assert.equal((await value(jb)).generationId, 2);
  });

  test("a join during CompletingRebalance sends parked SyncGroups back with REBALANCE_IN_PROGRESS", async () => {
    const env = new FakeEnv();
    const group = new ClassicGroup(GROUP, env);
    const a = await joinNew(group);
    const b = await joinNew(group);
    env.advance(DELAY_MS * 2);
    const leader = (await value(a.join)).leader;
    await value(b.join);
    const follower = leader === a.id ? b.id : a.id;
    const fs = track(group.sync(syncArgs(follower, 1)));
    const c = await joinNew(group);
    assert.equal((await value(fs)).errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
    assert.equal(group.stateName(), "PreparingRebalance");
    const rejoins = [a.id, b.id].map((id) => track(group.join(joinArgs({ memberId: id }))));
    assert.equal((await value(c.join)).generationId, 2);
    for (const j of rejoins) assert.equal((await value(j)).generationId, 2);
  });
});

describe("classic group: offsets, records, shutdown", () => {
  test("validateOffsetCommit follows Kafka", async () => {
    const env = new FakeEnv();
    const empty = new ClassicGroup(GROUP, env);
    assert.equal(empty.validateOffsetCommit("", null, -1, 8), ErrorCode.NONE);
    assert.equal(empty.validateOffsetCommit("someone", null, 1, 8), ErrorCode.UNKNOWN_MEMBER_ID);

    const group = new ClassicGroup(GROUP, env);
    const a = await joinNew(group);
    env.advance(DELAY_MS);
    await value(a.join);
    assert.equal(group.stateName(), "CompletingRebalance");
    assert.equal(group.validateOffsetCommit(a.id, null, 1, 8), ErrorCode.REBALANCE_IN_PROGRESS);
    await group.sync(syncArgs(a.id, 1, { assignments: [{ memberId: a.id, assignment: bytes("x") }] }));
    assert.equal(group.validateOffsetCommit(a.id, null, 1, 8), ErrorCode.NONE);
    assert.equal(group.validateOffsetCommit(a.id, null, 0, 8), ErrorCode.ILLEGAL_GENERATION);
    assert.equal(group.validateOffsetCommit("ghost", null, 1, 8), ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(
      group.validateOffsetCommit("", null, -1, 8),
      ErrorCode.UNKNOWN_MEMBER_ID,
      "only members commit to a live group",
    );
    assert.equal(group.validateOffsetFetch(null, -1), ErrorCode.NONE);
    group.shutdown();
    assert.equal(group.validateOffsetCommit(a.id, null, 1, 8), ErrorCode.COORDINATOR_NOT_AVAILABLE);
  });

  test("toRecord / fromRecord round trip: Stable with session timers, which expire into an empty group", async () => {
    const env = new FakeEnv();
    const { group, ids, leader } = await stableGroup(env, 2);
    const record = group.toRecord();
    assert.equal(record.generation, 1);
    assert.equal(record.leader, leader);
    assert.equal(record.currentStateTimestamp, BigInt(group.stateTimestampMs()));

    const env2 = new FakeEnv();
    const loaded = ClassicGroup.fromRecord(GROUP, record, env2);
    assert.equal(loaded.stateName(), "Stable");
    assert.equal(loaded.generation(), 1);
    assert.equal(loaded.leader(), leader);
    assert.equal(loaded.protocolType(), "consumer");
    assert.equal(loaded.stateTimestampMs(), group.stateTimestampMs());
    assert.deepEqual(loaded.toRecord(), record);
    assert.deepEqual(loaded.describe(), group.describe());
    assert.equal(loaded.isSubscribedTo("t1"), true);
    for (const id of ids) assert.ok(env2.table.has(sessionKey(id)), "session timers run after loading");

    // A member syncing after the restart gets its assignment back.
    const s = await loaded.sync(syncArgs(ids[1], 1));
    assert.deepEqual(s.assignment, bytes(`assign-${ids[1]}`));

    // Nobody comes back: sessions expire, the join phase times out, the group is empty.
    env2.advance(REBALANCE_MS + SESSION_MS);
    assert.equal(loaded.stateName(), "Empty");
    assert.equal(env2.lastClassicValue()!.generation, 2);
  });

  test("fromRecord of an empty group, and of a record without a state timestamp", () => {
    const env = new FakeEnv();
    const g = ClassicGroup.fromRecord(GROUP, {
      protocolType: "consumer",
      generation: 7,
      protocol: null,
      leader: null,
      currentStateTimestamp: -1n,
      members: [],
    }, env);
    assert.equal(g.stateName(), "Empty");
    assert.equal(g.generation(), 7);
    assert.equal(g.stateTimestampMs(), -1);
    assert.equal(g.isSubscribedTo("t1"), false);
    assert.equal(env.table.size, 0);
    const other = ClassicGroup.fromRecord(GROUP, {
      protocolType: "",
      generation: 0,
      protocol: null,
      leader: null,
      currentStateTimestamp: 5n,
      members: [],
    }, env);
    assert.equal(other.protocolType(), "");
    assert.equal(other.isSubscribedTo("t1"), undefined);
  });

  test("isSubscribedTo is undefined for other protocol types and unparsable subscriptions", async () => {
    const env = new FakeEnv();
    const connect = new ClassicGroup(GROUP, env);
    const j = track(
      connect.join(
        joinArgs({
          protocolType: "connect",
          requireKnownMemberId: false,
          protocols: [{ name: "v1", metadata: bytes("x") }],
        }),
      ),
    );
    env.advance(DELAY_MS);
    await value(j);
    assert.equal(connect.isSubscribedTo("t1"), undefined);

    const junk = new ClassicGroup(GROUP, env);
    const k = track(
      junk.join(joinArgs({ requireKnownMemberId: false, protocols: [{ name: "range", metadata: bytes("\u0000") }] })),
    );
    env.advance(DELAY_MS);
    await value(k);
    assert.equal(junk.isSubscribedTo("t1"), undefined);
  });

  test("describe shows metadata and the protocol only while Stable", async () => {
    const env = new FakeEnv();
    const group = new ClassicGroup(GROUP, env);
    const a = await joinNew(group, { clientId: "x" });
    env.advance(DELAY_MS);
    await value(a.join);
    const d = group.describe();
    assert.equal(d.groupState, "CompletingRebalance");
    assert.equal(d.protocolData, "");
    assert.equal(d.members[0].memberMetadata.length, 0);
    assert.equal(d.members[0].clientId, "x");
  });

  test("shutdown fails parked JoinGroup and SyncGroup callers with NOT_COORDINATOR and clears timers", async () => {
    const env = new FakeEnv();
    const group = new ClassicGroup(GROUP, env);
    const a = await joinNew(group);
    const b = await joinNew(group);
    env.advance(DELAY_MS * 2);
    const leader = (await value(a.join)).leader;
    await value(b.join);
    const follower = leader === a.id ? b.id : a.id;
    const fs = track(group.sync(syncArgs(follower, 1)));
    const c = await joinNew(group); // sends the parked sync back and parks c's join
    assert.equal((await value(fs)).errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
    group.shutdown();
    assert.equal((await value(c.join)).errorCode, ErrorCode.NOT_COORDINATOR);
    assert.equal(group.stateName(), "Dead");
    assert.equal(env.table.size, 0, "no timer left");
    assert.equal(
      group.heartbeat({ groupId: GROUP, generationId: 1, memberId: leader, groupInstanceId: null }),
      ErrorCode.COORDINATOR_NOT_AVAILABLE,
    );
    assert.equal((await group.join(joinArgs())).errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE);
    assert.equal((await group.sync(syncArgs(leader, 1))).errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE);
    assert.equal((await group.leave({ groupId: GROUP, members: [] })).errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE);
    assert.equal(group.validateOffsetFetch(null, -1), ErrorCode.GROUP_ID_NOT_FOUND);
  });

  test("shutdown while a SyncGroup waits for the leader answers it with NOT_COORDINATOR", async () => {
    const env = new FakeEnv();
    const group = new ClassicGroup(GROUP, env);
    const a = await joinNew(group);
    const b = await joinNew(group);
    env.advance(DELAY_MS * 2);
    const leader = (await value(a.join)).leader;
    await value(b.join);
    const fs = track(group.sync(syncArgs(leader === a.id ? b.id : a.id, 1)));
    group.shutdown();
    assert.equal((await value(fs)).errorCode, ErrorCode.NOT_COORDINATOR);
  });
});
