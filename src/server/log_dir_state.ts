/**
 * The log dir's own bookkeeping, kept by the supervisor as Kafka's
 * LogManager keeps it: the clean-shutdown marker (consumed at start, so a
 * crash afterwards counts as unclean; written last on a clean stop), and the
 * recovery-point and log-start-offset checkpoint files, rewritten from the
 * latest report of every handler. Directories renamed "*-delete" by a topic
 * deletion that did not finish are removed at start.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { consumeCleanShutdownMarker, writeCleanShutdownMarker } from "../log/clean_shutdown.ts";
import { readCheckpoint, writeCheckpoint } from "../log/checkpoint_file.ts";
import type { Logger } from "../util/logger.ts";
import type { Checkpoints } from "./handler_worker.ts";
import type { CheckpointEntry } from "./replica_manager.ts";

const RECOVERY_POINTS = "recovery-point-offset-checkpoint";
const LOG_START_OFFSETS = "log-start-offset-checkpoint";

export class LogDirState {
  private readonly reports = new Map<number, Checkpoints>();

  private constructor(
    private readonly logDir: string,
    /** No checkpoint yet: a log dir this broker has never stopped on. */
    readonly fresh: boolean,
    readonly cleanShutdown: boolean,
    private readonly recoveryPoints: ReadonlyMap<string, bigint>,
    private readonly logStartOffsets: ReadonlyMap<string, bigint>,
  ) {}

  static open(logDir: string, log: Logger): LogDirState {
    fs.mkdirSync(logDir, { recursive: true });
    for (const entry of fs.readdirSync(logDir)) {
      if (entry.endsWith("-delete")) {
        log.info(`Removing ${entry}, left by an unfinished topic deletion`);
        fs.rmSync(path.join(logDir, entry), { recursive: true, force: true });
      }
    }
    const clean = consumeCleanShutdownMarker(logDir);
    return new LogDirState(
      logDir,
      !fs.existsSync(path.join(logDir, RECOVERY_POINTS)),
      clean,
      readCheckpoint(path.join(logDir, RECOVERY_POINTS)),
      readCheckpoint(path.join(logDir, LOG_START_OFFSETS)),
    );
  }

  recoveryPointEntries(): Array<[string, bigint]> {
    return [...this.recoveryPoints];
  }

  logStartOffsetEntries(): Array<[string, bigint]> {
    return [...this.logStartOffsets];
  }

  /** A handler's current checkpoints; the files are rewritten from all handlers' latest reports. */
  record(handler: number, checkpoints: Checkpoints): void {
    this.reports.set(handler, checkpoints);
    const recovery: CheckpointEntry[] = [];
    const start: CheckpointEntry[] = [];
    for (const report of this.reports.values()) {
      recovery.push(...report.recoveryPoints);
      start.push(...report.logStartOffsets);
    }
    writeCheckpoint(path.join(this.logDir, RECOVERY_POINTS), recovery);
    writeCheckpoint(path.join(this.logDir, LOG_START_OFFSETS), start);
  }

  /** After the last handler stopped: the marker says every log was closed cleanly. */
  close(allLogsClosed: boolean): void {
    if (allLogsClosed) writeCleanShutdownMarker(this.logDir);
  }
}
