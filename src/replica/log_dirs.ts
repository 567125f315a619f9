/**
 * The log dirs as one handler sees them (Kafka's LogManager, for several
 * `log.dirs`): where each of its partitions lives, where a new one goes, and
 * which dirs are offline.
 *
 * - A partition lives in the dir that holds `<topic>-<p>/`. A new one goes
 *   to the online dir with the fewest partitions (Kafka's rule, ties to the
 *   earlier dir). The count is over every partition of the broker, not just
 *   this handler's, yet the handlers never talk: each one follows the whole
 *   metadata image (track()), finding existing partitions on disk and
 *   placing new ones in image order with the same rule, so every handler
 *   computes the same placement and the owner creates the partition where
 *   all of them expect it. (A move is known only to its owner: the others'
 *   counts are one off per move until the next start.)
 * - A dir that cannot be written at start-up is offline: its partitions stay
 *   offline (KAFKA_STORAGE_ERROR), new ones go elsewhere, DescribeLogDirs
 *   reports it with KAFKA_STORAGE_ERROR, as Kafka does for a failed dir.
 *   Which partitions it held is not recorded anywhere else (Kafka's KRaft
 *   controller keeps each replica's directory id; tsbroker does not), so at
 *   start-up a partition found in no online dir stays offline while a dir
 *   that might hold it is offline, rather than starting empty elsewhere and
 *   handing out its offsets again; partitions created later are placed.
 * - Moves between dirs (replica_mover.ts) leave names that say how far a
 *   move got, and a start-up (or the first open of that partition) finishes
 *   or undoes it so exactly one copy remains:
 *     `<name>.<id>-future` with `<name>` present elsewhere → the move was
 *       not finished: the copy is discarded and the move starts again;
 *     `<name>.<id>-future` and no `<name>` anywhere → the old copy was
 *       already renamed away, so the future is complete: it becomes `<name>`;
 *     `<name>.<id>-moved` (the old copy, renamed once the new one was
 *       complete) → removed once `<name>` exists, renamed back otherwise.
 *   A partition found as `<name>` in two dirs is not guessed at: it stays
 *   offline with both paths named, nothing deleted.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { errorMessage } from "../util/atomic_file.ts";
import type { Logger } from "../util/logger.ts";

export const FUTURE_SUFFIX = "-future";
export const MOVED_SUFFIX = "-moved";

/** `<name>.<id>-future` → `<name>` (topic names may hold dots: the id is after the last one). */
export function baseName(entry: string, suffix: string): string | null {
  if (!entry.endsWith(suffix)) return null;
  const stem = entry.slice(0, -suffix.length);
  const dot = stem.lastIndexOf(".");
  return dot > 0 ? stem.slice(0, dot) : null;
}

export class LogDirs {
  readonly paths: readonly string[];
  private readonly offline = new Map<string, string>();
  private readonly counts = new Map<string, number>();
  /** Every partition of the image (by name) and the dir it is in or placed in. */
  private readonly where = new Map<string, string>();
  /** Leftovers of moves found at start-up, by partition name: resolved at the partition's first open. */
  private readonly leftovers = new Map<string, Array<{ dir: string; entry: string; suffix: string }>>();
  /** Set once the first image is applied: partitions of later images are new, never in an offline dir. */
  private startupDone = false;
  /** Partitions that may be in an offline dir (not found in any online one at start-up). */
  private readonly suspects = new Set<string>();
  /** Moves a start-up found unfinished (partition name → destination dir), for the owner to restart. */
  readonly interruptedMoves = new Map<string, string>();

  constructor(paths: readonly string[], private readonly log: Logger) {
    this.paths = paths.map((p) => path.resolve(p));
    for (const dir of this.paths) {
      this.counts.set(dir, 0);
      try {
        fs.mkdirSync(dir, { recursive: true });
        fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
        for (const entry of fs.readdirSync(dir)) {
          for (const suffix of [FUTURE_SUFFIX, MOVED_SUFFIX]) {
            const name = baseName(entry, suffix);
            if (name === null) continue;
            const list = this.leftovers.get(name) ?? [];
            list.push({ dir, entry, suffix });
            this.leftovers.set(name, list);
          }
        }
      } catch (e) {
        this.offline.set(dir, errorMessage(e));
      }
    }
  }

  /** The configured dir `given` names (an absolute or relative path), or null when it is not one of them. */
  resolve(given: string): string | null {
    const wanted = path.resolve(given);
    return this.paths.includes(wanted) ? wanted : null;
  }

  offlineReason(dir: string): string | null {
    return this.offline.get(dir) ?? null;
  }

