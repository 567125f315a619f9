/**
 * A fake GroupEnv (manual clock, timers fired by the test, persist recording)
 * and a client-like member for the KIP-848 consumer group tests.
 */
import assert from "node:assert/strict";
import { ConsumerGroup } from "../../src/group/consumer_group.ts";
import type { ConsumerHeartbeatArgs, ConsumerHeartbeatResult } from "../../src/group/group_ops.ts";
import type { GroupConfig, GroupEnv, GroupRecord, TopicInfo } from "../../src/group/types.ts";
import { ErrorCode } from "../../src/protocol/errors.ts";
import { Logger } from "../../src/util/logger.ts";

export class QuietLogger extends Logger {
  override info(): void {}
  override debug(): void {}
  override warn(): void {}
}

export const SESSION_MS = 45_000;
export const HEARTBEAT_MS = 5_000;
export const REBALANCE_MS = 30_000;

export class FakeEnv implements GroupEnv {
  clock = 1_000;
  readonly timerTable = new Map<string, { at: number; fn: () => void }>();
  readonly written: GroupRecord[][] = [];
  /** The next persist answers this error instead of writing. */
  failNextPersist = 0;
  readonly topicTable = new Map<string, TopicInfo>();
  config: GroupConfig = {
    minSessionTimeoutMs: 6_000,
    maxSessionTimeoutMs: 1_800_000,
    initialRebalanceDelayMs: 0,
    maxSize: 1000,
    offsetsRetentionMs: 7 * 24 * 3600_000,
    offsetMetadataMaxBytes: 4096,
    consumerSessionTimeoutMs: SESSION_MS,
    consumerHeartbeatIntervalMs: HEARTBEAT_MS,
    consumerMaxSize: 100,
    consumerAssignors: ["uniform", "range"],
  };
  log = new QuietLogger("test");
  timers = {
    set: (key: string, delayMs: number, fn: () => void) =>
      void this.timerTable.set(key, { at: this.clock + delayMs, fn }),
    clear: (key: string) => void this.timerTable.delete(key),
  };
  topics = {
    byName: (name: string) => this.topicTable.get(name),
    byId: (id: string) => [...this.topicTable.values()].find((t) => t.topicId === id),
    names: () => [...this.topicTable.keys()].sort(),
  };
  now = () => this.clock;
  persist = (records: GroupRecord[]): Promise<number> => {
    if (this.failNextPersist !== 0) {
      const rc = this.failNextPersist;
      this.failNextPersist = 0;
      return Promise.resolve(rc);
    }
    this.written.push(records);
    return Promise.resolve(ErrorCode.NONE);
  };

  topic(name: string, partitions: number): TopicInfo {
    const info = { name, topicId: `id-${name}-${this.topicTable.size}`, partitions };
    this.topicTable.set(name, info);
    return info;
  }

  /** Moves the clock on, firing due timers in time order. */
  advance(ms: number): void {
    const until = this.clock + ms;
    for (;;) {
      const due = [...this.timerTable].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.clock = due[1].at;
      this.timerTable.delete(due[0]);
      due[1].fn();
    }
    this.clock = until;
  }

  epochsWritten(): number[] {
    return this.written.flat().map((r) => {
      assert.equal(r.kind, "consumer");
      return (r.value as { epoch: number }).epoch;
    });
  }
}

export type Owned = Array<{ topicId: string; partitions: number[] }>;

export function joinArgs(over: Partial<ConsumerHeartbeatArgs> = {}): ConsumerHeartbeatArgs {
  return {
    groupId: "g",
    memberId: "",
    memberEpoch: 0,
    instanceId: null,
    rackId: null,
    rebalanceTimeoutMs: REBALANCE_MS,
    subscribedTopicNames: ["t"],
    subscribedTopicRegex: null,
    serverAssignor: null,
    apiVersion: 0,
    topicPartitions: [],
    clientId: "client",
    clientHost: "/127.0.0.1",
    ...over,
  };
}

/** A steady-state heartbeat: only what changed is sent (owned partitions here). */
export function beatArgs(
  memberId: string,
  memberEpoch: number,
  owned: Owned | null,
  over: Partial<ConsumerHeartbeatArgs> = {},
) {
  return joinArgs({
    memberId,
    memberEpoch,
    rebalanceTimeoutMs: -1,
    subscribedTopicNames: null,
    topicPartitions: owned,
    ...over,
  });
}

export function count(owned: Owned | null): number {
  return (owned ?? []).reduce((n, tp) => n + tp.partitions.length, 0);
}

export function ok(r: ConsumerHeartbeatResult): ConsumerHeartbeatResult {
  assert.equal(r.errorCode, ErrorCode.NONE, `unexpected error ${r.errorCode}: ${r.errorMessage}`);
  return r;
}

/** A member as a client would run it: revokes at once, remembers what it owns. */
export class Client {
  memberId = "";
  epoch = 0;
  owned: Owned = [];
  constructor(readonly group: ConsumerGroup, readonly over: Partial<ConsumerHeartbeatArgs> = {}) {}

  async join(): Promise<ConsumerHeartbeatResult> {
    const r = ok(await this.group.heartbeat(joinArgs({ memberId: this.memberId, ...this.over })));
    this.take(r);
    return r;
  }
  async beat(): Promise<ConsumerHeartbeatResult> {
    const r = ok(await this.group.heartbeat(beatArgs(this.memberId, this.epoch, this.owned, this.over)));
    this.take(r);
    return r;
  }
  private take(r: ConsumerHeartbeatResult) {
    this.memberId = r.memberId!;
    this.epoch = r.memberEpoch;
    if (r.assignment !== null) this.owned = r.assignment;
  }
}

/** No partition is held by two members at once (assigned in describe). */
export function assertNoDoubleOwnership(group: ConsumerGroup) {
  const seen = new Set<string>();
  for (const m of group.describe().members) {
    for (const tp of m.assignment) {
      for (const p of tp.partitions) {
        assert.ok(!seen.has(`${tp.topicId}-${p}`), `${tp.topicName}-${p} owned twice`);
        seen.add(`${tp.topicId}-${p}`);
      }
    }
  }
}

export function setup(partitions = 4) {
  const env = new FakeEnv();
  const t = env.topic("t", partitions);
  const group = new ConsumerGroup("g", env);
  return { env, t, group };
}
