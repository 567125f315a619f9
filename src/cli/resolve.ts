/**
 * From argv to "run with this config" or "print this and exit", with every
 * user mistake turned into a message and exit status. Kept free of process and
 * file APIs (the file reader is passed in) so each runtime's entry point stays
 * a few lines and this logic is tested once.
 */
import { ConfigError } from "../config/errors.ts";
import type { BrokerConfig } from "../config/keys.ts";
import { loadConfig } from "../config/load.ts";
import { VERSION } from "../version.ts";
import { parseCliArgs } from "./args.ts";
import { CliError } from "./errors.ts";
import { configHelpText, helpText } from "./help.ts";

export type CliOutcome =
  | { action: "run"; config: BrokerConfig; configPath?: string }
  /** Print `output` to the given stream and exit with `code` (0 ok, 1 bad config, 2 bad command line). */
  | { action: "exit"; code: 0 | 1 | 2; stream: "stdout" | "stderr"; output: string };

export function resolveCli(
  argv: string[],
  readTextFile: (path: string) => string,
  env: Readonly<Record<string, string | undefined>> = {},
): CliOutcome {
  let parsed;
  try {
    parsed = parseCliArgs(argv);
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    return {
      action: "exit",
      code: 2,
      stream: "stderr",
      output: `tsbroker: ${e.message}\nRun tsbroker --help for usage.\n`,
    };
  }
  if (parsed.command === "help") return { action: "exit", code: 0, stream: "stdout", output: helpText() };
  if (parsed.command === "help-config") return { action: "exit", code: 0, stream: "stdout", output: configHelpText() };
  if (parsed.command === "version") {
    return { action: "exit", code: 0, stream: "stdout", output: `tsbroker ${VERSION}\n` };
  }

  let text: string | undefined;
  if (parsed.configPath !== undefined) {
    try {
      text = readTextFile(parsed.configPath);
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      return {
        action: "exit",
        code: 1,
        stream: "stderr",
        output: `tsbroker: cannot read config file ${parsed.configPath}: ${reason}\n`,
      };
    }
  }
  try {
    const config = loadConfig({ text, source: parsed.configPath, env, overrides: parsed.overrides });
    return { action: "run", config, configPath: parsed.configPath };
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return { action: "exit", code: 1, stream: "stderr", output: `tsbroker: ${e.message}\n` };
  }
}
