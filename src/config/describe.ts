/**
 * The broker's keys as DescribeConfigs shows them: each value printed as
 * Kafka's ConfigDef.convertToString prints it, its Kafka type id, where it
 * comes from, and its synonyms in Kafka's order (ConfigHelper.configSynonyms:
 * every synonym the operator set, then every synonym's default, then
 * dropped up to the first entry named like the described key — which is why
 * Kafka shows no synonyms for retention.ms while log.retention.ms is unset).
 *
 * Where a value comes from: BrokerConfig keeps only the merged values, not
 * which keys the file, the environment or an --override named, so a key
 * counts as set (STATIC_BROKER_CONFIG) when its value differs from the
 * table's default, and as DEFAULT_CONFIG otherwise. A key set to its own
 * default therefore shows as DEFAULT_CONFIG where Kafka says
 * STATIC_BROKER_CONFIG; the value shown is the same either way.
 */
import { type BrokerConfig, CONFIG_KEY_NAMES, type ConfigKey, type KeySpec, keySpec } from "./keys.ts";

/** Kafka's DescribeConfigsResponse.ConfigSource ids. */
export const ConfigSource = {
  TOPIC_CONFIG: 1,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
  DYNAMIC_BROKER_LOGGER_CONFIG: 6,
} as const;

/** Kafka's DescribeConfigsResponse.ConfigType ids (DescribeConfigs v3+); 0 = UNKNOWN. */
export const ConfigType = {
  UNKNOWN: 0,
  BOOLEAN: 1,
  STRING: 2,
  INT: 3,
  SHORT: 4,
  LONG: 5,
  DOUBLE: 6,
  LIST: 7,
  CLASS: 8,
  PASSWORD: 9,
} as const;

/** How Kafka prints Long.MAX_VALUE, which tsbroker holds as Number.MAX_SAFE_INTEGER. */
const LONG_MAX_TEXT = "9223372036854775807";

export interface ConfigSynonym {
  name: string;
  value: string | null;
  source: number;
}

export interface DescribedBrokerConfig {
  name: string;
  value: string | null;
  /** tsbroker cannot change any broker key while running, so every one is read-only. */
  readOnly: true;
  source: number;
  /** No key of tsbroker's is a password. */
  isSensitive: false;
  synonyms: ConfigSynonym[];
  type: number;
  documentation: string;
}

/**
 * Kafka's DynamicBrokerConfig.brokerConfigSynonyms: keys that set the same thing, highest precedence first.
 * Keys not listed are their own only synonym.
 */
const SYNONYM_GROUPS: readonly (readonly ConfigKey[])[] = [
  ["log.roll.ms", "log.roll.hours"],
  ["log.roll.jitter.ms", "log.roll.jitter.hours"],
  ["log.retention.ms", "log.retention.minutes", "log.retention.hours"],
];

function synonymsOf(key: ConfigKey): readonly ConfigKey[] {
  // Kafka adds the scheduler interval only when describing log.flush.interval.ms itself.
  if (key === "log.flush.interval.ms") return ["log.flush.interval.ms", "log.flush.scheduler.interval.ms"];
  return SYNONYM_GROUPS.find((g) => g.includes(key)) ?? [key];
}

/** ConfigDef.convertToString: null stays null (an unset key), lists are joined by commas, doubles keep a ".0". */
export function renderValue(spec: KeySpec, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.join(",");
  if (typeof value === "number") {
    if (value === Number.MAX_SAFE_INTEGER && spec.type === "long") return LONG_MAX_TEXT;
    if (spec.type === "double" && Number.isInteger(value)) return `${value}.0`;
    return String(value);
  }
  return String(value);
}

/** Kafka's ConfigDef.Type of a key; tsbroker's enums are Kafka STRINGs with a list of valid values. */
export function configTypeId(spec: KeySpec): number {
  switch (spec.type) {
    case "int":
      return ConfigType.INT;
    case "long":
      return ConfigType.LONG;
    case "double":
      return ConfigType.DOUBLE;
    case "boolean":
      return ConfigType.BOOLEAN;
    case "list":
      return ConfigType.LIST;
    case "string":
    case "enum":
      return ConfigType.STRING;
  }
}

/** Whether the operator set `key`, as far as a merged BrokerConfig tells (see the module note). */
export function brokerKeyIsSet(cfg: BrokerConfig, key: ConfigKey): boolean {
  const spec = keySpec(key);
  return renderValue(spec, cfg[key]) !== renderValue(spec, spec.default);
}

/**
 * ConfigHelper.configSynonyms for broker key `name` among `synonyms`: the set ones, then the non-null defaults,
 * both in precedence order, dropped up to the first entry named `name`.
 */
export function brokerSynonyms(cfg: BrokerConfig, name: ConfigKey, synonyms: readonly ConfigKey[]): ConfigSynonym[] {
  const all: ConfigSynonym[] = [];
  for (const key of synonyms) {
    if (brokerKeyIsSet(cfg, key)) {
      all.push({ name: key, value: renderValue(keySpec(key), cfg[key]), source: ConfigSource.STATIC_BROKER_CONFIG });
    }
  }
  for (const key of synonyms) {
    const spec = keySpec(key);
    const value = renderValue(spec, spec.default);
    if (value !== null) all.push({ name: key, value, source: ConfigSource.DEFAULT_CONFIG });
  }
  const first = all.findIndex((s) => s.name === name);
  return first === -1 ? [] : all.slice(first);
}

/**
 * Every key of the table, sorted by name, Kafka's and tsbroker's own (`tsbroker.*`) alike: Kafka would not list
 * the latter, but they are this broker's configuration and a client asking for all of it should see them.
 */
export function describeBrokerConfigs(cfg: BrokerConfig): DescribedBrokerConfig[] {
  return [...CONFIG_KEY_NAMES].sort().map((key) => {
    const spec = keySpec(key);
    const synonyms = brokerSynonyms(cfg, key, synonymsOf(key));
    return {
      name: key,
      value: renderValue(spec, cfg[key]),
      readOnly: true,
      source: synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG,
      isSensitive: false,
      synonyms,
      type: configTypeId(spec),
      documentation: spec.doc,
    };
  });
}
