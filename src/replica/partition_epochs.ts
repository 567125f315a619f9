/**
 * The leader-epoch caches of one owner's partitions, and OffsetForLeaderEpoch
 * on them (Kafka's Partition.lastOffsetForLeaderEpoch).
 *
 * The cache learns a new epoch when an append first carries it, and from the
 * batches recovery replays after a crash; it follows the log start when
 * DeleteRecords or retention move it, and a tail cut by recovery. Both
 * hooks ride on the log's producer-state hooks, so the log itself needs no
 * change. A log written before the cache existed (no checkpoint file) is
 * seeded from its first batch. As Kafka's Partition.makeLeader does, opening
 * a partition (becoming its leader) records the current epoch at the log
 * end when it is new, so an empty partition answers epoch 0 at offset 0
 * (checked against Kafka 4.4).
 *
 * currentLeaderEpoch is checked as Kafka's Partition.checkCurrentLeaderEpoch
 * does: only -1 skips the check; any other value below ours (even -5) is
 * FENCED_LEADER_EPOCH, above it UNKNOWN_LEADER_EPOCH.
 */
import { ErrorCode } from "../protocol/errors.ts";
import { LeaderEpochCache } from "../log/leader_epoch_cache.ts";
import type { PartitionLog, ProducerStateHooks } from "../log/partition_log.ts";
import { MAGIC_OFFSET, MAGIC_V2, readBatchHeader } from "../log/record_batch.ts";
import { errorMessage } from "../util/atomic_file.ts";
import type { Logger } from "../util/logger.ts";
import type { EpochAnswer, EpochQuery } from "./log_dir_ops.ts";
import { LEADER_EPOCH } from "./local_partition.ts";

export class PartitionEpochs {
  private readonly caches = new Map<string, LeaderEpochCache>();
  /** Partitions just moved to another dir: their cache is rebuilt from their batches alone. */
  private readonly moved = new Set<string>();
  /** Checkpoint files whose last write failed (warned once). */
  private readonly failing = new Set<string>();

  constructor(private readonly log: Logger) {}

  /** Loads the cache of the partition in `dir` and returns the log's hooks, which keep it up to date. */
  hooks(key: string, dir: string, name: string, producers: ProducerStateHooks): ProducerStateHooks {
    const cache = LeaderEpochCache.load(
      dir,
      (why) => this.log.warn(`${name}: ignoring a leader-epoch checkpoint that does not parse (${why}); rebuilt`),
    );
    this.caches.set(key, cache);
    return {
      onRecoveredBatch: (header, baseOffset, marker) => {
        const aborted = producers.onRecoveredBatch(header, baseOffset, marker);
        if (header.magic >= MAGIC_V2 && cache.assign(header.partitionLeaderEpoch, baseOffset)) this.check(cache, name);
        return aborted;
      },
      load: (leo) => producers.load?.(leo),
      replayFrom: () => producers.replayFrom(),
      takeSnapshot: (leo) => producers.takeSnapshot(leo),
      onLogStartOffset: (offset) => {
        producers.onLogStartOffset(offset);
        cache.truncateFromStart(offset);
        this.check(cache, name);
      },
    };
  }

  /** After the log opened: entries past its end go, and an empty cache of a non-empty log is seeded. */
  opened(key: string, log: PartitionLog, name: string): void {
    const cache = this.caches.get(key);
    if (!cache) return;
    try {
      cache.truncateFromEnd(log.logEndOffset);
      if (cache.entries.length === 0 && log.logEndOffset > log.logStartOffset) {
        const first = log.read(log.logStartOffset, 1, true);
        if (!("error" in first) && first.records.length >= 61 && first.records[MAGIC_OFFSET] >= MAGIC_V2) {
          const header = readBatchHeader(first.records, 0);
          const start = header.baseOffset > log.logStartOffset ? header.baseOffset : log.logStartOffset;
          cache.assign(header.partitionLeaderEpoch, start);
        }
      }
      // After a move Kafka's log is its future replica, whose cache holds only the epochs of the batches
      // it copied (an empty partition then answers -1/-1): no leadership epoch at the log end.
      if (!this.moved.delete(key) && cache.latestEpoch !== LEADER_EPOCH) cache.assign(LEADER_EPOCH, log.logEndOffset);
      this.check(cache, name);
    } catch (e) {
      this.log.warn(`${name}: the leader-epoch cache could not be brought up to date (${errorMessage(e)})`);
    }
  }

  /** `key` was moved: the copy has no leader-epoch-checkpoint, and its next open does not add the log end. */
  movedIn(key: string): void {
    this.moved.add(key);
  }

  /** An append at `baseOffset` under `epoch` (a no-op unless the epoch is new). */
  appended(key: string, epoch: number, baseOffset: bigint): void {
    const cache = this.caches.get(key);
    if (cache && cache.latestEpoch !== epoch && cache.assign(epoch, baseOffset)) this.check(cache, cache.file);
  }

  /** A failed write of the checkpoint file is logged once per streak (the cache in memory is still right). */
  private check(cache: LeaderEpochCache, name: string): void {
    if (cache.writeError === null) {
      this.failing.delete(cache.file);
    } else if (!this.failing.has(cache.file)) {
      this.failing.add(cache.file);
      this.log.warn(
        `${name}: writing ${cache.file} failed (${cache.writeError}); epochs are answered from memory and the ` +
          `file is rebuilt from the log at the next start`,
      );
    }
  }

  forget(key: string): void {
    this.caches.delete(key);
  }

  /** OffsetForLeaderEpoch on an open partition. */
  answer(key: string, log: PartitionLog, q: EpochQuery): EpochAnswer {
    if (q.currentLeaderEpoch !== -1 && q.currentLeaderEpoch !== LEADER_EPOCH) {
      const errorCode = q.currentLeaderEpoch < LEADER_EPOCH
        ? ErrorCode.FENCED_LEADER_EPOCH
        : ErrorCode.UNKNOWN_LEADER_EPOCH;
      return { errorCode, leaderEpoch: -1, endOffset: -1n };
    }
    const cache = this.caches.get(key);
    const found = cache ? cache.endOffsetFor(q.leaderEpoch, log.logEndOffset) : { epoch: -1, endOffset: -1n };
    return { errorCode: ErrorCode.NONE, leaderEpoch: found.epoch, endOffset: found.endOffset };
  }
}
