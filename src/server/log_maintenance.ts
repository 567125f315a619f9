/**
 * The periodic sweeps over an owner's partitions that Kafka's LogManager
 * runs on its scheduler: retention (with producer-id expiry) and the
 * time-based flush. A failure on one partition is logged and the sweep goes
 * on, so one bad log never stops retention or flushing of the others.
 */
import type { Logger } from "../util/logger.ts";
import { errorMessage } from "../util/atomic_file.ts";
import type { LocalPartition } from "./local_partition.ts";

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
