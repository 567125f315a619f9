/**
 * The periodic sweeps over an owner's partitions that Kafka's LogManager
 * runs on its scheduler: retention (with producer-id expiry), the
 * time-based flush, the storage health check and the checkpoint reports,
 * and when each runs. A failure on one partition is logged and the sweep
 * goes on, so one bad log never stops retention or flushing of the others.
 */
import * as path from "node:path";
import type { BrokerConfig } from "../config/keys.ts";
import type { Logger } from "../util/logger.ts";
import { errorMessage } from "../util/atomic_file.ts";
import type { LocalPartition } from "./local_partition.ts";
import type { OfflinePartitions } from "./offline_partitions.ts";
import type { CheckpointEntry } from "./replica_manager.ts";

/** Deletes expired segments of every partition; `onDeleted` hears of each partition whose log start moved. */
export function enforceRetention(
  partitions: ReadonlyMap<string, LocalPartition>,
  now: number,
  log: Logger,
  onDeleted: (key: string) => void,
): number {
  let deleted = 0;
  for (const [key, local] of partitions) {
    try {
      const n = local.log.enforceRetention(now);
      if (n > 0) {
        deleted += n;
        log.info(
          `Retention deleted ${n} segment(s) of ${local.name}; log start offset now ${local.log.logStartOffset}`,
        );
        onDeleted(key);
      }
      local.producers.removeExpired(now);
    } catch (e) {
      log.error(`retention of ${local.name} failed: ${errorMessage(e)}`);
    }
  }
  return deleted;
}

/** Starts the flush of every log whose flush.messages / flush.ms is due. */
export function flushDue(partitions: ReadonlyMap<string, LocalPartition>, now: number, log: Logger): void {
  for (const local of [...partitions.values()]) {
    try {
      if (local.log.flushDue(now)) {
        local.log.flush().catch((e: unknown) => log.error(`flush of ${local.name} failed: ${errorMessage(e)}`));
      }
    } catch (e) {
      log.error(`flush of ${local.name} failed: ${errorMessage(e)}`);
    }
  }
}

/**
 * What the owner reports for Kafka's recovery-point and log-start checkpoint files: every open partition (with
 * its log dir) and the offline ones at the offsets they had, so their lines are not lost from the files.
 */
export function collectCheckpoints(
  partitions: ReadonlyMap<string, LocalPartition>,
  offline: OfflinePartitions,
): { recoveryPoints: CheckpointEntry[]; logStartOffsets: CheckpointEntry[]; offline: string[] } {
  const recoveryPoints: CheckpointEntry[] = [];
  const logStartOffsets: CheckpointEntry[] = [];
  for (const local of partitions.values()) {
    const dir = path.dirname(local.dir);
    recoveryPoints.push({ topic: local.topic, partition: local.partition, offset: local.log.recoveryPoint, dir });
    logStartOffsets.push({ topic: local.topic, partition: local.partition, offset: local.log.logStartOffset, dir });
  }
  offline.addCheckpoints(recoveryPoints, logStartOffsets);
  return { recoveryPoints, logStartOffsets, offline: offline.describe() };
}

/** The sweeps an owner runs, for scheduleLogMaintenance. */
export interface MaintenanceTasks {
  retention(): void;
  flush(): void;
  health(): void;
  healthIntervalMs: number;
  reportCheckpoints(): void;
}

/** Kafka's LogManager schedule, from the broker's log.* intervals; the timers never keep the process alive. */
export function scheduleLogMaintenance(
  cfg: BrokerConfig,
  tasks: MaintenanceTasks,
): ReturnType<typeof setInterval>[] {
  const timers = [
    setInterval(tasks.retention, cfg["log.retention.check.interval.ms"]),
    setInterval(tasks.flush, Math.min(cfg["log.flush.scheduler.interval.ms"], 1000)),
    setInterval(tasks.health, tasks.healthIntervalMs),
    setInterval(
      tasks.reportCheckpoints,
      Math.min(cfg["log.flush.offset.checkpoint.interval.ms"], cfg["log.flush.start.offset.checkpoint.interval.ms"]),
    ),
  ];
  for (const timer of timers) (timer as { unref?: () => void }).unref?.();
  return timers;
}
