/**
 * Opening a partition directory: find the segments, load them (rebuilding bad or missing indexes), and
 * after an unclean stop recover the tail — every segment from the one holding the recovery point is
 * walked batch by batch (length, magic 2, CRC-32C); at the first bad or torn batch the .log is truncated,
 * later segments are dropped and the indexes rebuilt. Kafka does the same in LogLoader; the result is
 * reported (and logged) so start-up says what it repaired.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { LogConfig } from "./log_config.ts";
import type { Logger } from "../util/logger.ts";
import { DELETED_SUFFIX, INDEX_SUFFIX, LOG_SUFFIX, Segment, segmentFileName, TIME_INDEX_SUFFIX } from "./segment.ts";

export interface RecoveryReport {
  segmentsRecovered: number;
  batchesChecked: number;
  truncatedBytes: number;
  indexesRebuilt: number;
  reason: string;
}

export interface LoadedLog {
  segments: Segment[];
  recovery: RecoveryReport | null;
  /** True when recovery walked any segment (its data may not be on disk yet). */
  recovered: boolean;
}

const SEGMENT_FILE = /^(\d{20})\.(log|index|timeindex)$/;

/** Removes leftovers of earlier deletions and index files whose .log is gone (as Kafka does on load). */
function cleanDirectory(dir: string, names: string[]): bigint[] {
  const logs = new Set<string>();
  for (const n of names) {
    const m = SEGMENT_FILE.exec(n);
    if (m && m[2] === "log") logs.add(m[1]);
  }
  for (const n of names) {
    const m = SEGMENT_FILE.exec(n.endsWith(DELETED_SUFFIX) ? n.slice(0, -DELETED_SUFFIX.length) : n);
    if (!m) continue;
    if (n.endsWith(DELETED_SUFFIX) || (m[2] !== "log" && !logs.has(m[1]))) {
      fs.rmSync(path.join(dir, n), { force: true });
    }
  }
  return [...logs].map((b) => BigInt(b)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function removeSegmentFiles(dir: string, seg: Segment): void {
  seg.close();
  for (const suffix of [LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX]) {
    fs.rmSync(path.join(dir, segmentFileName(seg.baseOffset, suffix)), { force: true });
  }
}

/**
 * Loads every segment of `dir` (created if missing) and recovers when needed. Recovery runs when the
 * shutdown was unclean, when a segment ends past the recovery point, or when loading met a torn tail.
 */
export function loadSegments(opts: {
  dir: string;
  name: string;
  config: LogConfig;
  recoveryPoint: bigint;
  cleanShutdown: boolean;
  logger: Logger;
}): LoadedLog {
  const { dir, config, recoveryPoint } = opts;
  fs.mkdirSync(dir, { recursive: true });
  const bases = cleanDirectory(dir, fs.readdirSync(dir));
  const segments: Segment[] = [];
  let indexesRebuilt = 0;
  const problems: string[] = [];
  let firstTorn = -1;
  for (const base of bases) {
    const { segment, indexProblem, tail } = Segment.open(dir, base, config);
    if (indexProblem !== null) {
      indexesRebuilt++;
      problems.push(`${segmentFileName(base, "")}: ${indexProblem}`);
    }
    if (tail !== null && firstTorn < 0) firstTorn = segments.length;
    segments.push(segment);
  }
  if (segments.length === 0) return { segments, recovery: null, recovered: false };

  // Where recovery starts: the segment holding the recovery point (Kafka recovers whole segments).
  let start = -1;
  const endsPastRecoveryPoint = segments[segments.length - 1].nextOffset > recoveryPoint;
  if (!opts.cleanShutdown || endsPastRecoveryPoint) {
    start = 0;
    for (let i = 0; i < segments.length; i++) if (segments[i].baseOffset <= recoveryPoint) start = i;
  }
  if (firstTorn >= 0 && (start < 0 || firstTorn < start)) start = firstTorn;
  const reason = !opts.cleanShutdown
    ? "unclean shutdown"
    : start >= 0 && firstTorn === start
    ? "torn segment found on load"
    : start >= 0
    ? `log ends past the recovery point ${recoveryPoint}`
    : "";

  let segmentsRecovered = 0;
  let batchesChecked = 0;
  let truncatedBytes = 0;
  let truncatedAt: bigint | null = null;
  if (start >= 0) {
    for (let i = start; i < segments.length; i++) {
      const seg = segments[i];
      const fileSize = fs.fstatSync(seg.fd).size;
      const result = seg.rebuildIndexes(true);
      segmentsRecovered++;
      batchesChecked += result.batches;
      seg.flushedSize = 0; // recovered bytes may still be only in the page cache
      if (result.error === null) continue;
      truncatedBytes += fileSize - result.validEnd;
      truncatedAt = seg.nextOffset;
      problems.push(`${segmentFileName(seg.baseOffset, LOG_SUFFIX)}: ${result.error}`);
      seg.truncateTo(result.validEnd);
      for (const later of segments.splice(i + 1)) {
        truncatedBytes += fs.fstatSync(later.fd).size;
        removeSegmentFiles(dir, later);
      }
      break;
    }
  }
  // Write rebuilt indexes out; inactive segments get their final time index entry as on a roll.
  for (let i = 0; i < segments.length; i++) {
    if (i < segments.length - 1) segments[i].onBecomeInactive();
    else segments[i].persistIndexes();
  }

  if (start < 0 && indexesRebuilt === 0) return { segments, recovery: null, recovered: false };
  const what = start >= 0
    ? `checked ${batchesChecked} batches in ${segmentsRecovered} segments (${reason})` +
      (truncatedAt !== null ? `, truncated ${truncatedBytes} torn bytes at offset ${truncatedAt}` : ", no torn data")
    : "";
  const rebuilt = indexesRebuilt > 0 ? `rebuilt ${indexesRebuilt} segment indexes` : "";
  const detail = problems.length > 0 ? ` [${problems.join("; ")}]` : "";
  opts.logger.info(`Recovered ${opts.name}: ${[what, rebuilt].filter((s) => s).join("; ")}${detail}`);
  return {
    segments,
    recovered: start >= 0,
    recovery: {
      segmentsRecovered,
      batchesChecked,
      truncatedBytes,
      indexesRebuilt,
      reason: [reason, ...problems].filter((s) => s).join("; "),
    },
  };
}
