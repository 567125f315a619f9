/**
 * Moves a partition to another log dir while it serves (AlterReplicaLogDirs),
 * in the owner Worker, as Kafka's future replica does, losing nothing:
 *
 * 1. Copy, time-sliced between the owner's requests: the segment files
 *    (`.log`) are copied into `<dest>/<name>.<id>-future/` a slice at a time
 *    (appends keep going to the source), catching up until the copy is
 *    within a small distance of the source. A segment file that was
 *    replaced (new inode, e.g. by the cleaner) or shrank is copied again; one
 *    deleted by retention is deleted from the copy. Rolled segments are
 *    fdatasync'ed once copied.
 * 2. Swap, with the owner's ops held back (ReplicaManager's barrier): the
 *    source log is closed (flushed, producer snapshot written), the rest is
 *    copied (the tails, indexes, snapshots, partition.metadata; not the
 *    leader-epoch-checkpoint, rebuilt from the batches as Kafka's future
 *    replica does), every file and the copy's directory are
 *    fsync'ed; then the source is renamed `<name>.<id>-moved`, the copy
 *    renamed `<name>` in the destination (each rename made durable by a
 *    directory fsync), and the old copy removed. The owner reopens the log
 *    from its new place and lets the held ops run.
 *
 * A kill at any moment leaves names from which log_dirs.ts restores exactly
 * one valid copy at the next start: before the first rename the source is
 * intact (the future is discarded and the move started again); between the
 * renames the complete future becomes the log; after them the `-moved` copy
 * is removed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { randomUuid } from "../protocol/io/uuid.ts";
import { errorMessage } from "../util/atomic_file.ts";
import type { Logger } from "../util/logger.ts";
import { FUTURE_SUFFIX, MOVED_SUFFIX, syncDir } from "./log_dirs.ts";
import { LEADER_EPOCH_CHECKPOINT } from "../log/leader_epoch_cache.ts";

/** Bytes copied per slice before the owner takes its next requests. */
const SLICE_BYTES = 8 * 1024 * 1024;
/** The swap happens once the copy is at most this far behind (the rest is copied with ops held). */
const SWAP_LAG_BYTES = 1024 * 1024;
const CHUNK = 1024 * 1024;

interface Copied {
  bytes: number;
  ino: number;
  synced: boolean;
  /** Where the next batch header starts in the copy, and the offset after the last whole batch before it. */
  scanned: number;
  nextOffset: bigint | null;
}

/** One move in progress: its copy, and the renames that finish it. */
export class MoveJob {
  readonly futureDir: string;
  private readonly copied = new Map<string, Copied>();
  private readonly id = randomUuid().replace(/[^A-Za-z0-9]/g, "");
  cancelled = false;
  /** The partition is gone (its topic deleted) or the move called off: a swap under way must not reopen it. */
  dropped = false;

  constructor(
    readonly key: string,
    readonly name: string,
    /** The partition directory being moved, `<source log dir>/<name>`. */
    readonly sourceDir: string,
    readonly destLogDir: string,
  ) {
    this.futureDir = path.join(destLogDir, `${name}.${this.id}${FUTURE_SUFFIX}`);
    fs.mkdirSync(this.futureDir, { recursive: true });
    syncDir(destLogDir);
  }

  /** Bytes in the copy so far (DescribeLogDirs shows the future replica with this size). */
  /**
   * The copy's log end offset: after the last whole batch copied of the newest segment (its base offset when
   * none is), for DescribeLogDirs' offset lag of the future replica, as Kafka reports it.
   */
  get logEndOffset(): bigint | null {
    const logs = [...this.copied.keys()].filter((f) => f.endsWith(".log")).sort();
    const newest = logs[logs.length - 1];
    if (newest === undefined) return null;
    return this.copied.get(newest)!.nextOffset ?? BigInt(newest.slice(0, -4));
  }

  get copiedBytes(): bigint {
    let total = 0;
    for (const c of this.copied.values()) total += c.bytes;
    return BigInt(total);
  }

