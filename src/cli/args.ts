/**
 * Command-line parsing with node:util parseArgs (portable across Deno and Bun).
 *
 * parseArgs runs non-strict with tokens so every mistake is reported by our
 * own messages: the runtimes' strict-mode error texts differ and do not always
 * name the flag.
 */
import { parseArgs } from "node:util";
import { CliError } from "./errors.ts";

export type CliCommand =
  | { command: "run"; configPath?: string; overrides: string[] }
  | { command: "help" }
  | { command: "help-config" }
  | { command: "version" };

const OPTIONS = {
  config: { type: "string", short: "c" },
  override: { type: "string", short: "o", multiple: true },
  help: { type: "boolean", short: "h" },
  "help-config": { type: "boolean" },
  version: { type: "boolean", short: "V" },
} as const;

type OptionName = keyof typeof OPTIONS;

function isOptionName(name: string): name is OptionName {
  return Object.hasOwn(OPTIONS, name);
}

export function parseCliArgs(argv: string[]): CliCommand {
  const { tokens } = parseArgs({ args: argv, options: OPTIONS, strict: false, allowPositionals: true, tokens: true });
  let configPath: string | undefined;
  const overrides: string[] = [];
  let help = false;
  let helpConfig = false;
  let version = false;

  for (const token of tokens) {
    if (token.kind === "option-terminator") continue;
    if (token.kind === "positional") {
      throw new CliError(`unexpected argument "${token.value}" (the config file is given with --config <file>)`);
    }
    const flag = token.rawName;
    if (!isOptionName(token.name)) throw new CliError(`unknown flag ${flag}`);
    const spec = OPTIONS[token.name];
    if (spec.type === "boolean") {
      if (token.value !== undefined) throw new CliError(`flag ${flag} takes no value (got "${token.value}")`);
      if (token.name === "help") help = true;
      else if (token.name === "help-config") helpConfig = true;
      else version = true;
      continue;
    }
    let value = token.value;
    // Non-strict parseArgs happily takes the next flag as the value (`--config --help`).
    if (value === undefined || (!token.inlineValue && value.startsWith("-"))) {
      throw new CliError(`flag ${flag} needs a value${value !== undefined ? ` (got flag ${value})` : ""}`);
    }
    // Node-style short flags treat `-o=x` as the value "=x"; users mean "x".
    if (token.inlineValue && !flag.startsWith("--") && value.startsWith("=")) value = value.slice(1);
    if (token.name === "config") {
      if (configPath !== undefined) throw new CliError(`flag ${flag} given more than once`);
      configPath = value;
    } else {
      overrides.push(value);
    }
  }

  if (help) return { command: "help" };
  if (helpConfig) return { command: "help-config" };
  if (version) return { command: "version" };
  return { command: "run", configPath, overrides };
}
