/**
 * The partitions one handler Worker owns (Kafka's ReplicaManager and
 * LogManager, cut down to one node): opens, recovers and closes their logs
 * as metadata images come and go, executes partition ops for any handler,
 * wakes long-polling fetches when data arrives, and runs the periodic log
 * work (retention, time-based flush, checkpoints). Every write to a
 * partition happens here, in this one Worker: each log has a single writer
 * and needs no locks.
 *
 * Storage faults stay with the partition they hit: a partition whose
 * directory cannot be opened, whose partition.metadata names another topic,
 * whose sync or write fails with anything but a full disk, or whose files
 * were removed at run time goes offline (ERROR; KAFKA_STORAGE_ERROR to its
 * producers and fetchers; see offline_partitions.ts) while the others keep
 * serving. A full disk fails the appends (KAFKA_STORAGE_ERROR) until space
 * returns; nothing here throws out of a timer.
 */
import * as path from "node:path";
import type { BrokerConfig } from "../config/keys.ts";
import type { MetadataImage, TopicImage } from "../cluster/metadata_image.ts";
import { resolveAppendPolicy, resolveLogConfig } from "../cluster/topic_config.ts";
import { segmentCapacity, segmentFds } from "../log/fd_cache.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { errorCode, errorMessage } from "../util/atomic_file.ts";
import { collectCheckpoints, enforceRetention, flushDue, scheduleLogMaintenance } from "./log_maintenance.ts";
import { LogCleanerService } from "./log_cleaner.ts";
import type { Logger } from "../util/logger.ts";
import { OfflinePartitions } from "./offline_partitions.ts";
import { PartitionWaiters } from "./partition_waiters.ts";
import { GroupCommit } from "./group_commit.ts";
import { failed, LEADER_EPOCH, type LocalPartition } from "./local_partition.ts";
import { type OpenContext, openLocalPartition, quarantineReason, startupCheckpoint } from "./partition_open.ts";
import { LogDirs } from "./log_dirs.ts";
import { PartitionEpochs } from "./partition_epochs.ts";
import { type MoveJob, ReplicaMover } from "./replica_mover.ts";
import { executeLogDirOp, type LogDirHost, swapPartition } from "./log_dir_exec.ts";
import type { LogDirOp } from "./log_dir_ops.ts";
import { writeTxnMarkers } from "./txn_markers.ts";
import { type AppendHost, appendItems, syncPartitions } from "./partition_appends.ts";
import { ownerOf, partitionKey } from "./partition_owner.ts";
import type {
  DeleteRecordsOutcome,
  OffsetAnswer,
  PartitionOp,
  ProduceOutcome,
  ReadOutcome,
  ResultOf,
  TxnMarkerItem,
  WatchItem,
} from "./partition_ops.ts";

/** One line per partition: Kafka's checkpoint entries. */
export interface CheckpointEntry {
  topic: string;
  partition: number;
  offset: bigint;
  /** The log dir holding the partition (absent: the first one). */
  dir?: string;
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
  /**
   * Every log dir (log.dirs, resolved), the first being `logDir`; by default log.dirs when it names
   * several, else `logDir` alone. Checkpoint entries of dirs after the first are keyed `${dir}\u0000${key}`.
   */
  logDirs?: readonly string[];
  now?: () => number;
  /** How often partition directories are checked and offline partitions retried (ms); 2000 by default. */
  healthCheckIntervalMs?: number;
}

/** Partitions whose files are checked per health-check tick (round robin), bounding the tick's cost. */
const HEALTH_CHECKS_PER_TICK = 1000;
/** Errors that mean "no space now": appends fail until space returns, the partition stays online. */
const NO_SPACE = new Set(["ENOSPC", "EDQUOT"]);

