/**
 * The Chromium the console's browser tests drive (CHROMIUM_PATH, else `chromium` or `chromium-browser` on
 * PATH), and whether they run: skipped with a line when none is found, except in CI, where a missing
 * Chromium is a failure (the test setup installs Debian's).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import process from "node:process";

function findChromium(): string | null {
  const candidates = [process.env.CHROMIUM_PATH ?? ""];
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    candidates.push(path.join(dir, "chromium"), path.join(dir, "chromium-browser"));
  }
  return candidates.find((c) => c !== "" && fs.existsSync(c)) ?? null;
}

/** The Chromium for `testFile`, or why its tests are skipped (throws in CI when there is none). */
export function chromiumFor(testFile: string): { executablePath: string | null; skip: string | null } {
  const executablePath = findChromium();
  const skip = executablePath ? null : "no chromium found (apt-get install chromium, or set CHROMIUM_PATH)";
  if (skip && process.env.CI === "true") throw new Error(`${testFile}: chromium missing in CI: ${skip}`);
  if (skip) console.log(`${testFile} skipped: ${skip}`);
  return { executablePath, skip };
}
