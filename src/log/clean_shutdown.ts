/**
 * The clean-shutdown marker `.kafka_cleanshutdown` in a log dir, as Kafka
 * keeps it: written last on a clean stop, so that start-up can skip
 * validating each partition's tail. Kafka 3.x (KIP-966) writes a JSON object
 * with string values, `{"version":"0","broker_epoch":"<n>"}`; we write the
 * same (broker epoch -1 when there is none). Start-up consumes the marker
 * (reads and deletes it, durably) before touching the logs, so a crash later
 * in this run counts as unclean at the next start.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { writeFileAtomic } from "../util/atomic_file.ts";

export const CLEAN_SHUTDOWN_FILE = ".kafka_cleanshutdown";

/** Whether the last stop was clean; removes the marker and fsyncs the dir so the removal survives a crash. */
export function consumeCleanShutdownMarker(logDir: string): boolean {
  try {
    fs.unlinkSync(path.join(logDir, CLEAN_SHUTDOWN_FILE));
  } catch (e) {
    if ((e as { code?: unknown }).code === "ENOENT") return false;
    throw e;
  }
  syncDirectory(logDir);
  return true;
}

/** Writes the marker durably (temporary file, fsync, rename, directory fsync). */
export function writeCleanShutdownMarker(logDir: string, brokerEpoch = -1n): void {
  const content = JSON.stringify({ version: "0", broker_epoch: brokerEpoch.toString() });
  writeFileAtomic(path.join(logDir, CLEAN_SHUTDOWN_FILE), content);
}

function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, "r");
    fs.fsyncSync(fd);
  } catch {
    // Some platforms cannot fsync a directory; the unlink has still happened.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