export class ReplicaManager {
  private readonly partitions = new Map<string, LocalPartition>();
  private readonly offline = new OfflinePartitions();
  /** Partitions whose appends fail for want of space (logged once per streak). */
  private readonly noSpace = new Set<string>();
  private healthCursor = 0;
  private lastRetryMs = 0;
  private readonly waiters = new PartitionWaiters();
  private readonly groupCommit = new GroupCommit();
  private readonly now: () => number;
  private readonly durable: boolean;
  private timers: ReturnType<typeof setInterval>[] = [];
  private closing = false;
  private reportCheckpoints: () => void = () => {};
  /** Called after a transaction marker is written here (the group coordinator's hook for __consumer_offsets). */
  onTxnMarker: (item: TxnMarkerItem) => void = () => {};
  /** Compacts the owned partitions whose cleanup.policy includes compact (log_cleaner.ts). */
  cleaner: LogCleanerService | null = null;
  readonly dirs: LogDirs;
  readonly epochs: PartitionEpochs;
  readonly mover: ReplicaMover;
  private readonly openContext: OpenContext;
  /** Set while a moved partition swaps to its new dir: every op waits for it. */
  private barrier: Promise<void> | null = null;
  /** Checkpoint entries newer than the start-up ones (a partition reopened after a move). */
  private readonly known = new Map<string, { rp: bigint | null; lso: bigint | null }>();

  constructor(private readonly o: ReplicaManagerOptions) {
    this.now = o.now ?? Date.now;
    const configured = o.config["log.dirs"];
    this.dirs = new LogDirs(o.logDirs ?? (configured.length > 1 ? configured : [o.logDir]), o.log);
    this.epochs = new PartitionEpochs(o.log);
    this.openContext = {
      config: o.config,
      log: o.log,
      now: this.now,
      epochs: this.epochs,
      onIoError: (key, log, operation, error) => {
        if (this.partitions.get(key)?.log === log) this.storageFailed(key, operation, error);
      },
    };
    this.mover = new ReplicaMover({
      isServing: (key, dir) => this.partitions.get(key)?.dir === dir && !this.closing,
      swap: (job: MoveJob) => swapPartition(this.logDirHost, job),
      log: o.log,
    });
    this.durable = o.config["tsbroker.fsync.acks.all"];
    segmentFds.capacity = segmentCapacity(o.handlerCount);
  }

  /** Partitions offline after a storage fault ("topic-p: why"). */
  offlinePartitions(): string[] {
    return this.offline.describe();
  }

  get size(): number {
    return this.partitions.size;
  }

  /** Open the partitions of `image` this handler owns; close and delete those whose topic is gone. */
  async applyImage(image: MetadataImage): Promise<void> {
    const wanted = new Map<string, { topic: TopicImage; partition: number }>();
    if (this.dirs.paths.length > 1) {
      this.dirs.track(image.topics.flatMap((t) => Array.from({ length: t.partitions }, (_, p) => `${t.name}-${p}`)));
    }
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
    // An offline partition of a deleted topic is forgotten; its files are left alone.
    for (const [key] of this.offline.entries()) if (!wanted.has(key)) this.offline.delete(key);
    for (const [key, { topic, partition }] of wanted) {
      const existing = this.partitions.get(key);
      if (existing) {
        // Altered topic configs take effect on the open log (PartitionLog.reconfigure says what waits for a roll).
        existing.config = resolveLogConfig(this.o.config, topic.configs);
        existing.log.reconfigure(existing.config);
        existing.policy = resolveAppendPolicy(this.o.config, topic.configs);
        continue;
      }
      const down = this.offline.get(key);
      if (down) {
        down.topic = topic;
        continue;
      }
      this.open(key, topic, partition, this.o.cleanShutdown);
    }
    this.dirs.started();
  }