  /** Copies up to `budget` bytes of segment data; returns how many bytes the copy is still behind. */
  step(budget: number): number {
    const logs = fs.readdirSync(this.sourceDir).filter((f) => f.endsWith(".log")).sort();
    let behind = 0;
    for (let i = 0; i < logs.length; i++) {
      const file = logs[i];
      const st = fs.statSync(path.join(this.sourceDir, file));
      const rec = this.current(file, st);
      const n = Math.min(st.size - rec.bytes, budget);
      if (n > 0) {
        this.copyRange(file, rec, rec.bytes + n);
        budget -= n;
      }
      behind += st.size - rec.bytes;
      // A rolled segment no longer changes: make its copy durable now, not while ops are held.
      if (i < logs.length - 1 && rec.bytes === st.size && !rec.synced) {
        syncFile(path.join(this.futureDir, file));
        rec.synced = true;
      }
    }
    this.dropVanished(new Set(logs), true);
    return behind;
  }

  /**
   * fdatasyncs what is copied so far, before the swap holds the owner's ops: the active segment's copy can be
   * large, and at the swap only the bytes copied since then are left to sync.
   */
  syncCopied(): void {
    for (const [file, rec] of this.copied) {
      if (rec.synced) continue;
      syncFile(path.join(this.futureDir, file));
      rec.synced = true;
    }
  }

  /** With the source log closed: copies everything else and makes the whole copy durable. */
  finishCopy(): void {
    // The leader-epoch cache is not copied: as Kafka's future replica, the moved log rebuilds it from its batches.
    const files = fs.readdirSync(this.sourceDir).filter((f) =>
      !f.endsWith(".deleted") && !f.endsWith(".tmp") && f !== LEADER_EPOCH_CHECKPOINT &&
      fs.statSync(path.join(this.sourceDir, f)).isFile()
    );
    for (const file of files) {
      const from = path.join(this.sourceDir, file);
      const st = fs.statSync(from);
      if (file.endsWith(".log")) {
        const rec = this.current(file, st);
        if (rec.bytes < st.size) this.copyRange(file, rec, st.size);
      } else {
        fs.copyFileSync(from, path.join(this.futureDir, file));
        this.copied.set(file, { bytes: 0, ino: st.ino, synced: false, scanned: 0, nextOffset: null });
      }
    }
    this.dropVanished(new Set(files), false);
    for (const [file, rec] of this.copied) {
      if (!rec.synced) syncFile(path.join(this.futureDir, file));
      rec.synced = true;
    }
    syncDir(this.futureDir);
  }

  /**
   * The renames that make the copy the log: source → `-moved`, future → `<name>`, then the old copy
   * goes. If the second rename fails, the source is renamed back, so there is still one log.
   */
  commit(): void {
    const sourceLogDir = path.dirname(this.sourceDir);
    const moved = path.join(sourceLogDir, `${this.name}.${this.id}${MOVED_SUFFIX}`);
    fs.renameSync(this.sourceDir, moved);
    syncDir(sourceLogDir);
    try {
      fs.renameSync(this.futureDir, path.join(this.destLogDir, this.name));
      syncDir(this.destLogDir);
    } catch (e) {
      fs.renameSync(moved, this.sourceDir);
      syncDir(sourceLogDir);
      throw e;
    }
    fs.rmSync(moved, { recursive: true, force: true });
  }

  /** Gives the move up: the copy goes, the source was never touched. */
  discard(): void {
    this.cancelled = true;
    fs.rmSync(this.futureDir, { recursive: true, force: true });
  }

  /** The copy record of `file`, started over when the source file was replaced or shrank. */
  private current(file: string, st: fs.Stats): Copied {
    let rec = this.copied.get(file);
    if (!rec || rec.ino !== st.ino || st.size < rec.bytes) {
      rec = { bytes: 0, ino: st.ino, synced: false, scanned: 0, nextOffset: null };
      this.copied.set(file, rec);
      fs.writeFileSync(path.join(this.futureDir, file), new Uint8Array(0));
    }
    return rec;
  }

