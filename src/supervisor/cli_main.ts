/**
 * `tsbroker [--config file] [--override k=v]...`: resolve the command line,
 * start the broker, and stop it gracefully on SIGINT/SIGTERM (exit 0), or
 * exit 1 if it cannot start or cannot stop within the shutdown timeout.
 */
import * as fs from "node:fs";
import process from "node:process";
import { resolveCli } from "../cli/resolve.ts";
import { isToolName, runTool } from "../cli/tools/mod.ts";
import { drainOutput, processIo } from "../cli/tools/node_io.ts";
import type { HostRuntime } from "../runtime/types.ts";
import { Logger } from "../util/logger.ts";
import { startBroker } from "./broker.ts";

export async function runCli(runtime: HostRuntime): Promise<void> {
  // `tsbroker topic ...` and the other operator tools (src/cli/tools) run and exit; the broker does not start.
  if (isToolName(runtime.args()[0])) {
    const code = await runTool(runtime.args(), processIo((h) => runtime.onShutdownSignal(h)));
    await drainOutput();
    runtime.exit(code);
  }
  const outcome = resolveCli(runtime.args(), (file) => fs.readFileSync(file, "utf8"), process.env);
  if (outcome.action === "exit") {
    (outcome.stream === "stdout" ? process.stdout : process.stderr).write(outcome.output);
    runtime.exit(outcome.code);
  }
  const log = new Logger("main");
  // Signals are taken from before start-up, so that one arriving while the
  // Workers start (or right after the "started" line) still stops the broker
  // gracefully instead of killing it with the signal's default action.
  let broker: Awaited<ReturnType<typeof startBroker>> | undefined;
  let pendingSignal: string | undefined;
  let stopping = false;
  // One Ctrl-C can arrive more than once: from the terminal to the whole
  // process group and again forwarded by a launcher (npm start's bootstrap).
  // Every repeat is the same request to stop, so it is acted on and logged once.
  const shutDown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`Received ${signal}`);
    const limit = outcome.config["tsbroker.shutdown.timeout.ms"] + 5000;
    const watchdog = setTimeout(() => {
      log.error(`Shutdown took longer than ${limit} ms; exiting`);
      runtime.exit(1);
    }, limit);
    broker!.stop().then(() => {
      clearTimeout(watchdog);
      runtime.exit(0);
    });
  };
  runtime.onShutdownSignal((signal) => {
    if (broker) shutDown(signal);
    else pendingSignal ??= signal;
  });
  try {
    broker = await startBroker(runtime, outcome.config);
  } catch (e) {
    log.error(`tsbroker could not start: ${e instanceof Error ? e.message : e}`);
    runtime.exit(1);
  }
  if (pendingSignal) shutDown(pendingSignal);
}