  /**
   * Where partition `name` lives, finishing or undoing an interrupted move first; a new partition is
   * placed. Throws (the partition then stays offline) when it sits in an offline dir or in two dirs.
   */
  locate(name: string): string {
    this.resolveLeftovers(name);
    const found = this.paths.filter((dir) => !this.offline.has(dir) && fs.existsSync(path.join(dir, name)));
    if (found.length > 1) {
      throw new Error(
        `found in ${found.length} log dirs (${found.map((d) => path.join(d, name)).join(", ")}); ` +
          `keep the right copy and move the other away`,
      );
    }
    if (found.length === 1) return found[0];
    for (const [dir, why] of this.offline) {
      if (this.suspects.has(name) || (!this.startupDone && this.mayHold(dir, name))) {
        // Remembered: the owner's retries must not recreate it empty once start-up is over.
        this.suspects.add(name);
        throw new Error(`it may be in log dir ${dir}, which is offline (${why})`);
      }
    }
    const placed = this.where.get(name);
    if (placed !== undefined && !this.offline.has(placed)) return placed;
    return this.fewest();
  }

  private fewest(): string {
    const online = this.paths.filter((dir) => !this.offline.has(dir));
    if (online.length === 0) throw new Error("every log dir is offline");
    let best = online[0];
    for (const dir of online) if (this.counts.get(dir)! < this.counts.get(best)!) best = dir;
    return best;
  }

  /**
   * Follows the image's partitions (names, in image order): those gone are forgotten, new ones are found
   * on disk or placed in the dir with the fewest. Every handler calls this with the same images.
   */
  track(names: readonly string[]): void {
    if (this.paths.length === 1) return;
    const present = new Set(names);
    for (const [name, dir] of this.where) {
      if (!present.has(name)) {
        this.where.delete(name);
        this.counts.set(dir, this.counts.get(dir)! - 1);
      }
    }
    for (const name of names) {
      if (this.where.has(name)) continue;
      const dir = this.paths.find((d) =>
        this.offline.has(d) ? this.mayHold(d, name) : fs.existsSync(path.join(d, name))
      ) ??
        this.fewest();
      this.where.set(name, dir);
      this.counts.set(dir, this.counts.get(dir)! + 1);
    }
  }

  /** The start-up image is applied: from now on a partition found in no online dir is a new one. */
  started(): void {
    this.startupDone = true;
  }

  /** The owner moved `name` to `dir`. */
  moved(name: string, dir: string): void {
    const from = this.where.get(name);
    if (from === undefined || from === dir) return;
    this.counts.set(from, this.counts.get(from)! - 1);
    this.counts.set(dir, this.counts.get(dir)! + 1);
    this.where.set(name, dir);
  }

  /** An offline dir cannot be listed: it may hold the partition unless it is plainly absent. */
  private mayHold(dir: string, name: string): boolean {
    try {
      return fs.existsSync(path.join(dir, name)) || !fs.existsSync(dir) || fs.readdirSync(dir).length > 0;
    } catch {
      return true;
    }
  }

  private resolveLeftovers(name: string): void {
    const found = this.leftovers.get(name);
    if (!found) return;
    this.leftovers.delete(name);
    const current = () => this.paths.some((dir) => fs.existsSync(path.join(dir, name)));
    for (const { dir, entry } of found.filter((f) => f.suffix === FUTURE_SUFFIX)) {
      const at = path.join(dir, entry);
      if (current()) {
        this.log.warn(`${at}: a move of ${name} to ${dir} was interrupted; it starts again`);
        fs.rmSync(at, { recursive: true, force: true });
        this.interruptedMoves.set(name, dir);
      } else {
        this.log.warn(`${at}: a move of ${name} to ${dir} was interrupted after its copy was complete; finishing it`);
        fs.renameSync(at, path.join(dir, name));
        syncDir(dir);
      }
    }
    for (const { dir, entry } of found.filter((f) => f.suffix === MOVED_SUFFIX)) {
      const at = path.join(dir, entry);
      if (current()) {
        fs.rmSync(at, { recursive: true, force: true });
      } else {
        this.log.warn(`${at}: the new copy of ${name} is missing; the old copy is restored`);
        fs.renameSync(at, path.join(dir, name));
        syncDir(dir);
      }
    }
  }

  /** Total and usable bytes of the file system holding `dir` (-1 when unknown). */
  static space(dir: string): { totalBytes: bigint; usableBytes: bigint } {
    try {
      const s = fs.statfsSync(dir, { bigint: true });
      return { totalBytes: s.blocks * s.bsize, usableBytes: s.bavail * s.bsize };
    } catch {
      return { totalBytes: -1n, usableBytes: -1n };
    }
  }
}

/**
 * Each configured dir and why it cannot be used (null: online), as DescribeLogDirs reports them: checked
 * as the owners check them at start-up (the dir exists or can be made, and can be written).
 */
export function logDirStatus(paths: readonly string[]): Array<{ path: string; offline: string | null }> {
  return paths.map((p) => {
    const dir = path.resolve(p);
    try {
      fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
      return { path: dir, offline: null };
    } catch (e) {
      return { path: dir, offline: errorMessage(e) };
    }
  });
}

/** fsync of a directory, so renames in it survive a crash (platforms that cannot: as durable as it gets). */
export function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, "r");
    fs.fsyncSync(fd);
  } catch (e) {
    const code = (e as { code?: string }).code ?? "";
    if (!["EINVAL", "EISDIR", "EPERM", "ENOTSUP", "EBADF"].includes(code)) throw e;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