  /** Opens a partition, or records it offline (ERROR) when that fails: one bad partition never stops the rest. */
  private open(key: string, topic: TopicImage, partition: number, cleanShutdown: boolean): boolean {
    const name = `${topic.name}-${partition}`;
    let known = this.known.get(key) ?? { rp: null, lso: null };
    const down = (reason: string, retry: boolean) =>
      this.offline.set(key, {
        topic,
        partition,
        reason,
        retry,
        recoveryPoint: known.rp,
        logStartOffset: known.lso,
      });
    try {
      const logDir = this.dirs.locate(name);
      known = this.known.get(key) ?? startupCheckpoint(this.o, this.dirs.paths[0], logDir, topic.name, partition);
      const quarantine = quarantineReason(logDir, topic, partition);
      if (quarantine !== null) {
        if (!this.offline.has(key)) this.o.log.error(quarantine);
        down("partition.metadata names another topic", true);
        return false;
      }
      this.partitions.set(
        key,
        openLocalPartition(this.openContext, key, logDir, topic, partition, cleanShutdown, known),
      );
      const resume = this.dirs.interruptedMoves.get(name);
      if (resume !== undefined) {
        this.dirs.interruptedMoves.delete(name);
        this.mover.start(key, name, path.join(logDir, name), resume);
      }
      return true;
    } catch (e) {
      if (!this.offline.has(key)) {
        this.o.log.error(
          `Partition ${name} cannot be opened (${errorMessage(e)}): it stays offline (KAFKA_STORAGE_ERROR), ` +
            `its files untouched; it is retried every ${this.healthInterval} ms and the other partitions serve on`,
        );
      }
      down(`cannot be opened: ${errorMessage(e)}`, true);
      return false;
    }
  }

  private get healthInterval(): number {
    return this.o.healthCheckIntervalMs ?? 2000;
  }

  private async deletePartition(key: string, local: LocalPartition): Promise<void> {
    this.partitions.delete(key);
    this.mover.cancel(key);
    this.epochs.forget(key);
    this.known.delete(key);
    this.waiters.wake(key);
    try {
      await local.log.close();
    } catch (e) {
      this.o.log.warn(`closing ${local.name} before deletion failed: ${e instanceof Error ? e.message : e}`);
    }
    local.log.deleteFiles();
    this.o.log.info(`Deleted log of ${local.name}`);
  }

  execute<O extends PartitionOp>(op: O): Promise<ResultOf<O>> {
    // A partition swapping to its new dir holds every op back for that moment (see replica_mover.ts).
    if (this.barrier !== null) return this.barrier.then(() => this.execute(op));
    switch (op.op) {
      case "produce":
        return appendItems(this.appendHost, op.acks, op.items, op.deferSync === true) as Promise<ResultOf<O>>;
      case "sync":
        return syncPartitions(this.appendHost, op.items) as Promise<ResultOf<O>>;
      case "read":
        return Promise.resolve(
          op.items.map((i) => this.read(i.topicId, i.partition, i.fetchOffset, i.maxBytes, i.isolationLevel)),
        ) as Promise<ResultOf<O>>;
      case "watch":
        return this.watch(op.items, op.timeoutMs) as Promise<ResultOf<O>>;
      case "listOffsets":
        return Promise.resolve(
          op.items.map((i) => this.listOffset(i.topicId, i.partition, i.timestamp, i.isolationLevel)),
        ) as Promise<
          ResultOf<O>
        >;
      case "writeTxnMarkers":
        return writeTxnMarkers(this.appendHost, op.items) as Promise<ResultOf<O>>;
      case "admitTxn":
        return Promise.resolve(op.items.map((i) => {
          this.localPartition(i.topicId, i.partition)?.admitTxn(i.producerId, i.producerEpoch);
          return null;
        })) as Promise<ResultOf<O>>;
      case "deleteRecords":
        return Promise.resolve(op.items.map((i) => this.deleteRecords(i.topicId, i.partition, i.offset))) as Promise<
          ResultOf<O>
        >;
      case "epochEndOffsets":
      case "describeLogDirs":
      case "alterLogDir":
        return Promise.resolve(executeLogDirOp(this.logDirHost, op as LogDirOp)) as Promise<ResultOf<O>>;
    }
    return Promise.reject(new Error(`unknown partition op ${(op as { op: string }).op}`));
  }

