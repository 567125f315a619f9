/**
 * The log cleaner of one handler Worker (Kafka's LogCleaner and LogCleanerManager, per partition owner):
 * it compacts the partitions this Worker owns whose cleanup.policy includes compact. Cleaning runs in
 * the owner, the one writer of each log, in slices (cleaner/cleaner.ts yields to the event loop after
 * each), so appends, fetches and every other request of the Worker go on meanwhile.
 *
 * - log.cleaner.enable: off, no partition is cleaned (compacted topics then grow without bound).
 * - log.cleaner.threads: cleanings at the same time per Worker (0 = none).
 * - log.cleaner.backoff.ms: pause between checks when no log was due; after a cleaning the next check
 *   comes at once, as Kafka's cleaner threads go on while logs are due.
 * - The filthiest due log goes first (highest dirty ratio; see cleaner/cleanable.ts for when a log is
 *   due: min.cleanable.dirty.ratio, min/max.compaction.lag.ms).
 * - log.cleaner.dedupe.buffer.size and log.cleaner.io.buffer.load.factor size the key map of one
 *   cleaning, shared as Kafka shares it among its cleaner threads, and here also among the Workers.
 * - log.cleaner.io.max.bytes.per.second bounds what all cleanings of the broker read; each Worker takes
 *   an equal share. Whatever it is, a cleaning takes at most BUSY_SHARE of its Worker's time while
 *   requests wait (see Throttle).
 * - log.cleaner.io.buffer.size: a quarter of it per cleaner thread is read between two yields.
 * __consumer_offsets is left to its group coordinators, which compact it by rewriting their live state.
 * A log whose cleaning fails is logged at ERROR and left alone for ten backoffs; one whose cleaning was
 * cut short, for one.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { BrokerConfig } from "../config/keys.ts";
import type { Logger } from "../util/logger.ts";
import { errorMessage } from "../util/atomic_file.ts";
import { cleanableRange } from "../log/cleaner/cleanable.ts";
import { cleanLog, type CleanStats } from "../log/cleaner/cleaner.ts";
import { readCleanerCheckpoint } from "../log/cleaner/clean_checkpoint.ts";
import { KeyOffsetMap } from "../log/cleaner/offset_map.ts";
import type { LocalPartition } from "./local_partition.ts";
import { macrotask } from "../util/yielding.ts";

const OFFSETS_TOPIC = "__consumer_offsets";

export interface LogCleanerOptions {
  config: BrokerConfig;
  log: Logger;
  handlerCount: number;
  /** The partitions this Worker owns now. */
  partitions: () => Iterable<LocalPartition>;
  now?: () => number;
}

/** log.cleaner.io.max.bytes.per.second, shared by the cleanings of one Worker. */
export class Throttle {
  private windowStart: number;
  private bytes = 0;

  constructor(private readonly bytesPerSecond: number, private readonly now: () => number) {
    this.windowStart = now();
  }

  /** Waits until the bytes read so far fit the rate. */
  async account(bytes: number): Promise<void> {
    if (!(this.bytesPerSecond < Number.MAX_VALUE)) return;
    this.bytes += bytes;
    const elapsed = this.now() - this.windowStart;
    const needed = (this.bytes / this.bytesPerSecond) * 1000;
    if (needed > elapsed) await sleep(needed - elapsed);
    if (elapsed > 1000) {
      this.windowStart = this.now();
      this.bytes = 0;
    }
  }
}

/**
 * Paces the slices of one cleaning: after each, it yields to the event loop; when other work ran meanwhile
 * (requests were waiting), it sleeps until its slices take at most BUSY_SHARE of the time, so appends and
 * fetches keep most of the thread (an idle Worker cleans at full speed); then the byte rate applies.
 */
export class SlicePacer {
  private resumedAt = performance.now();

  constructor(private readonly throttle: Throttle) {}

  async pace(bytes: number): Promise<void> {
    const work = performance.now() - this.resumedAt;
    const yieldedAt = performance.now();
    await macrotask();
    if (performance.now() - yieldedAt > BUSY_LAG_MS) await sleep(work * (1 / BUSY_SHARE - 1));
    await this.throttle.account(bytes);
    this.resumedAt = performance.now();
  }
}

/** The cleaner's share of a busy Worker's time. */
export const BUSY_SHARE = 0.05;
/** A yield that took longer than this means other work was waiting. */
const BUSY_LAG_MS = 0.5;

export class LogCleanerService {
  private readonly running = new Map<LocalPartition, Promise<unknown>>();
  private readonly failedUntil = new WeakMap<LocalPartition, number>();
  private readonly throttle: Throttle;
  private readonly now: () => number;
  private readonly threads: number;
  private readonly backoffMs: number;
  private readonly mapCapacity: number;
  private readonly sliceBytes: number;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  /** Cleanings finished, for tests and logs. */
  cleanings = 0;

