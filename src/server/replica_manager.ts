/**
 * The partitions one handler Worker owns (Kafka's ReplicaManager and
 * LogManager, cut down to one node): opens, recovers and closes their logs
 * as metadata images come and go, executes partition ops for any handler,
 * wakes long-polling fetches when data arrives, and runs the periodic log
 * work (retention, time-based flush, checkpoints). Every write to a
 * partition happens here, in this one Worker: each log has a single writer
 * and needs no locks.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { BrokerConfig } from "../config/keys.ts";
import type { MetadataImage, TopicImage } from "../cluster/metadata_image.ts";
import { resolveAppendPolicy, resolveLogConfig } from "../cluster/topic_config.ts";
import { PartitionLog } from "../log/partition_log.ts";
import { ProducerStateManager } from "../log/producer_state.ts";
import { ErrorCode } from "../protocol/errors.ts";
import type { Logger } from "../util/logger.ts";
import { GroupCommit } from "./group_commit.ts";
import { failed, LocalPartition } from "./local_partition.ts";
import { ownerOf, partitionKey } from "./partition_owner.ts";
import type {
  DeleteRecordsOutcome,
  OffsetAnswer,
  PartitionRef,
  PartitionOp,
  ProduceOutcome,
  ReadOutcome,
  ResultOf,
  SyncOutcome,
  WatchItem,
} from "./partition_ops.ts";

/** One line per partition: Kafka's checkpoint entries. */
export interface CheckpointEntry {
  topic: string;
  partition: number;
  offset: bigint;
}

export interface ReplicaManagerOptions {
  handlerIndex: number;
  handlerCount: number;
  logDir: string;
  config: BrokerConfig;
  log: Logger;
  cleanShutdown: boolean;
  recoveryPoints: ReadonlyMap<string, bigint>;
  logStartOffsets: ReadonlyMap<string, bigint>;
  now?: () => number;
}

interface Waiter {
  keys: string[];
  fire: (fired: boolean) => void;
}

export class ReplicaManager {
  private readonly partitions = new Map<string, LocalPartition>();
  private readonly waiters = new Map<string, Set<Waiter>>();
  private readonly groupCommit = new GroupCommit();
  private readonly now: () => number;
  private readonly durable: boolean;
  private timers: ReturnType<typeof setInterval>[] = [];
  private closing = false;
  private reportCheckpoints: () => void = () => {};

  constructor(private readonly o: ReplicaManagerOptions) {
    this.now = o.now ?? Date.now;
    this.durable = o.config["tsbroker.fsync.acks.all"];
  }

  get size(): number {
    return this.partitions.size;
  }

  /** Open the partitions of `image` this handler owns; close and delete those whose topic is gone. */
  async applyImage(image: MetadataImage): Promise<void> {
    const wanted = new Map<string, { topic: TopicImage; partition: number }>();
    for (const topic of image.topics) {
      for (let p = 0; p < topic.partitions; p++) {
        if (ownerOf(topic.topicId, p, this.o.handlerCount) === this.o.handlerIndex) {
          wanted.set(partitionKey(topic.topicId, p), { topic, partition: p });
        }
      }
    }
    for (const [key, local] of this.partitions) {
      if (!wanted.has(key)) await this.deletePartition(key, local);
    }
    for (const [key, { topic, partition }] of wanted) {
      const existing = this.partitions.get(key);
      if (existing) {
        existing.config = resolveLogConfig(this.o.config, topic.configs);
        existing.policy = resolveAppendPolicy(this.o.config, topic.configs);
        continue;
      }
      this.partitions.set(key, this.openPartition(topic, partition));
    }
  }

