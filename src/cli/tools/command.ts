/** The shape of one tool command (`topic create`, `produce`, ...), as the dispatcher and --help read it. */
import type { ToolContext } from "./context.ts";
import type { FlagSpec } from "./flags.ts";

export interface ToolCommand {
  /** The words that name it: ["topic", "create"], or ["produce"]. */
  path: string[];
  /** One line for the tool's list of commands. */
  summary: string;
  /** What follows the path in the usage line ("NAME [-p N] [-r N] [-c k=v]..."). */
  usage: string;
  /** Flags beyond the common ones. */
  flags: FlagSpec[];
  /** How many positional arguments it takes: [min, max]. */
  args: [number, number];
  /** Names the positional arguments in the usage errors ("a topic name"). */
  argsName?: string;
  /** Extra help text: examples and notes. */
  notes?: string;
  /** Runs it; resolves with the exit status (0 when nothing is returned). */
  run(ctx: ToolContext): Promise<number | void>;
}
