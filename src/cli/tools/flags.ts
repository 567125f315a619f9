/**
 * Flag parsing for the operator tools (`tsbroker topic create ...`), getopt-style: `--name value`,
 * `--name=value`, `-x value` and `-xvalue` (so kcat's habit `-k:` works), `--` ends the flags. A string flag
 * takes the next argument even when it starts with a single dash, so negative offsets (`-o -10`) read as
 * values; a long flag (`--format`) is never taken as a value, which catches a forgotten one.
 *
 * Kept apart from src/cli/args.ts (the broker's own flags): tools share `-b`/`--format` and each adds its
 * own, and every mistake becomes a UsageError that names the flag (exit status 2).
 */

/** A mistake on a tool's command line: printed with a pointer to the tool's --help, exit status 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** One flag a tool accepts. */
export interface FlagSpec {
  /** The long name, without dashes ("partitions"). */
  name: string;
  /** The one-letter short form, if any ("p"). */
  short?: string;
  /** boolean: no value; string: one value (last wins); list: repeatable, every value kept. */
  type: "boolean" | "string" | "list";
  /** The value's placeholder in --help ("N", "k=v"). */
  arg?: string;
  /** One line for --help. */
  help: string;
}

/** The parsed command line: flag values by long name, and the positional arguments. */
export interface ParsedFlags {
  values: Map<string, string | boolean | string[]>;
  positionals: string[];
}

export function parseFlags(argv: readonly string[], specs: readonly FlagSpec[]): ParsedFlags {
  const byLong = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  const values = new Map<string, string | boolean | string[]>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-" || /^-\d/.test(arg)) {
      positionals.push(arg);
      continue;
    }
    let spec: FlagSpec | undefined;
    let inline: string | undefined;
    let shown: string;
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      shown = eq < 0 ? arg : arg.slice(0, eq);
      spec = byLong.get(shown.slice(2));
      if (eq >= 0) inline = arg.slice(eq + 1);
    } else {
      shown = arg.slice(0, 2);
      spec = byShort.get(arg[1]);
      if (arg.length > 2) inline = arg.slice(2).replace(/^=/, "");
    }
    if (!spec) throw new UsageError(`unknown flag ${shown}`);
    if (spec.type === "boolean") {
      if (inline !== undefined) throw new UsageError(`flag ${shown} takes no value (got "${inline}")`);
      values.set(spec.name, true);
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("--")) {
        throw new UsageError(`flag ${shown} needs a value${next !== undefined ? ` (got flag ${next})` : ""}`);
      }
      value = next;
      i++;
    }
    if (spec.type === "list") {
      const list = (values.get(spec.name) as string[] | undefined) ?? [];
      list.push(value);
      values.set(spec.name, list);
    } else {
      values.set(spec.name, value);
    }
  }
  return { values, positionals };
}

/** The flags' lines for --help: `  -p, --partitions N   help`. */
export function flagHelp(specs: readonly FlagSpec[]): string {
  const left = specs.map((s) =>
    `${s.short ? `-${s.short}, ` : "    "}--${s.name}${s.arg ? ` ${s.arg}` : ""}${s.type === "list" ? " ..." : ""}`
  );
  const width = Math.max(...left.map((l) => l.length));
  return specs.map((s, i) => `  ${left[i].padEnd(width)}  ${s.help}`).join("\n");
}

/** Typed access to parsed flags, with the conversions every tool needs. */
export class Flags {
  constructor(readonly parsed: ParsedFlags, private readonly specs: readonly FlagSpec[] = []) {}

  /** How a flag is shown in messages: "-p/--partitions", or "--timeout". */
  label(name: string): string {
    const short = this.specs.find((s) => s.name === name)?.short;
    return short ? `-${short}/--${name}` : `--${name}`;
  }

  get positionals(): string[] {
    return this.parsed.positionals;
  }

  has(name: string): boolean {
    return this.parsed.values.has(name);
  }

  bool(name: string): boolean {
    return this.parsed.values.get(name) === true;
  }

  string(name: string): string | undefined {
    const v = this.parsed.values.get(name);
    return typeof v === "string" ? v : undefined;
  }

  list(name: string): string[] {
    const v = this.parsed.values.get(name);
    return Array.isArray(v) ? v : [];
  }

  /** An integer flag within [min, max], or `fallback` when absent. */
  int(name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    return parseInteger(raw, this.label(name), min, max);
  }
}

/** Parses an integer argument, or throws a UsageError naming what was wrong. */
export function parseInteger(raw: string, what: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^-?\d+$/.test(raw.trim())) throw new UsageError(`${what} must be a whole number (got "${raw}")`);
  const n = Number(raw);
  if (n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `between ${min} and ${max}`;
    throw new UsageError(`${what} must be ${range} (got ${raw})`);
  }
  return n;
}

/** Splits `key=value` (the value may contain '='), or throws a UsageError naming the flag. */
export function parseKeyValue(raw: string, what: string): [string, string] {
  const eq = raw.indexOf("=");
  if (eq <= 0) throw new UsageError(`${what} takes key=value (got "${raw}")`);
  return [raw.slice(0, eq), raw.slice(eq + 1)];
}
