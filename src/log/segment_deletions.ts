/**
 * Segments taken out of a log (retention, DeleteRecords) wait here for
 * file.delete.delay.ms before they are closed and unlinked, as Kafka renames
 * them to `.deleted` and removes them later: a read or sync still using one
 * finishes first.
 */
import * as fs from "node:fs";
import type { Segment } from "./segment.ts";

interface Pending {
  segment: Segment;
  files: string[];
  deleteAtMs: number;
}

export class SegmentDeletions {
  private pending: Pending[] = [];

  /** Marks the segment's files deleted now and schedules their removal for `deleteAtMs`. */
  schedule(segment: Segment, deleteAtMs: number): void {
    this.pending.push({ segment, files: segment.markDeleted(), deleteAtMs });
  }

  /** Closes and unlinks the segments whose delay has passed, or all of them. */
  process(nowMs: number, all = false): void {
    if (this.pending.length === 0) return;
    this.pending = this.pending.filter((p) => {
      if (!all && nowMs < p.deleteAtMs) return true;
      p.segment.close();
      for (const f of p.files) fs.rmSync(f, { force: true });
      return false;
    });
  }

  /** Closes them without unlinking: their whole directory is being removed. */
  closeAll(): void {
    for (const p of this.pending) p.segment.close();
    this.pending = [];
  }
}
