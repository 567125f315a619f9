/**
 * A Kafka consumer (the model of Kafka's KafkaConsumer): `assign()` for manual assignment or `subscribe()`
 * for a classic consumer group (group.ts), `poll()` to get records, `seek`/`seekToBeginning`/`seekToEnd`,
 * `offsetsForTimes`, and commits (`commit()`, and auto-commit every `autoCommitIntervalMs` for groups).
 * A partition without a position starts at its committed offset (with a group id) or else at
 * `autoOffsetReset` ("latest" by default, as in Kafka).
 *
 * @example
 * ```ts
 * const consumer = new Consumer({ bootstrapServers: ["localhost:9092"], groupId: "g1", autoOffsetReset: "earliest" });
 * consumer.subscribe(["events"]);
 * const records = await consumer.poll(1000);
 * await consumer.close();
 * ```
 */
import { ErrorCode } from "../protocol/errors.ts";
import type { OffsetFetchResponse } from "../protocol/generated/offset_fetch.ts";
import { Apis } from "./apis.ts";
import { findGroupCoordinator } from "./coordinator.ts";
import { KafkaClientError, throwIfError } from "./errors.ts";
import { Fetcher, type PartitionState, tpKey } from "./fetcher.ts";
import { GroupMembership, type TopicPartition } from "./group.ts";
import { type ClientOptions, NetworkClient } from "./network_client.ts";
import { listOffsets } from "./offsets.ts";
import type { ConsumerRecord } from "./records.ts";

export type { ConsumerRecord, TopicPartition };

/** Consumer settings, named after Kafka's consumer configs. */
export interface ConsumerOptions extends ClientOptions {
  /** group.id: needed for subscribe() and commits. */
  groupId?: string;
  /** group.instance.id: a static member keeps its partitions across restarts within the session timeout. */
  groupInstanceId?: string;
  /** auto.offset.reset (default "latest"). */
  autoOffsetReset?: "earliest" | "latest" | "none";
  /** enable.auto.commit (default true with a group id). */
  autoCommit?: boolean;
  /** auto.commit.interval.ms (default 5000). */
  autoCommitIntervalMs?: number;
  /** max.poll.records (default 500). */
  maxPollRecords?: number;
  /** fetch.max.wait.ms (500), fetch.min.bytes (1), fetch.max.bytes (50 MiB), max.partition.fetch.bytes (1 MiB). */
  fetchMaxWaitMs?: number;
  /** fetch.min.bytes (default 1). */
  fetchMinBytes?: number;
  /** fetch.max.bytes (default 50 MiB). */
  fetchMaxBytes?: number;
  /** max.partition.fetch.bytes (default 1 MiB). */
  maxPartitionFetchBytes?: number;
  /**
   * isolation.level (default "read_uncommitted"). With "read_committed" the broker stops each fetch at the
   * last stable offset; dropping the records of aborted transactions below it is not implemented yet.
   */
  isolationLevel?: "read_uncommitted" | "read_committed";
  /** session.timeout.ms (45000), heartbeat.interval.ms (3000), max.poll.interval.ms (300000). */
  sessionTimeoutMs?: number;
  /** heartbeat.interval.ms (default 3000). */
  heartbeatIntervalMs?: number;
  /** max.poll.interval.ms, sent as the rebalance timeout (default 300000). */
  rebalanceTimeoutMs?: number;
}

/** The consumer: see the module comment. */
export class Consumer {
  private readonly client: NetworkClient;
  private readonly fetcher: Fetcher;
  private readonly group: GroupMembership | null;
  private readonly reset: "earliest" | "latest" | "none";
  private readonly maxPollRecords: number;
  private subscription: string[] = [];
  private autoCommitTimer: ReturnType<typeof setInterval> | null = null;
  private closed = false;

