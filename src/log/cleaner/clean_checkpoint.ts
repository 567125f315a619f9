/**
 * Where the last cleaning of a partition ended (Kafka's cleaner-offset-checkpoint, which Kafka keeps per
 * log dir). Here each partition directory holds its own `cleaner-offset-checkpoint`, in the same text
 * format with one entry: the partition's owner Worker is its only writer, so no Worker has to gather
 * the others' offsets, and the file moves with the directory (AlterReplicaLogDirs). Offsets below are
 * clean: the next cleaning's dirty range starts here.
 */
import * as path from "node:path";
import { checkpointKey, readCheckpoint, writeCheckpoint } from "../checkpoint_file.ts";

export const CLEANER_CHECKPOINT = "cleaner-offset-checkpoint";

/** The stored first dirty offset, or null when none is stored or the file does not read. */
export function readCleanerCheckpoint(dir: string, topic: string, partition: number): bigint | null {
  try {
    return readCheckpoint(path.join(dir, CLEANER_CHECKPOINT)).get(checkpointKey(topic, partition)) ?? null;
  } catch {
    return null; // a damaged checkpoint costs a cleaning from the log start, nothing more
  }
}

/** Stores the first dirty offset (atomic replace). */
export function writeCleanerCheckpoint(dir: string, topic: string, partition: number, offset: bigint): void {
  writeCheckpoint(path.join(dir, CLEANER_CHECKPOINT), [{ topic, partition, offset }]);
}
