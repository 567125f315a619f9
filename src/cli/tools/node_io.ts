/**
 * The tools' input and output on the real process, through node:process and node:readline, which Deno and
 * Bun both provide (as the client's sockets use node:net), so this stays free of runtime globals.
 */
import process from "node:process";
import * as readline from "node:readline";
import type { ToolIo } from "./output.ts";

export function processIo(onSignal: (handler: (signal: string) => void) => void): ToolIo {
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    stdinLines: () => readline.createInterface({ input: process.stdin, crlfDelay: Infinity }),
    isTty: Boolean(process.stdout.isTTY),
    onInterrupt: (handler) => onSignal(() => handler()),
  };
}

/** Resolves once what was written to stdout and stderr has been handed to the OS (before exiting). */
export function drainOutput(): Promise<void> {
  const drained = (s: NodeJS.WriteStream) => new Promise<void>((resolve) => s.write("", () => resolve()));
  return Promise.all([drained(process.stdout), drained(process.stderr)]).then(() => {});
}
