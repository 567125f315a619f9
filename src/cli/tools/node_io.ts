/**
 * The tools' input and output on the real process, through node:process and node:readline, which Deno and
 * Bun both provide (as the client's sockets use node:net), so this stays free of runtime globals.
 *
 * A reader that closes the pipe early (`| head`) makes writes fail with EPIPE, thrown by the write itself or
 * emitted later as an 'error' event depending on the runtime; both become OutputClosed, which ends the tool
 * quietly.
 */
import process from "node:process";
import * as readline from "node:readline";
import { OutputClosed, type ToolIo } from "./output.ts";

let stdoutClosed = false;

function isBrokenPipe(e: unknown): boolean {
  return (e as { code?: string } | null)?.code === "EPIPE";
}

export function processIo(onSignal: (handler: (signal: string) => void) => void): ToolIo {
  process.stdout.on("error", (e: unknown) => {
    if (isBrokenPipe(e)) stdoutClosed = true;
  });
  return {
    out: (text) => {
      if (stdoutClosed) throw new OutputClosed();
      try {
        process.stdout.write(text);
      } catch (e) {
        if (!isBrokenPipe(e)) throw e;
        stdoutClosed = true;
        throw new OutputClosed();
      }
    },
    err: (text) => void process.stderr.write(text),
    stdinLines: () => readline.createInterface({ input: process.stdin, crlfDelay: Infinity }),
    isTty: Boolean(process.stdout.isTTY),
    onInterrupt: (handler) => onSignal(() => handler()),
  };
}

/**
 * Resolves once what was written to stdout and stderr has been handed to the OS (before exiting), or after
 * a second if a stream never says so (a closed pipe may not call back).
 */
export function drainOutput(): Promise<void> {
  const drained = (s: NodeJS.WriteStream) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1000);
      try {
        s.write("", () => {
          clearTimeout(timer);
          resolve();
        });
      } catch {
        clearTimeout(timer);
        resolve();
      }
    });
  const streams = stdoutClosed ? [process.stderr] : [process.stdout, process.stderr];
  return Promise.all(streams.map(drained)).then(() => {});
}