  private openPartition(topic: TopicImage, partition: number): LocalPartition {
    const name = `${topic.name}-${partition}`;
    const dir = path.join(this.o.logDir, name);
    moveAsideIfOtherTopic(dir, topic.topicId, this.o.log);
    fs.mkdirSync(dir, { recursive: true });
    const config = resolveLogConfig(this.o.config, topic.configs);
    const producers = new ProducerStateManager(dir, {
      logger: this.o.log,
      expirationMs: this.o.config["producer.id.expiration.ms"],
      now: this.now,
    });
    const checkpointKey = `${topic.name}\u0000${partition}`;
    const log = PartitionLog.open({
      dir,
      topic: topic.name,
      partition,
      topicId: topic.topicId,
      config,
      recoveryPoint: this.o.recoveryPoints.get(checkpointKey) ?? 0n,
      logStartOffset: this.o.logStartOffsets.get(checkpointKey),
      cleanShutdown: this.o.cleanShutdown,
      logger: this.o.log,
      now: this.now,
      producerState: producers,
    });
    const policy = resolveAppendPolicy(this.o.config, topic.configs);
    return new LocalPartition(topic.name, topic.topicId, partition, dir, log, producers, config, policy);
  }

  private async deletePartition(key: string, local: LocalPartition): Promise<void> {
    this.partitions.delete(key);
    this.wake(key);
    try {
      await local.log.close();
    } catch (e) {
      this.o.log.warn(`closing ${local.name} before deletion failed: ${e instanceof Error ? e.message : e}`);
    }
    local.log.deleteFiles();
    this.o.log.info(`Deleted log of ${local.name}`);
  }

  execute<O extends PartitionOp>(op: O): Promise<ResultOf<O>> {
    switch (op.op) {
      case "produce":
        return this.produce(op.acks, op.items, op.deferSync === true) as Promise<ResultOf<O>>;
      case "sync":
        return this.sync(op.items) as Promise<ResultOf<O>>;
      case "read":
        return Promise.resolve(
          op.items.map((i) => this.read(i.topicId, i.partition, i.fetchOffset, i.maxBytes)),
        ) as Promise<ResultOf<O>>;
      case "watch":
        return this.watch(op.items, op.timeoutMs) as Promise<ResultOf<O>>;
      case "listOffsets":
        return Promise.resolve(op.items.map((i) => this.listOffset(i.topicId, i.partition, i.timestamp))) as Promise<
          ResultOf<O>
        >;
      case "deleteRecords":
        return Promise.resolve(op.items.map((i) => this.deleteRecords(i.topicId, i.partition, i.offset))) as Promise<
          ResultOf<O>
        >;
    }
    return Promise.reject(new Error(`unknown partition op ${(op as { op: string }).op}`));
  }

  /** The open partition, for the group coordinator (which rolls and sizes its __consumer_offsets logs). */
  localPartition(topicId: string, partition: number): LocalPartition | undefined {
    return this.serving(partitionKey(topicId, partition));
  }

  /** A partition open for requests; none once closing for shutdown. */
  private serving(key: string): LocalPartition | undefined {
    return this.closing ? undefined : this.partitions.get(key);
  }

  /** Kafka answers NOT_LEADER_OR_FOLLOWER while a broker shuts down: clients retry elsewhere or later. */
  private missingError(): number {
    return this.closing ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  }

  private async produce(
    acks: number,
    items: Array<{ topicId: string; partition: number; records: Uint8Array }>,
    deferSync: boolean,
  ): Promise<ProduceOutcome[]> {
    const now = this.now();
    const syncs: Promise<void>[] = [];
    const outcomes = items.map((item, i): ProduceOutcome => {
      const key = partitionKey(item.topicId, item.partition);
      const local = this.serving(key);
      if (!local) {
        return failed(this.missingError(), "This server does not host this topic-partition.");
      }
      const outcome = local.append(item.records, acks, now);
      if (outcome.errorCode !== ErrorCode.NONE) return outcome;
      this.wake(key);
      if (this.durable && acks === -1) {
        // Deferred: the caller's "sync" op, which follows, waits instead.
        if (!deferSync) syncs[i] = this.groupCommit.sync(local.log);
      } else if (local.log.flushDue(now)) {
        local.log.flush().catch((e: unknown) =>
          this.o.log.error(`flush of ${local.name} failed: ${e instanceof Error ? e.message : e}`)
        );
      }
      return outcome;
    });
    if (syncs.length > 0) {
      await Promise.all(syncs.map((sync, i) =>
        sync?.catch((e) => {
          outcomes[i] = failed(ErrorCode.KAFKA_STORAGE_ERROR, `sync failed: ${e instanceof Error ? e.message : e}`);
        })
      ));
    }
    return outcomes;
  }

