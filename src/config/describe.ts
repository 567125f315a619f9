/**
 * The broker's keys as DescribeConfigs shows them: each value printed as
 * Kafka's ConfigDef.convertToString prints it, its Kafka type id, where it
 * comes from, and its synonyms in Kafka's order (ConfigHelper.configSynonyms:
 * the synonyms set for this broker dynamically, then the cluster-wide
 * dynamic defaults, then those the operator set at start, then every
 * synonym's default, dropped up to the first entry named like the described
 * key — which is why Kafka shows no synonyms for retention.ms while
 * log.retention.ms is unset).
 *
 * Where a value comes from (config/dynamic_config.ts): DYNAMIC_BROKER_CONFIG
 * and DYNAMIC_DEFAULT_BROKER_CONFIG from the controller's dynamic layers;
 * STATIC_BROKER_CONFIG for the keys the operator named in the config file,
 * the environment or an --override (loadConfig records them), even when set
 * to the default value; DEFAULT_CONFIG otherwise. A config not made by
 * loadConfig has no such record: there a value unlike the table's default
 * counts as set.
 */
import { type BrokerConfig, CONFIG_KEY_NAMES, type ConfigKey, isConfigKey, type KeySpec, keySpec } from "./keys.ts";
import { type ConfigLayers, layersOf } from "./dynamic_config.ts";
import { isDynamicKey } from "./dynamic_keys.ts";

/** Kafka's DescribeConfigsResponse.ConfigSource ids. */
export const ConfigSource = {
  TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
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
  /** False for the keys tsbroker changes while running (config/dynamic_keys.ts). */
  readOnly: boolean;
  source: number;
  /** No key of tsbroker's is a password; a dynamic name it does not know is treated as one, as Kafka does. */
  isSensitive: boolean;
  synonyms: ConfigSynonym[];
  type: number;
  documentation: string | null;
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
  if (spec.sensitive) return ConfigType.PASSWORD;
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

/** Whether the operator set `key`, at start or dynamically (see the module note). */
export function brokerKeyIsSet(cfg: BrokerConfig, key: ConfigKey): boolean {
  const l = layersOf(cfg);
  return Object.hasOwn(l.perBroker, key) || Object.hasOwn(l.clusterDefaults, key) || staticallySet(l, key);
}

function staticallySet(l: ConfigLayers, key: ConfigKey): boolean {
  if (l.staticKeys !== null) return l.staticKeys.has(key);
  const spec = keySpec(key);
  return renderValue(spec, l.static[key]) !== renderValue(spec, spec.default);
}

/**
 * ConfigHelper.configSynonyms for broker key `name` among `synonyms`: per-broker dynamic, cluster-wide dynamic,
 * set at start, then the non-null defaults, each in precedence order, dropped up to the first entry named `name`.
 */
export function brokerSynonyms(cfg: BrokerConfig, name: string, synonyms: readonly string[]): ConfigSynonym[] {
  const l = layersOf(cfg);
  const all: ConfigSynonym[] = [];
  const dynamic = (layer: Readonly<Record<string, string>>, source: number) => {
    for (const key of synonyms) {
      if (Object.hasOwn(layer, key)) all.push({ name: key, value: layer[key], source });
    }
  };
  dynamic(l.perBroker, ConfigSource.DYNAMIC_BROKER_CONFIG);
  dynamic(l.clusterDefaults, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
  for (const key of synonyms) {
    if (isConfigKey(key) && staticallySet(l, key)) {
      all.push({
        name: key,
        value: renderValue(keySpec(key), l.static[key]),
        source: ConfigSource.STATIC_BROKER_CONFIG,
      });
    }
  }
  for (const key of synonyms) {
    if (!isConfigKey(key)) continue;
    const spec = keySpec(key);
    const value = renderValue(spec, spec.default);
    if (value !== null) all.push({ name: key, value, source: ConfigSource.DEFAULT_CONFIG });
  }
  const first = all.findIndex((s) => s.name === name);
  return first === -1 ? [] : all.slice(first);
}

/**
 * BROKER "<node.id>": every key of the table, sorted by name, Kafka's and tsbroker's own (`tsbroker.*`) alike
 * (Kafka would not list the latter, but they are this broker's configuration and a client asking for all of it
 * should see them), then the dynamic names tsbroker does not know, as Kafka lists them.
 */
export function describeBrokerConfigs(cfg: BrokerConfig): DescribedBrokerConfig[] {
  const l = layersOf(cfg);
  const known = [...CONFIG_KEY_NAMES].sort().map((key) => {
    const spec = keySpec(key);
    const synonyms = hideIfSensitive(spec, brokerSynonyms(cfg, key, synonymsOf(key)));
    return {
      name: key,
      value: spec.sensitive ? null : renderValue(spec, cfg[key]),
      readOnly: !isDynamicKey(key),
      source: synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG,
      isSensitive: spec.sensitive ?? false,
      synonyms,
      type: configTypeId(spec),
      documentation: spec.doc,
    };
  });
  const unknown = [...new Set([...Object.keys(l.perBroker), ...Object.keys(l.clusterDefaults)])]
    .filter((name) => !isConfigKey(name)).sort()
    .map((name) => unknownEntry(name, brokerSynonyms(cfg, name, [name])));
  return [...known, ...unknown];
}

/**
 * BROKER "": the cluster-wide dynamic defaults only, as Kafka lists them; their synonyms are the cluster-wide
 * ones alone (Kafka leaves out the per-broker, static and default layers for this resource).
 */
export function describeClusterDefaults(cfg: BrokerConfig): DescribedBrokerConfig[] {
  const l = layersOf(cfg);
  return Object.keys(l.clusterDefaults).sort().map((name) => {
    const synonyms = brokerSynonyms(cfg, name, isConfigKey(name) ? synonymsOf(name) : [name])
      .filter((s) => s.source === ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
    if (!isConfigKey(name)) return unknownEntry(name, synonyms);
    const spec = keySpec(name);
    return {
      name,
      value: spec.sensitive ? null : l.clusterDefaults[name],
      readOnly: !isDynamicKey(name),
      source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG,
      isSensitive: spec.sensitive ?? false,
      synonyms: hideIfSensitive(spec, synonyms),
      type: configTypeId(spec),
      documentation: spec.doc,
    };
  });
}

/** A password's synonyms carry no value either, as Kafka answers them. */
function hideIfSensitive(spec: KeySpec, synonyms: ConfigSynonym[]): ConfigSynonym[] {
  return spec.sensitive ? synonyms.map((s) => ({ ...s, value: null })) : synonyms;
}

/** Kafka cannot type a name it does not know, so it treats the value as sensitive: hidden, read-only. */
function unknownEntry(name: string, synonyms: ConfigSynonym[]): DescribedBrokerConfig {
  return {
    name,
    value: null,
    readOnly: true,
    source: synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG,
    isSensitive: true,
    synonyms: synonyms.map((s) => ({ ...s, value: null })),
    type: ConfigType.UNKNOWN,
    documentation: null,
  };
}
