/** `tsbroker` under Deno: the command-line entry point. */
import { runCli } from "../../supervisor/cli_main.ts";
import { denoRuntime } from "./host.ts";

await runCli(denoRuntime);
