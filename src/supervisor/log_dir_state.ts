/**
 * The log dir's own bookkeeping, kept by the supervisor as Kafka's
 * LogManager keeps it: the clean-shutdown marker (consumed at start, so a
 * crash afterwards counts as unclean; written last on a clean stop), and the
 * recovery-point and log-start-offset checkpoint files, rewritten from the
 * latest report of every handler.
 *
 * Storage faults here are survived, never amplified: a checkpoint file that
 * does not parse is ignored with a WARN naming it (as Kafka does, every log
 * is then recovered from its first segment and starts at its first
 * segment's offset); a checkpoint write that fails (a full disk, EIO) is
 * logged and retried at the next report instead of throwing out of the
 * supervisor; and a stop with partitions taken offline by a storage error
 * does not count as clean, so the next start checks their logs. Directories
 * named "*-delete" (an older tsbroker moved partitions it could not place
 * there) are left untouched: data is never deleted because a bookkeeping
 * file looked wrong.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { consumeCleanShutdownMarker, writeCleanShutdownMarker } from "../log/clean_shutdown.ts";
import { readCheckpoint, writeCheckpoint } from "../log/checkpoint_file.ts";
import { errorMessage } from "../util/atomic_file.ts";
import type { Logger } from "../util/logger.ts";
import type { Checkpoints } from "../handler/handler_worker.ts";
import type { CheckpointEntry } from "../replica/replica_manager.ts";

const RECOVERY_POINTS = "recovery-point-offset-checkpoint";
const LOG_START_OFFSETS = "log-start-offset-checkpoint";

export class LogDirState {
  private readonly reports = new Map<number, Checkpoints>();
  /** The error of the last failed checkpoint write, while writes keep failing (logged once per streak). */
  private writeFailure: string | null = null;

  private constructor(
    private readonly logDir: string,
    private readonly log: Logger,
    /** No checkpoint yet: a log dir this broker has never stopped on. */
    readonly fresh: boolean,
    readonly cleanShutdown: boolean,
    private readonly recoveryPoints: ReadonlyMap<string, bigint>,
    private readonly logStartOffsets: ReadonlyMap<string, bigint>,
  ) {}

  static open(logDir: string, log: Logger): LogDirState {
    fs.mkdirSync(logDir, { recursive: true });
    const leftovers = fs.readdirSync(logDir).filter((entry) => entry.endsWith("-delete"));
    if (leftovers.length > 0) {
      log.warn(
        `${logDir} holds ${leftovers.length} directories named *-delete (${leftovers.slice(0, 5).join(", ")}` +
          `${
            leftovers.length > 5 ? ", ..." : ""
          }); they are kept: remove them by hand once you know they are not needed`,
      );
    }
    const clean = consumeCleanShutdownMarker(logDir);
    return new LogDirState(
      logDir,
      log,
      !fs.existsSync(path.join(logDir, RECOVERY_POINTS)),
      clean,
      readOrIgnore(path.join(logDir, RECOVERY_POINTS), log, "every log is recovered from its first segment"),
      readOrIgnore(path.join(logDir, LOG_START_OFFSETS), log, "every log starts at its first segment"),
    );
  }

  recoveryPointEntries(): Array<[string, bigint]> {
    return [...this.recoveryPoints];
  }

  logStartOffsetEntries(): Array<[string, bigint]> {
    return [...this.logStartOffsets];
  }

  /**
   * A handler's current checkpoints; the files are rewritten from all handlers' latest reports. Never
   * throws: a failed write is logged (once until writes succeed again) and retried at the next report.
   */
  record(handler: number, checkpoints: Checkpoints): boolean {
    this.reports.set(handler, checkpoints);
    const recovery: CheckpointEntry[] = [];
    const start: CheckpointEntry[] = [];
    for (const report of this.reports.values()) {
      recovery.push(...report.recoveryPoints);
      start.push(...report.logStartOffsets);
    }
    try {
      writeCheckpoint(path.join(this.logDir, RECOVERY_POINTS), recovery);
      writeCheckpoint(path.join(this.logDir, LOG_START_OFFSETS), start);
    } catch (e) {
      const why = errorMessage(e);
      if (this.writeFailure === null) {
        this.log.error(
          `Writing the checkpoint files in ${this.logDir} failed (${why}); the old files stay in place, ` +
            `the write is retried at every checkpoint interval and the next start recovers from them`,
        );
      }
      this.writeFailure = why;
      return false;
    }
    if (this.writeFailure !== null) {
      this.log.warn(`Checkpoint files in ${this.logDir} written again after earlier failures (${this.writeFailure})`);
      this.writeFailure = null;
    }
    return true;
  }

  /**
   * After the last handler stopped: the marker says every log was closed cleanly, which is not so when a
   * log did not close, a partition was offline after a storage error, or the checkpoints were not written.
   */
  close(allLogsClosed: boolean): void {
    const offline = [...this.reports.values()].flatMap((r) => r.offline ?? []);
    if (offline.length > 0) {
      this.log.error(
        `Not marking the shutdown clean: ${offline.length} partition(s) were offline after storage errors ` +
          `(${offline.slice(0, 10).join("; ")}); the next start checks their logs`,
      );
      return;
    }
    if (this.writeFailure !== null) {
      this.log.error(
        `Not marking the shutdown clean: the checkpoint files could not be written (${this.writeFailure})`,
      );
      return;
    }
    if (!allLogsClosed) return;
    try {
      writeCleanShutdownMarker(this.logDir);
    } catch (e) {
      this.log.error(
        `Writing the clean-shutdown marker in ${this.logDir} failed (${
          errorMessage(e)
        }); the next start checks every log`,
      );
    }
  }
}

/** A checkpoint that cannot be read is rebuilt from the logs, as Kafka does: WARN, and no entries. */
function readOrIgnore(file: string, log: Logger, consequence: string): Map<string, bigint> {
  try {
    return readCheckpoint(file);
  } catch (e) {
    log.warn(`Ignoring checkpoint file ${file}: ${errorMessage(e)}; ${consequence}`);
    return new Map();
  }
}
