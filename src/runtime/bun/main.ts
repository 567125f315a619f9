/** `tsbroker` under Bun (and the `bun build --compile` executable). */
import { runCli } from "../../supervisor/cli_main.ts";
import { bunRuntime } from "./host.ts";

await runCli(bunRuntime);