  constructor(private readonly o: LogCleanerOptions) {
    const cfg = o.config;
    this.now = o.now ?? Date.now;
    this.threads = cfg["log.cleaner.enable"] ? cfg["log.cleaner.threads"] : 0;
    this.backoffMs = cfg["log.cleaner.backoff.ms"];
    const cleaners = Math.max(1, this.threads) * Math.max(1, o.handlerCount);
    const memory = Number(cfg["log.cleaner.dedupe.buffer.size"]) / cleaners;
    this.mapCapacity = KeyOffsetMap.forMemory(memory, cfg["log.cleaner.io.buffer.load.factor"]).capacity;
    this.sliceBytes = Math.max(4096, Math.floor(cfg["log.cleaner.io.buffer.size"] / (4 * Math.max(1, this.threads))));
    const rate = cfg["log.cleaner.io.max.bytes.per.second"];
    this.throttle = new Throttle(rate / Math.max(1, o.handlerCount), this.now);
  }

  start(): void {
    if (this.threads > 0) this.schedule(this.backoffMs);
  }

  /** Waits for the cleanings in progress to finish (tests). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.running.values()]);
  }

  /** Stops checking and waits for the cleanings in progress to give up (at their next slice). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await Promise.allSettled([...this.running.values()]);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.check();
    }, delayMs);
    (this.timer as { unref?: () => void }).unref?.();
  }

  /** Starts cleanings of the filthiest due logs while threads are free; returns how many started. */
  check(): number {
    if (this.stopped) return 0;
    const nowMs = this.now();
    const due: Array<{ local: LocalPartition; ratio: number }> = [];
    for (const local of this.o.partitions()) {
      if (!local.config.compact || local.topic === OFFSETS_TOPIC || local.log.isClosed) continue;
      if (this.running.has(local) || (this.failedUntil.get(local) ?? 0) > nowMs) continue;
      try {
        const range = this.rangeOf(local, nowMs);
        if (range.due !== null) due.push({ local, ratio: range.ratio });
      } catch (e) {
        this.o.log.error(`log cleaner: cannot check ${local.name}: ${errorMessage(e)}`);
      }
    }
    due.sort((a, b) => b.ratio - a.ratio);
    const started = due.slice(0, Math.max(0, this.threads - this.running.size));
    for (const { local } of started) {
      const job = this.clean(local).finally(() => {
        this.running.delete(local);
        this.schedule(0);
      });
      this.running.set(local, job);
    }
    if (this.running.size === 0) this.schedule(this.backoffMs);
    return started.length;
  }

  private rangeOf(local: LocalPartition, nowMs: number) {
    const log = local.log;
    const bases = log.segmentBaseOffsets;
    const checkpoint = readCleanerCheckpoint(local.dir, local.topic, local.partition);
    return cleanableRange(
      log.inactiveSegments(),
      bases[bases.length - 1],
      log.logStartOffset,
      checkpoint,
      local.config,
      nowMs,
      local.producers.firstUnstableOffset(),
    );
  }

  /** Cleans one log now (tests call it directly); resolves with what it did, or null. */
  async clean(local: LocalPartition): Promise<CleanStats | null> {
    const started = this.now();
    const pacer = new SlicePacer(this.throttle);
    try {
      const stats = await cleanLog({
        log: local.log,
        dir: local.dir,
        topic: local.topic,
        partition: local.partition,
        config: local.config,
        logger: this.o.log,
        now: this.now,
        mapCapacity: this.mapCapacity,
        sliceBytes: this.sliceBytes,
        producerLastOffsets: () => local.producers.lastBatchOffsets(),
        firstUnstableOffset: () => local.producers.firstUnstableOffset(),
        pace: (bytes) => pacer.pace(bytes),
        stopped: () => this.stopped || local.log.isClosed,
      });
      // Nothing cleaned although the log looked due (cut short, or the log moved on): wait a backoff.
      if (stats === null) this.failedUntil.set(local, this.now() + this.backoffMs);
      else {
        this.cleanings++;
        this.o.log.info(
          `Cleaned ${local.name}: offsets ${stats.firstDirty}..${stats.endOffset - 1n}, ` +
            `${stats.segmentsBefore} → ${stats.segmentsAfter} segments, read ${stats.bytesRead} bytes, ` +
            `wrote ${stats.bytesWritten}, kept ${stats.recordsKept} records, removed ${stats.recordsRemoved}, ` +
            `in ${this.now() - started} ms`,
        );
      }
      return stats;
    } catch (e) {
      // The log closed under the cleaning (topic deleted, partition moved or offline): nothing to report.
      if (local.log.isClosed) return null;
      this.failedUntil.set(local, this.now() + 10 * this.backoffMs);
      this.o.log.error(`log cleaner: cleaning ${local.name} failed: ${e instanceof Error ? e.stack : e}`);
      return null;
    }
  }
}
