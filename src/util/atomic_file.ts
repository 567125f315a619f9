/**
 * Replace a file so that a crash leaves either the old or the new content:
 * write a temporary sibling, fsync it, rename it over the target, and fsync
 * the directory so the rename itself is durable. A failed write (a full disk,
 * EIO) removes its temporary file and rethrows: the target keeps its old
 * content and no `.tmp` is left behind.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.tmp`;
  try {
    const fd = fs.openSync(tmp, "w");
    try {
      const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
      let done = 0;
      while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (e) {
    try {
      fs.rmSync(tmp, { force: true });
    } catch { /* the directory itself may be gone; nothing else to clean */ }
    throw e;
  }
  syncDirectory(path.dirname(file));
}

/** The errno code of a failed file operation ("ENOSPC", "EIO", ...), or null. */
export function errorCode(e: unknown): string | null {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : null;
}

/** The message of anything thrown, for log lines. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, "r");
    fs.fsyncSync(fd);
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
