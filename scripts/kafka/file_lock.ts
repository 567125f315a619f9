/**
 * A lock between processes on one machine, held as a file created with
 * O_EXCL. The test suite runs its files in parallel processes, and several
 * of them ask for the reference Kafka's classpath at once on a cold cache:
 * without the lock each runs Maven into the same output file and local
 * repository, and the losers fail. A lock whose holder has exited (a killed
 * run) is taken over.
 */
import * as fs from "node:fs";
import process from "node:process";

function holderAlive(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(lock, "utf8").trim());
  } catch {
    return true; // just created and not yet written, or just released: look again
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === "EPERM";
  }
}

/** Runs `work` while holding `lock`, waiting up to `timeoutMs` for another process to release it. */
export async function withFileLock<T>(lock: string, work: () => Promise<T>, timeoutMs = 600_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: "wx" });
      break;
    } catch (e) {
      if ((e as { code?: string }).code !== "EEXIST") throw e;
      if (!holderAlive(lock)) {
        fs.rmSync(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`${lock} is still held by another process after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await work();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}
