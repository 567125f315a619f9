/**
 * fsync of a directory, which makes the names of files created, renamed or
 * removed in it durable. Kafka does the same after creating a log's files
 * (Utils.flushDir). Platforms that cannot fsync a directory (EINVAL, EISDIR,
 * EPERM) are treated as done: there the entry is as durable as it gets.
 */
import * as fs from "node:fs";

const UNSUPPORTED = new Set(["EINVAL", "EISDIR", "EPERM", "ENOTSUP", "EBADF"]);

export async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await fs.promises.open(dir, "r");
  try {
    await handle.sync();
  } catch (e) {
    if (!UNSUPPORTED.has((e as { code?: string }).code ?? "")) throw e;
  } finally {
    await handle.close();
  }
}
