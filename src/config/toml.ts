/** TOML parsing and flattening of nested tables back into Kafka's dotted key names. */
import { parse, TomlError } from "smol-toml";
import { ConfigError } from "./errors.ts";
import { CONFIG_KEY_NAMES } from "./keys.ts";

/** Known keys that are also the start of another key: as bare dotted TOML keys these collide. */
const PREFIX_KEYS = CONFIG_KEY_NAMES.filter((k) => CONFIG_KEY_NAMES.some((other) => other.startsWith(k + ".")));

function isTable(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === null || proto === Object.prototype;
}

/**
 * `num.network.threads = 3` is, in TOML, nested tables num → network → threads;
 * joining the path with dots gives back Kafka's key no matter how it was written.
 */
function flatten(table: Record<string, unknown>, prefix: string, out: Array<[string, unknown]>): void {
  for (const [name, value] of Object.entries(table)) {
    const key = prefix + name;
    if (isTable(value)) flatten(value, key + ".", out);
    else out.push([key, value]);
  }
}

/** Parses TOML text into [dotted key, raw value] pairs in document order. */
export function parseTomlEntries(text: string, source: string | undefined): Array<[string, unknown]> {
  let doc: Record<string, unknown>;
  try {
    doc = parse(text);
  } catch (e) {
    if (!(e instanceof TomlError)) throw e;
    const [first, ...rest] = e.message.replace(/^Invalid TOML document: /, "").split("\n");
    const hint = first.includes("redefine") && PREFIX_KEYS.length > 0
      ? `\nhint: ${PREFIX_KEYS.join(", ")} also start other keys; write such keys quoted, e.g. "${
        PREFIX_KEYS[0]
      }" = ...`
      : "";
    const where = `${source ?? "line"}${source ? ":" : " "}${e.line}:${e.column}`;
    throw new ConfigError(`${where}: invalid TOML: ${first}${hint}\n${rest.join("\n")}`.trimEnd(), {
      line: e.line,
      column: e.column,
    });
  }
  const entries: Array<[string, unknown]> = [];
  flatten(doc, "", entries);
  return entries;
}