  /** Waits for the group commit covering everything appended so far to each partition. */
  private sync(items: PartitionRef[]): Promise<SyncOutcome[]> {
    return Promise.all(items.map((item): Promise<SyncOutcome> => {
      const local = this.serving(partitionKey(item.topicId, item.partition));
      if (!local) {
        return Promise.resolve({ errorCode: this.missingError(), errorMessage: "This server does not host this topic-partition." });
      }
      return this.groupCommit.sync(local.log).then(
        () => ({ errorCode: ErrorCode.NONE, errorMessage: null }),
        (e) => ({ errorCode: ErrorCode.KAFKA_STORAGE_ERROR, errorMessage: `sync failed: ${e instanceof Error ? e.message : e}` }),
      );
    }));
  }

  private read(topicId: string, partition: number, fetchOffset: bigint, maxBytes: number): ReadOutcome {
    const local = this.serving(partitionKey(topicId, partition));
    if (!local) {
      return {
        errorCode: this.missingError(),
        highWatermark: -1n,
        lastStableOffset: -1n,
        logStartOffset: -1n,
        records: null,
      };
    }
    return local.read(fetchOffset, maxBytes);
  }

  private listOffset(topicId: string, partition: number, timestamp: bigint): OffsetAnswer {
    const local = this.serving(partitionKey(topicId, partition));
    if (!local) {
      return { errorCode: this.missingError(), offset: -1n, timestamp: -1n, leaderEpoch: -1 };
    }
    return local.listOffset(timestamp);
  }

  private deleteRecords(topicId: string, partition: number, offset: bigint): DeleteRecordsOutcome {
    const key = partitionKey(topicId, partition);
    const local = this.serving(key);
    if (!local) return { errorCode: this.missingError(), lowWatermark: -1n };
    // -1 is Kafka's "up to the high watermark".
    const target = offset === -1n ? local.log.highWatermark : offset;
    if (target < 0n) return { errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, lowWatermark: -1n };
    if (target <= local.log.logStartOffset) {
      return { errorCode: ErrorCode.NONE, lowWatermark: local.log.logStartOffset };
    }
    const answer = local.log.deleteRecordsBefore(target);
    if ("error" in answer) return { errorCode: answer.error, lowWatermark: -1n };
    this.wake(key);
    // A moved log start must survive a crash: checkpoint it now, not at the next interval.
    this.reportCheckpoints();
    return { errorCode: ErrorCode.NONE, lowWatermark: answer.lowWatermark };
  }

  /** Resolves true when any watched partition's high watermark differs from the one given, false at the timeout. */
  private watch(items: WatchItem[], timeoutMs: number): Promise<boolean> {
    const keys: string[] = [];
    for (const item of items) {
      const key = partitionKey(item.topicId, item.partition);
      const local = this.serving(key);
      if (!local) return Promise.resolve(true);
      // The caller passes the high watermark it last saw: any difference is news.
      if (local.log.highWatermark !== item.offset) return Promise.resolve(true);
      keys.push(key);
    }
    return new Promise((resolve) => {
      const waiter: Waiter = {
        keys,
        fire: (fired) => {
          clearTimeout(timer);
          for (const key of keys) this.waiters.get(key)?.delete(waiter);
          resolve(fired);
        },
      };
      const timer = setTimeout(() => waiter.fire(false), Math.max(0, timeoutMs));
      for (const key of keys) {
        let set = this.waiters.get(key);
        if (!set) this.waiters.set(key, set = new Set());
        set.add(waiter);
      }
    });
  }

