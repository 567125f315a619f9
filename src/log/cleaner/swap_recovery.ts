/**
 * What a crash in the middle of a cleaning leaves, put right before a partition's segments load (Kafka's
 * LogLoader does the same with its .cleaned and .swap files):
 * - `<base>.log.cleaned` (and its index files): a cleaning not yet finished; the segments it was cleaned
 *   from are all still there, so it is deleted.
 * - `<base>.log.swap`: a finished, fdatasync'ed cleaned segment that was about to replace the segments it
 *   was cleaned from; the replacement is completed: every segment whose base offset lies in the swap's
 *   offset range goes, and the swap takes its final name (its indexes are rebuilt on load). An old
 *   segment past the swap's last offset (all its records were cleaned away) may remain: everything in it
 *   is superseded by later records, so the log reads the same, and the next cleaning removes it.
 * - index files with `.swap` but no `.log.swap`: the rename to .swap was cut short; deleted.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Logger } from "../../util/logger.ts";
import {
  CLEANED_SUFFIX,
  INDEX_SUFFIX,
  LOG_SUFFIX,
  segmentFileName,
  SWAP_SUFFIX,
  TIME_INDEX_SUFFIX,
} from "../segment.ts";
import { scanBatches } from "../segment_scan.ts";
import { fsyncDirectorySync } from "./sync_dir.ts";
import { BASE_OFFSET_OFFSET, LAST_OFFSET_DELTA_OFFSET } from "../record_batch.ts";

const SEGMENT_LOG = /^(\d{20})\.log$/;
const SWAP_LOG = /^(\d{20})\.log\.swap$/;

/** The offset after the last batch of the swap file (its base offset when it holds none). */
function swapEnd(file: string, base: bigint): bigint {
  const fd = fs.openSync(file, "r");
  try {
    let next = base;
    const size = fs.fstatSync(fd).size;
    scanBatches(fd, 0, size, { verify: false, segmentBase: base }, (_buf, at, _pos, v) => {
      next = v.getBigInt64(at + BASE_OFFSET_OFFSET) + BigInt(v.getInt32(at + LAST_OFFSET_DELTA_OFFSET)) + 1n;
    });
    return next;
  } finally {
    fs.closeSync(fd);
  }
}

function remove(dir: string, name: string): void {
  fs.rmSync(path.join(dir, name), { force: true });
}

/** Completes or discards interrupted cleanings in `dir`; returns a line per swap completed (for the log). */
export function completeSwaps(dir: string, name: string, logger: Logger): string[] {
  if (!fs.existsSync(dir)) return [];
  const names = fs.readdirSync(dir);
  const done: string[] = [];
  let changed = false;
  for (const n of names) {
    if (n.endsWith(CLEANED_SUFFIX)) {
      remove(dir, n);
      changed = true;
    }
  }
  const swaps = names.map((n) => SWAP_LOG.exec(n)).filter((m) => m !== null).map((m) => BigInt(m![1]));
  for (const n of names) {
    if (!n.endsWith(SWAP_SUFFIX) || SWAP_LOG.test(n)) continue;
    remove(dir, n); // index swaps: rebuilt from the .log once it is installed, or orphans of a cut rename
    changed = true;
  }
  for (const base of swaps) {
    const swapFile = path.join(dir, segmentFileName(base, LOG_SUFFIX + SWAP_SUFFIX));
    const end = swapEnd(swapFile, base);
    if (end === base) {
      // An empty swap replaces nothing (the cleaner never installs one): the old segments stand.
      fs.rmSync(swapFile, { force: true });
      changed = true;
      continue;
    }
    const replaced: bigint[] = [];
    for (const n of fs.readdirSync(dir)) {
      const m = SEGMENT_LOG.exec(n);
      if (!m) continue;
      const b = BigInt(m[1]);
      if (b >= base && b < end) replaced.push(b);
    }
    for (const b of replaced) {
      for (const suffix of [LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX]) remove(dir, segmentFileName(b, suffix));
    }
    fs.renameSync(swapFile, path.join(dir, segmentFileName(base, LOG_SUFFIX)));
    changed = true;
    done.push(`installed the cleaned segment ${base}..${end - 1n} in place of ${replaced.length} segment(s)`);
  }
  if (changed) fsyncDirectorySync(dir);
  if (done.length > 0) logger.warn(`${name}: a cleaning was interrupted; ${done.join("; ")}`);
  return done;
}
