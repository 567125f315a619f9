/**
 * The partitions a handler owns but cannot serve: their storage failed (a
 * write or sync error, files removed at run time), their directory could
 * not be opened, or their partition.metadata names another topic
 * (quarantine). Requests for them get KAFKA_STORAGE_ERROR while every
 * other partition keeps serving; their files are left as they are. Those
 * marked `retry` are reopened periodically and come back once the cause is
 * gone; the others wait for an operator and a restart. Their last known
 * checkpoint entries keep being reported, and their presence makes the
 * shutdown unclean, so the next start checks their logs.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { TopicImage } from "../cluster/metadata_image.ts";
import type { CheckpointEntry } from "./replica_manager.ts";

export interface OfflinePartition {
  topic: TopicImage;
  partition: number;
  reason: string;
  retry: boolean;
  /** Last known checkpoint entries (null: never known, nothing is reported). */
  recoveryPoint: bigint | null;
  logStartOffset: bigint | null;
}

export class OfflinePartitions {
  private readonly byKey = new Map<string, OfflinePartition>();

  get size(): number {
    return this.byKey.size;
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  get(key: string): OfflinePartition | undefined {
    return this.byKey.get(key);
  }

  set(key: string, entry: OfflinePartition): void {
    this.byKey.set(key, entry);
  }

  delete(key: string): void {
    this.byKey.delete(key);
  }

  entries(): IterableIterator<[string, OfflinePartition]> {
    return this.byKey.entries();
  }

  /** "topic-p: reason" for each, for the shutdown report. */
  describe(): string[] {
    return [...this.byKey.values()].map((o) => `${o.topic.name}-${o.partition}: ${o.reason}`);
  }

  addCheckpoints(recoveryPoints: CheckpointEntry[], logStartOffsets: CheckpointEntry[]): void {
    for (const o of this.byKey.values()) {
      if (o.recoveryPoint !== null) {
        recoveryPoints.push({ topic: o.topic.name, partition: o.partition, offset: o.recoveryPoint });
      }
      if (o.logStartOffset !== null) {
        logStartOffsets.push({ topic: o.topic.name, partition: o.partition, offset: o.logStartOffset });
      }
    }
  }
}

/** "N bytes in M files" of a directory, for log lines about data left in place. */
export function describeDir(dir: string): string {
  try {
    let bytes = 0;
    const names = fs.readdirSync(dir);
    for (const n of names) bytes += fs.statSync(path.join(dir, n)).size;
    return `${dir}: ${bytes} bytes in ${names.length} files`;
  } catch (e) {
    return `${dir} (${e instanceof Error ? e.message : e})`;
  }
}
