/**
 * Checks before start-up that the log dir can be created and written, so
 * that a data directory owned by someone else (a fresh container volume, a
 * directory made by root) fails with a message naming the directory, the
 * user and the key to change, instead of EACCES on some internal file.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import process from "node:process";

function owner(dir: string): string {
  try {
    return `uid ${fs.statSync(dir).uid}`;
  } catch {
    return "another user";
  }
}

/** Throws an Error that says what to change when `dir` cannot be used as a log dir. */
export function ensureWritableLogDir(dir: string): void {
  const uid = typeof process.getuid === "function" ? process.getuid() : undefined;
  const who = uid === undefined ? "this user" : `uid ${uid}`;
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code !== "EACCES" && code !== "EPERM" && code !== "EROFS") throw e;
    let existing = dir;
    while (!fs.existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
    const problem = code === "EROFS"
      ? "the file system is read-only"
      : `the broker runs as ${who}, and ${existing} belongs to ${owner(existing)}`;
    throw new Error(
      `log.dirs: cannot write to ${dir}: ${problem}. Give that user write access to it ` +
        `(in a container: chown it to uid 65532) or set log.dirs to a writable directory.`,
    );
  }
}
