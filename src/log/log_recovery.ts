/**
 * Opening a partition directory: find the segments, load them (rebuilding bad or missing indexes), and
 * after an unclean stop recover the tail — every segment from the one holding the recovery point is
 * walked batch by batch (length, magic 2, CRC-32C); at the first bad or torn batch the rest of that .log is
 * copied aside to a `.corrupt` file and cut, and the walk goes on with the next segment. Unlike Kafka's
 * LogLoader, later segments are kept: a bit flip in a sealed segment must not take the intact segments
 * after it (their offsets stay; the cut range becomes a gap readers skip). Every cut is logged at WARN (a
 * torn tail of the last segment, as a crash leaves) or ERROR (damage anywhere else), with offsets and bytes.
 */
import * as fs from "node:fs";
import { copyRangeToNewFile } from "./copy_range.ts";
import * as path from "node:path";
import type { LogConfig } from "./log_config.ts";
import type { Logger } from "../util/logger.ts";
import { DELETED_SUFFIX, LOG_SUFFIX, Segment, segmentFileName } from "./segment.ts";
import { completeSwaps } from "./cleaner/swap_recovery.ts";

/** Damaged bytes cut from a segment by recovery, kept beside it: `<base>.log.<byte>.corrupt`. */
export const CORRUPT_SUFFIX = ".corrupt";

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

const SEGMENT_FILE = /^(\d{20})\.(log|index|timeindex|txnindex)$/;

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

/** What a crash leaves at the end of the last segment: a batch cut short, or part of a header. */
const TORN = /^(torn batch|\d+ trailing bytes)/;

/**
 * Copies bytes [from, to) of the segment's .log to `<log>.<from>.corrupt` (fsynced) before the caller
 * truncates them, so an operator can still inspect or salvage them; returns the file's name.
 */
function moveTailAside(seg: Segment, from: number, to: number): string {
  const target = `${seg.logPath}.${from}${CORRUPT_SUFFIX}`;
  copyRangeToNewFile(seg.fd, from, to, target);
  return path.basename(target);
}

export interface LoadSegmentsOptions {
  dir: string;
  name: string;
  config: LogConfig;
  recoveryPoint: bigint;
  cleanShutdown: boolean;
  logger: Logger;
}

/**
 * Loads every segment of `dir` (created if missing) and recovers when needed. Recovery runs when the
 * shutdown was unclean, when a segment ends past the recovery point, or when loading met a torn tail.
 */
export function loadSegments(opts: LoadSegmentsOptions): LoadedLog {
  fs.mkdirSync(opts.dir, { recursive: true });
  // A cleaning cut short by a crash is completed or discarded first (cleaner/swap_recovery.ts).
  completeSwaps(opts.dir, opts.name, opts.logger);
  const { segments, indexesRebuilt, problems, firstTorn } = openSegments(opts.dir, opts.config);
  if (segments.length === 0) return { segments, recovery: null, recovered: false };

  const { start, reason } = recoveryStart(segments, opts, firstTorn);
  const walk = start >= 0 ? checkSegments(segments, start, problems) : nothingChecked();
  // Write rebuilt indexes out; inactive segments get their final time index entry as on a roll.
  for (let i = 0; i < segments.length; i++) {
    if (i < segments.length - 1) segments[i].onBecomeInactive();
    else segments[i].persistIndexes();
  }

  if (start < 0 && indexesRebuilt === 0) return { segments, recovery: null, recovered: false };
  logRecovery(opts, start >= 0 ? reason : null, walk, indexesRebuilt, problems);
  return {
    segments,
    recovered: start >= 0,
    recovery: {
      segmentsRecovered: walk.segmentsRecovered,
      batchesChecked: walk.batchesChecked,
      truncatedBytes: walk.truncatedBytes,
      indexesRebuilt,
      reason: [reason, ...problems].filter((s) => s).join("; "),
    },
  };
}

interface OpenedSegments {
  segments: Segment[];
  indexesRebuilt: number;
  /** What was wrong with each rebuilt index, for the recovery report. */
  problems: string[];
  /** The first segment whose .log ends in a torn batch; -1 when none does. */
  firstTorn: number;
}