  /** What the log-dir ops and the swap of a moved partition need (log_dir_exec.ts). */
  private hostCache: LogDirHost | null = null;
  private get logDirHost(): LogDirHost {
    return this.hostCache ??= {
      dirs: this.dirs,
      epochs: this.epochs,
      mover: this.mover,
      log: this.o.log,
      serving: (key) => this.serving(key),
      missingError: (key) => this.missingError(key),
      isOffline: (key) => this.offline.has(key),
      hold: () => {
        let release!: () => void;
        const barrier = new Promise<void>((resolve) => release = resolve);
        this.barrier = barrier;
        return () => {
          if (this.barrier === barrier) this.barrier = null;
          release();
        };
      },
      reopen: (key, local, clean) => {
        this.partitions.delete(key);
        this.known.set(key, { rp: local.log.recoveryPoint, lso: local.log.logStartOffset });
        this.open(key, local.topicImage, local.partition, clean);
        this.known.delete(key);
        this.waiters.wake(key);
        // The partition's entries now belong to its new dir's checkpoint files: written now, not at the next interval.
        this.reportCheckpoints();
      },
    };
  }

  /** What the append paths (produce, sync, markers: partition_appends.ts, txn_markers.ts) need of this. */
  private appendHostCache: AppendHost | null = null;
  private get appendHost(): AppendHost {
    return this.appendHostCache ??= {
      serving: (key) => this.serving(key),
      missing: (key) => failed(this.missingError(key), this.missingMessage(key)),
      appended: (key, local, outcome) => this.appended(key, local, outcome),
      durable: this.durable,
      groupSync: (local) => this.groupCommit.sync(local.log),
      now: this.now,
      log: this.o.log,
      verifyTxns: () => this.o.config["transaction.partition.verification.enable"],
      onMarker: (item) => this.onTxnMarker(item),
    };
  }

  /** The open partition, for the group coordinator (which rolls and sizes its __consumer_offsets logs). */
  localPartition(topicId: string, partition: number): LocalPartition | undefined {
    return this.serving(partitionKey(topicId, partition));
  }

  /** A partition open for requests; none once closing for shutdown. */
  private serving(key: string): LocalPartition | undefined {
    return this.closing ? undefined : this.partitions.get(key);
  }

  /**
   * Kafka answers NOT_LEADER_OR_FOLLOWER while a broker shuts down (clients retry elsewhere or later) and
   * KAFKA_STORAGE_ERROR for a partition whose storage is offline.
   */
  private missingError(key: string): number {
    if (this.offline.has(key)) return ErrorCode.KAFKA_STORAGE_ERROR;
    return this.closing ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  }

  private missingMessage(key: string): string {
    const down = this.offline.get(key);
    return down
      ? `partition offline after a storage error: ${down.reason}`
      : "This server does not host this topic-partition.";
  }

  /**
   * A write or sync of `key` failed. No space: appends fail until space returns (ERROR once per streak).
   * Anything else (EIO, files removed) takes the partition offline.
   */
  private storageFailed(key: string, operation: string, error: unknown): void {
    const local = this.partitions.get(key);
    if (!local) return;
    const code = errorCode(error);
    if (code !== null && NO_SPACE.has(code) && operation === "append") {
      if (!this.noSpace.has(key)) {
        this.noSpace.add(key);
        this.o.log.error(
          `Appends to ${local.name} fail: ${errorMessage(error)} (log end offset ${local.log.logEndOffset}); ` +
            `producers get KAFKA_STORAGE_ERROR until space is freed`,
        );
      }
      return;
    }
    const missing = local.log.missingFiles();
    if (missing !== null) {
      this.filesRemoved(key, local, missing);
      return;
    }
    this.takeOffline(key, local, `${operation} failed: ${errorMessage(error)}`, true);
  }

