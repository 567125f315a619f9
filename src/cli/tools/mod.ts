/**
 * The operator tools in the broker's executable, in the spirit of rpk and kcat: `tsbroker <tool> ...` where
 * the tool is topic, produce, consume, group, cluster, perf, acl or user. They are built on the client library
 * (src/client) only, so they work against any Kafka broker, not just tsbroker.
 *
 * Exit statuses scripts can rely on: 0 success, 1 the broker refused or an operation failed, 2 bad usage,
 * 3 no broker reachable.
 */
import { KafkaClientError } from "../../client/errors.ts";
import { aclCommands } from "./acl.ts";
import { clusterCommands } from "./cluster.ts";
import type { ToolCommand } from "./command.ts";
import { consumeCommand } from "./consume.ts";
import {
  COMMON_FLAGS,
  describeFailure,
  isNetworkFailure,
  ToolContext,
  ToolFailure,
  UnreachableError,
} from "./context.ts";
import { flagHelp, Flags, parseFlags, UsageError } from "./flags.ts";
import { groupCommands } from "./group.ts";
import { OutputClosed, type ToolIo } from "./output.ts";
import { perfCommands } from "./perf.ts";
import { produceCommand } from "./produce.ts";
import { topicCommands } from "./topic.ts";
import { userCommands } from "./user.ts";

export type { ToolIo };

const COMMANDS: readonly ToolCommand[] = [
  ...topicCommands,
  produceCommand,
  consumeCommand,
  ...groupCommands,
  ...clusterCommands,
  ...perfCommands,
  ...aclCommands,
  ...userCommands,
];

/** The tool names `tsbroker` dispatches on (its first argument). */
export const TOOL_NAMES: readonly string[] = [...new Set(COMMANDS.map((c) => c.path[0]))];

const TOOL_SUMMARIES: Record<string, string> = {
  topic: "Create, list, describe, delete topics and change their configs",
  produce: "Send lines of standard input as records",
  consume: "Print records, from an offset, a time, or a group's position",
  group: "List, describe, delete consumer groups; reset their offsets",
  cluster: "Show the cluster: id, controller, brokers, API versions",
  perf: "Measure produce or consume throughput and latency",
  acl: "List, create, delete ACL bindings (allow or deny principals operations on resources)",
  user: "List, create, delete SCRAM users",
};

/** Whether `tsbroker <first> ...` runs a tool rather than the broker. */
export function isToolName(first: string | undefined): boolean {
  return first !== undefined && TOOL_NAMES.includes(first);
}

/** Runs `argv` (starting with the tool's name) and resolves with the exit status. */
export async function runTool(args: readonly string[], io: ToolIo): Promise<number> {
  let argv = args;
  const tool = argv[0];
  const family = COMMANDS.filter((c) => c.path[0] === tool);
  const single = family.length === 1 && family[0].path.length === 1 ? family[0] : undefined;
  let command = single;
  if (!command) {
    const sub = argv[1];
    command = family.find((c) => c.path[1] === sub);
    // `tsbroker cluster [-b ...]` means `cluster info`, the tool's only command.
    if (
      !command && family.length === 1 && (sub === undefined || sub.startsWith("-")) && sub !== "--help" && sub !== "-h"
    ) {
      command = family[0];
      argv = [argv[0], command.path[1], ...argv.slice(1)];
    }
    if (!command) {
      if (sub === "--help" || sub === "-h" || sub === "help") {
        io.out(toolHelp(tool, family));
        return 0;
      }
      if (sub === undefined) {
        io.err(`tsbroker ${tool}: missing command\n\n${toolHelp(tool, family)}`);
        return 2;
      }
      const names = family.map((c) => c.path[1]).join(", ");
      io.err(
        `tsbroker ${tool}: unknown command "${sub}" (one of: ${names})\nRun 'tsbroker ${tool} --help' for usage.\n`,
      );
      return 2;
    }
  }
  const name = `tsbroker ${command.path.join(" ")}`;
  let ctx: ToolContext | undefined;
  try {
    const specs = [...command.flags, ...COMMON_FLAGS];
    const flags = new Flags(parseFlags(argv.slice(command.path.length), specs), specs);
    if (flags.bool("help")) {
      io.out(commandHelp(command));
      return 0;
    }
    const [min, max] = command.args;
    const n = flags.positionals.length;
    if (n < min) throw new UsageError(`missing ${command.argsName ?? "argument"}`);
    if (n > max) throw new UsageError(`unexpected argument "${flags.positionals[max]}"`);
    ctx = new ToolContext(io, flags);
    return (await command.run(ctx)) ?? 0;
  } catch (e) {
    return report(name, e, io);
  } finally {
    await ctx?.close();
  }
}

function report(name: string, e: unknown, io: ToolIo): number {
  if (e instanceof OutputClosed) return 0;
  if (e instanceof UsageError) {
    io.err(`${name}: ${e.message}\nRun '${name} --help' for usage.\n`);
    return 2;
  }
  if (e instanceof UnreachableError) {
    io.err(`${name}: ${e.message}\n`);
    return 3;
  }
  if (isNetworkFailure(e)) {
    // The bootstrap address answered (the probe), so either the broker went away or the address it
    // advertises for itself is not reachable from here.
    io.err(
      `${name}: lost the connection to the broker (${(e as Error).message}): it stopped, or the address it ` +
        `advertises (advertised.listeners; see 'tsbroker cluster info') is not reachable from here\n`,
    );
    return 3;
  }
  if (e instanceof ToolFailure) io.err(`${name}: ${e.message}\n`);
  else if (e instanceof KafkaClientError) io.err(`${describeFailure(name, e)}\n`);
  else io.err(`${name}: ${e instanceof Error ? e.message : String(e)}\n`);
  return 1;
}

/** `tsbroker topic --help`: the tool's commands. */
function toolHelp(tool: string, family: readonly ToolCommand[]): string {
  const width = Math.max(...family.map((c) => c.path.join(" ").length));
  const lines = family.map((c) => `  tsbroker ${c.path.join(" ").padEnd(width)}  ${c.summary}`);
  return `tsbroker ${tool}: ${TOOL_SUMMARIES[tool]}\n\nCommands:\n${lines.join("\n")}\n\n` +
    `Each command has its own --help (tsbroker ${family[0].path.join(" ")} --help).\n`;
}

/** `tsbroker topic create --help`. */
export function commandHelp(c: ToolCommand): string {
  return `tsbroker ${c.path.join(" ")}: ${c.summary}\n\nUsage:\n  tsbroker ${c.path.join(" ")} ${c.usage}\n\n` +
    (c.flags.length > 0 ? `Flags:\n${flagHelp(c.flags)}\n\n` : "") +
    `Common flags:\n${flagHelp(COMMON_FLAGS)}\n` + (c.notes ? `\n${c.notes.trimEnd()}\n` : "") +
    `\nExit status: 0 ok, 1 refused or failed, 2 bad usage, 3 broker unreachable.\n`;
}

/** Two lines for `tsbroker --help`. */
export function toolsHelpLines(): string {
  return TOOL_NAMES.join(", ");
}
