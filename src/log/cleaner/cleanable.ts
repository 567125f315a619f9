/**
 * Which part of a compacted log a cleaning may touch and whether it is due, as Kafka's
 * LogCleanerManager decides:
 * - the dirty range starts at the cleaner checkpoint (at least the log start offset; a checkpoint past
 *   the log end, e.g. after the log was truncated, starts over at the log start);
 * - it ends at the first uncleanable offset: the active segment's base (the active segment is never
 *   cleaned), or earlier at the first segment holding records newer than min.compaction.lag.ms, or at
 *   the first offset of the earliest open transaction (its records may still be aborted: until then they
 *   must not replace a committed value);
 * - a log is due when its dirty share (dirty bytes / clean + dirty bytes, by whole segments) is above
 *   min.cleanable.dirty.ratio, or when its first dirty record is older than max.compaction.lag.ms and
 *   something is cleanable.
 */
import type { LogConfig } from "../log_config.ts";
import type { Segment } from "../segment.ts";

export interface CleanableRange {
  /** First offset not yet cleaned. */
  firstDirty: bigint;
  /** First offset a cleaning may not touch. */
  firstUncleanable: bigint;
  /** Bytes of the segments wholly below firstDirty. */
  cleanBytes: number;
  /** Bytes of the segments holding [firstDirty, firstUncleanable). */
  dirtyBytes: number;
  /** dirtyBytes / (cleanBytes + dirtyBytes); 0 with nothing cleanable. */
  ratio: number;
  /** Why it is due ("dirty ratio 0.62", "max.compaction.lag.ms"), or null when it is not. */
  due: string | null;
}

/** Kafka's segment.largestTimestamp stand-in: the max timestamp, or null when the segment has none. */
function largestTimestamp(seg: Segment): number | null {
  return seg.maxTimestamp >= 0n ? Number(seg.maxTimestamp) : null;
}

/**
 * The cleanable range of a log whose inactive segments are `segments` (oldest first, the active one left
 * out) and whose active segment starts at `activeBase`.
 */
export function cleanableRange(
  segments: readonly Segment[],
  activeBase: bigint,
  logStartOffset: bigint,
  checkpoint: bigint | null,
  config: LogConfig,
  nowMs: number,
  firstUnstableOffset: bigint | null = null,
): CleanableRange {
  let firstDirty = checkpoint ?? logStartOffset;
  if (firstDirty < logStartOffset || firstDirty > activeBase) firstDirty = logStartOffset;
  let firstUncleanable = activeBase;
  if (firstUnstableOffset !== null && firstUnstableOffset < firstUncleanable) {
    firstUncleanable = firstUnstableOffset > firstDirty ? firstUnstableOffset : firstDirty;
  }
  const minLag = config.minCompactionLagMs ?? 0;
  if (minLag > 0) {
    for (const seg of segments) {
      if (seg.nextOffset <= firstDirty) continue;
      const ts = largestTimestamp(seg);
      if (ts !== null && ts > nowMs - minLag) {
        firstUncleanable = seg.baseOffset > firstDirty ? seg.baseOffset : firstDirty;
        break;
      }
    }
  }
  let cleanBytes = 0;
  let dirtyBytes = 0;
  let firstDirtyTimestamp: number | null = null;
  for (const seg of segments) {
    if (seg.nextOffset <= firstDirty) cleanBytes += seg.size;
    else if (seg.baseOffset < firstUncleanable) {
      dirtyBytes += seg.size;
      firstDirtyTimestamp ??= seg.rollStartMs;
    }
  }
  const total = cleanBytes + dirtyBytes;
  const ratio = total > 0 ? dirtyBytes / total : 0;
  let due: string | null = null;
  if (dirtyBytes > 0 && firstDirty < firstUncleanable) {
    const maxLag = config.maxCompactionLagMs ?? Number.MAX_SAFE_INTEGER;
    if (ratio > (config.minCleanableDirtyRatio ?? 0.5)) due = `dirty ratio ${ratio.toFixed(2)}`;
    else if (firstDirtyTimestamp !== null && nowMs - firstDirtyTimestamp > maxLag) due = "max.compaction.lag.ms";
  }
  return { firstDirty, firstUncleanable, cleanBytes, dirtyBytes, ratio, due };
}
