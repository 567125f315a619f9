/**
 * A synchronous directory fsync for recovery, which runs while a partition opens (synchronous code):
 * the renames that complete an interrupted cleaning must be durable before the log is served. Platforms
 * that cannot fsync a directory count as done, as in ../dir_sync.ts.
 */
import * as fs from "node:fs";

const UNSUPPORTED = new Set(["EINVAL", "EISDIR", "EPERM", "ENOTSUP", "EBADF"]);

export function fsyncDirectorySync(dir: string): void {
  const fd = fs.openSync(dir, "r");
  try {
    fs.fsyncSync(fd);
  } catch (e) {
    if (!UNSUPPORTED.has((e as { code?: string }).code ?? "")) throw e;
  } finally {
    fs.closeSync(fd);
  }
}
