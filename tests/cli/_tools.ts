/**
 * Runs `tsbroker <tool> ...` as a user does: a separate process of the Deno entry point (or Bun's, or the
 * compiled executable), with standard input, and returns its exit status, stdout and stderr.
 */
import * as path from "node:path";
import { type Flavour, ROOT, runCommand } from "../integration/_broker.ts";

const BIN = path.join(ROOT, "node_modules", ".bin");

export interface ToolRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function toolCommand(flavour: Flavour): [string, string[]] {
  switch (flavour) {
    case "deno":
      return [path.join(BIN, "deno"), ["run", "-A", path.join(ROOT, "src/runtime/deno/main.ts")]];
    case "bun":
      return [path.join(BIN, "bun"), [path.join(ROOT, "src/runtime/bun/main.ts")]];
    case "exe":
      return [path.join(ROOT, "dist", "tsbroker"), []];
  }
}

/** `tsbroker ...args` to completion. */
export function tsbroker(
  args: string[],
  options: { input?: string; flavour?: Flavour; timeoutMs?: number } = {},
): Promise<ToolRun> {
  const [command, base] = toolCommand(options.flavour ?? "deno");
  return runCommand(command, [...base, ...args], { input: options.input, timeoutMs: options.timeoutMs ?? 60_000 });
}

/** Fails with the run's output unless it exited with `code`. */
export function expectCode(run: ToolRun, code: number, what: string): void {
  if (run.code !== code) {
    throw new Error(`${what}: exit ${run.code}, expected ${code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
  }
}

/**
 * The broker-driven tool tests start brokers through Deno.Command; scripts/test.ts also runs tests/cli under
 * `bun test` (for the unit tests here), where they are skipped: Bun's turn comes in tools_runtimes_test.ts.
 */
export const DENO_ONLY = {
  skip: typeof (globalThis as { Deno?: unknown }).Deno === "undefined" ? "starts brokers through Deno" : false,
};
