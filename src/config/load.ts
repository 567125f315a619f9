/**
 * loadConfig: TOML text + `--override key=value` → validated BrokerConfig.
 *
 * Precedence: table defaults < config file < environment (KAFKA_*,
 * TSBROKER_*) < overrides (in the order given).
 * Every problem is a ConfigError that names the key, the value, what was
 * expected and where it came from (file line or the --override).
 */
import { coerceValue } from "./coerce.ts";
import { configFromEnv } from "./env.ts";
import { ConfigError } from "./errors.ts";
import { type BrokerConfig, CONFIG_KEY_NAMES, type ConfigKey, isConfigKey, keySpec, REPLACED_KEYS } from "./keys.ts";
import { findKeyLine, findKeyLines } from "./source_lines.ts";
import { closestKey } from "./suggest.ts";
import { parseTomlEntries } from "./toml.ts";
import { validateConfig } from "./validate.ts";
import { recordStaticKeys } from "./dynamic_config.ts";
import { listenerScopedKey, recordListenerScoped } from "./keys_security.ts";

export interface LoadConfigOptions {
  /** TOML text of the config file; omitted = defaults (plus overrides) only. */
  text?: string;
  /** File name used in error messages. */
  source?: string;
  /** Environment variables; KAFKA_* and TSBROKER_* ones apply after the file, before the overrides (env.ts). */
  env?: Readonly<Record<string, string | undefined>>;
  /** `key=value` strings, applied after the file and environment, later ones winning. */
  overrides?: readonly string[];
}

/** Where a key's value came from, to point error messages at it. */
type Origin =
  | { kind: "default" }
  | { kind: "file"; line?: number }
  | { kind: "env"; variable: string }
  | { kind: "override"; text: string };

function show(raw: unknown): string {
  return typeof raw === "number" || typeof raw === "boolean" ? String(raw) : JSON.stringify(raw) ?? String(raw);
}

function defaults(): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const key of CONFIG_KEY_NAMES) {
    const d = keySpec(key).default;
    values[key] = Array.isArray(d) ? [...d] : d;
  }
  return values;
}

/** What loading collects: values by key, where each came from, and the per-listener keys. */
interface Loading {
  values: Record<string, unknown>;
  origins: Map<string, Origin>;
  /** Per-listener keys (`listener.name.<name>.…`), which are not table rows. */
  scoped: Map<string, string>;
  /** The config file's name, for error messages. */
  source: string | undefined;
}

export function loadConfig(options: LoadConfigOptions = {}): BrokerConfig {
  const st: Loading = { values: defaults(), origins: new Map(), scoped: new Map(), source: options.source };
  if (options.text !== undefined) applyFile(st, options.text);
  for (const { variable, key, value } of configFromEnv(options.env ?? {})) {
    setValue(st, key, value, { kind: "env", variable });
  }
  applyOverrides(st, options.overrides ?? []);

  // Kafka: log.dir is only consulted when log.dirs is not set.
  const logDir = st.values["log.dir"];
  if (!st.origins.has("log.dirs") && typeof logDir === "string" && logDir !== "") {
    st.values["log.dirs"] = [logDir];
  }

  const cfg = st.values as BrokerConfig;
  recordListenerScoped(cfg, st.scoped);
  validateConfig(
    cfg,
    (key: ConfigKey, problem: string): never => {
      throw configError(st, st.origins.get(key) ?? { kind: "default" }, `${key}: ${problem}`, key);
    },
    (key) => st.origins.has(key),
  );
  const frozen = Object.freeze(cfg);
  // DescribeConfigs reports these keys as STATIC_BROKER_CONFIG, whatever their value (config/describe.ts).
  recordStaticKeys(frozen, st.origins.keys());
  return frozen;
}

/** A ConfigError pointing at where the value came from: the file's line, the variable, the --override. */
function configError(st: Loading, origin: Origin, message: string, key?: string): ConfigError {
  const source = st.source;
  switch (origin.kind) {
    case "file": {
      const at = source && origin.line
        ? `${source}:${origin.line}`
        : source ?? (origin.line ? `line ${origin.line}` : "");
      return new ConfigError(at ? `${at}: ${message}` : message, { key, line: origin.line });
    }
    case "env":
      return new ConfigError(`environment variable ${origin.variable}: ${message}`, { key });
    case "override":
      return new ConfigError(`--override ${origin.text}: ${message}`, { key });
    case "default":
      return new ConfigError(`${message} (${key} is at its default value)`, { key });
  }
}

/** One key's value from one origin, coerced to the key's type; a later origin overwrites an earlier one. */
function setValue(st: Loading, key: string, raw: unknown, origin: Origin): void {
  // hasOwn: keys such as "constructor" must not hit Object.prototype.
  const replaced = Object.hasOwn(REPLACED_KEYS, key) ? REPLACED_KEYS[key] : undefined;
  if (replaced) {
    throw configError(st, origin, `${key} is not supported: use ${replaced.use} instead (${replaced.why})`, key);
  }
  if (!isConfigKey(key) && listenerScopedKey(key)) {
    if (typeof raw !== "string") throw configError(st, origin, `${key} = ${show(raw)}: expected a string`, key);
    st.scoped.set(key, raw);
    return;
  }
  if (!isConfigKey(key)) {
    const suggestion = closestKey(key, CONFIG_KEY_NAMES);
    throw configError(st, origin, `unknown key "${key}"${suggestion ? ` (did you mean "${suggestion}"?)` : ""}`, key);
  }
  const coerced = coerceValue(keySpec(key), raw);
  if (!coerced.ok) throw configError(st, origin, `${key} = ${show(raw)}: ${coerced.problem}`, key);
  st.values[key] = coerced.value;
  st.origins.set(key, origin);
}

function applyFile(st: Loading, text: string): void {
  const seen = new Set<string>();
  for (const [key, raw] of parseTomlEntries(text, st.source)) {
    if (seen.has(key)) {
      // e.g. `"num.partitions" = 1` and `[num] partitions = 2`: valid TOML, ambiguous config.
      const lines = findKeyLines(text, key);
      const where = lines.length > 1 ? ` (lines ${lines.join(" and ")})` : "";
      throw configError(st, { kind: "file", line: lines.at(-1) }, `${key} is set more than once${where}`, key);
    }
    seen.add(key);
    setValue(st, key, raw, { kind: "file", line: findKeyLine(text, key) });
  }
}

function applyOverrides(st: Loading, overrides: readonly string[]): void {
  for (const override of overrides) {
    const eq = override.indexOf("=");
    const key = eq > 0 ? override.slice(0, eq).trim() : "";
    if (key === "") {
      throw new ConfigError(`--override ${JSON.stringify(override)}: expected key=value, e.g. num.partitions=3`);
    }
    setValue(st, key, override.slice(eq + 1), { kind: "override", text: JSON.stringify(override) });
  }
}