  /** Connects lazily: the first poll (or seek, or commit) opens connections. */
  constructor(private readonly options: ConsumerOptions) {
    this.client = new NetworkClient(options);
    this.reset = options.autoOffsetReset ?? "latest";
    this.maxPollRecords = options.maxPollRecords ?? 500;
    this.fetcher = new Fetcher(this.client, {
      maxWaitMs: options.fetchMaxWaitMs ?? 500,
      minBytes: options.fetchMinBytes ?? 1,
      maxBytes: options.fetchMaxBytes ?? 50 * 1024 * 1024,
      maxPartitionBytes: options.maxPartitionFetchBytes ?? 1024 * 1024,
      isolationLevel: options.isolationLevel === "read_committed" ? 1 : 0,
    });
    this.group = options.groupId === undefined ? null : new GroupMembership(this.client, {
      groupId: options.groupId,
      groupInstanceId: options.groupInstanceId ?? null,
      sessionTimeoutMs: options.sessionTimeoutMs ?? 45_000,
      rebalanceTimeoutMs: options.rebalanceTimeoutMs ?? 300_000,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 3000,
    }, {
      topics: () => this.subscription,
      onRevoke: (tps) =>
        this.autoCommitEnabled ? this.commit(this.positionsOf(tps)).catch(() => {}) : Promise.resolve(),
      onAssign: (tps) => {
        this.fetcher.assign(tps);
        this.fetcher.wakeup();
      },
    });
    if (this.autoCommitEnabled) {
      this.autoCommitTimer = setInterval(() => {
        if (!this.group || this.group.generationId >= 0) this.commit().catch(() => {});
      }, options.autoCommitIntervalMs ?? 5000);
    }
  }

  /** enable.auto.commit, which needs a group id. */
  private get autoCommitEnabled(): boolean {
    return this.options.groupId !== undefined && (this.options.autoCommit ?? true);
  }

  /** Manual assignment (no group membership); replaces any earlier assignment. */
  assign(partitions: TopicPartition[]): void {
    if (this.subscription.length > 0) throw new Error("assign() after subscribe(): use one or the other");
    this.fetcher.assign(partitions);
  }

  /** Joins the consumer group for `topics` at the next poll (needs a group id). */
  subscribe(topics: string[]): void {
    if (!this.group) throw new Error("subscribe() needs a groupId");
    this.subscription = [...topics];
  }

  /** The partitions currently assigned. */
  assignment(): TopicPartition[] {
    return [...this.fetcher.states.values()].map(({ topic, partition }) => ({ topic, partition }));
  }

  /** Starts the partition at `offset` from the next poll. */
  seek(tp: TopicPartition, offset: bigint): void {
    this.fetcher.seek(tp.topic, tp.partition, offset);
    this.fetcher.wakeup();
  }

  /** Moves the partitions (default: all assigned) to their log start. */
  async seekToBeginning(tps: TopicPartition[] = this.assignment()): Promise<void> {
    await this.seekTo(tps, "earliest");
  }

  /** Moves the partitions (default: all assigned) to their log end. */
  async seekToEnd(tps: TopicPartition[] = this.assignment()): Promise<void> {
    await this.seekTo(tps, "latest");
  }

  /** The next offset poll() returns for the partition (after resolving an unknown one). */
  async position(tp: TopicPartition): Promise<bigint> {
    await this.resolvePositions();
    const s = this.fetcher.states.get(tpKey(tp.topic, tp.partition));
    if (!s || s.position === null) throw new Error(`${tp.topic}-${tp.partition} is not assigned`);
    return s.position;
  }

  /** For each partition, the first offset whose timestamp is at or after the given one (-1 if none). */
  async offsetsForTimes(
    query: { topic: string; partition: number; timestamp: number }[],
  ): Promise<{ topic: string; partition: number; offset: bigint; timestamp: bigint }[]> {
    return await listOffsets(this.client, query.map((q) => ({ ...q, spec: q.timestamp })));
  }

  /**
   * Records from the assigned partitions: resolves as soon as some are there, or with an empty list after
   * `timeoutMs`. With a subscription, joins (or rejoins) the group first.
   */
  async poll(timeoutMs: number): Promise<ConsumerRecord[]> {
    if (this.closed) throw new Error("consumer closed");
    const deadline = Date.now() + timeoutMs;
    if (this.group && this.subscription.length > 0) await this.group.ensureActive();
    for (;;) {
      await this.resolvePositions();
      const records = this.fetcher.take(this.maxPollRecords);
      if (records.length > 0) {
        this.fetcher.fetchMore(); // prefetch while the application works
        return records;
      }
      this.fetcher.fetchMore();
      const left = deadline - Date.now();
      if (left <= 0) return [];
      await this.fetcher.wait(Math.min(left, 100));
    }
  }

