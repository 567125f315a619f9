/**
 * The process's soft limit on open file descriptors (RLIMIT_NOFILE), read
 * from /proc/self/limits. Neither runtime exposes getrlimit, and running out
 * of descriptors panics Deno, so limits that hold descriptors (connections,
 * partitions, cached segment files) derive their safe defaults from this.
 * Returns null where /proc is not available (not Linux) or the limit is
 * "unlimited".
 */
import { readFileSync } from "node:fs";

export function parseOpenFilesLimit(limitsText: string): number | null {
  const line = limitsText.split("\n").find((l) => l.startsWith("Max open files"));
  if (!line) return null;
  const soft = line.slice("Max open files".length).trim().split(/\s+/)[0];
  const n = Number(soft);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

export function openFilesLimit(): number | null {
  try {
    return parseOpenFilesLimit(readFileSync("/proc/self/limits", "utf8"));
  } catch {
    return null;
  }
}