  private takeOffline(key: string, local: LocalPartition, reason: string, retry: boolean, detail = ""): void {
    this.partitions.delete(key);
    this.noSpace.delete(key);
    this.offline.set(key, {
      topic: { ...local.topicImage },
      partition: local.partition,
      reason,
      retry,
      recoveryPoint: local.log.recoveryPoint,
      logStartOffset: local.log.logStartOffset,
    });
    this.waiters.wake(key);
    if (!local.log.isClosed) local.log.abandon();
    this.o.log.error(
      `Partition ${local.name} is offline: ${reason} (log start ${local.log.logStartOffset}, log end ` +
        `${local.log.logEndOffset}, recovery point ${local.log.recoveryPoint}). Producers and fetchers get ` +
        `KAFKA_STORAGE_ERROR; ${
          retry ? `it is reopened every ${this.healthInterval} ms until that works` : "a restart recovers it"
        }` +
        detail,
    );
  }

  /** The partition's files were removed at run time: save what the open descriptors still hold, then offline. */
  private filesRemoved(key: string, local: LocalPartition, why: string): void {
    let detail: string;
    try {
      const { savedBytes, saved, lost } = local.log.salvage(local.topicId);
      detail = `. Copied ${savedBytes} bytes (offsets ${saved.join(", ") || "none"}) from still-open files back into ` +
        `${local.dir}` + (lost.length > 0 ? `; LOST offsets ${lost.join(", ")} (their files were already closed)` : "");
    } catch (e) {
      detail = `. Saving the still-open files failed (${errorMessage(e)}): offsets ${local.log.logStartOffset}..` +
        `${local.log.logEndOffset - 1n} may be lost`;
    }
    this.takeOffline(key, local, why, false, detail);
  }

  /**
   * Periodic: checks a bounded share of the partitions for removed files (round robin), and tries to
   * reopen offline partitions that may recover. Never throws.
   */
  healthCheck(): void {
    try {
      const all = [...this.partitions.entries()];
      const n = Math.min(all.length, HEALTH_CHECKS_PER_TICK);
      for (let i = 0; i < n; i++) {
        const [key, local] = all[(this.healthCursor + i) % all.length];
        const missing = local.log.missingFiles();
        if (missing !== null) this.filesRemoved(key, local, missing);
      }
      this.healthCursor = all.length === 0 ? 0 : (this.healthCursor + n) % all.length;
      this.retryOffline();
    } catch (e) {
      this.o.log.error(`partition health check failed: ${errorMessage(e)}`);
    }
  }

  private retryOffline(): void {
    const now = this.now();
    if (this.offline.size === 0 || now - this.lastRetryMs < this.healthInterval) return;
    this.lastRetryMs = now;
    for (const [key, down] of [...this.offline.entries()]) {
      if (!down.retry || this.closing) continue;
      // Reopened as after a crash: the tail is checked from the recovery point.
      if (this.open(key, down.topic, down.partition, false)) {
        this.offline.delete(key);
        this.o.log.warn(
          `Partition ${down.topic.name}-${down.partition} is back online (it was offline: ${down.reason})`,
        );
      }
    }
  }

  /** After a write attempt to `key`: storage faults, leader epochs, waiting fetches; true when it was written. */
  private appended(key: string, local: LocalPartition, outcome: ProduceOutcome): boolean {
    if (local.writeError !== null) {
      this.storageFailed(key, "append", local.writeError);
      local.writeError = null;
    } else if (outcome.errorCode === ErrorCode.NONE && this.noSpace.delete(key)) {
      this.o.log.warn(`Appends to ${local.name} succeed again`);
    }
    if (outcome.errorCode !== ErrorCode.NONE) return false;
    this.epochs.appended(key, LEADER_EPOCH, outcome.baseOffset);
    this.waiters.wake(key);
    return true;
  }