/** Opens the directory's segments in offset order, rebuilding indexes that are bad or missing. */
function openSegments(dir: string, config: LogConfig): OpenedSegments {
  const opened: OpenedSegments = { segments: [], indexesRebuilt: 0, problems: [], firstTorn: -1 };
  for (const base of cleanDirectory(dir, fs.readdirSync(dir))) {
    const { segment, indexProblem, tail } = Segment.open(dir, base, config);
    if (indexProblem !== null) {
      opened.indexesRebuilt++;
      opened.problems.push(`${segmentFileName(base, "")}: ${indexProblem}`);
    }
    if (tail !== null && opened.firstTorn < 0) opened.firstTorn = opened.segments.length;
    opened.segments.push(segment);
  }
  return opened;
}

/** The segment recovery starts from (-1: none) and why it runs. */
function recoveryStart(
  segments: Segment[],
  opts: LoadSegmentsOptions,
  firstTorn: number,
): { start: number; reason: string } {
  const { recoveryPoint } = opts;
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
  return { start, reason };
}

function nothingChecked(): CheckResult {
  return { segmentsRecovered: 0, batchesChecked: 0, truncatedBytes: 0, truncatedAt: null, repairs: [], damaged: false };
}

/** Cuts at WARN (a torn tail) or ERROR (damage), then one INFO line; `reason` null when no segment was walked. */
function logRecovery(
  opts: LoadSegmentsOptions,
  reason: string | null,
  walk: CheckResult,
  indexesRebuilt: number,
  problems: string[],
): void {
  const what = reason !== null
    ? `checked ${walk.batchesChecked} batches in ${walk.segmentsRecovered} segments (${reason})` +
      (walk.truncatedAt !== null
        ? `, truncated ${walk.truncatedBytes} bytes from offset ${walk.truncatedAt}`
        : ", no torn data")
    : "";
  const rebuilt = indexesRebuilt > 0 ? `rebuilt ${indexesRebuilt} segment indexes` : "";
  const detail = problems.length > 0 ? ` [${problems.join("; ")}]` : "";
  if (walk.repairs.length > 0) {
    const line = `Recovery of ${opts.name} truncated damaged data: ${walk.repairs.join("; ")}`;
    if (walk.damaged) opts.logger.error(line);
    else opts.logger.warn(line);
  }
  opts.logger.info(`Recovered ${opts.name}: ${[what, rebuilt].filter((s) => s).join("; ")}${detail}`);
}

interface CheckResult {
  segmentsRecovered: number;
  batchesChecked: number;
  truncatedBytes: number;
  truncatedAt: bigint | null;
  /** One line per cut: segment, why, bytes, offsets, where they went. */
  repairs: string[];
  /** Something other than a torn tail of the last segment was cut. */
  damaged: boolean;
}

/**
 * Walks segments[start..] batch by batch with CRCs. Only what is damaged goes: the bytes from the bad
 * batch to the end of that segment are moved aside (never deleted), and later segments, checked in turn,
 * stay. A torn tail of the last segment is what a crash leaves; anything else is damage to data that was
 * once whole.
 */
function checkSegments(segments: Segment[], start: number, problems: string[]): CheckResult {
  let segmentsRecovered = 0;
  let batchesChecked = 0;
  let truncatedBytes = 0;
  let truncatedAt: bigint | null = null;
  const repairs: string[] = [];
  let damaged = false;
  for (let i = start; i < segments.length; i++) {
    const seg = segments[i];
    const fileSize = fs.fstatSync(seg.fd).size;
    const result = seg.rebuildIndexes(true);
    segmentsRecovered++;
    batchesChecked += result.batches;
    seg.flushedSize = 0; // recovered bytes may still be only in the page cache
    if (result.error === null) continue;
    const cut = fileSize - result.validEnd;
    truncatedBytes += cut;
    truncatedAt ??= seg.nextOffset;
    problems.push(`${segmentFileName(seg.baseOffset, LOG_SUFFIX)}: ${result.error}`);
    const last = i === segments.length - 1;
    const torn = last && TORN.test(result.error);
    if (!torn) damaged = true;
    const aside = moveTailAside(seg, result.validEnd, fileSize);
    seg.truncateTo(result.validEnd);
    const next = last ? null : segments[i + 1].baseOffset;
    repairs.push(
      `${segmentFileName(seg.baseOffset, LOG_SUFFIX)}: ${result.error}; ${cut} bytes from byte ${result.validEnd} ` +
        `(offsets ${seg.nextOffset}${next !== null ? `..${next - 1n}` : " on"}) moved to ${aside}` +
        (next !== null ? `; the ${segments.length - 1 - i} later segment(s) from offset ${next} are kept` : ""),
    );
  }
  return { segmentsRecovered, batchesChecked, truncatedBytes, truncatedAt, repairs, damaged };
}
