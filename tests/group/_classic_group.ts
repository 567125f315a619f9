/**
 * What the classic group's unit tests share (classic_group*_test.ts): a
 * GroupEnv with a manual clock and a timer table the test fires, request
 * builders, and the steps a client takes (join with MEMBER_ID_REQUIRED, a
 * Stable group of n members).
 */
import assert from "node:assert/strict";
import { ClassicGroup } from "../../src/group/classic_group.ts";
import type { JoinGroupArgs, JoinGroupResult, SyncGroupArgs } from "../../src/group/group_ops.ts";
import type { GroupConfig, GroupEnv, GroupRecord, GroupTimers } from "../../src/group/types.ts";
import { ErrorCode } from "../../src/protocol/errors.ts";
import { Writer } from "../../src/protocol/io/writer.ts";
import {
  defaultConsumerProtocolSubscription,
  encodeConsumerProtocolSubscription,
} from "../../src/protocol/generated/consumer_protocol_subscription.ts";
import { Logger } from "../../src/util/logger.ts";

export const GROUP = "g1";
export const SESSION_MS = 10_000;
export const REBALANCE_MS = 60_000;
export const DELAY_MS = 3_000;
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class QuietLogger extends Logger {
  override info(): void {}
  override warn(): void {}
  override error(): void {}
  override debug(): void {}
}

/** GroupEnv with a manual clock, a timer table fired by advance(), and a recording persist. */
export class FakeEnv implements GroupEnv {
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

export const sessionKey = (memberId: string) => `${GROUP}\u0000session\u0000${memberId}`;
export const te = new TextEncoder();
export const bytes = (s: string) => te.encode(s);

/** ConsumerProtocolSubscription bytes (version prefix + v1 body), as the Java consumer sends. */
export function subscription(topics: string[]): Uint8Array {
  const w = new Writer();
  w.writeInt16(1);
  encodeConsumerProtocolSubscription(w, 1, { ...defaultConsumerProtocolSubscription(), topics });
  return w.finish().slice();
}

export function joinArgs(over: Partial<JoinGroupArgs> = {}): JoinGroupArgs {
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

export function syncArgs(memberId: string, generationId: number, over: Partial<SyncGroupArgs> = {}): SyncGroupArgs {
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
export async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

export interface Tracked<T> {
  done: boolean;
  value: T | undefined;
  promise: Promise<T>;
}

export function track<T>(promise: Promise<T>): Tracked<T> {
  const t: Tracked<T> = { done: false, value: undefined, promise };
  promise.then((v) => {
    t.done = true;
    t.value = v;
  });
  return t;
}

export async function value<T>(t: Tracked<T>): Promise<T> {
  await flush();
  assert.ok(t.done, "expected the request to be answered");
  return t.value as T;
}

/**
 * Advances time in half-session steps while the given members heartbeat
 * (whatever the answer), as live clients do; returns the last codes seen.
 */
export function advanceBeating(
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
export async function joinNew(
  group: ClassicGroup,
  over: Partial<JoinGroupArgs> = {},
): Promise<{ id: string; join: Tracked<JoinGroupResult> }> {
  const first = await group.join(joinArgs(over));
  assert.equal(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
  const join = track(group.join(joinArgs({ ...over, memberId: first.memberId })));
  return { id: first.memberId, join };
}

/** A Stable group of `n` dynamic members (generation 1), leader first. */
export async function stableGroup(env: FakeEnv, n: number, over: Partial<JoinGroupArgs> = {}) {
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