  private wake(key: string): void {
    const set = this.waiters.get(key);
    if (!set || set.size === 0) return;
    for (const waiter of [...set]) waiter.fire(true);
  }

  /** Start the periodic work: retention, time-based flush, producer expiry. */
  startBackgroundTasks(reportCheckpoints: () => void): void {
    const cfg = this.o.config;
    this.reportCheckpoints = reportCheckpoints;
    this.timers.push(setInterval(() => this.enforceRetention(), cfg["log.retention.check.interval.ms"]));
    this.timers.push(setInterval(() => this.flushDue(), Math.min(cfg["log.flush.scheduler.interval.ms"], 1000)));
    this.timers.push(setInterval(
      reportCheckpoints,
      Math.min(
        cfg["log.flush.offset.checkpoint.interval.ms"],
        cfg["log.flush.start.offset.checkpoint.interval.ms"],
      ),
    ));
    for (const timer of this.timers) (timer as { unref?: () => void }).unref?.();
  }

  enforceRetention(): number {
    const now = this.now();
    let deleted = 0;
    for (const [key, local] of this.partitions) {
      try {
        const n = local.log.enforceRetention(now);
        if (n > 0) {
          deleted += n;
          this.o.log.info(
            `Retention deleted ${n} segment(s) of ${local.name}; log start offset now ${local.log.logStartOffset}`,
          );
          this.wake(key);
        }
        local.producers.removeExpired(now);
      } catch (e) {
        this.o.log.error(`retention of ${local.name} failed: ${e instanceof Error ? e.message : e}`);
      }
    }
    if (deleted > 0) this.reportCheckpoints();
    return deleted;
  }

  private flushDue(): void {
    const now = this.now();
    for (const local of this.partitions.values()) {
      if (local.log.flushDue(now)) {
        local.log.flush().catch((e: unknown) =>
          this.o.log.error(`flush of ${local.name} failed: ${e instanceof Error ? e.message : e}`)
        );
      }
    }
  }

  checkpoints(): { recoveryPoints: CheckpointEntry[]; logStartOffsets: CheckpointEntry[] } {
    const recoveryPoints: CheckpointEntry[] = [];
    const logStartOffsets: CheckpointEntry[] = [];
    for (const local of this.partitions.values()) {
      recoveryPoints.push({ topic: local.topic, partition: local.partition, offset: local.log.recoveryPoint });
      logStartOffsets.push({ topic: local.topic, partition: local.partition, offset: local.log.logStartOffset });
    }
    return { recoveryPoints, logStartOffsets };
  }

  /** Flush and close every log (clean shutdown); waiting fetches are answered first. */
  async close(): Promise<void> {
    this.closing = true;
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    for (const key of this.waiters.keys()) this.wake(key);
    const results = await Promise.allSettled([...this.partitions.values()].map((local) => local.log.close()));
    for (const r of results) {
      if (r.status === "rejected") this.o.log.error(`closing a log failed: ${r.reason}`);
    }
  }
}

/**
 * A directory left by an earlier topic of the same name (deleted while its
 * files could not be removed) must not be read as the new topic's data.
 */
function moveAsideIfOtherTopic(dir: string, topicId: string, log: Logger): void {
  const file = path.join(dir, "partition.metadata");
  if (!fs.existsSync(file)) return;
  const match = /topic_id:\s*(\S+)/.exec(fs.readFileSync(file, "utf8"));
  if (!match || match[1] === topicId) return;
  const aside = `${dir}.${Date.now().toString(16)}-delete`;
  log.warn(`${dir} belongs to topic id ${match[1]}, not ${topicId}: moving it to ${aside}`);
  fs.renameSync(dir, aside);
}