  private copyRange(file: string, rec: Copied, end: number): void {
    const src = fs.openSync(path.join(this.sourceDir, file), "r");
    const dst = fs.openSync(path.join(this.futureDir, file), "r+");
    try {
      const buf = new Uint8Array(CHUNK);
      while (rec.bytes < end) {
        const n = fs.readSync(src, buf, 0, Math.min(CHUNK, end - rec.bytes), rec.bytes);
        if (n <= 0) break;
        fs.writeSync(dst, buf, 0, n, rec.bytes);
        rec.bytes += n;
      }
      rec.synced = false;
      // Batch headers of what is copied (12 bytes each: base offset, length; then the last offset delta).
      const header = new DataView(buf.buffer, 0, 27);
      while (rec.scanned + 27 <= rec.bytes) {
        fs.readSync(dst, buf, 0, 27, rec.scanned);
        const end = rec.scanned + 12 + header.getInt32(8);
        if (end > rec.bytes || end <= rec.scanned + 12) break;
        rec.nextOffset = header.getBigInt64(0) + BigInt(header.getInt32(23)) + 1n;
        rec.scanned = end;
      }
    } finally {
      fs.closeSync(src);
      fs.closeSync(dst);
    }
  }

  /** Copied files whose source is gone (segments deleted by retention) go from the copy too. */
  private dropVanished(present: Set<string>, onlyLogs: boolean): void {
    for (const file of [...this.copied.keys()]) {
      if (present.has(file) || (onlyLogs && !file.endsWith(".log"))) continue;
      fs.rmSync(path.join(this.futureDir, file), { force: true });
      this.copied.delete(file);
    }
  }
}

/** What the mover needs from the owner. */
export interface MoveHost {
  /** Whether `key` is still open, from `sourceDir`. */
  isServing(key: string, sourceDir: string): boolean;
  /** Holds the owner's ops, closes the source, runs finishCopy and commit, reopens; never throws. */
  swap(job: MoveJob): Promise<void>;
  log: Logger;
}

/** The moves of one owner's partitions, at most one per partition. */
export class ReplicaMover {
  private readonly jobs = new Map<string, MoveJob>();

  constructor(private readonly host: MoveHost) {}

  /** The destination of a move in progress, if any. */
  destination(key: string): string | undefined {
    return this.jobs.get(key)?.destLogDir;
  }

  /** Starts moving `key` (now in `sourceDir`) to `destLogDir`; a move elsewhere is given up first. */
  start(key: string, name: string, sourceDir: string, destLogDir: string): void {
    const running = this.jobs.get(key);
    if (running?.destLogDir === destLogDir) return;
    if (running) this.cancel(key);
    const job = new MoveJob(key, name, sourceDir, destLogDir);
    this.jobs.set(key, job);
    this.host.log.info(`Moving ${name} from ${path.dirname(sourceDir)} to ${destLogDir}`);
    this.run(job);
  }

  cancel(key: string): void {
    const job = this.jobs.get(key);
    if (!job) return;
    this.jobs.delete(key);
    job.dropped = true;
    try {
      job.discard();
    } catch (e) {
      this.host.log.warn(`removing ${job.futureDir} failed: ${errorMessage(e)}`);
    }
  }

  /** The future replica of a move in progress, for DescribeLogDirs. */
  future(key: string): { dir: string; sizeBytes: bigint; logEndOffset: bigint | null } | undefined {
    const job = this.jobs.get(key);
    return job && { dir: job.destLogDir, sizeBytes: job.copiedBytes, logEndOffset: job.logEndOffset };
  }

  /** Shutdown: every move stops where it is, its copy kept (the next start resumes it). */
  stopAll(): void {
    for (const job of this.jobs.values()) job.cancelled = true;
    this.jobs.clear();
  }

  private async run(job: MoveJob): Promise<void> {
    try {
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        if (job.cancelled) return;
        if (!this.host.isServing(job.key, job.sourceDir)) {
          this.cancel(job.key);
          return;
        }
        if (job.step(SLICE_BYTES) <= SWAP_LAG_BYTES) break;
      }
      if (job.cancelled) return;
      job.syncCopied();
      if (job.cancelled || !this.host.isServing(job.key, job.sourceDir)) return this.cancel(job.key);
      await this.host.swap(job);
    } catch (e) {
      this.host.log.error(`Moving ${job.name} to ${job.destLogDir} failed (${errorMessage(e)}); it stays where it was`);
      if (this.jobs.get(job.key) === job) this.cancel(job.key);
    } finally {
      if (this.jobs.get(job.key) === job) this.jobs.delete(job.key);
    }
  }
}

function syncFile(file: string): void {
  const fd = fs.openSync(file, "r+");
  try {
    fs.fdatasyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