  private read(topicId: string, partition: number, fetchOffset: bigint, maxBytes: number, isolation = 0): ReadOutcome {
    const key = partitionKey(topicId, partition);
    const local = this.serving(key);
    if (!local) {
      return {
        errorCode: this.missingError(key),
        highWatermark: -1n,
        lastStableOffset: -1n,
        logStartOffset: -1n,
        records: null,
      };
    }
    return local.read(fetchOffset, maxBytes, isolation);
  }

  private listOffset(topicId: string, partition: number, timestamp: bigint, isolation = 0): OffsetAnswer {
    const key = partitionKey(topicId, partition);
    const local = this.serving(key);
    if (!local) return { errorCode: this.missingError(key), offset: -1n, timestamp: -1n, leaderEpoch: -1 };
    return local.listOffset(timestamp, isolation);
  }

  private deleteRecords(topicId: string, partition: number, offset: bigint): DeleteRecordsOutcome {
    const key = partitionKey(topicId, partition);
    const local = this.serving(key);
    if (!local) return { errorCode: this.missingError(key), lowWatermark: -1n };
    // -1 is Kafka's "up to the high watermark".
    const target = offset === -1n ? local.log.highWatermark : offset;
    if (target < 0n) return { errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, lowWatermark: -1n };
    if (target <= local.log.logStartOffset) {
      return { errorCode: ErrorCode.NONE, lowWatermark: local.log.logStartOffset };
    }
    const answer = local.log.deleteRecordsBefore(target);
    if ("error" in answer) return { errorCode: answer.error, lowWatermark: -1n };
    this.waiters.wake(key);
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
    return this.waiters.wait(keys, timeoutMs);
  }

  /** Start the periodic work: retention, time-based flush, producer expiry, health checks, checkpoints, cleaning. */
  startBackgroundTasks(reportCheckpoints: () => void): void {
    const cfg = this.o.config;
    this.reportCheckpoints = reportCheckpoints;
    this.timers.push(...scheduleLogMaintenance(cfg, {
      retention: () => this.enforceRetention(),
      flush: () => flushDue(this.partitions, this.now(), this.o.log),
      health: () => this.healthCheck(),
      healthIntervalMs: this.healthInterval,
      reportCheckpoints,
    }));
    this.cleaner = new LogCleanerService({
      config: cfg,
      log: this.o.log,
      handlerCount: this.o.handlerCount,
      partitions: () => this.partitions.values(),
      now: this.now,
    });
    this.cleaner.start();
  }

  enforceRetention(): number {
    const deleted = enforceRetention(this.partitions, this.now(), this.o.log, (key) => this.waiters.wake(key));
    if (deleted > 0) this.reportCheckpoints();
    return deleted;
  }

  checkpoints(): ReturnType<typeof collectCheckpoints> {
    return collectCheckpoints(this.partitions, this.offline);
  }

  /** Flush and close every log (clean shutdown); waiting fetches are answered first. */
  async close(): Promise<void> {
    this.closing = true;
    // A move in progress stops where it is; the next start resumes it (log_dirs.ts).
    this.mover.stopAll();
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    await this.cleaner?.stop();
    this.waiters.wakeAll();
    // Files removed since the last check must not pass for a clean stop.
    for (const [key, local] of [...this.partitions]) {
      const missing = local.log.missingFiles();
      if (missing !== null) this.filesRemoved(key, local, missing);
    }
    const open = [...this.partitions];
    const results = await Promise.allSettled(open.map(([, local]) => local.log.close()));
    results.forEach((r, i) => {
      if (r.status === "fulfilled") return;
      const [key, local] = open[i];
      this.o.log.error(`closing ${local.name} failed: ${r.reason}`);
      this.offline.set(key, {
        topic: local.topicImage,
        partition: local.partition,
        reason: `close failed: ${r.reason}`,
        retry: false,
        recoveryPoint: local.log.recoveryPoint,
        logStartOffset: local.log.logStartOffset,
      });
    });
  }
}