  /** Commits the given offsets, or every assigned partition's position (needs a group id). */
  async commit(offsets?: { topic: string; partition: number; offset: bigint }[]): Promise<void> {
    const groupId = this.options.groupId;
    if (groupId === undefined) throw new Error("commit() needs a groupId");
    const list = offsets ?? this.positionsOf(this.assignment());
    if (list.length === 0) return;
    const byTopic = new Map<string, { partitionIndex: number; committedOffset: bigint }[]>();
    for (const o of list) {
      byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), {
        partitionIndex: o.partition,
        committedOffset: o.offset,
      }]);
    }
    await this.client.retrying(async () => {
      const node = await findGroupCoordinator(this.client, groupId);
      const r = await this.client.send(node, Apis.OffsetCommit, {
        groupId,
        generationIdOrMemberEpoch: this.group?.generationId ?? -1,
        memberId: this.group?.memberId ?? "",
        groupInstanceId: this.options.groupInstanceId ?? null,
        retentionTimeMs: -1n,
        topics: [...byTopic].map(([name, ps]) => ({
          name,
          partitions: ps.map((p) => ({ ...p, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: "" })),
        })),
      });
      for (const t of r.topics) {
        for (const p of t.partitions) throwIfError(p.errorCode, `commit ${t.name}-${p.partitionIndex}`);
      }
    });
  }

  /** The group's committed offsets for the partitions (-1 where none). */
  async committed(tps: TopicPartition[]): Promise<{ topic: string; partition: number; offset: bigint }[]> {
    const groupId = this.options.groupId;
    if (groupId === undefined) throw new Error("committed() needs a groupId");
    const topics = [...new Set(tps.map((t) => t.topic))].map((name) => ({
      name,
      partitionIndexes: tps.filter((t) => t.topic === name).map((t) => t.partition),
    }));
    const answer: OffsetFetchResponse = await this.client.retrying(async () => {
      const node = await findGroupCoordinator(this.client, groupId);
      return await this.client.send(node, Apis.OffsetFetch, {
        groupId,
        topics,
        groups: [{ groupId, memberId: null, memberEpoch: -1, topics }],
        requireStable: true,
      });
    });
    const found = new Map<string, bigint>();
    const groupAnswer = answer.groups.find((g) => g.groupId === groupId);
    if (groupAnswer) throwIfError(groupAnswer.errorCode);
    else throwIfError(answer.errorCode);
    for (const t of groupAnswer?.topics ?? answer.topics) {
      for (const p of t.partitions) {
        throwIfError(p.errorCode);
        found.set(tpKey(t.name, p.partitionIndex), p.committedOffset);
      }
    }
    return tps.map(({ topic, partition }) => ({ topic, partition, offset: found.get(tpKey(topic, partition)) ?? -1n }));
  }

  /** Commits (with auto-commit), leaves the group and closes the connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.autoCommitTimer !== null) clearInterval(this.autoCommitTimer);
    if (this.autoCommitEnabled && this.group?.generationId !== -1) await this.commit().catch(() => {});
    await this.group?.leave();
    this.fetcher.wakeup();
    await this.client.close();
  }

  /** The positions of those partitions that have one, as commit offsets. */
  private positionsOf(tps: TopicPartition[]): { topic: string; partition: number; offset: bigint }[] {
    const out = [];
    for (const { topic, partition } of tps) {
      const s = this.fetcher.states.get(tpKey(topic, partition));
      if (s?.position != null) out.push({ topic, partition, offset: s.position });
    }
    return out;
  }

  /** Seeks each partition to its earliest or latest offset. */
  private async seekTo(tps: TopicPartition[], spec: "earliest" | "latest"): Promise<void> {
    const found = await listOffsets(this.client, tps.map((tp) => ({ ...tp, spec })));
    for (const f of found) this.seek(f, f.offset);
  }

  /** Gives every partition without a position one: its committed offset, else the reset policy. */
  private async resolvePositions(): Promise<void> {
    const missing: PartitionState[] = [];
    for (const s of this.fetcher.states.values()) if (s.position === null || s.outOfRange) missing.push(s);
    if (missing.length === 0) return;
    const tps = missing.map(({ topic, partition }) => ({ topic, partition }));
    const committed = this.options.groupId !== undefined
      ? await this.committed(tps.filter((_, i) => !missing[i].outOfRange))
      : [];
    const byKey = new Map(committed.map((c) => [tpKey(c.topic, c.partition), c.offset]));
    const toReset: TopicPartition[] = [];
    for (const s of missing) {
      const c = byKey.get(tpKey(s.topic, s.partition)) ?? -1n;
      if (!s.outOfRange && c >= 0n) this.fetcher.seek(s.topic, s.partition, c);
      else toReset.push({ topic: s.topic, partition: s.partition });
    }
    if (toReset.length === 0) return;
    if (this.reset === "none") {
      throw new KafkaClientError(ErrorCode.OFFSET_OUT_OF_RANGE, "no position and auto.offset.reset is none");
    }
    await this.seekTo(toReset, this.reset);
  }
}
